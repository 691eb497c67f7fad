import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../client/cli/main';
import { key } from '../../lambdas/adapters/aws/dynamodb-request-store';
import type { LocalRuntime } from '../../local/runtime';
import { Api, pollUntilDecided, slackMessage, useTestRuntime, workflowDone } from './support';

describe('stepup audit verify: the audit trail is a hash chain', () => {
  let runtime: LocalRuntime;
  let api: Api;
  let agent: string;

  useTestRuntime((started) => ({ runtime, api, agent } = started));

  /** `stepup audit verify id` as the agent, against the runtime: exit code and stdout. */
  async function verify(id: string): Promise<{ code: number; out: string }> {
    const out: string[] = [];
    const code = await runCommand(
      ['audit', 'verify', id],
      { out: (line) => out.push(line), err: (line) => out.push(line) },
      { env: { STEPUP_URL: runtime.url, STEPUP_TOKEN: agent } },
    );
    return { code, out: out.join('\n') };
  }

  it('verifies a whole flow, then names exactly the event edited in the table', async () => {
    const created = await api.postJson(
      '/v1/requests',
      {
        action: 'db:DropTable',
        resource: 'prod/orders',
        audience: 'orders-db',
        justification: 'drop the legacy orders table',
      },
      agent,
    );
    const id = created.body.auth_req_id as string;
    await slackMessage(runtime, id);
    await runtime.click({ requestId: id, user: 'U0ALICE', decision: 'approve' });
    const delivered = await pollUntilDecided(api, agent, id);
    const consumed = await api.introspect(
      await runtime.devToken('orders-db'),
      delivered.body.access_token as string,
    );
    expect(consumed.body.active).toBe(true);
    await workflowDone(runtime, id);

    const stored = await runtime.store.get(id);
    const chained = stored!.events.length;
    expect(await verify(id)).toEqual({ code: 0, out: `ok: ${chained} events chained` });

    // Someone with write access to the table rewrites who voted, without recomputing the chain.
    const voteIndex = stored!.events.findIndex((event) => event.type === 'vote');
    await runtime.dynamo.client.send(
      new UpdateItemCommand({
        TableName: runtime.dynamo.tableName,
        Key: key(id),
        UpdateExpression: `SET events[${voteIndex}].actor = :actor`,
        ExpressionAttributeValues: marshall({ ':actor': 'slack:T0EXAMPLE/U0MALLORY' }),
      }),
    );
    const view = await api.get(`/v1/requests/${id}`, agent);
    const trail = view.body.events as { type: string; at: string; actor: string }[];
    const shown = trail.findIndex((event) => event.type === 'vote');
    expect(trail[shown]?.actor).toBe('slack:T0EXAMPLE/U0MALLORY');
    expect(await verify(id)).toEqual({
      code: 1,
      out: `broken: event ${shown} (vote at ${trail[shown]!.at}) does not match the audit chain (digest mismatch)`,
    });
  });
});
