import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { Api, eventually, pollUntilDecided, slackMessage, testConfig, workflowDone } from './support';

interface ExportedLine {
  readonly source: string;
  readonly 'detail-type': string;
  readonly time: string;
  readonly detail: {
    readonly class_uid: number;
    readonly type_uid: number;
    readonly status_id: number;
    readonly actor: { readonly user: { readonly uid: string } };
    readonly metadata: { readonly uid: string; readonly correlation_uid: string };
    readonly unmapped: { readonly auth_req_id: string; readonly event_type: string };
  };
}

describe('local audit export: <data dir>/audit.jsonl, as the EventBridge bus receives the events', () => {
  let runtime: LocalRuntime;
  let dataDir: string;
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'stepup-audit-export-'));
    runtime = await startLocalRuntime({ dataDir, port: 0, config: testConfig(), env: {}, auditStdout: true });
    // --audit-stdout prints the same lines: capture them from here on.
    process.stdout.write = ((chunk: string) => {
      if (chunk.startsWith('{"source":"stepup"')) printed.push(chunk.trimEnd());
      return write(chunk);
    }) as typeof process.stdout.write;
  });
  afterAll(async () => {
    process.stdout.write = write;
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('exports every audit event of a flow exactly once, refused clicks included', async () => {
    const api = new Api(runtime);
    const agent = await runtime.devToken('deploy-bot');
    const id = await api.createRequest(agent);
    await slackMessage(runtime, id);
    await runtime.click({ requestId: id, user: 'U0MALLORY', decision: 'approve' });
    await runtime.click({ requestId: id, user: 'U0ALICE', decision: 'approve' });
    const delivered = await pollUntilDecided(api, agent, id);
    await api.introspect(await runtime.devToken('orders-db'), delivered.body.access_token as string);
    await workflowDone(runtime, id);

    const lines = await eventually(async () => {
      await runtime.auditExport.flushed();
      const exported = readFileSync(join(dataDir, 'audit.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as ExportedLine);
      return exported.some((line) => line.detail.unmapped.event_type === 'outcome_notified')
        ? exported
        : undefined;
    });
    const request = await runtime.store.get(id);
    const stored = [...request!.events.map((e) => e.type), 'token_consumed', 'vote_refused'].sort();
    expect(lines.map((line) => line.detail.unmapped.event_type).sort()).toEqual(stored);
    expect(new Set(lines.map((line) => line.detail.metadata.uid)).size).toBe(lines.length);
    for (const line of lines) {
      expect(line.source).toBe('stepup');
      expect(line['detail-type']).toBe(`stepup.audit.${line.detail.unmapped.event_type}`);
      expect(line.detail.class_uid).toBe(6003);
      expect(line.detail.metadata.correlation_uid).toBe(id);
    }
    const refused = lines.find((line) => line.detail.unmapped.event_type === 'vote_refused');
    expect(refused?.detail).toMatchObject({
      status_id: 2,
      actor: { user: { uid: 'slack:T0EXAMPLE/U0MALLORY' } },
    });
    expect(printed.map((line) => JSON.parse(line) as ExportedLine)).toEqual(lines);
  });
});
