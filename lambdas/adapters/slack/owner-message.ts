import type { ActionsBlock, Button, KnownBlock, PlainTextElement, SectionBlock } from '@slack/types';
import type { OwnerNotice } from '../../ports/owner-notifier';
import { untrustedText, untrustedTextMiddle } from './untrusted-text';

/** Action id of the owner's kill switch button; its value is the agent's workload `sub`. */
export const KILL_SWITCH_ACTION_ID = 'stepup_owner_kill_switch';

/** Slack's limit on a button's value. */
const BUTTON_VALUE_MAX = 2000;

const plain = (text: string): PlainTextElement => ({ type: 'plain_text', text, emoji: false });

/** What happened, in one line (the agent's registry name is the operator's, the rest inert). */
function headline(notice: OwnerNotice): string {
  const name = untrustedText(notice.agentName, 64, { singleLine: true });
  switch (notice.kind) {
    case 'denied':
      return `A request of your agent ${name} was denied by an approver`;
    case 'policy_denied':
      return `A request of your agent ${name} was denied by policy`;
    case 'expired':
      return `A request of your agent ${name} expired: nobody decided in time`;
    case 'kill_switch':
      return `The kill switch was pulled for your agent ${name}`;
  }
}

function details(notice: OwnerNotice): string {
  if (notice.killSwitch) {
    const { cancelled, revoked, actor } = notice.killSwitch;
    return `By ${untrustedText(actor, 200, { singleLine: true })}: ${cancelled} pending request(s) cancelled, ${revoked} grant(s) revoked.`;
  }
  const request = notice.request;
  if (!request) return '';
  const lines = [
    `Request ${untrustedText(request.id, 64, { singleLine: true })}`,
    `${untrustedText(request.action, 128, { singleLine: true })} on ${untrustedTextMiddle(request.resource, 300)}`,
  ];
  if (request.reason) lines.push(`Reason: ${untrustedText(request.reason, 500)}`);
  return lines.join('\n');
}

/**
 * The direct message an owner gets: what happened to their agent, as plain text (agent text never
 * formats), and a button to pull the kill switch for that agent (with a confirmation dialog). The
 * button is left out when the agent's `sub` does not fit a button's value.
 */
export function ownerMessage(notice: OwnerNotice): { text: string; blocks: KnownBlock[] } {
  const text = headline(notice);
  const name = untrustedText(notice.agentName, 64, { singleLine: true });
  const blocks: KnownBlock[] = [{ type: 'section', text: plain(text) } satisfies SectionBlock];
  const more = details(notice);
  if (more) blocks.push({ type: 'section', text: plain(more) });
  if (notice.agent.length <= BUTTON_VALUE_MAX) {
    const button: Button = {
      type: 'button',
      action_id: KILL_SWITCH_ACTION_ID,
      style: 'danger',
      text: plain(`Pull the kill switch for ${name}`),
      value: notice.agent,
      confirm: {
        title: plain('Pull the kill switch?'),
        text: plain(`Every pending request of ${name} is cancelled and every unused grant revoked.`),
        confirm: plain('Pull it'),
        deny: plain('Cancel'),
        style: 'danger',
      },
    };
    blocks.push({ type: 'actions', block_id: 'stepup_owner', elements: [button] } satisfies ActionsBlock);
  }
  return { text, blocks };
}
