import * as z from 'zod/mini';
import { StepUpError } from '../errors';

/*
 * The kinds of field `stepup.config.json` has, as zod/mini schemas. A message says what was
 * expected, without the key: the issue's path names it (`approverGroups.ops.members[0]`), and
 * `parseConfigPart` writes `stepup config: <path> <message>` from the first issue, so the first bad
 * key in declaration order is the one an operator is told about.
 *
 * The config's schemas are built by functions, once, when a config is first parsed (`once`), not at
 * import: building them costs a few milliseconds, which would otherwise be added to the `require` of
 * every function bundle. The `once` holders are marked pure, so a bundle that imports a config
 * module without parsing a config (for admission, say) carries neither the schemas nor zod.
 */

/** A config field: a zod schema of any input whose output is `T`. */
export type ConfigField<T> = z.ZodMiniType<T, unknown>;

const NON_EMPTY = 'must be a non-empty string';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reports `message` as the issue of the value being parsed (or of its key `at`). */
function refuse(payload: z.core.ParsePayload, message: string, at?: string): typeof z.NEVER {
  payload.issues.push({
    code: 'custom',
    message,
    input: payload.value,
    ...(at === undefined ? {} : { path: [at] }),
  });
  return z.NEVER;
}

/** `approverGroups.ops.members[0]`; `(root)` for the config itself. */
function pathOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

/**
 * Parses `raw`, the part of the config at `at` (`['agents']`; none for the whole config).
 * @throws StepUpError `invalid_config`: `stepup config: <path> <what was expected>`, of the first issue
 */
export function parseConfigPart<T>(schema: ConfigField<T>, raw: unknown, at: readonly string[] = []): T {
  const result = z.safeParse(schema, raw);
  if (result.success) return result.data;
  // A failed parse has at least one issue.
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  throw new StepUpError(
    'invalid_config',
    `stepup config: ${pathOf([...at, ...issue.path])} ${issue.message}`,
  );
}

/** `build`, run on the first call only; later calls return what it built. */
export function once<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}

/** A string of at least one character. */
export function nonEmptyString(): ConfigField<string> {
  return z.string({ error: NON_EMPTY }).check(z.minLength(1, { error: NON_EMPTY }));
}

/** A non-empty string matching `pattern`; the message quotes the value (config is the operator's text). */
export function matching(pattern: RegExp, hint: string): ConfigField<string> {
  return z
    .string({ error: NON_EMPTY })
    .check(
      z.minLength(1, { error: NON_EMPTY }),
      z.regex(pattern, { error: (issue) => `must be ${hint}, got "${String(issue.input)}"` }),
    );
}

/** An integer in `[min, max]`. */
export function integerBetween(min: number, max: number): ConfigField<number> {
  const error = `must be an integer between ${min} and ${max}`;
  return z.int({ error }).check(z.minimum(min, { error }), z.maximum(max, { error }));
}

/**
 * One string, or a non-empty list of them (`"stepup"` is `["stepup"]`); with `orEmpty`, an empty
 * list too (a valid "none").
 */
export function stringOrList(item: ConfigField<string>, { orEmpty = false } = {}): ConfigField<string[]> {
  const error = 'must be a string or a non-empty array of strings';
  const list = z.array(item, { error });
  return z.pipe(
    z.transform((value: unknown) => (typeof value === 'string' ? [value] : value)),
    orEmpty ? list : list.check(z.minLength(1, { error })),
  );
}

/** A non-empty array of `item`, refused as a whole with `error`. */
export function nonEmptyArray<T>(item: ConfigField<T>, error: string): ConfigField<T[]> {
  return z.array(item, { error }).check(z.minLength(1, { error }));
}

/** How {@link section} words a refusal of the value as a whole. */
export interface SectionRefusals {
  /** When the value is not a JSON object. @default "must be an object" */
  readonly notObject?: string;
  /** When it has keys the section does not know: the message, and the key to name if not the section. */
  readonly unknownKeys?: (
    unknown: readonly string[],
    known: readonly string[],
  ) => { readonly message: string; readonly at?: string };
  /** A problem of the object as a whole, once its keys are known (e.g. exactly one of two keys). */
  readonly shapeProblem?: (raw: Readonly<Record<string, unknown>>) => string | undefined;
}

/** "has unknown key(s) a, b (known: x, y)". */
export const unknownKeysMessage = (
  unknown: readonly string[],
  known: readonly string[],
): { readonly message: string; readonly at?: string } => ({
  message: `has unknown key(s) ${unknown.join(', ')} (known: ${known.join(', ')})`,
});

/**
 * A JSON object of known keys. Its shape is checked before its keys (an unknown key, a typo most
 * often, is named before the key it was meant to be is reported missing), then each key in order.
 */
export function section<const S extends z.core.$ZodLooseShape>(
  shape: S,
  refusals: SectionRefusals = {},
): z.ZodMiniPipe<z.ZodMiniTransform<Record<string, unknown>, unknown>, z.ZodMiniObject<S>> {
  const known = Object.keys(shape);
  const refuseUnknown = refusals.unknownKeys ?? unknownKeysMessage;
  return z.pipe(
    z.transform((raw: unknown, payload) => {
      if (!isObject(raw)) return refuse(payload, refusals.notObject ?? 'must be an object');
      const unknown = Object.keys(raw).filter((key) => !known.includes(key));
      if (unknown.length > 0) {
        const { message, at } = refuseUnknown(unknown, known);
        return refuse(payload, message, at);
      }
      const problem = refusals.shapeProblem?.(raw);
      return problem === undefined ? raw : refuse(payload, problem);
    }),
    z.object(shape),
  );
}

/**
 * An object whose keys the operator names (groups, people, audiences), as a null-prototype record:
 * a group named `constructor` or `__proto__` is just a name, and a lookup never reaches
 * `Object.prototype`. Each key is checked by `key` (its issue names the key), then its value.
 */
export function namedRecord<V>(
  key: ConfigField<string>,
  value: ConfigField<V>,
  notObject = 'must be an object',
): ConfigField<Readonly<Record<string, V>>> {
  return z.pipe(
    z.pipe(
      z.transform((raw: unknown, payload) =>
        isObject(raw) ? new Map<unknown, unknown>(Object.entries(raw)) : refuse(payload, notObject),
      ),
      z.map(key, value),
    ),
    z.transform((entries) => {
      const record = Object.create(null) as Record<string, V>;
      // On a null-prototype object `__proto__` is an ordinary key, not the prototype's setter.
      for (const [name, entry] of entries) record[name] = entry;
      return record;
    }),
  );
}

/** A key of a {@link namedRecord}: any string matching `pattern`, else "<key> <message>". */
export function keyMatching(pattern: RegExp, message: string): ConfigField<string> {
  return z.string().check(z.regex(pattern, { error: message }));
}

/**
 * A rule across fields (or across a list's items), checked once the value parsed: `problem` returns
 * where (relative to the value) and what, or nothing.
 */
export function invariant<T>(
  problem: (value: T) => { readonly at: readonly PropertyKey[]; readonly message: string } | undefined,
): z.core.$ZodCheck<T> {
  return z.check<T>((payload) => {
    const found = problem(payload.value);
    if (found)
      payload.issues.push({
        code: 'custom',
        message: found.message,
        input: payload.value,
        path: [...found.at],
      });
  });
}

/**
 * Parses with the schema `pick` chooses for the raw value: the forms of one section, told apart by a
 * key, each with its own messages and paths.
 */
export function oneOfForms<T>(pick: (raw: unknown) => ConfigField<T>): ConfigField<T> {
  return z.transform((raw: unknown, payload) => {
    const result = z.safeParse(pick(raw), raw);
    if (result.success) return result.data;
    // Issues relative to this value, messages already written: the enclosing section prefixes the path.
    payload.issues.push(...(result.error.issues as z.core.$ZodRawIssue[]));
    return z.NEVER;
  });
}
