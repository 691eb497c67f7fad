import { StepUpError } from '../errors';
import { canonicalJson, digestOfCanonicalJson } from './parameters-digest';

/** Largest `parameters` accepted, in UTF-8 bytes of the RFC 8785 canonical form. */
export const MAX_PARAMETERS_BYTES = 8192;

/** Deepest nesting of objects and arrays accepted in `parameters`. */
export const MAX_PARAMETERS_DEPTH = 32;

/** The exact arguments an approval is bound to, as stored with the request. */
export interface BoundParameters {
  /** The RFC 8785 canonical JSON of the arguments (at most {@link MAX_PARAMETERS_BYTES} bytes). */
  readonly canonical: string;
  /** `parameters_sha256`: SHA-256 of `canonical`, base64url without padding. */
  readonly sha256: string;
}

// With the `u` flag a paired surrogate is one code point, so this matches only lone halves.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

const refuse = (problem: string) => new StepUpError('invalid_request', `parameters ${problem}`);

/**
 * Refuses what RFC 8785 needs I-JSON (RFC 7493) to rule out, so the digest means one thing on both
 * sides: strings and member names that are not well-formed Unicode, and integers a double cannot
 * hold exactly (the agent's `12345678901234567890` would be approved as another number). Repeated
 * member names are refused earlier, by the strict body parser. Walks without recursion.
 */
function checkIJson(root: Readonly<Record<string, unknown>>): void {
  const pending: { value: unknown; depth: number }[] = [{ value: root, depth: 1 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, depth } = next;
    if (typeof value === 'string' && LONE_SURROGATE.test(value)) {
      throw refuse('has a string that is not well-formed Unicode (a lone surrogate)');
    }
    if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
      throw refuse(
        'has an integer beyond ±(2^53 − 1), which JSON numbers cannot carry exactly: send it as a string',
      );
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_PARAMETERS_DEPTH) {
      throw refuse(`nests objects and arrays more than ${MAX_PARAMETERS_DEPTH} deep`);
    }
    const children = Array.isArray(value) ? value : Object.values(value);
    if (!Array.isArray(value) && Object.keys(value).some((name) => LONE_SURROGATE.test(name))) {
      throw refuse('has a member name that is not well-formed Unicode (a lone surrogate)');
    }
    for (const child of children) pending.push({ value: child, depth: depth + 1 });
  }
}

/**
 * Binds a request to the exact arguments the agent will send: checks the `parameters` of
 * `POST /v1/requests` (a JSON object, I-JSON, at most {@link MAX_PARAMETERS_BYTES} bytes once
 * canonicalised) and computes its digest. Error descriptions never repeat the arguments.
 * @throws StepUpError `invalid_request` saying what is wrong
 */
export function bindParameters(value: unknown): BoundParameters {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw refuse('must be a JSON object (the exact arguments the agent will send)');
  }
  checkIJson(value as Record<string, unknown>);
  const canonical = canonicalJson(value);
  const bytes = Buffer.byteLength(canonical, 'utf8');
  if (bytes > MAX_PARAMETERS_BYTES) {
    throw refuse(
      `is ${bytes} bytes once canonicalised (RFC 8785); at most ${MAX_PARAMETERS_BYTES} are accepted`,
    );
  }
  return { canonical, sha256: digestOfCanonicalJson(canonical) };
}

/**
 * The parameters as approvers read them (Slack, the approval page): indented JSON, every string
 * JSON-escaped, so a line break inside a value cannot start a line of its own.
 */
export function indentedParameters(parameters: BoundParameters): string {
  return JSON.stringify(JSON.parse(parameters.canonical), null, 2);
}
