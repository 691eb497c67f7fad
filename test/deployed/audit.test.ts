import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { key } from '../../lambdas/adapters/aws/dynamodb-request-store';
import { DEPLOYED_ENV, OPERATOR_SUB } from './cloud-assembly';
import { deploy, functionNamed, READ_LOGS, SAMPLE_AGENT_SUB, Workload, type Deployment } from './deployment';

// The operators' audit query and the audit export, through the synthesized bundles: the route behind
// the HTTP API stand-in, and the export function fed stream records shaped as DynamoDB Streams
// sends them, putting events to the EventBridge stand-in (SigV4, IAM from the template).

let deployment: Deployment;
let agent: Workload;
let operator: Workload;

beforeAll(async () => {
  deployment = await deploy(inject('deployed'));
  agent = new Workload(deployment, SAMPLE_AGENT_SUB);
  operator = new Workload(deployment, OPERATOR_SUB);
});
afterAll(() => deployment?.stop());

/** The stored item of a request, read as the getRequest function's role (GetItem on the table). */
async function storedItem(id: string) {
  const fn = deployment.aws.account.functions().find((f) => f.logicalId.startsWith('StepUpGetRequest'))!;
  const client = new DynamoDBClient({
    region: DEPLOYED_ENV.region,
    endpoint: deployment.aws.endpoints.DYNAMODB,
    credentials: deployment.aws.principals.forFunction(fn.logicalId),
  });
  const tableName = deployment.aws.account.functionEnvironment(fn.logicalId).TABLE_NAME!;
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: key(id), ConsistentRead: true }),
  );
  client.destroy();
  return Item!;
}

/** A DynamoDB Streams record (`NEW_AND_OLD_IMAGES`) as Lambda receives it. */
function streamRecord(
  eventName: 'INSERT' | 'MODIFY',
  keys: Record<string, unknown>,
  newImage: Record<string, unknown>,
  oldImage?: Record<string, unknown>,
  sequence = 1,
) {
  const { region, account } = DEPLOYED_ENV;
  return {
    eventID: `${sequence}e1b2c3d4`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: keys,
      NewImage: newImage,
      ...(oldImage ? { OldImage: oldImage } : {}),
      SequenceNumber: String(100000000000000000000 + sequence),
      SizeBytes: JSON.stringify(newImage).length,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: `arn:aws:dynamodb:${region}:${account}:table/stepup/stream/2026-01-01T00:00:00.000`,
  };
}

describe('deployed: GET /v1/audit/events', () => {
  it('lists a request’s events for an operator, and refuses the agent', async () => {
    const created = await agent.request(READ_LOGS);
    const id = (created.json as { auth_req_id: string }).auth_req_id;
    const listed = await operator.get(`/v1/audit/events?agent=${encodeURIComponent(SAMPLE_AGENT_SUB)}`);
    expect(listed.status).toBe(200);
    const events = (listed.json as { events: { auth_req_id: string; type: string }[] }).events;
    expect(events.filter((event) => event.auth_req_id === id).map((event) => event.type)).toContain(
      'requested',
    );
    expect((await agent.get('/v1/audit/events')).status).toBe(403);
    expect((await operator.get('/v1/audit/events?since=soon')).status).toBe(400);
    // The function asked the audit index (Query on the index only), never scanned.
    const calls = deployment.aws.callLog.calls.filter((call) =>
      call.roleLogicalId?.includes('ListAuditEvents'),
    );
    expect(
      calls.some((call) => call.action === 'dynamodb:Query' && call.resource.endsWith('/index/audit')),
    ).toBe(true);
    expect(calls.some((call) => call.action === 'dynamodb:Scan')).toBe(false);
  });
});

describe('deployed: the audit export (stream → exportAudit → EventBridge bus stepup)', () => {
  it('puts one event per audit event a table change added, refused clicks included', async () => {
    const created = await agent.request(READ_LOGS);
    const id = (created.json as { auth_req_id: string }).auth_req_id;
    const createdItem = await storedItem(id);
    const token = await agent.poll(id);
    expect(token.status).toBe(200);
    const deliveredItem = await storedItem(id);
    const keys = { pk: createdItem.pk, sk: createdItem.sk };
    const refusalItem = {
      pk: { S: `REQUEST#${id}` },
      sk: { S: `REFUSED#2026-12-02T10:00:00.000Z#slack:T0EXAMPLE/U0MALLORY#approve` },
      auditShard: { S: 'AUDIT' },
      auditKey: { S: `2026-12-02T10:00:00.000Z#${id}` },
      agent: { S: SAMPLE_AGENT_SUB },
      action: { S: READ_LOGS.action },
      resource: { S: READ_LOGS.resource },
      event: {
        M: {
          type: { S: 'vote_refused' },
          at: { S: '2026-12-02T10:00:00.000Z' },
          actor: { S: 'slack:T0EXAMPLE/U0MALLORY' },
          detail: { M: { decision: { S: 'approve' }, refusal: { S: 'already_decided' } } },
        },
      },
    };
    const pollItem = { pk: { S: `REQUEST#${id}` }, sk: { S: 'POLL' }, nextPollAt: { N: '1' } };
    const batch = {
      Records: [
        streamRecord('INSERT', keys, createdItem, undefined, 1),
        streamRecord('MODIFY', keys, deliveredItem, createdItem, 2),
        streamRecord('INSERT', { pk: refusalItem.pk, sk: refusalItem.sk }, refusalItem, undefined, 3),
        streamRecord('INSERT', { pk: pollItem.pk, sk: pollItem.sk }, pollItem, undefined, 4),
      ],
    };
    await deployment.lambdas.invoke(functionNamed(deployment, 'ExportAudit'), batch);

    const stored = (createdItem.events?.L ?? []).map((event) => event.M!.type!.S);
    const added = (deliveredItem.events?.L ?? []).slice(stored.length).map((event) => event.M!.type!.S);
    const onBus = deployment.aws.eventBridge.events('stepup').filter((event) => {
      const detail = event.detail as { metadata: { correlation_uid: string } };
      return detail.metadata.correlation_uid === id;
    });
    expect(onBus.map((event) => event['detail-type'])).toEqual(
      [...stored, ...added, 'vote_refused'].map((type) => `stepup.audit.${type}`),
    );
    expect(added).toContain('token_delivered');
    for (const event of onBus) {
      expect(event.source).toBe('stepup');
      expect(event.detail).toMatchObject({ class_uid: 6003, category_uid: 6, unmapped: { auth_req_id: id } });
    }
    const puts = deployment.aws.callLog.calls.filter((call) => call.action === 'events:PutEvents');
    expect(puts.length).toBeGreaterThan(0);
    expect(puts.every((call) => call.allowed && call.roleLogicalId?.includes('ExportAudit'))).toBe(true);
    expect(puts[0]?.resource).toMatch(/:event-bus\/stepup$/);
    expect(deployment.aws.callLog.denied()).toEqual([]);
  });
});
