import { spawn } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printed } from '../helpers/wait';
import { bannerUrl, launch, type LocalProcess } from './local-process';

const ROOT = resolve(__dirname, '../..');

/** One call dynalite received: the operation, and the access key id its SigV4 signature names. */
interface SignedCall {
  readonly operation: string;
  readonly accessKeyId: string | undefined;
}

describe('examples/aws: approve, exchange, and delete a DynamoDB table with exactly the exchanged credentials', () => {
  let service: LocalProcess;
  let url: string;
  const calls: SignedCall[] = [];
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0 });
  let endpoint: string;

  beforeAll(async () => {
    // dynalite checks no signatures, so the test reads them off the wire: which key signed which call.
    server.prependListener('request', (request: IncomingMessage) => {
      calls.push({
        operation: String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '',
        accessKeyId: /Credential=([^/]+)\//.exec(request.headers.authorization ?? '')?.[1],
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // What the example's README tells a user to run: npm start with the example's config.
    service = launch('local/main.ts', ['--memory', '--port', '0'], {
      STEPUP_CONFIG: resolve(ROOT, 'examples/aws/stepup.config.json'),
    });
    url = await bannerUrl(service);
  });
  afterAll(async () => {
    await service?.kill();
    await new Promise((done) => server.close(done));
  });

  it('deletes the table only after the approval, signed with the access key stepup issued and audited', async () => {
    const example = spawn(process.execPath, ['--import', 'tsx', 'examples/aws/delete-table-agent.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', STEPUP_URL: url, DYNAMODB_ENDPOINT: endpoint },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    example.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    example.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => example.on('close', done));

    const [, table, id] = await printed(example.stdout, /created table (\S+) [\s\S]*requested (\S+) /);
    expect(calls.map((call) => call.operation)).toEqual(['CreateTable']);
    // The approver clicks Approve in the Slack stand-in (the route waits for the message to be posted).
    const click = await fetch(`${url}/dev/slack/click`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth_req_id: id, user: 'U0ALICE', decision: 'approve' }),
    });
    expect(((await click.json()) as { slack_status: number }).slack_status).toBe(200);

    expect(await exited, `${stdout}\n${stderr}`).toBe(0);
    const setup = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    expect((await setup.send(new ListTablesCommand({}))).TableNames).not.toContain(table);
    setup.destroy();

    // The audit trail, as the agent reads it: the access key id stepup issued for this request.
    const { access_token: agent } = (await (
      await fetch(`${url}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sub: 'aws-example-agent' }),
      })
    ).json()) as { access_token: string };
    const trail = (await (
      await fetch(`${url}/v1/requests/${id}`, { headers: { authorization: `Bearer ${agent}` } })
    ).json()) as { events: { type: string; detail?: { access_key_id?: string; role_arn?: string } }[] };
    const issued = trail.events.filter((event) => event.type === 'credentials_issued');
    expect(issued).toHaveLength(1);
    expect(issued[0]!.detail).toMatchObject({
      role_arn: 'arn:aws:iam::000000000000:role/stepup-example-tables',
      access_key_id: expect.stringMatching(/^ASIA/),
    });
    const deleteCalls = calls.filter((call) => call.operation === 'DeleteTable');
    expect(deleteCalls).toEqual([
      { operation: 'DeleteTable', accessKeyId: issued[0]!.detail!.access_key_id },
    ]);
    expect(calls.find((call) => call.operation === 'CreateTable')?.accessKeyId).not.toBe(
      issued[0]!.detail!.access_key_id,
    );
    expect(stdout).toContain(`deleted table ${table} with access key ${issued[0]!.detail!.access_key_id}`);
  });
});
