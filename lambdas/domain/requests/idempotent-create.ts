import { createHash } from 'node:crypto';
import type { IdempotencyStore } from '../../ports/idempotency-store';
import { DuplicateRequestError } from '../../ports/request-store';
import type { ApprovalRequest } from './approval-request';
import {
  createRequest,
  POLL_INTERVAL_SECONDS,
  type CreatedRequest,
  type CreateRequestDeps,
  type CreateRequestInput,
} from './create-request';
import { StepUpError } from '../errors';
import { newRequestId } from '../ids';

const KEY = /^[\x21-\x7e]{1,255}$/;

/** JSON with object keys sorted, so the same body always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The answer the first create gave, rebuilt from the stored request. */
function replay(request: ApprovalRequest, now: Date): CreatedRequest {
  if (request.policyOutcome === 'deny') {
    throw new StepUpError('access_denied', request.denialReason ?? 'denied by policy', {
      auth_req_id: request.id,
      policies: [...request.requirements.policies],
    });
  }
  const remaining = (until: number) => Math.max(0, Math.ceil((until - now.getTime()) / 1000));
  const approved = request.policyOutcome === 'auto_approve';
  return {
    auth_req_id: request.id,
    status: approved ? 'approved' : 'pending',
    expires_in: approved
      ? remaining(Date.parse(request.grant?.pickupBy ?? request.createdAt))
      : remaining(Date.parse(request.expiresAt)),
    interval: POLL_INTERVAL_SECONDS,
    binding_code: request.bindingCode,
  };
}

/** Ports an idempotent create needs. */
export interface IdempotentCreateDeps extends CreateRequestDeps {
  readonly idempotency: IdempotencyStore;
}

/** How long an `Idempotency-Key` is remembered. */
export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600;

/**
 * `POST /v1/requests` with an `Idempotency-Key`: the same key and body answer as the first call
 * did (a retry after a dropped connection never creates a second request); the same key with a
 * different body is a `conflict`. Without a key it is a plain create.
 */
export async function createRequestIdempotently(
  deps: IdempotentCreateDeps,
  agent: string,
  input: CreateRequestInput,
  rawBody: unknown,
  key: string | undefined,
): Promise<CreatedRequest> {
  if (key === undefined) return createRequest(deps, agent, input);
  if (!KEY.test(key)) {
    throw new StepUpError('invalid_request', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
  }
  // Before the key is claimed, as a create checks before it stores anything.
  await deps.paging?.assertReady();
  const bodyHash = createHash('sha256').update(canonical(rawBody)).digest('base64url');
  const now = deps.clock.now();
  const claimed = { bodyHash, requestId: newRequestId() };
  const earlier = await deps.idempotency.claim(agent, key, claimed, Math.floor(now.getTime() / 1000));
  if (earlier && earlier.bodyHash !== bodyHash) {
    throw new StepUpError('conflict', 'this Idempotency-Key was already used with a different request body');
  }
  const requestId = earlier?.requestId ?? claimed.requestId;
  const existing = earlier ? await deps.store.get(requestId) : undefined;
  if (existing) return replay(existing, now);
  try {
    // First use, or a retry after the first attempt died between claiming and creating.
    return await createRequest(deps, agent, input, requestId);
  } catch (error) {
    if (!(error instanceof DuplicateRequestError)) throw error;
    const winner = await deps.store.get(requestId);
    if (!winner) throw error;
    return replay(winner, now);
  }
}
