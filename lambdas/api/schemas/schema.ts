import * as z from 'zod/mini';
import { StepUpError, type ErrorCode } from '../../domain/errors';
import { requireText, type StringRule } from '../../domain/config/validation';
import { textPattern } from './text-pattern';

/*
 * Request bodies are zod/mini schemas. The helpers here build the few kinds of field the API has,
 * each with the API's own messages; `z.toJSONSchema` describes them (draft 2020-12, as OpenAPI 3.1
 * embeds it). A message is written with `FIELD` where the field's name goes: a check does not know
 * where it sits, the issue's path does (`stepUpErrorOf`). Rules JSON Schema cannot state exactly
 * (the text policy counts code points after NFC) stay code in a check, and the check carries the
 * JSON Schema that comes closest as its metadata.
 */

/** A JSON Schema (draft 2020-12). */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** A request field: a zod schema whose messages name the field as {@link FIELD}. */
export type Field<T> = z.ZodMiniType<T, unknown>;

/** What the OpenAPI document says about a field. */
export interface FieldDocs {
  readonly description: string;
  readonly examples?: readonly unknown[];
}

/** Where a message names its field; replaced by the issue's path. Never in a real message. */
export const FIELD = '\u{F8FF}field\u{F8FF}';

/** The path of an issue as messages name it: `context.ticket`, `evaluations[0]`. */
function pathOf(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

/**
 * The API's error for a zod issue: its message with the field named by the path (or by `name`),
 * and its code (`invalid_request` unless the check says otherwise). The raw input is never read.
 */
export function stepUpErrorOf(issue: z.core.$ZodIssue, name = pathOf(issue.path)): StepUpError {
  const code = (issue.code === 'custom' ? issue.params?.code : undefined) as ErrorCode | undefined;
  return new StepUpError(code ?? 'invalid_request', issue.message.replaceAll(FIELD, name));
}

/**
 * Parses with `schema`; the first issue (the first bad field, in declaration order) is the error.
 * @throws StepUpError
 */
export function parseWith<T>(schema: Field<T>, raw: unknown, name?: string): T {
  const result = z.safeParse(schema, raw);
  if (result.success) return result.data;
  // A failed parse has at least one issue.
  throw stepUpErrorOf(result.error.issues[0] as z.core.$ZodIssue, name);
}

/** Reports a StepUpError thrown by `parse` as this check's issue (its code kept); rethrows anything else. */
function reported<T>(payload: z.core.ParsePayload, parse: () => T): T | typeof z.NEVER {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof StepUpError)) throw error;
    payload.issues.push({
      code: 'custom',
      message: error.message,
      input: payload.value,
      params: { code: error.code },
    });
    return z.NEVER;
  }
}

const described = (docs: FieldDocs, rules: string): JsonSchema => ({
  description: rules ? `${docs.description} ${rules}` : docs.description,
  ...(docs.examples ? { examples: docs.examples } : {}),
});

/**
 * Text under the one policy of `requireText`: well-formed, normalised to NFC, non-blank, at most `max`
 * characters (code points), no unsafe character (nor tabs and newlines unless `multiline`),
 * matching `pattern` if given. In JSON Schema: `maxLength` (which counts code points too), the
 * derived character `pattern` and, for a field pattern, a second one under `allOf`.
 */
export function text(rule: StringRule & FieldDocs): Field<string> {
  return z.string({ error: `${FIELD} is required and must be a non-empty string` }).check(
    z.check((payload) => {
      reported(payload, () => requireText(payload.value, FIELD, rule));
    }),
    z.overwrite((value) => value.normalize('NFC')),
    z.meta({
      minLength: 1,
      maxLength: rule.max,
      ...(rule.pattern
        ? { pattern: rule.pattern.source, allOf: [{ pattern: textPattern(rule.multiline ?? false) }] }
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
  );
}

/** An integer in `[min, max]`. */
export function integer(rule: { readonly min: number; readonly max: number } & FieldDocs): Field<number> {
  const error = `${FIELD} must be an integer between ${rule.min} and ${rule.max}`;
  return z
    .int({ error })
    .check(z.minimum(rule.min, { error }), z.maximum(rule.max, { error }), z.meta(described(rule, '')));
}

/** Exactly `value`; anything else, absent included, is refused with `code` and `message`. */
export function constant<const V extends string>(
  value: V,
  refusal: { readonly code: ErrorCode; readonly message: string },
  docs: FieldDocs,
): Field<V> {
  return z
    .custom<V>((given) => given === value, { error: refusal.message, params: { code: refusal.code } })
    .check(z.meta({ type: 'string', const: value, ...described(docs, '') }));
}

/** Accepted, never looked at (e.g. OAuth's `token_type_hint`): parsed to `undefined`. Optional. */
export function ignored(docs: FieldDocs): z.ZodMiniOptional<Field<undefined>> {
  return z.optional(
    z
      .pipe(
        z.unknown(),
        z.transform(() => undefined),
      )
      .check(z.meta(described(docs, 'Accepted and ignored: any value.'))),
  );
}

/** Describes a field or body as JSON Schema: {@link jsonSchemaOf}, handed to descriptions built from it. */
export type Describe = (schema: Field<unknown>) => JsonSchema;

/**
 * The JSON Schema of the fields whose description is built from other schemas', built only when a
 * document is written. The generator is handed in, never imported by the schema files, so the
 * handlers' bundles carry none (~20 KB minified).
 */
const describedLater = new WeakMap<z.core.$ZodType, (describe: Describe) => JsonSchema>();

/**
 * A rule that stays code: `parse` names the field `name` (it is given {@link FIELD}) and throws
 * StepUpError; `jsonSchema` says as much of it as JSON Schema can (a function of `describe` when it
 * is built from other schemas').
 */
export function custom<T>(
  parse: (value: unknown, name: string) => T,
  jsonSchema: JsonSchema | ((describe: Describe) => JsonSchema),
): Field<T> {
  const field = z.pipe(
    z.unknown(),
    z.transform((value: unknown, payload) => reported(payload, () => parse(value, FIELD))),
  ) as Field<T>;
  if (typeof jsonSchema === 'function') {
    describedLater.set(field, jsonSchema);
    return field;
  }
  return field.check(z.meta(jsonSchema));
}

/** The fields of a body, by name. */
export type Fields = Readonly<Record<string, Field<unknown>>>;

/** What a body schema's `parse` returns: each field's parsed value, by field name. */
export type Parsed<F extends Fields> = z.output<z.ZodMiniObject<F>>;

/** A request body: a JSON object (or form fields) of known fields. */
export interface BodySchema<F extends Fields> {
  readonly fields: F;
  /** The component name in the OpenAPI document. */
  readonly name: string;
  /** Bodies the API accepts, for the document and for tests. */
  readonly examples: readonly Readonly<Record<string, unknown>>[];
  /** The zod schema: the shape checks first (object, no unknown field, `exactlyOne`), then the fields. */
  readonly schema: Field<Parsed<F>>;
  /**
   * Validates a body: an object, no unknown field, then each field in declaration order (so the
   * first bad field is the one named).
   * @throws StepUpError `invalid_request` (or a field's own code)
   */
  parse(raw: unknown): Parsed<F>;
}

/** Options of {@link body}. */
export interface BodyOptions<F extends Fields> {
  readonly name: string;
  readonly description: string;
  readonly examples: readonly Readonly<Record<string, unknown>>[];
  /** Exactly one of these fields must be present (checked before the fields themselves). */
  readonly exactlyOne?: { readonly fields: readonly (keyof F & string)[]; readonly message: string };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A JSON object, for the rules that stay code (`what` names it in the message).
 * @throws StepUpError `invalid_request`
 */
export function requireObject(value: unknown, what: string): Record<string, unknown> {
  if (!isObject(value)) throw new StepUpError('invalid_request', `${what} must be a JSON object`);
  return value;
}

/**
 * The checks of a body's shape, before its fields: a JSON object, no unknown field (the message
 * names the accepted fields and counts the unknown ones: an unknown name is the caller's raw input,
 * and error descriptions never echo that), and `exactlyOne`.
 */
function shapeProblem(
  raw: unknown,
  names: readonly string[],
  exactlyOne?: BodyOptions<Fields>['exactlyOne'],
) {
  if (!isObject(raw)) return 'request body must be a JSON object';
  const unknown = Object.keys(raw).filter((key) => !names.includes(key)).length;
  if (unknown > 0) {
    return `${unknown} unknown field${unknown === 1 ? '' : 's'}; the accepted fields are ${names.join(', ')}`;
  }
  if (exactlyOne && exactlyOne.fields.filter((name) => raw[name] !== undefined).length !== 1) {
    return exactlyOne.message;
  }
  return undefined;
}

/**
 * Declares a request body. In JSON Schema: the strict object zod describes (`additionalProperties:
 * false`, `required` from the fields not optional), with its title, description, examples and, for
 * `exactlyOne`, a `oneOf` of the alternatives.
 */
export function body<const F extends Fields>(fields: F, options: BodyOptions<F>): BodySchema<F> {
  const names = Object.keys(fields);
  const object = z.strictObject(fields).check(
    z.meta({
      title: options.name,
      description: options.description,
      ...(options.exactlyOne
        ? { oneOf: options.exactlyOne.fields.map((name) => ({ required: [name] })) }
        : {}),
      examples: options.examples,
    }),
  );
  // A transform first: JSON Schema describes a pipe that starts with one by the schema after it.
  const schema = z.pipe(
    z.transform((raw: unknown, payload) => {
      const problem = shapeProblem(raw, names, options.exactlyOne);
      if (problem === undefined) return raw;
      payload.issues.push({ code: 'custom', message: problem, input: raw });
      return z.NEVER;
    }),
    object,
  ) as unknown as Field<Parsed<F>>;
  return {
    fields,
    name: options.name,
    examples: options.examples,
    schema,
    parse: (raw) => parseWith(schema, raw),
  };
}

/**
 * The JSON Schema of a field or body, as the OpenAPI document embeds it (no `$schema`). Described as
 * zod's output: every schema that transforms (a `custom` field, a body's shape checks) states the
 * input it takes as its metadata, which zod's input mode would strip of its examples.
 */
export function jsonSchemaOf(schema: Field<unknown>): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: 'output',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      // A `custom` field's own schema is zod's `{}` (a transform's output): this is all it says.
      const later = describedLater.get(zodSchema);
      if (later) Object.assign(jsonSchema, later(jsonSchemaOf));
    },
  });
  return rest;
}
