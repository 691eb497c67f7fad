import type { PostIntent, RequestStatus, SlackMessageRef } from '../requests/approval-request';

/**
 * Where a request that was not paged on its own is listed: the digest message of its approver
 * group for one UTC minute. A minute's digest fills pages of {@link DIGEST_PAGE_SIZE} entries (one
 * Slack message each), so every entry fits a message's 50 blocks.
 */
export interface DigestKey {
  readonly group: string;
  /** `yyyy-mm-ddThh:mm` (UTC). */
  readonly minute: string;
  readonly page: number;
}

/** Entries per digest message: one section block each, plus the header and context (Slack allows 50 blocks). */
export const DIGEST_PAGE_SIZE = 48;

/** One request in a digest, as the approvers see it there (risk first: action, resource, agent). */
export interface DigestEntry {
  readonly requestId: string;
  readonly action: string;
  readonly resource: string;
  readonly agent: string;
  /** e.g. "1 from db-owners". */
  readonly approvals: string;
  readonly status: RequestStatus;
  /** When it was listed (ISO 8601): the digest shows entries in this order. */
  readonly at: string;
}

/** A digest post that was begun, by the request whose step posts it. */
export interface DigestPostIntent extends PostIntent {
  readonly by: string;
}

/** A digest as stored: its entries, a version bumped by every change, and its Slack message. */
export interface Digest {
  readonly key: DigestKey;
  readonly entries: readonly DigestEntry[];
  readonly version: number;
  readonly message?: SlackMessageRef;
  readonly posting?: DigestPostIntent;
}

/** The UTC minute of `at`, as digest keys and page counters name it. */
export function minuteOf(at: Date): string {
  return at.toISOString().slice(0, 16);
}
