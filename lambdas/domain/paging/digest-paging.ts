import type { Clock } from '../../ports/clock';
import type { DigestBoard, DigestNotifier } from '../../ports/paging-digest';
import type { RequestStore } from '../../ports/request-store';
import { approverGroupsLabel, type ApprovalRequest } from '../requests/approval-request';
import { DIGEST_PAGE_SIZE, minuteOf, type Digest, type DigestKey } from './page-digest';
import { updateRequest } from '../requests/update-request';

/** Ports the digest needs: where pages and digests are counted, and where digests are shown. */
export interface DigestDeps {
  readonly board: DigestBoard;
  readonly notifier: DigestNotifier;
}

/**
 * Whether `request` goes into its group's digest instead of a message of its own: yes when it was
 * put there already (a retried step), else when the group got `limit` pages in this minute (the
 * page is counted here, one conditional write, so 50 concurrent steps take exactly `limit`).
 */
export async function goesToDigest(
  deps: DigestDeps & { readonly clock: Clock },
  request: ApprovalRequest,
  group: string,
  limit: number | undefined,
): Promise<boolean> {
  if (request.digest) return true;
  if (limit === undefined || request.slackMessage || request.paging) return false;
  return !(await deps.board.reservePage(group, minuteOf(deps.clock.now()), request.id, limit));
}

/**
 * Lists `request` in its group's digest and shows the digest: the minute is recorded on the
 * request first, so a step that crashes resumes with the same digest; listing is idempotent, and
 * the digest's page is recorded on the request for the outcome to find it.
 */
export async function listInDigest(
  deps: DigestDeps & { readonly store: RequestStore; readonly clock: Clock },
  request: ApprovalRequest,
  group: string,
  channel: string,
): Promise<void> {
  const now = deps.clock.now();
  const { request: marked } = await updateRequest(deps.store, request.id, (current) =>
    current.digest ? undefined : { ...current, digest: { group, minute: minuteOf(now) } },
  );
  const place = marked.digest ?? { group, minute: minuteOf(now) };
  const digest = await deps.board.addEntry(
    place.group,
    place.minute,
    {
      requestId: marked.id,
      action: marked.action,
      resource: marked.resource,
      agent: marked.agent,
      approvals: `${marked.requirements.quorum} from ${approverGroupsLabel(marked.requirements)}`,
      status: marked.status,
      at: now.toISOString(),
    },
    DIGEST_PAGE_SIZE,
  );
  const { request: listed } = await updateRequest(deps.store, marked.id, (current) =>
    current.digest && current.digest.page === undefined
      ? { ...current, digest: { ...current.digest, page: digest.key.page } }
      : undefined,
  );
  // Decided (cancelled, say) before its page was recorded: the outcome step could not find the
  // entry, so it is shown here.
  if (listed.status !== 'PENDING') await deps.board.setStatus(digest.key, listed.id, listed.status);
  const posted = await postDigestOnce(deps, digest, channel, marked.id);
  if (posted) await keepShown(deps, posted);
}

/**
 * Posts the digest at most once: the first step to record the intent posts it; a retry of that
 * step first looks for its earlier post. Any other step returns undefined: its entry was stored
 * before it looked, so the poster shows it when it re-reads after recording the message.
 */
async function postDigestOnce(
  deps: DigestDeps & { readonly clock: Clock },
  digest: Digest,
  channel: string,
  requestId: string,
): Promise<(Digest & { readonly shownVersion?: number }) | undefined> {
  if (digest.message) return digest;
  const earlier = digest.posting?.by === requestId ? digest.posting : undefined;
  const claimed = digest.posting
    ? digest
    : await deps.board.beginPost(digest.key, {
        channel,
        at: deps.clock.now().toISOString(),
        by: requestId,
      });
  if (claimed.message) return claimed;
  const intent = claimed.posting;
  if (!intent || intent.by !== requestId) return undefined;
  const message =
    (earlier && (await deps.notifier.findDigestMessage(digest.key, earlier))) ??
    (await deps.notifier.postDigest(claimed, intent.channel));
  await deps.board.recordMessage(digest.key, message);
  // The post showed `claimed`; entries listed since are shown by keepShown.
  return { ...claimed, message, shownVersion: earlier ? undefined : claimed.version };
}

/**
 * Updates the digest's message until it shows the stored digest: render, update, re-read, and
 * again if anything changed meanwhile. Whichever update lands last was checked against the store
 * after it landed, so concurrent steps leave the message showing every entry and every outcome.
 */
async function keepShown(deps: DigestDeps, from: Digest & { readonly shownVersion?: number }): Promise<void> {
  let shown = from.shownVersion;
  let current = await deps.board.read(from.key);
  while (current?.message && current.version !== shown) {
    await deps.notifier.updateDigest(current);
    shown = current.version;
    current = await deps.board.read(from.key);
  }
}

/** A digested request's outcome, shown in its digest entry (the digest's message is updated). */
export async function showDigestOutcome(
  deps: DigestDeps | undefined,
  request: ApprovalRequest,
): Promise<void> {
  const place = request.digest;
  if (!deps || place?.page === undefined) return;
  const key: DigestKey = { group: place.group, minute: place.minute, page: place.page };
  const digest = await deps.board.setStatus(key, request.id, request.status);
  if (digest?.message) await keepShown(deps, digest);
}
