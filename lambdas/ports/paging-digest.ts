import type { SlackMessageRef } from '../domain/requests/approval-request';
import type { Digest, DigestEntry, DigestKey, DigestPostIntent } from '../domain/paging/page-digest';

/**
 * Pages per approver group per minute, and the digests of the requests beyond them. Every method
 * is one conditional single-item write (or one read), so concurrent steps count exactly.
 */
export interface DigestBoard {
  /**
   * Counts `requestId` among the pages `group` got in `minute`, unless `limit` are counted already.
   * @returns true when counted (or already counted: a retry), false when the minute is full
   */
  reservePage(group: string, minute: string, requestId: string, limit: number): Promise<boolean>;
  /**
   * Lists `entry` in the first page of the group's digest of `minute` that has room (or that
   * lists it already: a retry).
   * @returns the digest as stored after the write
   */
  addEntry(group: string, minute: string, entry: DigestEntry, pageSize: number): Promise<Digest>;
  /** Shows the entry of `requestId` with `status`; undefined when the digest does not list it. */
  setStatus(key: DigestKey, requestId: string, status: DigestEntry['status']): Promise<Digest | undefined>;
  /** The digest as stored (strongly consistent). */
  read(key: DigestKey): Promise<Digest | undefined>;
  /** Records the intent to post the digest unless one is recorded or it was posted; returns the digest after. */
  beginPost(key: DigestKey, intent: DigestPostIntent): Promise<Digest>;
  /** Records the digest's message and clears the intent (no-op when a message is recorded). */
  recordMessage(key: DigestKey, message: SlackMessageRef): Promise<void>;
}

/** Shows digests to the approvers (Slack in practice). */
export interface DigestNotifier {
  /** Posts `digest` to `channel`, marked with its key so {@link findDigestMessage} finds it. */
  postDigest(digest: Digest, channel: string): Promise<SlackMessageRef>;
  /** The digest's message posted since `intent.at` (an attempt that crashed after Slack took it). */
  findDigestMessage(key: DigestKey, intent: DigestPostIntent): Promise<SlackMessageRef | undefined>;
  /** Rewrites the digest's message to show `digest` as it is. */
  updateDigest(digest: Digest): Promise<void>;
}
