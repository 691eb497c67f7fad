import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDigestBoard } from '../../lambdas/adapters/aws/dynamodb-digest-board';
import { digestMessage } from '../../lambdas/adapters/slack/digest-message';
import { DIGEST_PAGE_SIZE, type DigestEntry } from '../../lambdas/domain/paging/page-digest';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../local/local-dynamodb';

const entry = (i: number, overrides: Partial<DigestEntry> = {}): DigestEntry => ({
  requestId: `req-${String(i).padStart(3, '0')}`,
  action: 'db:DeleteRows',
  resource: `prod/db/t${i}`,
  agent: 'deploy-bot',
  approvals: '1 from db-owners',
  status: 'PENDING',
  at: new Date(Date.UTC(2026, 11, 3, 0, 0, 0, i)).toISOString(),
  ...overrides,
});

describe('the digest board on dynalite (real SDK): each count one conditional write', () => {
  let db: LocalDynamoDb;
  let board: DynamoDbDigestBoard;
  beforeAll(async () => {
    db = await startLocalDynamoDb();
    board = new DynamoDbDigestBoard(db.client, db.tableName);
  });
  afterAll(() => db.close());

  it('50 concurrent page reservations against a limit of 5: exactly 5; a retry of one is still counted', async () => {
    const taken = await Promise.all(
      Array.from({ length: 50 }, (_, i) => board.reservePage('db-owners', '2026-12-03T00:00', `r${i}`, 5)),
    );
    expect(taken.filter(Boolean)).toHaveLength(5);
    const winner = taken.indexOf(true);
    expect(await board.reservePage('db-owners', '2026-12-03T00:00', `r${winner}`, 5)).toBe(true);
    expect(await board.reservePage('db-owners', '2026-12-03T00:01', 'r-next-minute', 5)).toBe(true);
  });

  it('100 concurrent entries fill pages of 48 exactly; a retried entry stays on its page', async () => {
    const digests = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        board.addEntry('db-owners', '2026-12-03T00:02', entry(i), DIGEST_PAGE_SIZE),
      ),
    );
    const pages = [0, 1, 2].map((page) => digests.filter((d) => d.key.page === page).length);
    expect(pages).toEqual([48, 48, 4]);
    const again = await board.addEntry('db-owners', '2026-12-03T00:02', entry(99), DIGEST_PAGE_SIZE);
    expect(again.key.page).toBe(digests[99]?.key.page);
    const first = await board.read({ group: 'db-owners', minute: '2026-12-03T00:02', page: 0 });
    expect(first?.entries).toHaveLength(48);
  });

  it('one post intent wins; the outcome bumps the version; an unknown entry is not invented', async () => {
    const key = { group: 'security', minute: '2026-12-03T00:03', page: 0 };
    await board.addEntry(key.group, key.minute, entry(1), DIGEST_PAGE_SIZE);
    const claims = await Promise.all(
      ['a', 'b', 'c'].map((by) =>
        board.beginPost(key, { channel: 'C0SECURITY', at: '2026-12-03T00:03:00Z', by }),
      ),
    );
    expect(new Set(claims.map((c) => c.posting?.by)).size).toBe(1);
    await board.recordMessage(key, { channel: 'C0SECURITY', ts: '1.000001' });
    const before = await board.read(key);
    const after = await board.setStatus(key, entry(1).requestId, 'APPROVED');
    expect(after?.entries[0]?.status).toBe('APPROVED');
    expect(after?.version).toBe((before?.version ?? 0) + 1);
    expect(after?.message).toEqual({ channel: 'C0SECURITY', ts: '1.000001' });
    expect(after?.posting).toBeUndefined();
    expect(await board.setStatus(key, 'req-unknown', 'DENIED')).toBeUndefined();
  });
});

describe('the digest message', () => {
  it('48 entries fit Slack’s 50 blocks, each Open button has its own action id, agent text stays plain text', () => {
    const entries = Array.from({ length: DIGEST_PAGE_SIZE }, (_, i) =>
      entry(i, i === 0 ? { resource: 'prod/*Approved by* <@U0ALICE>\nforged line', status: 'DENIED' } : {}),
    );
    const message = digestMessage({
      key: { group: 'db-owners', minute: '2026-12-03T00:00', page: 0 },
      entries,
      version: 1,
    });
    expect(message.blocks).toHaveLength(50);
    const sections = message.blocks.filter((b) => b.type === 'section');
    const ids = sections.flatMap((b) =>
      'accessory' in b && b.accessory ? [(b.accessory as { action_id: string }).action_id] : [],
    );
    expect(new Set(ids).size).toBe(47);
    const decided = sections[0] as { text: { type: string; text: string }; accessory?: unknown };
    expect(decided.accessory).toBeUndefined();
    expect(decided.text.type).toBe('plain_text');
    expect(decided.text.text.split('\n')).toHaveLength(2);
    expect(message.text).not.toContain('prod/');
  });
});
