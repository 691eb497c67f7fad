import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCreateRequest } from '../../lambdas/api/schemas/create-request';
import {
  bindParameters,
  MAX_PARAMETERS_BYTES,
  MAX_PARAMETERS_DEPTH,
} from '../../lambdas/domain/requests/parameters';
import { canonicalJson, parametersDigest } from '../../lambdas/domain/requests/parameters-digest';
import { expectStepUpError, thrownBy } from './support/fixtures';

/** SHA-256, base64url without padding, of a canonical form written out by hand. */
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url');

const body = {
  action: 'db:DropTable',
  resource: 'prod/orders',
  audience: 'orders-db',
  justification: 'cleanup',
};

describe('bindParameters (RFC 8785 canonical form, SHA-256 digest)', () => {
  it('canonicalises as RFC 8785 §3.2.2 does (its own example), whatever the member order and spacing', () => {
    // RFC 8785 §3.2.2's input and output, transcribed independently of the library.
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    ) as unknown;
    const expected =
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
      '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}';
    expect(canonicalJson(input)).toBe(expected);
    expect(parametersDigest(input)).toBe(sha256(expected));
    // The example's 1E30 is an integer no double holds exactly: bindParameters refuses it (see below).
    const bound = bindParameters({ ...(input as object), numbers: [333333333.3333333, 4.5, 0.002, 1e-27] });
    expect(bound.canonical).toBe(expected.replace('1e+30,', ''));
    expect(bound.sha256).toBe(sha256(expected.replace('1e+30,', '')));
    expect(bound.sha256).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(parametersDigest(JSON.parse('{ "b" : 2, "a" : 1 }'))).toBe(sha256('{"a":1,"b":2}'));
  });

  it('refuses anything but an object, without repeating it', () => {
    for (const value of [null, [], 'DROP TABLE orders', 42, true]) {
      expectStepUpError(
        thrownBy(() => bindParameters(value)),
        'invalid_request',
        400,
        'must be a JSON object',
      );
    }
  });

  it(`accepts ${MAX_PARAMETERS_BYTES} canonical bytes and refuses one more, naming sizes only`, () => {
    // {"sql":"…"} is 10 bytes around the value; a 4-byte character counts as 4.
    const at = (bytes: number) => ({ sql: `${'𝕏'.repeat(100)}${'x'.repeat(bytes - 10 - 400)}` });
    expect(bindParameters(at(MAX_PARAMETERS_BYTES)).canonical).toHaveLength(MAX_PARAMETERS_BYTES - 200);
    const error = thrownBy(() => bindParameters(at(MAX_PARAMETERS_BYTES + 1)));
    expectStepUpError(
      error,
      'invalid_request',
      400,
      `is ${MAX_PARAMETERS_BYTES + 1} bytes once canonicalised`,
    );
    expect((error as Error).message).not.toContain('xxxx');
  });

  it('refuses what I-JSON rules out: lone surrogates, inexact integers, absurd nesting', () => {
    expectStepUpError(
      thrownBy(() => bindParameters({ s: 'a\uD800b' })),
      'invalid_request',
      400,
      'lone surrogate',
    );
    expectStepUpError(
      thrownBy(() => bindParameters({ ['\uDC00']: 1 })),
      'invalid_request',
      400,
      'member name',
    );
    expectStepUpError(
      thrownBy(() => bindParameters(JSON.parse('{"id":12345678901234567890}'))),
      'invalid_request',
      400,
      'send it as a string',
    );
    expect(bindParameters({ id: Number.MAX_SAFE_INTEGER, f: 0.1, emoji: '😀' }).canonical).toBe(
      '{"emoji":"😀","f":0.1,"id":9007199254740991}',
    );
    let deep: unknown = {};
    for (let i = 1; i < MAX_PARAMETERS_DEPTH; i++) deep = { d: deep };
    expect(() => bindParameters(deep)).not.toThrow();
    expectStepUpError(
      thrownBy(() => bindParameters({ d: deep })),
      'invalid_request',
      400,
      'deep',
    );
  });

  it('is read from POST /v1/requests as `parameters`, and stays optional', () => {
    expect(parseCreateRequest(body).parameters).toBeUndefined();
    const parsed = parseCreateRequest({ ...body, parameters: { sql: 'DROP TABLE orders' } });
    expect(parsed.parameters).toStrictEqual({
      canonical: '{"sql":"DROP TABLE orders"}',
      sha256: sha256('{"sql":"DROP TABLE orders"}'),
    });
    expectStepUpError(
      thrownBy(() => parseCreateRequest({ ...body, parameters: 'DROP TABLE orders' })),
      'invalid_request',
      400,
      'parameters must be a JSON object',
    );
  });
});
