import { randomBytes, randomInt } from 'node:crypto';

/** Request id: 144 random bits, base64url (`[A-Za-z0-9_-]`), valid as a Step Functions execution name. */
export function newRequestId(): string {
  return randomBytes(18).toString('base64url');
}

/** What a request id may look like; anything else is not looked up at all. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** Token id: 128 random bits. */
export function newJti(): string {
  return randomBytes(16).toString('base64url');
}

const BINDING_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * A short code shown both to the agent and in the Slack message, so an approver can tie the
 * message to the agent's session (unambiguous characters, `XXXX-XXXX`).
 */
export function newBindingCode(): string {
  let code = '';
  for (let i = 0; i < 8; i++) {
    if (i === 4) code += '-';
    code += BINDING_ALPHABET[randomInt(BINDING_ALPHABET.length)];
  }
  return code;
}
