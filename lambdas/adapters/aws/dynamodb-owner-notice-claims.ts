import { createHash } from 'node:crypto';
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { OwnerNoticeClaims } from '../../ports/owner-notice-claims';
import { conditionalWrite } from './conditional-write';

/**
 * 30 days: far longer than anything that can repeat a notice (a request's workflow, the reconciler's
 * re-drives, a kill switch run carried on). After that the table's TTL sweep tidies the claim away.
 */
const CLAIM_KEPT_SECONDS = 30 * 24 * 60 * 60;

/**
 * {@link OwnerNoticeClaims} in the requests' table: one item per notice, `OWNERNOTICE#<digest of the
 * key>` (a key may hold an agent's `sub`, whose length the key schema need not carry), put only if
 * absent. The stream export reads no such items (`stream-audit-records.ts`).
 */
export class DynamoDbOwnerNoticeClaims implements OwnerNoticeClaims {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  claim(key: string): Promise<boolean> {
    const digest = createHash('sha256').update(key).digest('base64url');
    const now = Math.floor(Date.now() / 1000);
    return conditionalWrite(
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({
            pk: `OWNERNOTICE#${digest}`,
            sk: 'OWNERNOTICE',
            claimedAt: new Date(now * 1000).toISOString(),
            expires_at: now + CLAIM_KEPT_SECONDS,
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }
}
