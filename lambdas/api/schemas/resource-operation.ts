import * as z from 'zod/mini';
import { StepUpError } from '../../domain/errors';
import type { ResourceOperation } from '../../domain/requests/trace';
import { text } from './schema';

/**
 * What a resource server says it is about to do with a token, in the fields of its introspection:
 * an HTTP call (`method` and `path`, together) and/or an operation name. Recorded in the audit
 * trail's consumption event; nothing is decided on them.
 */
export const resourceOperationFields = {
  method: z.optional(
    text({
      max: 16,
      pattern: /^[A-Z]{1,16}$/,
      hint: 'an HTTP method in capitals (DELETE), given with path',
      description: 'The HTTP method of the call the resource server is about to make or serve.',
      examples: ['DELETE'],
    }),
  ),
  path: z.optional(
    text({
      max: 512,
      pattern: /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]{0,511}$/,
      hint: 'an absolute URL path without query or fragment (RFC 3986 path characters), given with method',
      description:
        'The path of that call, without its query (which may hold data that does not belong in an audit trail).',
      examples: ['/tables/orders'],
    }),
  ),
  operation: z.optional(
    text({
      max: 128,
      pattern: /^[A-Za-z0-9/][A-Za-z0-9_.:/-]{0,127}$/,
      hint: 'a letter, digit or /, then up to 127 letters, digits or _.:/-',
      description: 'The operation about to be performed, by name (an RPC method, a command).',
      examples: ['orders.DropTable'],
    }),
  ),
} as const;

/**
 * The operation out of the parsed fields.
 * @throws StepUpError `invalid_request` when only one of method and path is given
 */
export function resourceOperationOf(fields: {
  readonly method?: string;
  readonly path?: string;
  readonly operation?: string;
}): ResourceOperation | undefined {
  const { method, path, operation } = fields;
  if ((method === undefined) !== (path === undefined)) {
    throw new StepUpError('invalid_request', 'method and path are given together, or neither');
  }
  if (method === undefined && operation === undefined) return undefined;
  return {
    ...(method === undefined ? {} : { method, path }),
    ...(operation === undefined ? {} : { operation }),
  };
}
