import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { slackMessage, startTestRuntime, testConfig } from '../integration/support';
import { McpUnderTest } from './mcp-support';

const AGENT = 'mcp-aws-bot';
const AUDIENCE = 'aws:prod-data';
const ROLE = 'arn:aws:iam::123456789012:role/stepup-prod-data';

/** A DeleteTable request on its own table, so each test has its own approval. */
const deleteTable = (table: string) => ({
  action: 'dynamodb:DeleteTable',
  resource: `arn:aws:dynamodb:eu-west-1:123456789012:table/${table}`,
  audience: AUDIENCE,
  justification: 'the migration finished; the legacy table is unused',
});

describe('the MCP tool get_aws_credentials (stepup mcp, driven by the MCP SDK client over stdio)', () => {
  let runtime: LocalRuntime;
  let mcp: McpUnderTest;
  /** A tool's answer, checked against its advertised outputSchema. */
  const call = (name: string, args: Record<string, unknown>) => mcp.call(name, args);

  beforeAll(async () => {
    runtime = await startTestRuntime(
      testConfig({ awsTargets: { [AUDIENCE]: { roleArn: ROLE, actions: ['dynamodb:DeleteTable'] } } }),
    );
    mcp = await McpUnderTest.start(runtime.url, await runtime.devToken(AGENT));
  });
  afterAll(async () => {
    await mcp?.close();
    await runtime?.stop();
  });

  /** The access key ids of the request's `credentials_issued` audit events. */
  async function issuedKeys(id: string): Promise<unknown[]> {
    const request = await runtime.store.get(id);
    return request!.events.filter((e) => e.type === 'credentials_issued').map((e) => e.detail?.access_key_id);
  }

  /** A request made through request_elevation and approved by a click; its token not collected. */
  async function approved(table: string): Promise<string> {
    const pending = await call('request_elevation', { ...deleteTable(table), wait_seconds: 0 });
    const id = pending.auth_req_id as string;
    await slackMessage(runtime, id);
    await runtime.click({ requestId: id, user: 'U0ALICE', decision: 'approve' });
    return id;
  }

  it('is offered with an output schema, telling the model the credentials expire in ~15 min and work once', async () => {
    const { tools } = await mcp.client.listTools();
    const tool = tools.find((t) => t.name === 'get_aws_credentials')!;
    expect(Object.keys(tool.inputSchema.properties ?? {}).sort()).toEqual(['access_token', 'auth_req_id']);
    expect(tool.outputSchema?.properties).toMatchObject({
      status: expect.any(Object),
      access_key_id: expect.any(Object),
      secret_access_key: expect.any(Object),
      session_token: expect.any(Object),
      expiration: expect.any(Object),
      region: expect.any(Object),
    });
    expect(tool.description).toContain('about 15 minutes');
    expect(tool.description).toContain('works ONCE');
    expect(tool.description).toContain('exactly the approved AWS API call');
  });

  it('with auth_req_id: collects the token and exchanges it; asked again, says the approval was used', async () => {
    const id = await approved('mcp-by-id');
    const answer = await call('get_aws_credentials', { auth_req_id: id });
    expect(answer).toMatchObject({
      isError: false,
      status: 'issued',
      auth_req_id: id,
      access_key_id: expect.stringMatching(/^ASIA/),
      secret_access_key: expect.any(String),
      session_token: expect.any(String),
      region: 'eu-west-1',
    });
    expect(Date.parse(answer.expiration as string)).toBeGreaterThan(Date.now());
    expect(await issuedKeys(id)).toEqual([answer.access_key_id]);

    const again = await call('get_aws_credentials', { auth_req_id: id });
    expect(again).toMatchObject({ isError: true, status: 'error', error: 'already_used' });
    expect(await issuedKeys(id)).toHaveLength(1);
  });

  it('with the access_token check_elevation returned: exchanged once, then refused', async () => {
    const id = await approved('mcp-by-token');
    const checked = await call('check_elevation', { auth_req_id: id });
    expect(checked.status).toBe('approved');
    const answer = await call('get_aws_credentials', { access_token: checked.access_token });
    expect(answer).toMatchObject({ status: 'issued', access_key_id: expect.stringMatching(/^ASIA/) });
    expect(await issuedKeys(id)).toEqual([answer.access_key_id]);

    const byId = await call('get_aws_credentials', { auth_req_id: id });
    expect(byId).toMatchObject({ isError: true, error: 'already_used' });
    const spent = await call('get_aws_credentials', { access_token: checked.access_token });
    expect(spent).toMatchObject({ isError: true, status: 'invalid_request', error: 'invalid_request' });
    expect(await issuedKeys(id)).toHaveLength(1);
  });

  it('answers pending, denied, or a usage mistake without credentials', async () => {
    const pending = await call('request_elevation', {
      ...deleteTable('mcp-pending'),
      wait_seconds: 0,
    });
    const id = pending.auth_req_id as string;
    expect(await call('get_aws_credentials', { auth_req_id: id })).toMatchObject({
      status: 'pending',
      auth_req_id: id,
    });
    await slackMessage(runtime, id);
    await runtime.click({ requestId: id, user: 'U0BOB', decision: 'deny' });
    const denied = await call('get_aws_credentials', { auth_req_id: id });
    expect(denied).toMatchObject({ status: 'denied', auth_req_id: id });
    expect(denied).not.toHaveProperty('access_key_id');

    expect(await call('get_aws_credentials', {})).toMatchObject({
      isError: true,
      error: 'invalid_request',
    });
  });
});
