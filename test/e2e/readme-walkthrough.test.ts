import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime } from '../integration/support';

const run = promisify(execFile);

/**
 * A reader who waits for what the walkthrough is about to show, however long a busy machine takes:
 * the Slack message before looking at it. The token needs no waiting: the click writes the grant,
 * and the walkthrough's poll is a long-poll.
 */
const PAGED = 'until curl -s $B/dev/slack/messages | grep -q "$REQ"; do sleep 0.1; done\n';

/** The shell blocks of the README's local walkthrough, in order, as a reader copies them. */
function walkthroughScript(url: string): string {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Walkthrough (local)'), readme.indexOf('## The token'));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks.length).toBeGreaterThanOrEqual(9);
  const waited = blocks.map((block) =>
    block.startsWith('curl -s $B/dev/slack/messages') ? PAGED + block : block,
  );
  expect(waited.join('\n')).toContain(PAGED);
  return ['set -euo pipefail', ...waited].join('\n').replace('B=http://127.0.0.1:3000', `B=${url}`);
}

describe('the README walkthrough, run as written', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime();
  });
  afterAll(() => runtime.stop());

  it('goes from a dev token to a consumed token, a deny, an auto-approval and a forbidden request', async () => {
    const { stdout } = await run('bash', ['-c', walkthroughScript(runtime.url)]);
    expect(stdout).toContain('"status": "pending"');
    expect(stdout).toContain('authorization_pending');
    expect(stdout).toContain('Policy: drop-prod-table');
    expect(stdout).toContain('"token_type": "Bearer"');
    expect(stdout).toContain('"active": true');
    expect(stdout).toContain('{"active":false}');
    expect(stdout).toContain('token_consumed  resource-server:orders-db');
    expect(stdout).toContain(
      '"error":"access_denied","error_description":"denied by an approver: customers is still read by billing"',
    );
    expect(stdout).toContain('{"token_type":"Bearer","expires_in":900}');
    expect(stdout).toMatch(/"policies":\["no-agent-payments"\].*\(HTTP 403\)/);
  });
});
