import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbAgentHistory } from './lambdas/adapters/aws/dynamodb-agent-history';
import { startLocalDynamoDb } from './local/local-dynamodb';
async function main() {
  const dynamo = await startLocalDynamoDb();
  const quiet = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, logger: { debug() {}, warn() {}, error() {} } as any });
  const h1 = new DynamoDbAgentHistory(dynamo.client, dynamo.tableName);
  const h2 = new DynamoDbAgentHistory(quiet, dynamo.tableName);
  const now = Date.now();
  for (let i = 0; i < 60; i++) await h1.record({ agent: 'deploy-bot', action: 'db:DeleteRows', resource: `prod/db/t${i % 5}`, requestId: `bench-${i}`, at: new Date(now - i * 20 * 60000).toISOString(), counted: ['requests', i % 3 === 0 ? 'denied' : 'approved'] } as any);
  const res: Record<string, number[]> = { default: [], quiet: [] };
  for (let r = 0; r < 12; r++) for (const [k, h] of [['default', h1], ['quiet', h2]] as const) {
    for (let i = 0; i < 200; i++) { const s = performance.now(); await h.read('deploy-bot', 'db:DeleteRows', 'prod/db/t0', new Date()); if (r > 1) res[k]!.push(performance.now() - s); }
  }
  for (const [k, t] of Object.entries(res)) { t.sort((a, b) => a - b); console.log(k, (t[t.length >> 1]! * 1000).toFixed(0)); }
  await dynamo.close();
}
main();
