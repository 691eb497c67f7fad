import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requestDropTableAsDevAgent } from './dev-agent';

const TSX = resolve(__dirname, '../../node_modules/.bin/tsx');
const MAIN = resolve(__dirname, '../../local/main.ts');

/** `tsx local/main.ts` (what `npm start` runs) in its own process group, its output collected. */
function launch(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(TSX, [MAIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, output, exited };
}

/** Resolves with the API's base URL once the banner is printed; rejects if the process exits first. */
function banner(launched: ReturnType<typeof launch>): Promise<string> {
  return new Promise((resolve, reject) => {
    const onData = () => {
      const url = /API\s+(http:\/\/127\.0\.0\.1:\d+)\/v1\/requests/.exec(launched.output.stdout)?.[1];
      if (url && launched.output.stdout.includes('Press Ctrl+C to stop.')) {
        launched.child.stdout!.off('data', onData);
        resolve(url);
      }
    };
    launched.child.stdout!.on('data', onData);
    void launched.exited.then(([code]) =>
      reject(new Error(`exited with ${code}:\n${launched.output.stderr}`)),
    );
  });
}

function stopGroup(child: ChildProcess): void {
  if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGTERM');
}

describe('a second npm start on the same data directory', () => {
  const launched: ReturnType<typeof launch>[] = [];
  afterAll(() => launched.forEach(({ child }) => stopGroup(child)));

  it('exits non-zero with one line naming the directory and the way out', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stepup-data-'));
    const first = launch(['--port', '0'], { STEPUP_DATA_DIR: dataDir });
    launched.push(first);
    await banner(first);

    const second = launch(['--port', '0'], { STEPUP_DATA_DIR: dataDir });
    launched.push(second);
    const [code] = await second.exited;
    expect(code).not.toBe(0);
    const errors = second.output.stderr.split('\n').filter((line) => line.startsWith('stepup:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(dataDir);
    expect(errors[0]).toContain('--memory');
    expect(errors[0]).toContain('STEPUP_DATA_DIR');
    expect(second.output.stderr).not.toMatch(/^\s+at /m);
    // The first is unharmed.
    expect(first.child.exitCode).toBeNull();
  });
});

describe('SIGTERM while Slack never answers', () => {
  let slack: Server | undefined;
  const held: IncomingMessage[] = [];
  afterAll(() => {
    held.forEach((request) => request.socket.destroy());
    slack?.close();
  });

  it('stops anyway: drains what it can, closes, exits 0', async () => {
    // A Slack Web API that accepts every call and never answers.
    slack = createServer((request) => held.push(request));
    await new Promise<void>((r) => slack!.listen(0, '127.0.0.1', () => r()));
    const slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/api/`;
    const service = launch(['--memory', '--port', '0'], { SLACK_API_URL: slackUrl });
    try {
      const url = await banner(service);
      const firstSlackCall = once(slack, 'request');
      const created = await requestDropTableAsDevAgent(url, 'deploy-bot', 'drop the legacy table');
      expect(created.status).toBe(202);
      // The workflow is now paging approvers, and Slack holds the call.
      await firstSlackCall;

      process.kill(-service.child.pid!, 'SIGTERM');
      const [code, signal] = await service.exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(service.output.stdout).toContain('stepup: stopping');
      // It stopped by giving up on the step stuck on Slack, not because Slack's timeouts ran out.
      expect(service.output.stderr).toContain('stopping while workflow steps still run');
    } finally {
      stopGroup(service.child);
    }
  });
});
