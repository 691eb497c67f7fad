import * as z from 'zod/mini';
import { CIBA_GRANT_TYPE, DEFERRED_GRANT_TYPE, TOKEN_EXCHANGE_GRANT_TYPE } from '../../contract';
import { StepUpError } from '../../domain/errors';
import { requireObject } from './schema';
import {
  deferredPollBody,
  deferredTokenExchangeBody,
  parseDeferredTokenExchange,
  type DeferredTokenExchange,
} from './deferred-token-request';
import { parseTokenRequest, tokenRequestBody, type TokenRequest } from './token-request';

/** What `POST /v1/token` was asked: a poll (CIBA or DTR deferred), or a new deferred request. */
export type TokenEndpointRequest =
  ({ readonly kind: 'poll' } & TokenRequest) | ({ readonly kind: 'deferred' } & DeferredTokenExchange);

const GRANT_TYPES = [CIBA_GRANT_TYPE, DEFERRED_GRANT_TYPE, TOKEN_EXCHANGE_GRANT_TYPE];

const MEMBERS = [tokenRequestBody, deferredPollBody, deferredTokenExchangeBody];

const schema = z.xor(MEMBERS.map((member) => member.schema)).check(
  z.meta({
    description:
      'By grant_type: the CIBA poll, the Deferred Token Response poll (by deferral_code), or a deferred ' +
      'token exchange (draft-ietf-oauth-deferred-token-response-01).',
    examples: MEMBERS.flatMap((member) => member.examples),
  }),
);

/**
 * The body of `POST /v1/token`: one of its grants, told apart by `grant_type`. Parsed by
 * {@link parseTokenEndpointRequest}, which picks the member by `grant_type` so its errors are that grant's.
 */
export const tokenEndpointRequestBody = {
  name: 'TokenEndpointRequest',
  examples: MEMBERS.flatMap((member) => member.examples),
  schema,
};

/**
 * Validates a token-endpoint body by its `grant_type`: the CIBA poll, the DTR poll by
 * `deferral_code` (the same poll: the deferral code is the auth_req_id), or a DTR token exchange.
 */
export function parseTokenEndpointRequest(raw: unknown): TokenEndpointRequest {
  const grantType = requireObject(raw, 'request body').grant_type;
  switch (grantType) {
    case CIBA_GRANT_TYPE:
      return { kind: 'poll', ...parseTokenRequest(raw) };
    case DEFERRED_GRANT_TYPE: {
      const { deferral_code, wait } = deferredPollBody.parse(raw);
      return { kind: 'poll', requestId: deferral_code, waitSeconds: wait ?? 0 };
    }
    case TOKEN_EXCHANGE_GRANT_TYPE:
      return { kind: 'deferred', ...parseDeferredTokenExchange(raw) };
    default:
      throw new StepUpError('unsupported_grant_type', `grant_type must be one of ${GRANT_TYPES.join(', ')}`);
  }
}
