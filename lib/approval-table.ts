import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { AGENT_INDEX, OPEN_INDEX } from '../lambdas/adapters/aws/dynamodb-request-store';
import { AUDIT_INDEX } from '../lambdas/adapters/aws/audit-index';

/** Options for {@link buildApprovalTable}. */
export interface ApprovalTableProps {
  /** What happens to the table when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
}

/** Name of the attribute DynamoDB's TTL sweeper reads (epoch seconds). Code never relies on the sweep. */
export const TTL_ATTRIBUTE = 'expires_at';

/**
 * The single table that is the source of truth for requests, votes, grants and audit events.
 * `Table` rather than `TableV2`: TableV2 renders `AWS::DynamoDB::GlobalTable`, which cdk-nag's
 * point-in-time-recovery rule (DDB3) does not inspect, and one region is all this needs.
 */
export function buildApprovalTable(scope: Construct, id: string, props: ApprovalTableProps): dynamodb.Table {
  const table = new dynamodb.Table(scope, id, {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    timeToLiveAttribute: TTL_ATTRIBUTE,
    // Every change, before and after: the audit export (`lib/audit-export.ts`) sends what a write added.
    stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    removalPolicy: props.removalPolicy,
  });
  // Open requests only (sparse): the kill switch's and a restart's work list.
  table.addGlobalSecondaryIndex({
    indexName: OPEN_INDEX.name,
    partitionKey: { name: OPEN_INDEX.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: { name: OPEN_INDEX.sortKey, type: dynamodb.AttributeType.STRING },
    projectionType: dynamodb.ProjectionType.INCLUDE,
    nonKeyAttributes: [...OPEN_INDEX.nonKeyAttributes],
  });
  // Every request of one agent, whole history (tools and tests; no function is granted it).
  table.addGlobalSecondaryIndex({
    indexName: AGENT_INDEX,
    partitionKey: { name: 'agent', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'createdAt', type: dynamodb.AttributeType.STRING },
    projectionType: dynamodb.ProjectionType.KEYS_ONLY,
  });
  // Audit activity, newest first (every request and refused click): the operators' query.
  table.addGlobalSecondaryIndex({
    indexName: AUDIT_INDEX.name,
    partitionKey: { name: AUDIT_INDEX.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: { name: AUDIT_INDEX.sortKey, type: dynamodb.AttributeType.STRING },
    projectionType: dynamodb.ProjectionType.INCLUDE,
    nonKeyAttributes: [...AUDIT_INDEX.nonKeyAttributes],
  });
  return table;
}
