import * as z from 'zod/mini';
import type { ElevationOptionsQuestion } from '../../domain/policy/elevation-options';
import { createRequestBody } from './create-request';
import { body, jsonSchemaOf, type JsonSchema } from './schema';

const create = createRequestBody.fields;

/** The query of `GET /v1/elevation-options`: the resource (and audience) the agent means to act on. */
export const elevationOptionsQuery = body(
  { resource: z.optional(create.resource), audience: z.optional(create.audience) },
  {
    name: 'ElevationOptionsQuery',
    description: 'Query parameters: what to decide each action for.',
    examples: [{}, { resource: 'prod/orders', audience: 'orders-db' }],
  },
);

/**
 * Validates the query string (each parameter as `POST /v1/requests` validates the same field).
 * @throws StepUpError `invalid_request` naming the parameter
 */
export function parseElevationOptionsQuery(
  query: Readonly<Record<string, string | undefined>> | undefined,
): ElevationOptionsQuestion {
  const parsed = elevationOptionsQuery.parse(query ?? {});
  return { resource: parsed.resource, audience: parsed.audience };
}

/** OpenAPI query parameters of `GET /v1/elevation-options`, from the same field declarations. */
export const elevationOptionsParameters = (): JsonSchema[] =>
  (['resource', 'audience'] as const).map((name) => ({
    name,
    in: 'query',
    required: false,
    description:
      name === 'resource'
        ? 'The resource the agent means to act on: each action is then decided for it.'
        : 'The resource server that would receive the token (decides with resource.audience).',
    schema: jsonSchemaOf(elevationOptionsQuery.fields[name]),
  }));

const stringList: JsonSchema = { type: 'array', items: { type: 'string' } };

/** The answer of `GET /v1/elevation-options`, as the OpenAPI document describes it. */
export const elevationOptionsResponse: JsonSchema = {
  type: 'object',
  required: ['agent', 'actions', 'audiences'],
  properties: {
    agent: { type: 'string', description: 'The caller’s workload sub: the decisions are for it.' },
    resource: { type: 'string' },
    audience: { type: 'string' },
    actions: {
      type: 'array',
      description:
        'Every action the policy schema declares. With resource: decision (auto_approve, step_up or ' +
        'deny) as POST /v1/requests would take it (no human asserted, no context signals), with ' +
        'policies; for step_up approver_groups (an approver must be in one group of every set), ' +
        'quorum, approval_timeout_seconds, escalate_to, max_token_ttl_seconds; for deny reason. An ' +
        'action that cannot be asked for on this resource has error and error_description instead.',
      items: {
        type: 'object',
        required: ['action'],
        properties: {
          action: { type: 'string' },
          decision: { enum: ['auto_approve', 'step_up', 'deny'] },
          policies: stringList,
          approver_groups: { type: 'array', items: stringList },
          quorum: { type: 'integer', minimum: 1 },
          approval_timeout_seconds: { type: 'integer', minimum: 1 },
          escalate_to: { type: ['string', 'null'] },
          max_token_ttl_seconds: { type: 'integer', minimum: 1 },
          reason: { type: 'string' },
          error: { type: 'string' },
          error_description: { type: 'string' },
        },
      },
    },
    audiences: {
      type: 'array',
      description: 'The audiences the config knows: AWS targets (config awsTargets).',
      items: {
        type: 'object',
        required: ['audience', 'kind'],
        properties: {
          audience: { type: 'string' },
          kind: { const: 'aws' },
          actions: { ...stringList, description: 'IAM actions it allows (prefixes end in *); absent: any.' },
        },
      },
    },
  },
};
