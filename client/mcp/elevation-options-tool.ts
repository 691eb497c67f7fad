import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import { InvalidRequestError, StepUpApiError, type ElevationOptions, type StepUpClient } from '../agent';
import { ELEVATION_OPTIONS_OUTPUT } from './output-schemas';
import { refusal } from './refusals';

const DESCRIPTION = [
  'List what you can ask stepup for: every action name stepup knows (use these exact names with ' +
    'request_elevation instead of guessing), and the audiences (resource servers) its config knows.',
  'Give the resource you mean to act on (and its audience) to learn, for you, what each action would ' +
    'take there: decision auto_approve (approved at once), step_up (humans must approve: approver_groups ' +
    'and quorum say who and how many) or deny (forbidden by the named policies: do not ask for it). ' +
    'Nothing is requested and nobody is paged by this call.',
].join('\n\n');

function answer(value: Record<string, unknown>, isError = false): CallToolResult {
  const text = `${String(value.instructions)}\n\n${JSON.stringify(value, null, 2)}`;
  return {
    content: [{ type: 'text', text }],
    structuredContent: value,
    ...(isError ? { isError: true } : {}),
  };
}

function listed(options: ElevationOptions): Record<string, unknown> {
  const denied = options.actions.filter((a) => 'decision' in a && a.decision === 'deny').map((a) => a.action);
  return {
    status: 'listed',
    ...options,
    instructions:
      options.resource === undefined
        ? 'Use one of these exact action names with request_elevation. Call list_elevation_options again ' +
          'with the resource to learn what each action needs there.'
        : 'Use one of these exact action names with request_elevation.' +
          (denied.length > 0
            ? ` Do not request ${denied.join(', ')} on ${options.resource}: policy forbids it; tell the user.`
            : ''),
  };
}

/** `list_elevation_options`: the actions and audiences stepup knows, and what each action would need. */
export function registerListElevationOptions(server: McpServer, client: StepUpClient): void {
  server.registerTool(
    'list_elevation_options',
    {
      title: 'List the actions stepup can approve, and what each needs',
      description: DESCRIPTION,
      inputSchema: {
        resource: z
          .string()
          .min(1)
          .max(512)
          .optional()
          .describe('The resource you mean to act on, e.g. prod/orders: each action is decided for it.'),
        audience: z
          .string()
          .min(1)
          .max(256)
          .optional()
          .describe('The resource server that would receive the token, e.g. orders-db.'),
      },
      outputSchema: ELEVATION_OPTIONS_OUTPUT,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    async (input) => {
      try {
        return answer(listed(await client.listElevationOptions(input)));
      } catch (error) {
        if (error instanceof InvalidRequestError) {
          return answer({
            status: 'invalid_request',
            error: error.code,
            error_description: error.message,
            instructions:
              'Fix the field the error_description names and call list_elevation_options once more.',
          });
        }
        const ended = refusal(error, undefined);
        if (ended?.status === 'unauthenticated') return answer(ended);
        if (error instanceof StepUpApiError) {
          return answer(
            {
              status: 'error',
              error: error.code,
              error_description: error.message,
              instructions: 'stepup could not answer. You may try once more later.',
            },
            true,
          );
        }
        throw error;
      }
    },
  );
}
