import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const COMPONENTS = '#/components/schemas/';

/** `value` with every `#/components/schemas/X` reference pointing into `$defs` of one schema. */
function inDefs(value: Json, id: string): Json {
  if (Array.isArray(value)) return value.map((item) => inDefs(item, id));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      key === '$ref' && typeof item === 'string' && item.startsWith(COMPONENTS)
        ? `${id}#/$defs/${item.slice(COMPONENTS.length)}`
        : inDefs(item, id),
    ]),
  );
}

/**
 * A JSON Schema 2020-12 validator (Ajv, strict mode, formats checked) for the component schemas
 * of an OpenAPI 3.1 document, and for schemas that reference them.
 */
export class OpenApiSchemas {
  private readonly ajv = new Ajv2020({
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    allErrors: true,
  });
  private readonly id = 'urn:stepup:openapi';

  constructor(document: unknown) {
    addFormats.default(this.ajv);
    const { components } = document as { components: { schemas: Record<string, Json> } };
    this.ajv.addSchema({ $id: this.id, $defs: inDefs(components.schemas, this.id) });
  }

  /** Compiles a schema of the document (a component's, or one in a response that refers to them). */
  compile(schema: unknown): ValidateFunction {
    return this.ajv.compile(inDefs(schema as Json, this.id) as object);
  }

  /** The validator of one component schema. */
  component(name: string): ValidateFunction {
    return this.compile({ $ref: `${COMPONENTS}${name}` });
  }

  /** Ajv's errors, readable in a failed assertion. */
  errorsOf(validate: ValidateFunction): string {
    return this.ajv.errorsText(validate.errors, { separator: '\n' });
  }
}
