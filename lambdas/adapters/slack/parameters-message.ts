import type { KnownBlock, PlainTextElement } from '@slack/types';
import type { ApprovalRequest } from '../../domain/requests/approval-request';
import { indentedParameters, type BoundParameters } from '../../domain/requests/parameters';
import { untrustedChunks, untrustedText } from './untrusted-text';

/** Action id of the approval message's "Show full parameters" button; its value is the request id. */
export const SHOW_PARAMETERS_ACTION_ID = 'stepup_show_parameters';

/** A section's `plain_text` limit is 3000 characters; the first piece also carries its label. */
const PIECE_MAX = 2900;
/** Slack allows 50 blocks; the pretty form of 8 KB of canonical JSON stays far below this. */
const PIECES_MAX = 45;

const plain = (text: string): PlainTextElement => ({ type: 'plain_text', text, emoji: false });

/**
 * The private answer to "Show full parameters": the request named by action and resource, the
 * parameters' SHA-256 (what the token is bound to), and the parameters in full — indented JSON,
 * every string JSON-escaped, inert `plain_text` in as many sections as it takes (the compact
 * canonical form if the indented one would need more blocks than Slack allows).
 */
export function fullParametersMessage(request: ApprovalRequest & { readonly parameters: BoundParameters }): {
  readonly text: string;
  readonly blocks: KnownBlock[];
} {
  const indented = untrustedChunks(indentedParameters(request.parameters), PIECE_MAX);
  const pieces =
    indented.length <= PIECES_MAX ? indented : untrustedChunks(request.parameters.canonical, PIECE_MAX);
  const title =
    `Full parameters of ${untrustedText(request.action, 128, { singleLine: true })} on ` +
    `${untrustedText(request.resource, 600, { singleLine: true })} (request ${request.id}), ` +
    `SHA-256 ${request.parameters.sha256}. Written by the agent; the token is valid only with exactly these:`;
  return {
    text: `Full parameters of stepup request ${request.id}`,
    blocks: [
      { type: 'section', text: plain(title) },
      ...pieces.map((piece): KnownBlock => ({ type: 'section', text: plain(piece) })),
    ],
  };
}
