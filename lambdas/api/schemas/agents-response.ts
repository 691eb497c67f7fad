import { WINDOW_COUNTERS } from '../../domain/agents/agent-history';
import type { JsonSchema } from './schema';

const count: JsonSchema = { type: 'integer', minimum: 0 };

const windowCounts = (description: string): JsonSchema => ({
  type: 'object',
  description,
  required: [...WINDOW_COUNTERS],
  additionalProperties: false,
  properties: Object.fromEntries(WINDOW_COUNTERS.map((c) => [c, count])),
});

/**
 * The answer of `GET /v1/agents`. Each agent is an object keyed by `agent`, open for more fields
 * (`additionalProperties` is not closed): what the agent registry knows (owners, team) joins it.
 */
export const agentsResponse: JsonSchema = {
  type: 'object',
  required: ['agents'],
  additionalProperties: false,
  properties: {
    agents: {
      type: 'array',
      items: {
        type: 'object',
        required: ['agent', 'last_activity', 'pending', 'last_24h', 'last_7d', 'kill_switch'],
        properties: {
          agent: { type: 'string', description: 'The workload `sub`.' },
          last_activity: { type: 'string', format: 'date-time', description: 'Its latest counted event.' },
          pending: { ...count, description: 'Its requests waiting for approvers now.' },
          last_24h: windowCounts('Whole UTC clock hours: this one and the 24 before.'),
          last_7d: windowCounts('Whole UTC days: today and the 7 before.'),
          kill_switch: {
            description: 'Its latest kill switch run; null if never pulled.',
            oneOf: [
              { type: 'null' },
              {
                type: 'object',
                required: ['state', 'operator', 'started_at', 'cancelled', 'revoked'],
                additionalProperties: false,
                properties: {
                  state: { enum: ['running', 'completed'] },
                  operator: { type: 'string' },
                  started_at: { type: 'string', format: 'date-time' },
                  completed_at: { type: 'string', format: 'date-time' },
                  cancelled: count,
                  revoked: count,
                },
              },
            ],
          },
        },
      },
    },
    cursor: { type: 'string', description: 'Pass as `?cursor=` for the next page; absent on the last.' },
  },
};
