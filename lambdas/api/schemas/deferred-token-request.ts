import * as z from 'zod/mini';
import {
  AUTHORIZATION_DETAILS_TYPE,
  DEFERRED_COMPLETION_MODE,
  DEFERRED_GRANT_TYPE,
  JWT_TOKEN_TYPE,
  TOKEN_EXCHANGE_GRANT_TYPE,
} from '../../contract';
import type { CreateRequestInput } from '../../domain/requests/create-request';
import { StepUpError } from '../../domain/errors';
import { parseCreateRequest } from './create-request';
import { tokenField } from './introspection-request';
import { body, constant, custom, requireObject } from './schema';
import { authReqId, waitSeconds } from './token-request';

/** The justification approvers see when the agent's authorization_details entry gives none. */
const NO_JUSTIFICATION = '(none given: a deferred token request)';

const DETAIL_RULE =
  `authorization_details must be one ${AUTHORIZATION_DETAILS_TYPE} entry: actions [one action], ` +
  'identifier (the resource), locations [one audience], optional justification';

/** One string in a one-element array, or the detail rule is broken. */
function single(value: unknown): unknown {
  if (!Array.isArray(value) || value.length !== 1) throw new StepUpError('invalid_request', DETAIL_RULE);
  return value[0];
}

/**
 * RFC 9396 `authorization_details` naming the one action: a JSON array (in a form, its JSON text)
 * of exactly one `stepup_action` entry. Mapped onto the fields of `POST /v1/requests`, which then
 * validates them by the very same rules.
 */
const authorizationDetails = custom(
  (raw: unknown): Pick<CreateRequestInput, 'action' | 'resource' | 'audience' | 'justification'> => {
    let parsed: unknown = raw;
    if (typeof raw === 'string') {
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new StepUpError('invalid_request', 'authorization_details is not valid JSON');
      }
    }
    const entry = requireObject(single(parsed), 'authorization_details[0]');
    const allowed = ['type', 'actions', 'identifier', 'locations', 'justification'];
    if (entry.type !== AUTHORIZATION_DETAILS_TYPE || Object.keys(entry).some((k) => !allowed.includes(k)))
      throw new StepUpError('invalid_request', DETAIL_RULE);
    return {
      action: single(entry.actions) as string,
      resource: entry.identifier as string,
      audience: single(entry.locations) as string,
      justification: (entry.justification ?? NO_JUSTIFICATION) as string,
    };
  },
  {
    description:
      `RFC 9396: exactly one entry of type ${AUTHORIZATION_DETAILS_TYPE}: actions (one action, as ` +
      'POST /v1/requests action), identifier (the resource), locations (one audience) and an optional ' +
      'justification shown to approvers. In a form: the JSON text of the array.',
    anyOf: [
      {
        type: 'array',
        minItems: 1,
        maxItems: 1,
        items: {
          type: 'object',
          required: ['type', 'actions', 'identifier', 'locations'],
          additionalProperties: false,
          properties: {
            type: { const: AUTHORIZATION_DETAILS_TYPE },
            actions: { type: 'array', minItems: 1, maxItems: 1, items: { type: 'string' } },
            identifier: { type: 'string' },
            locations: { type: 'array', minItems: 1, maxItems: 1, items: { type: 'string' } },
            justification: { type: 'string' },
          },
        },
      },
      { type: 'string', description: 'The array as JSON text (form bodies).' },
    ],
  },
);

const exampleDetails = [
  {
    type: AUTHORIZATION_DETAILS_TYPE,
    actions: ['db:DropTable'],
    identifier: 'prod/orders',
    locations: ['orders-db'],
    justification: 'Drop the legacy orders table after the migration (CHG-7).',
  },
];

/** The body of a deferred token request: RFC 8693 token exchange with DTR `completion_mode=deferred`. */
export const deferredTokenExchangeBody = body(
  {
    grant_type: constant(
      TOKEN_EXCHANGE_GRANT_TYPE,
      { code: 'unsupported_grant_type', message: `grant_type must be ${TOKEN_EXCHANGE_GRANT_TYPE}` },
      { description: 'RFC 8693 token exchange.' },
    ),
    completion_mode: constant(
      DEFERRED_COMPLETION_MODE,
      { code: 'invalid_request', message: `completion_mode must be ${DEFERRED_COMPLETION_MODE}` },
      { description: 'DTR: answer authorization_pending with a deferral_code while humans decide.' },
    ),
    subject_token: tokenField(
      'The agent’s own workload JWT: exactly the bearer token of this call (nobody asks for another).',
    ),
    subject_token_type: constant(
      JWT_TOKEN_TYPE,
      { code: 'invalid_request', message: `subject_token_type must be ${JWT_TOKEN_TYPE}` },
      { description: 'The workload token is a JWT.' },
    ),
    authorization_details: authorizationDetails,
  },
  {
    name: 'DeferredTokenExchangeRequest',
    description:
      'Deferred Token Response (draft-ietf-oauth-deferred-token-response-01) on an RFC 8693 exchange: ' +
      'the same request as POST /v1/requests, answered 400 authorization_pending with a deferral_code ' +
      '(the auth_req_id), interval and expires_in; auto-approved: the token at once.',
    examples: [
      {
        grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
        completion_mode: DEFERRED_COMPLETION_MODE,
        subject_token: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJkZXBsb3ktYm90In0.c2ln',
        subject_token_type: JWT_TOKEN_TYPE,
        authorization_details: exampleDetails,
      },
    ],
  },
);

/** The body of a deferred poll (DTR): the deferral code, with the long-poll `wait` of `/v1/token`. */
export const deferredPollBody = body(
  {
    grant_type: constant(
      DEFERRED_GRANT_TYPE,
      { code: 'unsupported_grant_type', message: `grant_type must be ${DEFERRED_GRANT_TYPE}` },
      { description: 'The DTR deferred grant type.' },
    ),
    deferral_code: authReqId,
    wait: z.optional(waitSeconds),
  },
  {
    name: 'DeferredPollRequest',
    description: 'DTR poll: answers exactly as the CIBA poll of the same request.',
    examples: [{ grant_type: DEFERRED_GRANT_TYPE, deferral_code: '3q2-7wAbCdEfGhIjKlMnOpQr' }],
  },
);

/** A valid deferred token request: what `POST /v1/requests` takes, and the subject token. */
export interface DeferredTokenExchange {
  readonly input: CreateRequestInput;
  readonly subjectToken: string;
}

/**
 * Validates a deferred token-exchange body; the action, resource, audience and justification go
 * through the very rules of `POST /v1/requests`.
 */
export function parseDeferredTokenExchange(raw: unknown): DeferredTokenExchange {
  const parsed = deferredTokenExchangeBody.parse(raw);
  return {
    input: parseCreateRequest(parsed.authorization_details),
    subjectToken: parsed.subject_token,
  };
}
