import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { offlineChromium, type OfflineChromium } from './offline-chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import type { Clock } from '../../lambdas/ports/clock';
import { linkIn, passkeyPolicies } from '../helpers/passkey-policies';
import {
  eventually,
  pollUntilDecided,
  slackMessage,
  testConfig,
  useTestRuntime,
  type Api,
} from '../integration/support';

/** The approval page's screenshot; `UPDATE_SCREENSHOT=1` also copies it into the docs. */
const SCREENSHOT = join('test-results', 'approval-page.png');
const UNTRUSTED = 'Approve fast <script>window.pwned=1</script> *Approved by:* security';

/** A clock the test moves forward to pass a link's expiry, without waiting for it. */
let offsetMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

describe('passkey-confirmed votes in Chromium with a virtual authenticator', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;
  useTestRuntime((started) => ({ runtime, api, agent } = started), testConfig({ operators: ['ops-bot'] }), {
    policiesDir: passkeyPolicies(),
    clock,
  });

  let browser: OfflineChromium;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;
  let external: string[];
  let pageErrors: string[];

  beforeAll(async () => {
    // Offline but for the approval pages: anything else the page asks for is recorded and refused.
    browser = await offlineChromium({ allowed: runtime.passkeyUrl, viewport: { width: 900, height: 900 } });
    ({ context, page, external, pageErrors } = browser);
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    }));
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** Clicks the Slack button as `user` and returns the private answer it got. */
  const answerTo = async (requestId: string, user: string, decision: 'approve' | 'deny') => {
    const slack = runtime.slack;
    if (!slack) throw new Error('the stand-in is needed');
    const before = slack.ephemerals.length;
    await runtime.click({ requestId, user, decision });
    const said = await eventually(() => slack.ephemerals.slice(before).find((e) => e.user === user));
    return said.text;
  };

  /** Clicks the Slack button as `user` and returns the link of the private answer it got. */
  const linkFor = async (requestId: string, user: string, decision: 'approve' | 'deny') =>
    linkIn(await answerTo(requestId, user, decision));

  /** Opens a link's page, presses its button and returns what the page then says. */
  const submit = async (url: string) => {
    await page.goto(url);
    await page.locator('#confirm').click();
    await page.locator('#status.done, #status.refused').waitFor();
    return page.locator('#status').innerText();
  };

  /** Opens a link's page and has the authenticator answer, but keeps the answer instead of posting it. */
  const captureAnswer = async (url: string): Promise<string> => {
    let body: string | undefined;
    await page.route(url, (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      body = route.request().postData() ?? '';
      return route.abort();
    });
    await page.goto(url);
    await page.locator('#confirm').click();
    const captured = await eventually(() => body, 'the page to post its assertion');
    await page.unroute(url);
    return captured;
  };

  /** Posts a body to a link as the page would. */
  const post = async (url: string, body: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const pending = async (requestId: string) => {
    const request = await runtime.store.get(requestId);
    return { status: request?.status, votes: request?.votes.length };
  };

  it('serves the approval pages on localhost (WebAuthn refuses IP addresses)', () => {
    expect(new URL(runtime.passkeyUrl).hostname).toBe('localhost');
  });

  it('an approver without a passkey gets a one-time enrolment link and registers one', async () => {
    const id = await api.createRequest(agent, { justification: UNTRUSTED });
    await slackMessage(runtime, id);
    const url = await linkFor(id, 'U0ALICE', 'approve');
    // The click itself decided nothing.
    expect(await pending(id)).toEqual({ status: 'PENDING', votes: 0 });
    expect(await submit(url)).toContain('registered');
    const [credential] = await runtime.passkeys.credentials('U0ALICE');
    expect(credential).toMatchObject({ transports: expect.arrayContaining(['internal']) });
    // The enrolment link is used up.
    await page.goto(url);
    expect(await page.locator('h1').innerText()).toBe('This link cannot be used');
  });

  let approvedId: string;
  it('happy path: Approve in Slack → the page → the passkey approves; the token says assurance passkey', async () => {
    approvedId = await api.createRequest(agent, {
      justification: UNTRUSTED,
      parameters: { sql: 'DROP TABLE orders; -- <b>x</b>' },
    });
    await slackMessage(runtime, approvedId);
    const url = await linkFor(approvedId, 'U0ALICE', 'approve');
    await page.goto(url);
    // The page shows the request from stored data; the agent's text stays text.
    expect(await page.locator('h1').innerText()).toContain('PROD db:DropTable on prod/orders');
    expect(await page.locator('.agent-text pre').innerText()).toBe(UNTRUSTED);
    expect(await page.locator('pre.parameters').innerText()).toContain('DROP TABLE orders; -- <b>x</b>');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    // A test run never rewrites the docs (a clean checkout stays clean); refreshing them is a choice.
    if (process.env.UPDATE_SCREENSHOT === '1') copyFileSync(SCREENSHOT, join('docs', 'approval-page.png'));

    expect(await submit(url)).toContain('approved');
    const answer = await pollUntilDecided(api, agent, approvedId);
    expect(answer.status).toBe(200);
    const claims = claimsOf(answer.body.access_token as string);
    expect(claims.approval).toMatchObject({ approvers: ['U0ALICE'], assurance: 'passkey' });
    const stored = await runtime.store.get(approvedId);
    const [credential] = await runtime.passkeys.credentials('U0ALICE');
    expect(stored?.events).toContainEqual(
      expect.objectContaining({
        type: 'vote',
        actor: 'slack:T0EXAMPLE/U0ALICE',
        detail: { decision: 'approve', credential_id: credential?.id, user_verified: true },
      }),
    );
    const introspected = await api.introspect(
      await runtime.devToken('orders-db'),
      answer.body.access_token as string,
    );
    expect(introspected.body).toMatchObject({ active: true, approval: { assurance: 'passkey' } });
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
  });

  it('a link used twice is refused', async () => {
    const id = await api.createRequest(agent, { resource: 'prod/invoices' });
    await slackMessage(runtime, id);
    const url = await linkFor(id, 'U0ALICE', 'approve');
    const answer = await captureAnswer(url);
    expect((await post(url, answer)).status).toBe(200);
    const again = await post(url, answer);
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    await page.goto(url);
    expect(await page.locator('h1').innerText()).toBe('This link cannot be used');
  });

  it('a vote without an assertion, another user’s passkey, the other decision’s link and an expired link change nothing', async () => {
    // U0BOB enrols too, so there is another approver's passkey to try.
    const enrolId = await api.createRequest(agent, { resource: 'prod/bob-enrols' });
    await slackMessage(runtime, enrolId);
    expect(await submit(await linkFor(enrolId, 'U0BOB', 'approve'))).toContain('registered');

    const id = await api.createRequest(agent, { resource: 'prod/customers' });
    await slackMessage(runtime, id);
    const aliceApprove = await linkFor(id, 'U0ALICE', 'approve');
    const aliceAnswer = await captureAnswer(aliceApprove);

    // No assertion at all: the click alone, or a post without a valid signature.
    const forged = JSON.parse(aliceAnswer) as { response: { response: { signature: string } } };
    forged.response.response.signature = Buffer.from('not a signature').toString('base64url');
    expect(await post(aliceApprove, JSON.stringify(forged))).toMatchObject({ status: 403 });
    expect(await post(aliceApprove, '{"response":{}}')).toMatchObject({ status: 400 });

    // U0BOB's passkey on U0ALICE's link.
    const bobAnswer = await captureAnswer(await linkFor(id, 'U0BOB', 'approve'));
    await page.goto(aliceApprove);
    expect(await post(aliceApprove, bobAnswer)).toMatchObject({
      status: 403,
      body: { error: 'access_denied', error_description: expect.stringContaining('not registered') },
    });

    // U0ALICE's approve assertion on her deny link (opened, so it has a challenge of its own).
    const aliceDeny = await linkFor(id, 'U0ALICE', 'deny');
    await page.goto(aliceDeny);
    const approveAnswer = await captureAnswer(await linkFor(id, 'U0ALICE', 'approve'));
    expect(await post(aliceDeny, approveAnswer)).toMatchObject({ status: 403 });

    // After the link's two minutes (the injected clock moves; nothing sleeps).
    const late = await linkFor(id, 'U0ALICE', 'approve');
    const lateAnswer = await captureAnswer(late);
    offsetMs = 121_000;
    try {
      expect(await post(late, lateAnswer)).toMatchObject({
        status: 400,
        body: { error_description: expect.stringContaining('expired') },
      });
      await page.goto(late);
      expect(await page.locator('main').innerText()).toContain('expired');
    } finally {
      offsetMs = 0;
    }
    expect(await pending(id)).toEqual({ status: 'PENDING', votes: 0 });
  });

  it('deny with a passkey: the reason reaches the agent', async () => {
    const id = await api.createRequest(agent, { resource: 'prod/ledger' });
    await slackMessage(runtime, id);
    const url = await linkFor(id, 'U0BOB', 'deny');
    await page.goto(url);
    await page.locator('#reason').fill('the ledger is still in use');
    await page.locator('#confirm').click();
    await page.locator('#status.done').waitFor();
    expect(await page.locator('#status').innerText()).toContain('denied');
    const answer = await pollUntilDecided(api, agent, id);
    expect(answer.body.error).toBe('access_denied');
    expect((await runtime.store.get(id))?.denialReason).toBe('the ledger is still in use');
  });

  it('an operator revokes a passkey; its assertions are refused and the approver enrols again', async () => {
    const id = await api.createRequest(agent, { resource: 'prod/archive' });
    await slackMessage(runtime, id);
    const url = await linkFor(id, 'U0ALICE', 'approve');
    const answer = await captureAnswer(url);
    const operator = await runtime.devToken('ops-bot');
    expect(await api.postJson('/v1/passkeys/revoke', { user: 'U0ALICE' }, agent)).toMatchObject({
      status: 403,
    });
    expect(await api.postJson('/v1/passkeys/revoke', { user: 'U0ALICE' }, operator)).toMatchObject({
      status: 200,
      body: { removed: 1 },
    });
    expect(await post(url, answer)).toMatchObject({ status: 403, body: { error: 'access_denied' } });
    expect(await pending(id)).toEqual({ status: 'PENDING', votes: 0 });
    // The next click hands out an enrolment link again.
    expect(await submit(await linkFor(id, 'U0ALICE', 'approve'))).toContain('registered');
    expect(await submit(await linkFor(id, 'U0ALICE', 'approve'))).toContain('approved');
  });

  it('a signature counter that goes backwards is refused (a cloned authenticator)', async () => {
    const [stored] = await runtime.passkeys.credentials('U0ALICE');
    expect(stored?.counter).toBeGreaterThan(0);
    // The authenticator's copy of the credential, put back with its counter at 0: a clone's counter.
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    const clone = credentials.find(
      (c) => Buffer.from(c.credentialId, 'base64').toString('base64url') === stored?.id,
    );
    if (!clone) throw new Error('the virtual authenticator lost the credential');
    await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: clone.credentialId });
    await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: { ...clone, signCount: 0 } });

    const id = await api.createRequest(agent, { resource: 'prod/clone' });
    await slackMessage(runtime, id);
    expect(await submit(await linkFor(id, 'U0ALICE', 'approve'))).toContain('did not verify');
    expect(await pending(id)).toEqual({ status: 'PENDING', votes: 0 });
  });

  describe('an enrolled approver adds and removes passkeys, each change confirmed by an existing one', () => {
    type VirtualCredential = Awaited<ReturnType<typeof virtualCredentials>>[number];
    const virtualCredentials = async () =>
      (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
    const idOf = (c: VirtualCredential) => Buffer.from(c.credentialId, 'base64').toString('base64url');
    /** Takes a credential out of the authenticator (as if on another device); returns it to put back. */
    const takeOut = async (id: string) => {
      const found = (await virtualCredentials()).find((c) => idOf(c) === id);
      if (!found) throw new Error(`the authenticator has no ${id}`);
      await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: found.credentialId });
      return async () => {
        const now = (await virtualCredentials()).find((c) => idOf(c) === id);
        // Back as a non-discoverable credential: the authenticator keeps one discoverable credential
        // per user handle, and the pages always name the allowed credentials.
        const credential = { ...found, isResidentCredential: false };
        if (!now) await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
      };
    };
    /** With only `id`'s passkey on the authenticator, approves a new request as U0BOB. */
    const approveWithOnly = async (keep: string, resource: string) => {
      const others = (await runtime.passkeys.credentials('U0BOB')).filter((c) => c.id !== keep);
      const putBack = await Promise.all(others.map((c) => takeOut(c.id).catch(() => async () => {})));
      try {
        const id = await api.createRequest(agent, { resource });
        await slackMessage(runtime, id);
        return { id, said: await submit(await linkFor(id, 'U0BOB', 'approve')) };
      } finally {
        for (const back of putBack) await back();
      }
    };
    /** The "your passkeys" link an enrolled approver gets beside a vote link. */
    const manageLink = async (resource: string) => {
      const id = await api.createRequest(agent, { resource });
      await slackMessage(runtime, id);
      const links = [...(await answerTo(id, 'U0BOB', 'approve')).matchAll(/<(https?:\/\/[^|>]+)\|/g)];
      expect(links).toHaveLength(2);
      return links[1]?.[1] ?? '';
    };
    /** Runs a ceremony with the page's own library and options, as the page script does. */
    const ceremony = (kind: 'startAuthentication' | 'startRegistration', optionsJSON: unknown) =>
      page.evaluate(
        async ([k, o]) => {
          const lib = (window as unknown as Record<string, Record<string, (x: unknown) => Promise<unknown>>>)
            .SimpleWebAuthnBrowser;
          return JSON.stringify(await lib?.[k]?.({ optionsJSON: o }));
        },
        [kind, optionsJSON] as const,
      );

    let first = '';
    let second = '';
    it('adding a second passkey without an assertion of the first is refused and changes nothing; with it, it is added', async () => {
      const [bobs] = await runtime.passkeys.credentials('U0BOB');
      first = bobs?.id ?? '';
      const url = await manageLink('prod/bob-manages');
      await page.goto(url);
      expect(await page.locator('h1').innerText()).toContain('Passkeys of Slack user U0BOB');
      expect(await page.locator('button.remove').count()).toBe(1);
      const options = JSON.parse((await page.locator('#ceremony').textContent()) ?? '{}') as unknown;
      const proofs = JSON.parse((await page.locator('#proofs').textContent()) ?? '{}') as Record<
        string,
        unknown
      >;
      // The existing passkey confirms the change (while it is on the authenticator)...
      const proof = JSON.parse(await ceremony('startAuthentication', proofs.add)) as unknown;
      const removeProof = JSON.parse(
        await ceremony('startAuthentication', proofs[`remove:${first}`]),
      ) as unknown;
      // ...the new passkey is created on "another device" (the first is out of this authenticator).
      const putBack = await takeOut(first);
      const response = JSON.parse(await ceremony('startRegistration', options)) as unknown;
      await putBack();

      const without = await post(url, JSON.stringify({ response }));
      expect(without).toMatchObject({
        status: 403,
        body: { error: 'access_denied', error_description: expect.stringContaining('confirm this change') },
      });
      // An assertion for another change (removing the first) does not confirm an addition.
      expect(await post(url, JSON.stringify({ response, proof: removeProof }))).toMatchObject({
        status: 403,
        body: { error: 'access_denied' },
      });
      expect((await runtime.passkeys.credentials('U0BOB')).map((c) => c.id)).toEqual([first]);

      // The same (unused) link with the first passkey's assertion adds the second.
      expect(await post(url, JSON.stringify({ response, proof }))).toMatchObject({
        status: 200,
        body: { outcome: 'enrolled' },
      });
      const both = await runtime.passkeys.credentials('U0BOB');
      expect(both).toHaveLength(2);
      second = both.find((c) => c.id !== first)?.id ?? '';
      expect(second).not.toBe('');
    });

    it('both passkeys then confirm votes', async () => {
      expect((await approveWithOnly(first, 'prod/with-first')).said).toContain('approved');
      expect((await approveWithOnly(second, 'prod/with-second')).said).toContain('approved');
    });

    it('an approver removes one passkey with the page’s Remove button; the other keeps working', async () => {
      await page.goto(await manageLink('prod/bob-removes'));
      expect(await page.locator('button.remove').count()).toBe(2);
      await page.locator(`button.remove[data-credential="${first}"]`).click();
      await page.locator('#status.done, #status.refused').waitFor();
      expect(await page.locator('#status').innerText()).toContain('removed');
      expect((await runtime.passkeys.credentials('U0BOB')).map((c) => c.id)).toEqual([second]);

      expect((await approveWithOnly(second, 'prod/after-removal')).said).toContain('approved');
      const putBack = await takeOut(second);
      try {
        const id = await api.createRequest(agent, { resource: 'prod/removed-key' });
        await slackMessage(runtime, id);
        // Only the removed passkey is on the authenticator: the browser finds none the page allows.
        expect(await submit(await linkFor(id, 'U0BOB', 'approve'))).toContain('not used');
        expect(await pending(id)).toEqual({ status: 'PENDING', votes: 0 });
      } finally {
        await putBack();
      }
    });
  });

  it('loaded nothing from anywhere else and raised no page error', () => {
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
