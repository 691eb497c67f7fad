import { createHash } from 'node:crypto';
import type { ApprovalRequest } from '../requests/approval-request';
import { canonicalJson } from '../requests/parameters-digest';
import type { PasskeyLink } from './passkey-link';

/**
 * The WebAuthn challenge of a passkey vote: SHA-256 over the RFC 8785 form of what the approver
 * decides (action, resource, audience, parameters digest, binding code, decision) plus the request,
 * the link and the page's nonce. The authenticator signs it, so an assertion confirms exactly this
 * decision on exactly these facts, once: it is useless for another request, decision or link.
 */
export function voteChallenge(request: ApprovalRequest, link: PasskeyLink, nonce: string): Uint8Array {
  const committed = {
    purpose: 'stepup-vote',
    request_id: request.id,
    action: request.action,
    resource: request.resource,
    audience: request.audience,
    parameters_sha256: request.parameters?.sha256 ?? null,
    binding_code: request.bindingCode,
    decision: link.decision ?? null,
    link: link.id,
    nonce,
  };
  return new Uint8Array(createHash('sha256').update(canonicalJson(committed), 'utf8').digest());
}

/** The challenge of an enrolment: the link and the page's nonce. */
export function enrolChallenge(link: PasskeyLink, nonce: string): Uint8Array {
  const committed = { purpose: 'stepup-enrol', link: link.id, user: link.user, nonce };
  return new Uint8Array(createHash('sha256').update(canonicalJson(committed), 'utf8').digest());
}

/**
 * The challenge an approver's existing passkey signs to change their passkeys through an enrolment
 * link: the link, the page's nonce and the change itself (`add`, or `remove:<credential id>`), so
 * the assertion allows that one change only.
 */
export function changeChallenge(link: PasskeyLink, nonce: string, change: PasskeyChange): Uint8Array {
  const committed = { purpose: 'stepup-passkey-change', link: link.id, user: link.user, nonce, change };
  return new Uint8Array(createHash('sha256').update(canonicalJson(committed), 'utf8').digest());
}

/** A change to an enrolled approver's passkeys that an existing passkey must confirm. */
export type PasskeyChange = 'add' | `remove:${string}`;
