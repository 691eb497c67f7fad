import type { JsonSchema } from './schema';

/** One page of `GET /v1/audit/events`: each event with the request it belongs to. */
export const auditEventsPage: JsonSchema = {
  type: 'object',
  required: ['events'],
  additionalProperties: false,
  properties: {
    events: {
      type: 'array',
      description:
        'Newest first. Each is an event of a request’s trail (as GET /v1/requests/{id} shows it, prev ' +
        'included) or a refused click (vote_refused, outside any chain), with its request.',
      items: {
        type: 'object',
        required: ['auth_req_id', 'agent', 'action', 'resource', 'type', 'at', 'actor'],
        properties: {
          auth_req_id: { type: 'string' },
          agent: { type: 'string', description: 'The requesting agent’s workload sub.' },
          action: { type: 'string' },
          resource: { type: 'string' },
          type: { $ref: '#/components/schemas/AuditEvent/properties/type' },
          at: { type: 'string', format: 'date-time' },
          actor: { type: 'string' },
          detail: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
          prev: { type: 'string' },
        },
      },
    },
    cursor: { type: 'string', description: 'Continues with older events; absent on the last page.' },
  },
};
