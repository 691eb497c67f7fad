import { TRACE_PATTERNS, type TraceField } from '../../contract';
import { TRAIL_LINKS } from '../../domain/audit/correlation-trail';
import type { JsonSchema } from './schema';

/*
 * The answers of the correlation (`trace`, the trail, outcomes), as JSON Schema for the OpenAPI
 * document, beside the other response schemas (`./responses.ts`).
 */

const FIELDS = Object.keys(TRACE_PATTERNS) as TraceField[];

/** The `trace` of a request, its token and its introspection: as the agent gave it. */
export const TRACE_SCHEMA: JsonSchema = {
  type: 'object',
  description:
    'Where the request comes from, as its agent said at creation (agent-supplied, recorded, never decided on).',
  additionalProperties: false,
  properties: Object.fromEntries(
    FIELDS.map((name) => [name, { type: 'string', pattern: TRACE_PATTERNS[name].source }]),
  ),
};

/** The response schemas the correlation adds, by component name. */
export const TRACE_RESPONSE_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  TrailLink: {
    type: 'object',
    description:
      'One link of the trail from the prompt to the downstream call, naming the audit event that records it.',
    required: ['link'],
    additionalProperties: false,
    properties: {
      link: { enum: TRAIL_LINKS },
      at: { type: 'string', format: 'date-time' },
      actor: { type: 'string' },
      event: { type: 'integer', minimum: 0, description: 'Index of the recording event in events.' },
      detail: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    },
  },
  RecordedOutcome: {
    type: 'object',
    description: 'The outcome as recorded: the first report, also when the same report comes again.',
    required: ['auth_req_id', 'result', 'recorded_at'],
    additionalProperties: false,
    properties: {
      auth_req_id: { type: 'string' },
      result: { enum: ['succeeded', 'failed'] },
      code: { type: 'string' },
      recorded_at: { type: 'string', format: 'date-time' },
    },
  },
};
