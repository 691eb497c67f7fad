import * as z from 'zod/mini';
import { TRACE_PATTERNS, type TraceField } from '../../contract';
import { StepUpError } from '../../domain/errors';
import type { RequestTrace } from '../../domain/requests/trace';
import { body, custom, requireObject, text, type Field } from './schema';

/** The longest each trace field may be: what its pattern allows (ASCII only, so characters are bytes). */
const TRACE_MAX: Readonly<Record<TraceField, number>> = {
  traceparent: 55,
  session_id: 128,
  tool_call_id: 128,
  prompt_sha256: 64,
  model: 128,
};

const traceText = (
  name: TraceField,
  hint: string,
  description: string,
  example: string,
): Field<string | undefined> =>
  z.optional(
    text({
      max: TRACE_MAX[name],
      pattern: TRACE_PATTERNS[name],
      hint,
      description,
      examples: [example],
    }),
  );

const ID_HINT = 'a letter or digit, then up to 127 letters, digits or ._:@/+=-';

/** The members of `trace`, declared as a body so unknown members are refused like unknown fields. */
const traceObject = body(
  {
    traceparent: traceText(
      'traceparent',
      'a W3C traceparent of version 00: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>, lowercase, neither id all zeros',
      'The W3C Trace Context traceparent of the agent’s span that makes this request, so the request ' +
        'joins the agent’s distributed trace.',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    ),
    session_id: traceText(
      'session_id',
      ID_HINT,
      'The agent’s session (conversation, run). Shown to approvers in Slack as agent-written text.',
      'sess_2f9c1e7a',
    ),
    tool_call_id: traceText(
      'tool_call_id',
      ID_HINT,
      'The tool call that made this request (an LLM tool-use id, an MCP request id).',
      'toolu_01A09q90qw90lq917835lq9',
    ),
    prompt_sha256: traceText(
      'prompt_sha256',
      'a SHA-256 digest: 64 lowercase hex characters, or base64url without padding of 32 bytes (43 characters)',
      'SHA-256 of the prompt that led to the tool call — a digest, never the prompt itself. Whoever ' +
        'keeps the prompt can prove it is the one by hashing it again.',
      '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    ),
    model: traceText(
      'model',
      'a letter or digit, then up to 127 letters, digits or ._:@/+-',
      'The model that decided to make the tool call.',
      'claude-sonnet-4-5',
    ),
  },
  {
    name: 'RequestTrace',
    description:
      'Where the request comes from, as the agent says (recorded, never decided on). Unknown members are refused.',
    examples: [{ session_id: 'sess_2f9c1e7a', tool_call_id: 'toolu_01A09q90qw90lq917835lq9' }],
  },
);

/**
 * `trace` of `POST /v1/requests`: a JSON object of the optional correlation fields. A bad member is
 * named as `trace.<member>`, never echoed.
 */
export const traceField = custom(
  (raw): RequestTrace => {
    const object = requireObject(raw, 'trace');
    let parsed: Record<string, string | undefined>;
    try {
      parsed = traceObject.parse(object);
    } catch (error) {
      if (!(error instanceof StepUpError)) throw error;
      // Member messages start with the member's name; the unknown-members one with a count.
      const member = Object.keys(TRACE_MAX).some((name) => error.message.startsWith(`${name} `));
      throw new StepUpError('invalid_request', `trace${member ? '.' : ': '}${error.message}`);
    }
    return Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
  },
  (describe) => {
    const { title: _title, ...schema } = describe(traceObject.schema);
    return schema;
  },
);
