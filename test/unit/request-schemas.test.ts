import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { parseAccessEvaluations } from '../../lambdas/api/schemas/access-evaluation';
import { createRequestBody, parseCreateRequest } from '../../lambdas/api/schemas/create-request';
import { revokeRequestBody } from '../../lambdas/api/schemas/revoke-request';
import { jsonSchemaOf } from '../../lambdas/api/schemas/schema';
import { parseTokenRequest } from '../../lambdas/api/schemas/token-request';
import { StepUpError } from '../../lambdas/domain/errors';

/*
 * The request schemas are zod/mini schemas; these pin what the move to zod must not change: the
 * first bad field (in declaration order) is the error, messages name the path and never the
 * input, the text policy normalises, and the JSON Schema says what the parser checks.
 */

const valid = {
  action: 'db:DropTable',
  resource: 'prod/orders',
  audience: 'orders-db',
  justification: 'Drop the legacy table.',
};

/** The StepUpError `parse` throws. */
function refusal(parse: () => unknown): StepUpError {
  try {
    parse();
  } catch (error) {
    if (error instanceof StepUpError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('request schemas on zod/mini', () => {
  it('names the first bad field in declaration order, with what was expected', () => {
    const error = refusal(() => parseCreateRequest({ ...valid, audience: 'a b', action: 7 }));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toBe('action is required and must be a non-empty string');
  });

  it('checks the shape first and counts unknown fields without echoing them', () => {
    const error = refusal(() => parseCreateRequest({ action: 7, secret_looking_key: 1 }));
    expect(error.message).toMatch(/^1 unknown field; the accepted fields are action, resource, /);
    expect(error.message).not.toContain('secret_looking_key');
    expect(refusal(() => parseCreateRequest([])).message).toBe('request body must be a JSON object');
  });

  it('names nested fields by their path', () => {
    expect(
      refusal(() => parseCreateRequest({ ...valid, context: { ticket: 'x'.repeat(257) } })).message,
    ).toBe('context.ticket must be at most 256 characters');
    expect(refusal(() => parseCreateRequest({ ...valid, trace: { model: '' } })).message).toBe(
      'trace.model is required and must be a non-empty string',
    );
    expect(
      refusal(() => parseAccessEvaluations({ evaluations: [{ subject: { type: 'agent', id: '' } }] }))
        .message,
    ).toBe('evaluations[0]: subject: id is required and must be a non-empty string');
  });

  it('keeps a field’s own error code', () => {
    const error = refusal(() => parseTokenRequest({ grant_type: 'password', auth_req_id: 'abc' }));
    expect(error.code).toBe('unsupported_grant_type');
    expect(error.message).toBe('grant_type must be urn:openid:params:grant-type:ciba');
  });

  it('normalises text to NFC and counts code points', () => {
    const parsed = parseCreateRequest({ ...valid, justification: 'Cafe\u0301 ' + '𝕏'.repeat(1990) });
    expect(parsed.justification.startsWith('Caf\u00e9 ')).toBe(true);
    expect([...parsed.justification]).toHaveLength(1995);
  });

  it('describes in JSON Schema what it checks: bounds, patterns, exclusive fields', () => {
    const schema = jsonSchemaOf(createRequestBody.schema) as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(schema.required).toEqual(['action', 'resource', 'audience', 'justification']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.action).toMatchObject({ type: 'string', minLength: 1, maxLength: 128 });
    expect(schema.properties.requested_ttl_seconds).toMatchObject({ type: 'integer', minimum: 1 });
    expect(schema.properties.context).toMatchObject({ additionalProperties: { maxLength: 256 } });
    expect(jsonSchemaOf(revokeRequestBody.schema)).toMatchObject({
      oneOf: [{ required: ['token'] }, { required: ['agent'] }],
    });
  });

  it('leaves zod’s JSON Schema generator out of a handler’s bundle', () => {
    const build = (entry: string) =>
      buildSync({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        write: false,
        external: ['@aws-sdk/*'],
        logLevel: 'silent',
      }).outputFiles[0]!.text;
    // The generator's code carries the draft it writes (`$schema`); a module's empty lazy-init
    // wrapper, which esbuild emits once a bundle has a dynamic import, carries none of it.
    const generator = 'json-schema.org/draft';
    const token = build('lambdas/handlers/token.ts');
    expect(token).toContain('node_modules/zod/');
    expect(token).not.toContain(generator);
    expect(build('lambdas/handlers/open-api.ts')).toContain(generator);
  });
});
