import * as z from 'zod/mini';
import {
  MAX_RESOURCE_LENGTH,
  MAX_TOKEN_TTL_SECONDS,
  type CreateRequestInput,
} from '../../domain/requests/create-request';
import { StepUpError } from '../../domain/errors';
import { bindParameters, MAX_PARAMETERS_BYTES, MAX_PARAMETERS_DEPTH } from '../../domain/requests/parameters';
import { publicJwk } from './public-jwk';
import { traceField } from './trace';
import { body, custom, integer, parseWith, requireObject, text } from './schema';

/** A risk signal's name in `context`. */
const SIGNAL_NAME = /^[a-z][a-z0-9_]{0,63}$/;

const signalValue = text({ max: 256, description: 'The signal’s value.' });

/** `context`: risk signals, an object of short strings under lowercase names. */
const signals = custom(
  (raw): Record<string, string> => {
    const context = requireObject(raw, 'context');
    const parsed: Record<string, string> = {};
    for (const key of Object.keys(context)) {
      if (!SIGNAL_NAME.test(key)) {
        // The name is raw input: described, never echoed.
        throw new StepUpError(
          'invalid_request',
          'context has a signal name that is not a lowercase letter then up to 63 lowercase letters, digits or _',
        );
      }
      // `context.`, not the field's name: AuthZEN's `context.signals` says it the same way.
      parsed[key] = parseWith(signalValue, context[key], `context.${key}`);
    }
    return parsed;
  },
  (describe) => ({
    type: 'object',
    description:
      'Risk signals for the policies: names of a lowercase letter then up to 63 lowercase letters, ' +
      'digits or _, each with a string value. Every name must be declared in the policy schema, or ' +
      'the request is refused (400). Agent-supplied: policies may only use them to ask for more.',
    propertyNames: { pattern: SIGNAL_NAME.source },
    additionalProperties: describe(signalValue),
    examples: [{ ticket: 'CHG-7', incident: 'INC-42' }],
  }),
);

/** `parameters`: the exact arguments, bound to the approval by their RFC 8785 digest. */
const parameters = custom(bindParameters, {
  type: 'object',
  description:
    'The exact arguments the agent will send to the resource server (a SQL statement, an HTTP body…). ' +
    'The approval is bound to them: approvers see them, and the token’s authorization_details entry ' +
    'carries parameters_sha256, the SHA-256 (base64url, no padding) of their RFC 8785 (JCS) canonical ' +
    'form, which the resource server recomputes from what it receives. I-JSON (RFC 7493): no repeated ' +
    'member names, well-formed Unicode, integers within ±(2^53 − 1) (send larger ones as strings); at ' +
    `most ${MAX_PARAMETERS_DEPTH} levels deep and ${MAX_PARAMETERS_BYTES} bytes once canonicalised.`,
  examples: [{ sql: 'DROP TABLE orders' }],
});

const minimal = {
  action: 'db:DropTable',
  resource: 'prod/orders',
  audience: 'orders-db',
  justification: 'Drop the legacy orders table after the migration (CHG-7).',
};

/** The body of `POST /v1/requests`. Agent text is untrusted: under the text policy of `requireText`. */
export const createRequestBody = body(
  {
    action: text({
      max: 128,
      pattern: /^[A-Za-z][A-Za-z0-9-]*:[A-Za-z][A-Za-z0-9_.-]*$/,
      hint: 'service:Verb, e.g. db:DropTable',
      description: 'The one action the agent asks to perform.',
      examples: ['db:DropTable'],
    }),
    // Approvers must see the whole resource and audience: bounded so they are never truncated.
    resource: text({
      max: MAX_RESOURCE_LENGTH,
      pattern: /^[^<>]+$/,
      hint: 'a resource name without < or >',
      description:
        'What the action is performed on, shown to approvers in full. Its first path segment is its ' +
        'environment for policies (prod/orders → prod).',
      examples: ['prod/orders'],
    }),
    audience: text({
      max: 256,
      pattern: /^[A-Za-z0-9._:/@-]+$/,
      hint: 'a resource server id of letters, digits and ._:/@-',
      description:
        'The resource server that will accept the token: its workload sub, which becomes the token’s aud.',
      examples: ['orders-db'],
    }),
    justification: text({
      max: 2000,
      multiline: true,
      description: 'Why, in the agent’s words; shown to approvers as unverified.',
    }),
    on_behalf_of: z.optional(
      text({
        max: 256,
        description:
          'The human the agent acts for (id or email). Without subject_token it is only asserted ' +
          '(shown as unverified, never the token’s sub); with one it must match the proven human.',
        examples: ['carol@example.com'],
      }),
    ),
    requested_ttl_seconds: z.optional(
      integer({
        min: 1,
        max: MAX_TOKEN_TTL_SECONDS,
        description:
          'The token lifetime wanted, capped by the deciding policies’ @max_ttl (else the configured default).',
        examples: [120],
      }),
    ),
    context: z.optional(signals),
    parameters: z.optional(parameters),
    subject_token: z.optional(
      text({
        max: 8192,
        pattern: /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/,
        hint: 'a compact JWS (the human’s id_token)',
        description:
          'The human’s own OIDC id_token from the configured human identity provider. It proves ' +
          'on_behalf_of: the token’s sub becomes the human and act.sub the agent. Refused (400) when it ' +
          'does not verify, names someone else, or no provider is configured.',
      }),
    ),
    dpop_jwk: z.optional(
      publicJwk('The agent’s DPoP public key: the token is bound to it (cnf.jkt, token_type DPoP).', [
        {
          kty: 'EC',
          crv: 'P-256',
          x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
          y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
        },
      ]),
    ),
    trace: z.optional(traceField),
  },
  {
    name: 'CreateRequest',
    description:
      'One high-risk action the agent asks to perform. Unknown fields are refused. The policies ' +
      'decide: step-up (202, approvers are paged), auto-approve (200) or deny (403).',
    examples: [
      minimal,
      {
        ...minimal,
        on_behalf_of: 'carol@example.com',
        requested_ttl_seconds: 120,
        context: { ticket: 'CHG-7' },
        parameters: { sql: 'DROP TABLE orders' },
      },
    ],
  },
);

/**
 * Validates the agent's body. Agent text is untrusted: under the text policy of `requireText`
 * (well-formed, NFC, bounded, no unsafe characters).
 * @throws StepUpError `invalid_request` naming the field
 */
export function parseCreateRequest(raw: unknown): CreateRequestInput {
  const body = createRequestBody.parse(raw);
  return {
    action: body.action,
    resource: body.resource,
    audience: body.audience,
    justification: body.justification,
    onBehalfOf: body.on_behalf_of,
    requestedTtlSeconds: body.requested_ttl_seconds,
    signals: body.context ?? {},
    subjectToken: body.subject_token,
    dpopJkt: body.dpop_jwk,
    parameters: body.parameters,
    trace: body.trace,
  };
}
