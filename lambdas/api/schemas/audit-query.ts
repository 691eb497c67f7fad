import * as z from 'zod/mini';
import { MAX_RESOURCE_LENGTH } from '../../domain/requests/create-request';
import { StepUpError } from '../../domain/errors';
import type { AuditQuery } from '../../domain/audit/audit-record';
import { WORKLOAD_SUB_RULE } from '../../domain/agents/workload-identity';
import { body, custom, jsonSchemaOf, text, type JsonSchema } from './schema';

/** RFC 3339 date-time, with `Z` or an offset; fractions up to nanoseconds. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Opaque page cursors are base64url; the bound keeps a forged one from costing anything to reject. */
const CURSOR = /^[A-Za-z0-9_-]{1,2048}$/;

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;

/** An RFC 3339 instant, as the stored events write them (UTC, milliseconds) so they compare as text. */
const instant = (description: string) =>
  custom(
    (value, name) => {
      if (typeof value !== 'string' || !RFC3339.test(value) || !Number.isFinite(Date.parse(value))) {
        throw new StepUpError(
          'invalid_request',
          `${name} must be an RFC 3339 date-time, e.g. 2026-12-02T09:00:00Z`,
        );
      }
      return new Date(value).toISOString();
    },
    { type: 'string', format: 'date-time', description },
  );

/** The query string of `GET /v1/audit/events`: each filter once, nothing else. */
export const auditQueryParameters = body(
  {
    agent: z.optional(
      text({ ...WORKLOAD_SUB_RULE, description: 'Only this agent’s (workload sub) events.' }),
    ),
    action: z.optional(
      text({ max: 128, description: 'Only events of requests for this action, e.g. db:DropTable.' }),
    ),
    resource: z.optional(
      text({ max: MAX_RESOURCE_LENGTH, description: 'Only events of requests for this resource.' }),
    ),
    since: z.optional(instant('Only events at or after this instant.')),
    until: z.optional(instant('Only events at or before this instant.')),
    cursor: z.optional(
      custom(
        (value, name) => {
          if (typeof value !== 'string' || !CURSOR.test(value)) {
            throw new StepUpError('invalid_request', `${name} must be a cursor this API returned`);
          }
          return value;
        },
        {
          type: 'string',
          pattern: CURSOR.source,
          description: 'The cursor of the previous page, as returned; absent for the newest page.',
        },
      ),
    ),
    limit: z.optional(
      custom(
        (value, name) => {
          const limit = typeof value === 'string' && /^[1-9]\d{0,2}$/.test(value) ? Number(value) : NaN;
          if (!(limit <= MAX_LIMIT)) {
            throw new StepUpError('invalid_request', `${name} must be an integer between 1 and ${MAX_LIMIT}`);
          }
          return limit;
        },
        {
          type: 'integer',
          minimum: 1,
          maximum: MAX_LIMIT,
          default: DEFAULT_LIMIT,
          description: 'At most this many requests (with their events) or refused clicks per page.',
        },
      ),
    ),
  },
  {
    name: 'AuditQuery',
    description: 'Filters of the operators’ audit query; all optional, each at most once.',
    examples: [{ agent: 'deploy-bot', since: '2026-12-02T00:00:00Z' }],
  },
);

/**
 * Validates the query string of `GET /v1/audit/events`. Errors name the parameter, never its value.
 * @throws StepUpError `invalid_request`
 */
export function parseAuditQuery(raw: Readonly<Record<string, string | undefined>> | undefined): AuditQuery {
  const query = auditQueryParameters.parse(raw ?? {});
  if (query.since !== undefined && query.until !== undefined && query.since > query.until) {
    throw new StepUpError('invalid_request', 'since must not be after until');
  }
  const { limit, ...filters } = query;
  return { ...filters, limit: limit ?? DEFAULT_LIMIT };
}

/** The query parameters as OpenAPI parameter objects. */
export function auditQueryOpenApiParameters(): JsonSchema[] {
  return Object.entries(auditQueryParameters.fields).map(([name, field]) => ({
    name,
    in: 'query',
    required: false,
    schema: jsonSchemaOf(field),
  }));
}
