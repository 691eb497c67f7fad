import { MIN_RSA_BITS, SIGNING_CURVES, publicJwkThumbprint } from '../../domain/tokens/jwk-thumbprint';
import { custom, type Field, type JsonSchema } from './schema';

// As `../jwk-thumbprint.ts` checks them; its rules stay code (they compute the thumbprint), and the
// unit test of the OpenAPI document holds this description to them.
const MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'x', 'y'],
  RSA: ['e', 'n'],
  OKP: ['crv', 'x'],
};
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const member: JsonSchema = { type: 'string', minLength: 1, maxLength: 1024 };

/**
 * A public JWK (EC, RSA or OKP, no private members); parsed to its RFC 7638 SHA-256 thumbprint.
 */
export function publicJwk(description: string, examples: readonly unknown[]): Field<string> {
  return custom((value, name) => publicJwkThumbprint(value, name), {
    type: 'object',
    description:
      `${description} An EC, RSA or OKP public key with its RFC 7638 members (at most 1024 ` +
      `characters each); other members such as kid, alg or use are allowed and ignored; private ` +
      `members (${PRIVATE_MEMBERS.join(', ')}) are refused. It must be a valid key: an EC point ` +
      `on its curve, an RSA modulus of at least ${MIN_RSA_BITS} bits (checked by the server; ` +
      `JSON Schema cannot say it).`,
    required: ['kty'],
    properties: { kty: { enum: Object.keys(MEMBERS) } },
    oneOf: Object.entries(MEMBERS).map(([kty, members]) => ({
      title: `${kty} public key`,
      required: ['kty', ...members],
      properties: {
        ...Object.fromEntries(members.map((m) => [m, member])),
        kty: { const: kty },
        ...(kty === 'EC' || kty === 'OKP' ? { crv: { enum: SIGNING_CURVES[kty] } } : {}),
      },
    })),
    not: { anyOf: PRIVATE_MEMBERS.map((m) => ({ required: [m] })) },
    examples,
  });
}
