import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CHROMIUM, MISSING_CHROMIUM, offlineChromium, type OfflineChromium } from './offline-chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { pollUntilDecided, useTestRuntime, type Api } from '../integration/support';

/** What an agent wrote: Slack syntax that must reach the approver as text, and HTML that must stay text. */
/** Arguments with markup in them: the request page shows them in full, as text. */
const PARAMETERS = { sql: 'DROP TABLE orders; -- <b>bold</b>', batch: [1, 2] };
const UNTRUSTED = 'Ship it <!channel> <@U0123> *bold* <img src=x onerror="window.pwned=1"> & done';
const REASON = 'customers is still read by billing <!here>';

const SCREENSHOT = join('test-results', 'console.png');

it(`finds Chromium at ${CHROMIUM}`, () => {
  if (!existsSync(CHROMIUM)) throw new Error(MISSING_CHROMIUM);
});

describe('the approver console in Chromium', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  useTestRuntime((started) => ({ runtime, api, agent } = started));

  let browser: OfflineChromium;
  let page: Page;
  let external: string[];
  let pageErrors: string[];

  beforeAll(async () => {
    // Offline but for the runtime: anything else the page asks for is recorded and refused.
    browser = await offlineChromium({
      allowed: runtime.url,
      viewport: { width: 1280, height: 900 },
      consoleErrors: true,
    });
    ({ page, external, pageErrors } = browser);
  });

  afterAll(async () => {
    await browser?.close();
  });

  const card = (requestId: string) => page.locator(`article[data-request-id="${requestId}"]`);
  const actAs = (user: string) => page.getByLabel('You are').selectOption(user);
  /** A full-page screenshot under test-results/ (gitignored), kept for whoever reviews the run. */
  const artifact = async (name: string) => {
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: join('test-results', name), fullPage: true });
  };

  let approvedId: string;

  /** Approve, then the confirm dialog's Approve. */
  const approve = async (requestId: string) => {
    await page.getByRole('button', { name: `Approve request ${requestId}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve', exact: true }).click();
  };

  it('Approve, clicked as U0ALICE, gets the agent its token; the page updates without a reload', async () => {
    const before = Date.now();
    approvedId = await api.createRequest(agent, { justification: UNTRUSTED, parameters: PARAMETERS });
    await page.goto(`${runtime.url}/console`);
    await actAs('U0ALICE');
    await card(approvedId).waitFor();
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    // The card shows when the message was really posted (the stand-in's ts is the posting time).
    const posted = Date.parse(
      (await card(approvedId).locator('time.msg-time').getAttribute('datetime')) ?? '',
    );
    expect(posted).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(posted).toBeLessThanOrEqual(Date.now());

    // Approve asks first, as Slack's confirm dialog does, repeating the action and the resource.
    await page.getByRole('button', { name: `Approve request ${approvedId}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Approve db:DropTable?' });
    expect(await confirm.innerText()).toContain('db:DropTable on prod/orders, for orders-db');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect((await runtime.store.get(approvedId))?.votes).toEqual([]);
    await page.getByRole('button', { name: `Approve request ${approvedId}` }).click();
    await confirm.getByRole('button', { name: 'Approve', exact: true }).click();

    const answer = await pollUntilDecided(api, agent, approvedId);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ token_type: 'Bearer', access_token: expect.stringMatching(/^ey/) });
    // The click went the way Slack's does: a signed block_actions payload to /slack/events.
    const stored = await runtime.store.get(approvedId);
    expect(stored?.events).toContainEqual(
      expect.objectContaining({ type: 'vote', actor: 'slack:T0EXAMPLE/U0ALICE' }),
    );
    await card(approvedId).getByText('\u2705 Approved by @U0ALICE').waitFor();
    expect(await page.getByRole('button', { name: `Approve request ${approvedId}` }).count()).toBe(0);
    expect(await page.evaluate(() => (window as { sameDocument?: boolean }).sameDocument)).toBe(true);
  });

  it("shows the agent's text literally, exactly as Slack would: nothing in it becomes markup", async () => {
    expect(await page.locator('body').innerText()).toContain(UNTRUSTED);
    const holders = await page
      .locator('.bk-text', { hasText: '<!channel>' })
      .evaluateAll((elements) =>
        elements.map((e) => ({ children: e.childElementCount, text: e.textContent })),
      );
    expect(holders.length).toBeGreaterThan(0);
    for (const holder of holders) {
      expect(holder.children).toBe(0);
      expect(holder.text).toContain(UNTRUSTED);
    }
    expect(await page.locator('img, .bk-broadcast').count()).toBe(0);
    expect(await page.locator('strong', { hasText: 'bold' }).count()).toBe(0);
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
  });

  it('Deny asks for a reason, as the Slack dialog does, and the agent gets access_denied with it', async () => {
    const deniedId = await api.createRequest(agent, {
      resource: 'prod/customers',
      justification: 'Free space.',
    });
    await actAs('U0BOB');
    await card(deniedId).waitFor();
    await page.getByRole('button', { name: `Deny request ${deniedId}` }).click();

    const dialog = page.getByRole('dialog', { name: 'Deny request' });
    const reason = dialog.getByLabel('Reason (the agent and the audit trail see it)');
    await reason.fill('no');
    await dialog.getByRole('button', { name: 'Deny', exact: true }).click();
    expect(await dialog.getByRole('alert').innerText()).toBe('Give a reason of 3 to 500 characters.');
    await reason.fill(REASON);
    await artifact('console-deny-dialog.png');
    await dialog.getByRole('button', { name: 'Deny', exact: true }).click();

    const answer = await pollUntilDecided(api, agent, deniedId);
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({
      error: 'access_denied',
      error_description: `denied by an approver: ${REASON}`,
    });
    // The reason is shown in the updated message as plain text, under the outcome: `<!here>` pings nobody.
    await card(deniedId).getByText('\u26d4 Denied by @U0BOB').waitFor();
    await card(deniedId).getByText(`Reason: ${REASON}`).waitFor();
    expect(await card(deniedId).locator('.bk-broadcast').count()).toBe(0);
  });

  it('shows private notices to the selected approver only, and quorum progress on the message', async () => {
    const rotateId = await api.createRequest(agent, {
      action: 'secrets:Rotate',
      resource: 'prod/db-password',
      audience: 'vault',
      justification: 'Quarterly rotation of the orders database password.',
    });
    await actAs('U0ALICE');
    await approve(rotateId);
    const notice = 'Only members of security can decide this request.';
    await page.getByRole('list', { name: 'Private notices for U0ALICE' }).getByText(notice).waitFor();

    await actAs('U0GRACE');
    const panel = page.getByRole('complementary', { name: 'Private notices' });
    expect(await panel.innerText()).toContain('Only visible to you (U0GRACE)');
    expect(await panel.getByText(notice).count()).toBe(0);
    await approve(rotateId);
    await card(rotateId).getByText('1 of 2 approvals: @U0GRACE').waitFor();
    expect(await page.getByRole('button', { name: `Approve request ${rotateId}` }).count()).toBe(1);
    expect((await runtime.store.get(rotateId))?.status).toBe('PENDING');
  });

  it('a request page shows the audit trail from the request store', async () => {
    await page.goto(`${runtime.url}/console/requests/${approvedId}`);
    const trail = page.getByRole('list', { name: 'Audit trail' });
    await trail.getByText('token_delivered').waitFor();
    const text = await trail.innerText();
    for (const type of ['requested', 'notified', 'vote', 'approved', 'grant_issued', 'token_delivered']) {
      expect(text).toContain(type);
    }
    expect(text).toContain('slack:T0EXAMPLE/U0ALICE');
    expect(await page.locator('main').innerText()).toContain(UNTRUSTED);
    const parameters = page.locator('pre.parameters');
    expect(JSON.parse(await parameters.innerText())).toEqual(PARAMETERS);
    expect(await parameters.evaluate((e) => e.childElementCount)).toBe(0);
    await artifact('console-request.png');

    const detail = await fetch(`${runtime.url}/console/api/requests/${approvedId}`);
    expect(detail.status).toBe(200);
    expect(await detail.text()).not.toMatch(/task_?token/i);
    expect((await fetch(`${runtime.url}/console/api/requests/no-such-request`)).status).toBe(404);
  });

  it('loads nothing from elsewhere, logs no errors and never parses data as HTML', async () => {
    const html = await fetch(`${runtime.url}/console`);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    const script = await (await fetch(`${runtime.url}/console/assets/console.js`)).text();
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('saves a screenshot (test-results/console.png; docs/console.png with UPDATE_SCREENSHOT=1)', async () => {
    await page.goto(`${runtime.url}/console`);
    await actAs('U0ALICE');
    await page.getByText('Only members of security can decide this request.').waitFor();
    await artifact('console.png');
    expect(existsSync(SCREENSHOT)).toBe(true);
    if (process.env.UPDATE_SCREENSHOT === '1') copyFileSync(SCREENSHOT, join('docs', 'console.png'));
  });
});
