import type {
  ActionsBlock,
  Button,
  ContextBlock,
  HeaderBlock,
  KnownBlock,
  PlainTextElement,
  SectionBlock,
} from '@slack/types';
import {
  approverGroupsLabel,
  approvers,
  policyLabel,
  type ApprovalRequest,
} from '../../domain/requests/approval-request';
import { environmentMarker } from '../../domain/requests/environment-marker';
import { indentedParameters } from '../../domain/requests/parameters';
import { SHOW_PARAMETERS_ACTION_ID } from './parameters-message';
import { untrustedText, untrustedTextMiddle } from './untrusted-text';

/** Action ids of the two buttons; the button value is the request id, never the task token. */
export const APPROVE_ACTION_ID = 'stepup_approve';
export const DENY_ACTION_ID = 'stepup_deny';

/** A Block Kit block of the approval message. */
export type Block = KnownBlock;

/** A message to post or update: fallback text plus blocks. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: Block[];
}

/** Label of the block that holds what the agent wrote, set apart below the facts. */
export const AGENT_TEXT_LABEL = 'Written by the agent (unverified, not checked by stepup):';

/**
 * Starts every line of agent-written free text, so no line of it begins where a field label
 * would: it reads as a quotation, whatever it imitates ("Action", "*Approved by:* security").
 */
export const AGENT_LINE_PREFIX = '\u2503 ';

/** Slack's limits (characters): header text, confirm dialog title and text, section text. */
const HEADER_MAX = 150;
const CONFIRM_TITLE_MAX = 100;
const CONFIRM_TEXT_MAX = 300;
/** The parameters' share of a section (3000 characters with its label and note). */
const PARAMETERS_MAX = 2600;

const HEADLINE: Readonly<Record<ApprovalRequest['status'], string>> = {
  PENDING: 'Approval needed',
  APPROVED: 'Approved',
  DENIED: 'Denied',
  EXPIRED: 'Expired',
  CANCELLED: 'Cancelled',
  FAILED: 'Failed',
};

const plain = (text: string): PlainTextElement => ({ type: 'plain_text', text, emoji: false });
// One line per value: a value with a line break (a forged "Approved by" line) shows it visibly.
const field = (label: string, value: string, max = 300) =>
  plain(`${label}\n${untrustedText(value, max, { singleLine: true })}`);
const mention = (user: string) => `<@${user}>`;

// Long names keep their beginning and end (where `…/orders` and `…/customers` differ).
const headline = untrustedTextMiddle;

/** "db:DropTable on prod/orders", inert, within `max` characters (the action is at most 128). */
function actionOnResource(request: ApprovalRequest, max: number): string {
  const action = untrustedText(request.action, 128, { singleLine: true });
  return `${action} on ${headline(request.resource, max - action.length - 4)}`;
}

/** The header: status, environment marker, action and resource. */
function header(request: ApprovalRequest): HeaderBlock {
  const marker = environmentMarker(request.resource);
  const prefix = `${marker ? `[${marker}] ` : ''}${HEADLINE[request.status]}: `;
  return { type: 'header', text: plain(`${prefix}${actionOnResource(request, HEADER_MAX - prefix.length)}`) };
}

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
      if (by.startsWith('operator:'))
        return ':heavy_multiplication_x: Cancelled: an operator revoked this agent';
      return by.startsWith('owner:')
        ? ':heavy_multiplication_x: Cancelled: an owner of this agent pulled its kill switch'
        : ':heavy_multiplication_x: Cancelled by the agent';
    }
    case 'FAILED': {
      const approved = by ? `approved by ${by}, but ` : '';
      return `:warning: Failed: ${approved}could not be completed; nothing was granted`;
    }
  }
}

/** The approver's deny reason, as plain text: approver text is never mrkdwn either. */
function denialReasonBlock(request: ApprovalRequest): SectionBlock | undefined {
  if (request.status !== 'DENIED' || !request.denialReason) return undefined;
  return { type: 'section', text: plain(`Reason: ${untrustedText(request.denialReason, 500)}`) };
}

/** The deciding policies' own words (`@description`), labelled as theirs. */
function policyDescriptionBlock(request: ApprovalRequest): SectionBlock | undefined {
  const { description } = request.requirements;
  if (!description) return undefined;
  return {
    type: 'section',
    text: plain(
      `Policy ${untrustedText(policyLabel(request.requirements), 400)} says (the policy author’s words):\n` +
        untrustedText(description, 1000),
    ),
  };
}

/** The parameters as the message shows them, and whether that is cut (they do not fit its section). */
interface ShownParameters {
  readonly text: string;
  readonly cut: boolean;
}

function shownParameters(request: ApprovalRequest): ShownParameters | undefined {
  if (!request.parameters) return undefined;
  const pretty = indentedParameters(request.parameters);
  const text = untrustedText(pretty, PARAMETERS_MAX);
  return { text, cut: text !== untrustedText(pretty, Number.MAX_SAFE_INTEGER) };
}

/** The exact arguments, structured, inert, and capped with a pointer to the full view. */
function parametersBlock(request: ApprovalRequest, shown: ShownParameters): SectionBlock {
  return {
    type: 'section',
    text: plain(
      `Parameters (the exact arguments; the token is valid only with these):\n${shown.text}` +
        (shown.cut ? `\n${fullViewNote(request)}` : ''),
    ),
  };
}

/**
 * Where capped parameters are shown in full: for a passkey request the approval page Approve and Deny
 * link to (it shows them uncut); otherwise "Show full parameters" sends them to the approver privately.
 */
function fullViewNote(request: ApprovalRequest): string {
  return request.requirements.assurance === 'passkey'
    ? '(cut here: Approve or Deny sends you a link to the approval page, which shows the full parameters before you confirm)'
    : '(cut here: "Show full parameters" sends them to you privately, in full)';
}

/** What the agent wrote, below a divider, labelled, every line quoted: its justification and session. */
function agentTextBlock(request: ApprovalRequest): SectionBlock {
  const quoted = untrustedText(request.justification, 2000)
    .split('\n')
    .map((line) => `${AGENT_LINE_PREFIX}${line}`)
    .join('\n');
  const session = request.trace?.session_id;
  const sessionLines = session
    ? `\nSession\n${AGENT_LINE_PREFIX}${untrustedText(session, 128, { singleLine: true })}`
    : '';
  return { type: 'section', text: plain(`${AGENT_TEXT_LABEL}\nJustification\n${quoted}${sessionLines}`) };
}

function decisionButtons(request: ApprovalRequest, parametersCut: boolean): ActionsBlock {
  const approve: Button = {
    type: 'button',
    action_id: APPROVE_ACTION_ID,
    style: 'primary',
    text: plain('Approve'),
    value: request.id,
    // Slack asks again, repeating exactly what is approved: a stray click approves nothing.
    confirm: {
      title: plain(headline(`Approve ${request.action}?`, CONFIRM_TITLE_MAX)),
      text: plain(
        `${actionOnResource(request, CONFIRM_TEXT_MAX - 50)}, for ${headline(request.audience, 40)}`,
      ),
      confirm: plain('Approve'),
      deny: plain('Cancel'),
      style: 'primary',
    },
  };
  const deny: Button = {
    type: 'button',
    action_id: DENY_ACTION_ID,
    style: 'danger',
    text: plain('Deny'),
    value: request.id,
  };
  const showAll: Button = {
    type: 'button',
    action_id: SHOW_PARAMETERS_ACTION_ID,
    text: plain('Show full parameters'),
    value: request.id,
  };
  // A passkey request's approval page shows them in full already.
  const reading = parametersCut && request.requirements.assurance !== 'passkey' ? [showAll] : [];
  return { type: 'actions', block_id: 'stepup_decision', elements: [approve, deny, ...reading] };
}

/**
 * The approval message for `request` in its current state, risk first: the header names the
 * status, the environment (a `[PROD]` marker, `environmentMarker`), the action and the resource;
 * then the policy's own description, the structured facts, the resource in full, the exact
 * parameters and the binding code explained. What the agent wrote comes last, below a divider,
 * labelled and quoted line by line. Agent and approver text only ever appears in `plain_text`
 * objects. Buttons appear only while the request is pending; Approve asks for confirmation.
 */
export function approvalMessage(request: ApprovalRequest): SlackMessage {
  const parameters = shownParameters(request);
  const expires = Math.floor(Date.parse(request.expiresAt) / 1000);
  const facts: SectionBlock = {
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
  };
  const context: ContextBlock = {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text:
          `Binding code \`${request.bindingCode}\`: the agent shows its user the same code · ` +
          `Request \`${request.id}\` · expires <!date^${expires}^{date_short_pretty} {time}|${request.expiresAt}>`,
      },
    ],
  };
  const blocks: Block[] = [
    header(request),
    ...[policyDescriptionBlock(request)].filter((b) => b !== undefined),
    facts,
    // In full, never truncated: it is what the token will be bound to (at most 512 characters, so
    // even fully escaped it fits a section's 3000).
    { type: 'section', text: plain(`Resource\n${untrustedText(request.resource, 2900)}`) },
    ...(parameters ? [parametersBlock(request, parameters)] : []),
    context,
    { type: 'divider' },
    agentTextBlock(request),
  ];
  const outcome = outcomeLine(request);
  if (outcome) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: outcome } });
  const reason = denialReasonBlock(request);
  if (reason) blocks.push(reason);
  if (request.status === 'PENDING') blocks.push(decisionButtons(request, parameters?.cut ?? false));
  // The fallback `text` is what notifications show, rendered as mrkdwn with no way to turn that
  // off: it carries only what stepup itself wrote, never agent text.
  return { text: `${HEADLINE[request.status]}: stepup request ${request.id}`, blocks };
}
