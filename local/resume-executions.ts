import { paginateScan, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ApprovalRequest } from '../lambdas/domain/approval-request';
import { awaitsWorkflow } from '../lambdas/domain/fail-request';
import type { Workflow } from '../lambdas/ports/workflow';

/** True when the request's workflow had not finished: not decided, or decided but not carried through. */
function unfinished(request: ApprovalRequest): boolean {
  if (awaitsWorkflow(request)) return true;
  return Boolean(request.slackMessage) && !request.events.some((e) => e.type === 'outcome_notified');
}

/**
 * Step Functions keeps executions across restarts; the local interpreter keeps them in memory. So
 * that a restart loses nothing, every request whose workflow had not finished gets a new execution
 * with the time it had left (at least 1 s). The workflow's steps are idempotent: AwaitApproval does
 * not page again when the message exists, and a request decided meanwhile flows on from Expire.
 * @returns the ids resumed
 */
export async function resumeExecutions(
  client: DynamoDBClient,
  tableName: string,
  workflow: Workflow,
  now: Date,
): Promise<string[]> {
  const resumed: string[] = [];
  for await (const page of paginateScan({ client }, { TableName: tableName, ConsistentRead: true })) {
    for (const item of page.Items ?? []) {
      const { pk: _pk, sk, ...request } = unmarshall(item) as ApprovalRequest & { pk: string; sk: string };
      if (sk !== 'REQUEST' || !unfinished(request)) continue;
      const remaining = Math.ceil((Date.parse(request.expiresAt) - now.getTime()) / 1000);
      await workflow.start({
        request_id: request.id,
        approval_timeout_seconds: Math.max(1, remaining),
        ...(request.requirements.escalateTo ? { escalate_to: request.requirements.escalateTo } : {}),
      });
      resumed.push(request.id);
    }
  }
  return resumed;
}
