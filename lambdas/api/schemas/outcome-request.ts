import * as z from 'zod/mini';
import { StepUpError } from '../../domain/errors';
import type { ActionOutcome } from '../../domain/requests/trace';
import { body, custom, FIELD, text } from './schema';

const RESULTS: readonly ActionOutcome['result'][] = ['succeeded', 'failed'];

/** The body of `POST /v1/requests/{id}/outcome`: how the action the token allowed ended. */
export const outcomeRequestBody = body(
  {
    result: custom(
      (value): ActionOutcome['result'] => {
        if (value !== 'succeeded' && value !== 'failed') {
          throw new StepUpError('invalid_request', `${FIELD} must be succeeded or failed`);
        }
        return value;
      },
      { enum: RESULTS, description: 'Whether the action the token allowed succeeded.' },
    ),
    code: z.optional(
      text({
        max: 64,
        pattern: /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/,
        hint: 'a letter or digit, then up to 63 letters, digits or _.:-',
        description: 'A short machine code for how it ended (an HTTP status, an error class).',
        examples: ['http_204', 'lock_timeout'],
      }),
    ),
  },
  {
    name: 'OutcomeRequest',
    description:
      'How the action ended, reported by the resource server that consumed the token. Unknown fields are refused.',
    examples: [
      { result: 'succeeded', code: 'http_204' },
      { result: 'failed', code: 'lock_timeout' },
    ],
  },
);

/**
 * Validates an outcome report.
 * @throws StepUpError `invalid_request` naming the field
 */
export function parseOutcomeRequest(raw: unknown): ActionOutcome {
  const parsed = outcomeRequestBody.parse(raw);
  return { result: parsed.result, ...(parsed.code === undefined ? {} : { code: parsed.code }) };
}
