import { StepUpError, type ErrorCode } from '../../domain/errors';
import { requireText, type StringRule } from '../../domain/validation';
import { rejectUnknownFields, requireInteger, requireObject } from '../body-checks';
import { textPattern } from './text-pattern';

/*
 * A request body is declared once, as an object of fields. The declaration parses (every check and
 * message of `../body-checks.ts` and the text policy) and describes itself as JSON Schema (draft 2020-12, as OpenAPI 3.1
 * embeds it). Rules JSON Schema cannot state exactly stay code in a `custom` field, next to the
 * schema that comes closest.
 */

/** A JSON Schema (draft 2020-12). */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** What the OpenAPI document says about a field. */
export interface FieldDocs {
  readonly description: string;
  readonly examples?: readonly unknown[];
}

/** One field of a request body: how to read it, and how to describe it. */
export interface Field<T> {
  /** May be left out. */
  readonly optional: boolean;
  /**
   * Validates the field's value (`undefined` when absent).
   * @throws StepUpError naming the field
   */
  parse(value: unknown, name: string): T;
  /** The field's JSON Schema. */
  jsonSchema(): JsonSchema;
}

const described = (docs: FieldDocs, rules: string): JsonSchema => ({
  description: rules ? `${docs.description} ${rules}` : docs.description,
  ...(docs.examples ? { examples: docs.examples } : {}),
});

/**
 * Text under the one policy of `requireText`: well-formed, normalised to NFC, non-blank, at most `max`
 * characters (code points), no unsafe character (nor tabs and newlines unless `multiline`),
 * matching `pattern` if given.
 * In JSON Schema: `maxLength` (which counts code points too), the derived character `pattern` and,
 * for a field pattern, a second one under `allOf`.
 */
export function text(rule: StringRule & FieldDocs): Field<string> {
  return {
    optional: false,
    parse: (value, name) => requireText(value, name, rule),
    jsonSchema: () => ({
      type: 'string',
      minLength: 1,
      maxLength: rule.max,
      ...(rule.pattern
        ? {
            pattern: rule.pattern.source,
            allOf: [{ pattern: textPattern(rule.multiline ?? false) }],
          }
        : { pattern: textPattern(rule.multiline ?? false) }),
      ...described(
        rule,
        [
          rule.hint ? `Must be ${rule.hint}.` : '',
          `At most ${rule.max} characters (code points) once normalised to NFC, not blank; ` +
            `well-formed Unicode without control, format, private-use, unassigned, default-ignorable ` +
            `(invisible) or Braille characters, nor line or paragraph separators` +
            `${rule.multiline ? '' : ', tabs or line breaks'}.`,
        ]
          .filter(Boolean)
          .join(' '),
      ),
    }),
  };
}

/** An integer in `[min, max]`. */
export function integer(rule: { readonly min: number; readonly max: number } & FieldDocs): Field<number> {
  return {
    optional: false,
    parse: (value, name) => requireInteger(value, name, rule.min, rule.max),
    jsonSchema: () => ({
      type: 'integer',
      minimum: rule.min,
      maximum: rule.max,
      ...described(rule, ''),
    }),
  };
}

/** Exactly `value`; anything else, absent included, is refused with `code` and `message`. */
export function constant<const V extends string>(
  value: V,
  refusal: { readonly code: ErrorCode; readonly message: string },
  docs: FieldDocs,
): Field<V> {
  return {
    optional: false,
    parse: (given) => {
      if (given !== value) throw new StepUpError(refusal.code, refusal.message);
      return value;
    },
    jsonSchema: () => ({ type: 'string', const: value, ...described(docs, '') }),
  };
}

/** Accepted, never looked at (e.g. OAuth's `token_type_hint`). Always optional. */
export function ignored(docs: FieldDocs): Field<undefined> {
  return {
    optional: true,
    parse: () => undefined,
    jsonSchema: () => described(docs, 'Accepted and ignored: any value.'),
  };
}

/** A rule that stays code; `jsonSchema` says as much of it as JSON Schema can. */
export function custom<T>(
  parse: (value: unknown, name: string) => T,
  jsonSchema: () => JsonSchema,
): Field<T> {
  return { optional: false, parse, jsonSchema };
}

/** `field`, or absent (`undefined`). `null` is not absent: it is checked, and refused, like any value. */
export function optional<T>(field: Field<T>): Field<T | undefined> {
  return {
    optional: true,
    parse: (value, name) => (value === undefined ? undefined : field.parse(value, name)),
    jsonSchema: () => field.jsonSchema(),
  };
}

type Fields = Readonly<Record<string, Field<unknown>>>;

/** What a body schema's `parse` returns: each field's parsed value, by field name. */
export type Parsed<F extends Fields> = { readonly [K in keyof F]: F[K] extends Field<infer T> ? T : never };

/** A request body: a JSON object (or form fields) of known fields. */
export interface BodySchema<F extends Fields> {
  readonly fields: F;
  /** The component name in the OpenAPI document. */
  readonly name: string;
  /** Bodies the API accepts, for the document and for tests. */
  readonly examples: readonly Readonly<Record<string, unknown>>[];
  /**
   * Validates a body: an object, no unknown field, then each field in declaration order (so the
   * first bad field is the one named).
   * @throws StepUpError `invalid_request` (or a field's own code)
   */
  parse(raw: unknown): Parsed<F>;
  jsonSchema(): JsonSchema;
}

/** Options of {@link body}. */
export interface BodyOptions<F extends Fields> {
  readonly name: string;
  readonly description: string;
  readonly examples: readonly Readonly<Record<string, unknown>>[];
  /** Exactly one of these fields must be present (checked before the fields themselves). */
  readonly exactlyOne?: { readonly fields: readonly (keyof F & string)[]; readonly message: string };
}

/** Declares a request body. In JSON Schema: an object with `additionalProperties: false`. */
export function body<const F extends Fields>(fields: F, options: BodyOptions<F>): BodySchema<F> {
  const entries = Object.entries(fields);
  const names = entries.map(([name]) => name);
  return {
    fields,
    name: options.name,
    examples: options.examples,
    parse: (raw) => {
      const object = requireObject(raw, 'request body');
      rejectUnknownFields(object, names);
      const { exactlyOne } = options;
      if (exactlyOne && exactlyOne.fields.filter((name) => object[name] !== undefined).length !== 1) {
        throw new StepUpError('invalid_request', exactlyOne.message);
      }
      const parsed: Record<string, unknown> = {};
      for (const [name, field] of entries) parsed[name] = field.parse(object[name], name);
      return parsed as Parsed<F>;
    },
    jsonSchema: () => {
      const required = entries.filter(([, field]) => !field.optional).map(([name]) => name);
      return {
        title: options.name,
        description: options.description,
        type: 'object',
        properties: Object.fromEntries(entries.map(([name, field]) => [name, field.jsonSchema()])),
        ...(required.length > 0 ? { required } : {}),
        additionalProperties: false,
        ...(options.exactlyOne
          ? { oneOf: options.exactlyOne.fields.map((name) => ({ required: [name] })) }
          : {}),
        examples: options.examples,
      };
    },
  };
}
