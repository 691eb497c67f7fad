import {
  approverGroupsLabel,
  approvers,
  policyLabel,
  type ApprovalRequest,
} from '../../domain/approval-request';
import { untrustedText } from './untrusted-text';

/** Action ids of the two buttons; the button value is the request id, never the task token. */
export const APPROVE_ACTION_ID = 'stepup_approve';
export const DENY_ACTION_ID = 'stepup_deny';

/** Block Kit JSON; typed loosely so this module stays free of Slack packages. */
export type Block = Record<string, unknown>;

/** A message to post or update: fallback text plus blocks. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: Block[];
}

const HEADLINE: Readonly<Record<ApprovalRequest['status'], string>> = {
  PENDING: 'Approval needed',
  APPROVED: 'Approved',
  DENIED: 'Denied',
  EXPIRED: 'Expired',
  CANCELLED: 'Cancelled',
  FAILED: 'Failed',
};

const plain = (text: string) => ({ type: 'plain_text', text, emoji: false });
// One line per value: a value with a line break (a forged "Approved by" line) shows it visibly.
const field = (label: string, value: string, max = 300) =>
  plain(`${label}\n${untrustedText(value, max, { singleLine: true })}`);
const mention = (user: string) => `<@${user}>`;

function outcomeLine(request: ApprovalRequest): string | undefined {
  const by = approvers(request).map(mention).join(', ');
  switch (request.status) {
    case 'PENDING': {
      const progress =
        request.votes.length > 0
          ? `${approvers(request).length} of ${request.requirements.quorum} approvals: ${by}`
          : '';
      const escalated = request.escalation
        ? `:rotating_light: Nobody decided in time: escalated to ${untrustedText(request.escalation.group, 64)}`
        : '';
      return [progress, escalated].filter(Boolean).join('\n') || undefined;
    }
    case 'APPROVED':
      return `:white_check_mark: Approved by ${by}`;
    case 'DENIED': {
      // The reason is shown under it, as plain text (see denialReasonBlock).
      const denier = request.votes.find((v) => v.decision === 'deny');
      return `:no_entry: Denied by ${denier ? mention(denier.user) : 'an approver'}`;
    }
    case 'EXPIRED':
      return ':hourglass: Expired: nobody decided in time';
    case 'CANCELLED': {
      const by = request.events.findLast((e) => e.type === 'cancelled')?.actor ?? '';
      return by.startsWith('operator:')
        ? ':heavy_multiplication_x: Cancelled: an operator revoked this agent'
        : ':heavy_multiplication_x: Cancelled by the agent';
    }
    case 'FAILED': {
      const approved = by ? `approved by ${by}, but ` : '';
      return `:warning: Failed: ${approved}could not be completed; nothing was granted`;
    }
  }
}

/** The approver's deny reason, as plain text: approver text is never mrkdwn either. */
function denialReasonBlock(request: ApprovalRequest): Block | undefined {
  if (request.status !== 'DENIED' || !request.denialReason) return undefined;
  return { type: 'section', text: plain(`Reason: ${untrustedText(request.denialReason, 500)}`) };
}

/**
 * The approval message for `request` in its current state. Structured facts (action, resource,
 * audience, agent, binding code) come first; the agent's justification is labelled as the agent's
 * words and shown as capped plain text. Agent and approver text only ever appears in `plain_text`
 * objects. Buttons appear only while the request is pending.
 */
export function approvalMessage(request: ApprovalRequest): SlackMessage {
  const expires = Math.floor(Date.parse(request.expiresAt) / 1000);
  const blocks: Block[] = [
    { type: 'header', text: plain(`${HEADLINE[request.status]}: ${untrustedText(request.action, 120)}`) },
    {
      type: 'section',
      fields: [
        field('Action', request.action),
        field('Audience (resource server)', request.audience),
        field('Agent', request.agent),
        field(
          'On behalf of',
          request.onBehalfOf ? `${request.onBehalfOf} (asserted by the agent, unverified)` : 'nobody',
        ),
        field('Policy', policyLabel(request.requirements)),
        field('Binding code', request.bindingCode),
        field(
          'Approvals needed',
          `${request.requirements.quorum} from ${approverGroupsLabel(request.requirements)}`,
        ),
      ],
    },
    // In full, never truncated: it is what the token will be bound to (at most 512 characters, so
    // even fully escaped it fits a section's 3000).
    { type: 'section', text: plain(`Resource\n${untrustedText(request.resource, 2900)}`) },
    {
      type: 'section',
      text: plain(
        `Justification (written by the agent, unverified):\n${untrustedText(request.justification, 2000)}`,
      ),
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Request \`${request.id}\` · expires <!date^${expires}^{date_short_pretty} {time}|${request.expiresAt}>`,
        },
      ],
    },
  ];
  const outcome = outcomeLine(request);
  if (outcome) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: outcome } });
  const reason = denialReasonBlock(request);
  if (reason) blocks.push(reason);
  if (request.status === 'PENDING') {
    blocks.push({
      type: 'actions',
      block_id: 'stepup_decision',
      elements: [
        {
          type: 'button',
          action_id: APPROVE_ACTION_ID,
          style: 'primary',
          text: plain('Approve'),
          value: request.id,
        },
        {
          type: 'button',
          action_id: DENY_ACTION_ID,
          style: 'danger',
          text: plain('Deny'),
          value: request.id,
        },
      ],
    });
  }
  // The fallback `text` is what notifications show, rendered as mrkdwn with no way to turn that
  // off: it carries only what stepup itself wrote, never agent text.
  return { text: `${HEADLINE[request.status]}: stepup request ${request.id}`, blocks };
}
