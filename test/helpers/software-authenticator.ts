import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/*
 * A WebAuthn authenticator in software for tests that need many real assertions at once: a P-256
 * key (or Ed25519, RSA), "none" attestation, user presence and verification set unless a test says
 * otherwise, and a signature counter that goes up by one per assertion. Its signatures are real; the
 * server verifies them as any other.
 */

/** The COSE algorithms a software passkey can use. */
export type SoftwareKeyAlgorithm = 'ES256' | 'EdDSA' | 'RS256';

/** Authenticator data flags (WebAuthn §6.1). */
export const FLAGS = { UP: 0x01, UV: 0x04, AT: 0x40 } as const;

/** What a test may change in one answer of the authenticator. */
export interface AnswerOverrides {
  /** Flags instead of UP | UV. */
  readonly flags?: number;
  /** The RP ID hashed into the authenticator data instead of the options' one. */
  readonly rpId?: string;
  /** The origin in the client data instead of the authenticator's. */
  readonly origin?: string;
  /** The client data type instead of the ceremony's. */
  readonly type?: string;
}

function keyPair(alg: SoftwareKeyAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519');
  if (alg === 'RS256') return generateKeyPairSync('rsa', { modulusLength: 2048 });
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** The COSE_Key (RFC 9052 §7) of a public key. */
function coseKey(alg: SoftwareKeyAlgorithm, publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  const bytes = (v: string | undefined) => Buffer.from(v ?? '', 'base64url');
  if (alg === 'EdDSA') {
    return cbor(
      new Map<number, Cbor>([
        [1, 1],
        [3, -8],
        [-1, 6],
        [-2, bytes(jwk.x)],
      ]),
    );
  }
  if (alg === 'RS256') {
    return cbor(
      new Map<number, Cbor>([
        [1, 3],
        [3, -257],
        [-1, bytes(jwk.n)],
        [-2, bytes(jwk.e)],
      ]),
    );
  }
  return cbor(
    new Map<number, Cbor>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, bytes(jwk.x)],
      [-3, bytes(jwk.y)],
    ]),
  );
}

type Cbor = number | string | Uint8Array | Map<number | string, Cbor>;

function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 256) return Buffer.from([(major << 5) | 24, length]);
  const b = Buffer.alloc(3);
  b[0] = (major << 5) | 25;
  b.writeUInt16BE(length, 1);
  return b;
}

/** The CBOR subset COSE keys and attestation objects use (RFC 8949). */
function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string')
    return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  const parts = [head(5, value.size)];
  for (const [k, v] of value) parts.push(cbor(k), cbor(v));
  return Buffer.concat(parts);
}

const b64u = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

/** One software passkey of one approver. */
export class SoftwareAuthenticator {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  readonly credentialId = randomBytes(16);
  private counter = 0;

  constructor(
    private readonly origin: string,
    private readonly alg: SoftwareKeyAlgorithm = 'ES256',
  ) {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = keyPair(alg));
  }

  get id(): string {
    return b64u(this.credentialId);
  }

  private authData(rpId: string, flags: number, attested?: Buffer): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
  }

  private clientData(type: string, challenge: string, origin = this.origin): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** The registration response to `options` (PublicKeyCredentialCreationOptionsJSON). */
  register(options: { challenge: string; rp: { id: string } }, overrides: AnswerOverrides = {}) {
    const cose = coseKey(this.alg, this.publicKey);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, cose]);
    const authData = this.authData(
      overrides.rpId ?? options.rp.id,
      (overrides.flags ?? FLAGS.UP | FLAGS.UV) | FLAGS.AT,
      attested,
    );
    const attestationObject = cbor(
      new Map<string, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64u(
          this.clientData(overrides.type ?? 'webauthn.create', options.challenge, overrides.origin),
        ),
        attestationObject: b64u(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** An assertion for `options` (PublicKeyCredentialRequestOptionsJSON); the counter goes up by one. */
  assert(options: { challenge: string; rpId: string }, overrides: AnswerOverrides = {}) {
    this.counter += 1;
    const authData = this.authData(overrides.rpId ?? options.rpId, overrides.flags ?? FLAGS.UP | FLAGS.UV);
    const clientData = this.clientData(overrides.type ?? 'webauthn.get', options.challenge, overrides.origin);
    const signed = Buffer.concat([authData, sha256(clientData)]);
    // ES256 signatures are DER (what node:crypto makes), Ed25519 takes no separate hash.
    const signature = sign(this.alg === 'EdDSA' ? null : 'sha256', signed, this.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64u(clientData),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}

/** The ceremony options in an approval page's HTML (its inert JSON block). */
export function ceremonyOptionsIn<T>(html: string): T {
  const match = /<script type="application\/json" id="ceremony"[^>]*>([^<]*)<\/script>/.exec(html);
  if (!match?.[1]) throw new Error('no ceremony options on the page');
  return JSON.parse(match[1]) as T;
}

/** The ceremony options of the approval page at `url`. */
export async function pageOptions<T>(url: string): Promise<T> {
  return ceremonyOptionsIn<T>(await (await fetch(url)).text());
}
