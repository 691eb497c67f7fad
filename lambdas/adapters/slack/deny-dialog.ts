import type { ApprovalRequest } from '../../domain/requests/approval-request';
import { untrustedText } from './untrusted-text';

/** `callback_id` of the deny dialog; its submission carries the reason. */
export const DENY_DIALOG_ID = 'stepup_deny_reason';
export const REASON_BLOCK_ID = 'reason';
export const REASON_ACTION_ID = 'reason_input';
/** Longest reason an approver can give. */
export const MAX_REASON_LENGTH = 500;

/** What the dialog carries through Slack, back to the submission. */
export interface DenyDialogContext {
  readonly requestId: string;
  /** Channel of the approval message, for a private reply if the submission is refused. */
  readonly channel?: string;
}

/**
 * The modal Deny opens: the request in one line and a required reason, which goes into the audit
 * trail and the agent's `access_denied` description.
 */
export function denyDialog(request: ApprovalRequest, context: DenyDialogContext): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: DENY_DIALOG_ID,
    private_metadata: JSON.stringify(context),
    title: { type: 'plain_text', text: 'Deny request' },
    submit: { type: 'plain_text', text: 'Deny' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'plain_text',
          emoji: false,
          text: `Deny ${untrustedText(request.action, 128)} on ${untrustedText(request.resource, 600)} for ${untrustedText(request.agent, 128)}?`,
        },
      },
      {
        type: 'input',
        block_id: REASON_BLOCK_ID,
        label: { type: 'plain_text', text: 'Reason (the agent and the audit trail see it)' },
        element: {
          type: 'plain_text_input',
          action_id: REASON_ACTION_ID,
          multiline: true,
          min_length: 3,
          max_length: MAX_REASON_LENGTH,
        },
      },
    ],
  };
}

/** Reads the dialog context back from a submission's `private_metadata`; undefined if malformed. */
export function dialogContext(privateMetadata: string | undefined): DenyDialogContext | undefined {
  try {
    const parsed = JSON.parse(privateMetadata ?? '') as Partial<DenyDialogContext>;
    if (typeof parsed.requestId !== 'string') return undefined;
    return {
      requestId: parsed.requestId,
      channel: typeof parsed.channel === 'string' ? parsed.channel : undefined,
    };
  } catch {
    return undefined;
  }
}
