import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_TTL_SECONDS, parseCreateRequest } from '../../lambdas/domain/create-request';
import { expectStepUpError, thrownBy } from './support/fixtures';

const RLO = '\u202e';

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    action: 'db:DropTable',
    resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders',
    audience: 'db-admin-api',
    justification: 'Dropping the migrated copy of orders.',
    ...overrides,
  };
}

function without(field: string): Record<string, unknown> {
  const { [field]: _removed, ...rest } = body();
  return rest;
}

/** Asserts the body is refused with a 400 `invalid_request` whose description mentions `mentions`. */
function expectInvalid(raw: unknown, mentions: string): void {
  expectStepUpError(
    thrownBy(() => parseCreateRequest(raw)),
    'invalid_request',
    400,
    mentions,
  );
}

describe('parseCreateRequest: valid bodies', () => {
  it('returns the validated fields', () => {
    expect(
      parseCreateRequest(body({ on_behalf_of: 'carol@example.com', requested_ttl_seconds: 120 })),
    ).toEqual({
      action: 'db:DropTable',
      resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders',
      audience: 'db-admin-api',
      justification: 'Dropping the migrated copy of orders.',
      onBehalfOf: 'carol@example.com',
      requestedTtlSeconds: 120,
    });
  });

  it('leaves the optional fields undefined when absent', () => {
    const parsed = parseCreateRequest(body());
    expect(parsed.onBehalfOf).toBeUndefined();
    expect(parsed.requestedTtlSeconds).toBeUndefined();
  });

  it('accepts a context object', () => {
    expect(() => parseCreateRequest(body({ context: { ticket: 'CHG-1' } }))).not.toThrow();
  });

  it('accepts action names with digits, dashes, dots and underscores', () => {
    for (const action of ['s3:DeleteBucket', 'github-repo:merge_to.main', 'k8s:Delete-Namespace']) {
      expect(parseCreateRequest(body({ action })).action).toBe(action);
    }
  });

  it('accepts non-ASCII text in resource and justification', () => {
    const parsed = parseCreateRequest(
      body({ resource: 'table/Bestellungen-Größe', justification: 'Löschen 🔥' }),
    );
    expect(parsed.resource).toBe('table/Bestellungen-Größe');
    expect(parsed.justification).toBe('Löschen 🔥');
  });
});

describe('parseCreateRequest: required fields', () => {
  for (const field of ['action', 'resource', 'audience', 'justification']) {
    it(`rejects a body without ${field}`, () => {
      expectInvalid(without(field), field);
    });

    it(`rejects an empty, blank or non-string ${field}`, () => {
      for (const value of ['', '   ', 42, null, ['x'], { x: 1 }]) {
        expectInvalid(body({ [field]: value }), `${field} is required`);
      }
    });
  }
});

describe('parseCreateRequest: shape', () => {
  it('rejects a body that is not a JSON object', () => {
    for (const raw of [null, undefined, 'action=db:DropTable', 42, [body()], true]) {
      expectInvalid(raw, 'request body must be a JSON object');
    }
  });

  it('rejects unknown fields, naming them', () => {
    expectInvalid(body({ approver: 'U0ALICE' }), 'unknown field(s): approver');
    expectInvalid(body({ Action: 'db:DropTable' }), 'Action');
  });

  it('rejects a context that is not an object', () => {
    for (const context of ['risky', [1], null]) expectInvalid(body({ context }), 'context');
  });
});

describe('parseCreateRequest: action', () => {
  it('requires the service:Verb pattern', () => {
    for (const action of [
      'DropTable',
      'db:',
      ':DropTable',
      'db:Drop Table',
      '1db:DropTable',
      'db::DropTable',
    ]) {
      expectInvalid(body({ action }), 'action must be service:Verb');
    }
  });

  it('caps the action at 128 characters', () => {
    expect(parseCreateRequest(body({ action: `db:${'A'.repeat(125)}` })).action).toHaveLength(128);
    expectInvalid(body({ action: `db:${'A'.repeat(126)}` }), 'action must be at most 128');
  });
});

describe('parseCreateRequest: audience', () => {
  it('refuses spaces and non-ASCII', () => {
    expectInvalid(body({ audience: 'db admin' }), 'audience');
    expectInvalid(body({ audience: 'dbé' }), 'audience');
  });
});

describe('parseCreateRequest: justification length (code points)', () => {
  it('accepts 2000 characters and rejects 2001', () => {
    expect(parseCreateRequest(body({ justification: 'x'.repeat(2000) })).justification).toHaveLength(2000);
    expectInvalid(body({ justification: 'x'.repeat(2001) }), 'justification must be at most 2000');
  });

  it('counts an emoji as one character: 2000 emoji (4000 UTF-16 units) are accepted', () => {
    const emoji = '😀'.repeat(2000);
    expect(emoji.length).toBe(4000);
    expect(parseCreateRequest(body({ justification: emoji })).justification).toBe(emoji);
    expectInvalid(body({ justification: `${emoji}😀` }), 'justification must be at most 2000');
  });
});

describe('parseCreateRequest: control and bidi characters', () => {
  it('rejects a right-to-left override in resource', () => {
    expectInvalid(body({ resource: `table/orders${RLO}kcab` }), 'resource contains control');
  });

  it('rejects C0 and C1 controls, zero-width characters, isolates and the BOM in resource', () => {
    for (const ch of [
      '\u0000',
      '\u0007',
      '\u001b',
      '\u007f',
      '\u0085',
      '\u200b',
      '\u200e',
      '\u2066',
      '\ufeff',
    ]) {
      expectInvalid(body({ resource: `table/${ch}orders` }), 'resource contains control');
    }
  });

  it('rejects the same characters in the justification, action, audience and on_behalf_of', () => {
    expectInvalid(body({ justification: `approve ${RLO}ynned` }), 'justification contains control');
    expectInvalid(body({ audience: `db${RLO}api` }), 'audience');
    expectInvalid(body({ on_behalf_of: `carol${RLO}@example.com` }), 'on_behalf_of contains control');
  });

  it('allows newlines and tabs in the justification', () => {
    const justification = 'Line one.\nLine two.\r\n\tIndented.';
    expect(parseCreateRequest(body({ justification })).justification).toBe(justification);
  });

  it('rejects newlines and tabs in the resource and on_behalf_of', () => {
    for (const ch of ['\n', '\r', '\t']) {
      expectInvalid(body({ resource: `table/orders${ch}table/users` }), 'resource contains control');
      expectInvalid(body({ on_behalf_of: `carol${ch}` }), 'on_behalf_of');
    }
  });
});

describe('parseCreateRequest: requested_ttl_seconds', () => {
  it(`accepts integers from 1 to ${MAX_TOKEN_TTL_SECONDS}`, () => {
    expect(parseCreateRequest(body({ requested_ttl_seconds: 1 })).requestedTtlSeconds).toBe(1);
    expect(
      parseCreateRequest(body({ requested_ttl_seconds: MAX_TOKEN_TTL_SECONDS })).requestedTtlSeconds,
    ).toBe(MAX_TOKEN_TTL_SECONDS);
  });

  it('rejects zero, negatives, too large, fractions and strings', () => {
    for (const value of [0, -5, MAX_TOKEN_TTL_SECONDS + 1, 1.5, '60', Number.NaN, Infinity, null]) {
      expectInvalid(body({ requested_ttl_seconds: value }), 'requested_ttl_seconds must be an integer');
    }
  });
});
