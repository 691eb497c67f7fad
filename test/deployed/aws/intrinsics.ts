/** What {@link resolveIntrinsics} asks its caller for. */
export interface IntrinsicContext {
  /** The value of `Ref` on a logical id, parameter or pseudo parameter. */
  ref(name: string): string;
  /** The value of `Fn::GetAtt` on a resource attribute. */
  getAtt(logicalId: string, attribute: string): string;
}

/** A template value CloudFormation would reject or this stand-in cannot evaluate. */
export class UnsupportedIntrinsicError extends Error {
  constructor(detail: string) {
    super(`cannot resolve template value: ${detail}`);
    this.name = 'UnsupportedIntrinsicError';
  }
}

/** Marker `Ref: AWS::NoValue` resolves to: the property is removed, as CloudFormation does. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

function asString(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new UnsupportedIntrinsicError(`${where} needs a string, got ${JSON.stringify(value)}`);
}

function asArray(value: unknown, where: string): readonly unknown[] {
  if (Array.isArray(value)) return value;
  throw new UnsupportedIntrinsicError(`${where} needs a list, got ${JSON.stringify(value)}`);
}

/** `${Name}` and `${Resource.Attribute}` in a `Fn::Sub` string; `${!Literal}` stays `${Literal}`. */
function substitute(
  template: string,
  variables: Readonly<Record<string, unknown>>,
  context: IntrinsicContext,
): string {
  return template.replace(/\$\{([^}]*)\}/g, (_match, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    if (name in variables) return asString(variables[name], `Fn::Sub variable ${name}`);
    const dot = name.indexOf('.');
    return dot < 0 ? context.ref(name) : context.getAtt(name.slice(0, dot), name.slice(dot + 1));
  });
}

function resolveFunction(name: string, argument: unknown, context: IntrinsicContext): unknown {
  const resolve = (value: unknown): unknown => resolveIntrinsics(value, context);
  switch (name) {
    case 'Ref':
      return context.ref(asString(argument, 'Ref'));
    case 'Fn::GetAtt': {
      const [logicalId, ...attribute] =
        typeof argument === 'string'
          ? argument.split('.')
          : asArray(argument, 'Fn::GetAtt').map((part) => asString(resolve(part), 'Fn::GetAtt'));
      return context.getAtt(logicalId!, attribute.join('.'));
    }
    case 'Fn::Join': {
      const [delimiter, parts] = asArray(argument, 'Fn::Join');
      const values = asArray(resolve(parts), 'Fn::Join parts');
      return values
        .map((part) => asString(part, 'Fn::Join part'))
        .join(asString(delimiter, 'Fn::Join delimiter'));
    }
    case 'Fn::Sub': {
      if (typeof argument === 'string') return substitute(argument, {}, context);
      const [template, variables] = asArray(argument, 'Fn::Sub');
      return substitute(
        asString(template, 'Fn::Sub'),
        resolve(variables) as Record<string, unknown>,
        context,
      );
    }
    case 'Fn::Select': {
      const [index, list] = asArray(argument, 'Fn::Select');
      const values = asArray(resolve(list), 'Fn::Select list');
      const i = Number(resolve(index));
      if (!Number.isInteger(i) || i < 0 || i >= values.length) {
        throw new UnsupportedIntrinsicError(
          `Fn::Select index ${String(index)} out of range for ${JSON.stringify(values)}`,
        );
      }
      return values[i];
    }
    case 'Fn::Split': {
      const [delimiter, source] = asArray(argument, 'Fn::Split');
      return asString(resolve(source), 'Fn::Split source').split(asString(delimiter, 'Fn::Split delimiter'));
    }
    case 'Fn::Base64':
      return Buffer.from(asString(resolve(argument), 'Fn::Base64')).toString('base64');
    default:
      throw new UnsupportedIntrinsicError(
        `${name} is not supported (${JSON.stringify(argument).slice(0, 200)})`,
      );
  }
}

/**
 * Deep-resolves CloudFormation intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`,
 * `Fn::Select`, `Fn::Split`, `Fn::Base64`) in a template value. Properties that resolve to
 * `Ref: AWS::NoValue` are dropped.
 * @throws UnsupportedIntrinsicError for any other `Fn::` function (conditions, imports, ...).
 */
export function resolveIntrinsics(value: unknown, context: IntrinsicContext): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => resolveIntrinsics(item, context)).filter((item) => item !== NO_VALUE);
  }
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [[key, argument]] = entries as [[string, unknown]];
    if (key === 'Ref' && argument === 'AWS::NoValue') return NO_VALUE;
    if (key === 'Ref' || key.startsWith('Fn::')) return resolveFunction(key, argument, context);
  }
  const resolved: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const result = resolveIntrinsics(item, context);
    if (result !== NO_VALUE) resolved[key] = result;
  }
  return resolved;
}
