import type { Button, ContextBlock, HeaderBlock, PlainTextElement, SectionBlock } from '@slack/types';
import { environmentMarker } from '../../domain/requests/environment-marker';
import type { Digest, DigestEntry } from '../../domain/paging/page-digest';
import type { SlackMessage } from './approval-message';
import { untrustedText, untrustedTextMiddle } from './untrusted-text';

/**
 * Action id prefix of a digest entry's "Open" button (Slack wants action ids unique within a
 * message, so each carries its request id); the button value is the request id.
 */
export const OPEN_DIGESTED_ACTION_PREFIX = 'stepup_digest_open:';

const plain = (text: string): PlainTextElement => ({ type: 'plain_text', text, emoji: false });

const OUTCOME: Readonly<Record<DigestEntry['status'], string>> = {
  PENDING: 'Pending',
  APPROVED: 'Approved',
  DENIED: 'Denied',
  EXPIRED: 'Expired',
  CANCELLED: 'Cancelled',
  FAILED: 'Failed',
};

/** One entry, risk first: status and environment, action on resource, then who asks and who decides. */
function entryBlock(entry: DigestEntry): SectionBlock {
  const marker = environmentMarker(entry.resource);
  const action = untrustedText(entry.action, 128, { singleLine: true });
  const text =
    `${OUTCOME[entry.status]}${marker ? ` [${marker}]` : ''}: ${action} on ` +
    `${untrustedTextMiddle(entry.resource, 300)}\n` +
    `Agent ${untrustedText(entry.agent, 200, { singleLine: true })} · needs ${untrustedText(entry.approvals, 200, { singleLine: true })}`;
  const open: Button = {
    type: 'button',
    action_id: `${OPEN_DIGESTED_ACTION_PREFIX}${entry.requestId}`,
    text: plain('Open'),
    value: entry.requestId,
  };
  // A decided entry has nothing left to open.
  return { type: 'section', text: plain(text), ...(entry.status === 'PENDING' ? { accessory: open } : {}) };
}

/**
 * The digest message: the requests of one approver group beyond its pages for a minute, one line
 * each (plain text: names are agent-written), with an "Open" button that posts the request's full
 * approval message (Approve and Deny) to the channel. Entries show their outcome once decided.
 */
export function digestMessage(digest: Digest): SlackMessage {
  const pending = digest.entries.filter((e) => e.status === 'PENDING').length;
  const header: HeaderBlock = {
    type: 'header',
    text: plain(
      `${digest.entries.length} more requests for ${untrustedText(digest.key.group, 64)} (${pending} pending)`,
    ),
  };
  const context: ContextBlock = {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text:
          `More requests than \`limits.pagesPerGroupPerMinute\` in the minute from ${digest.key.minute} UTC: ` +
          'listed here instead of one message each. Open one to see it in full and decide.',
      },
    ],
  };
  return {
    text: `stepup: ${digest.entries.length} more requests for approval (${pending} pending)`,
    blocks: [header, context, ...digest.entries.map(entryBlock)],
  };
}
