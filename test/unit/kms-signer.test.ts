import { createHash, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KMSClient } from '@aws-sdk/client-kms';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KmsSigner } from '../../lambdas/adapters/aws/kms-signer';
import { rejectionOf } from './support/fixtures';

// ---------------------------------------------------------------------------------------------
// ECDSA P-256 over a caller-supplied digest. KMS with MessageType DIGEST signs the digest as is;
// node:crypto cannot (crypto.sign(null, digest) on an EC key hashes the digest again with SHA-256),
// so the stand-in does the textbook computation with BigInt.
// ---------------------------------------------------------------------------------------------
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const A = P - 3n;
const G: Point = {
  x: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  y: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
};

interface Point {
  readonly x: bigint;
  readonly y: bigint;
}

const mod = (a: bigint, m: bigint): bigint => ((a % m) + m) % m;

function invert(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return mod(oldS, m);
}

function add(p: Point | undefined, q: Point | undefined): Point | undefined {
  if (!p) return q;
  if (!q) return p;
  if (p.x === q.x && mod(p.y + q.y, P) === 0n) return undefined;
  const lambda =
    p.x === q.x && p.y === q.y
      ? mod((3n * p.x * p.x + A) * invert(2n * p.y, P), P)
      : mod((q.y - p.y) * invert(q.x - p.x, P), P);
  const x = mod(lambda * lambda - p.x - q.x, P);
  return { x, y: mod(lambda * (p.x - x) - p.y, P) };
}

/** G, 2G, 4G, … 2^255·G, so k·G is one addition per set bit of k. */
const G_DOUBLINGS: readonly Point[] = (() => {
  const table: Point[] = [G];
  while (table.length < 256) {
    const last = table[table.length - 1] as Point;
    table.push(add(last, last) as Point);
  }
  return table;
})();

function multiplyG(k: bigint): Point | undefined {
  let result: Point | undefined;
  for (let i = 0, e = k; e > 0n; i++, e >>= 1n) {
    if (e & 1n) result = add(result, G_DOUBLINGS[i]);
  }
  return result;
}

const toBigInt = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] as number) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

/** An ECDSA signature over `digest` (not hashed again), DER-encoded as KMS returns it. */
function signDigest(digest: Buffer, privateScalar: bigint): Buffer {
  const e = toBigInt(digest);
  for (;;) {
    const k = mod(toBigInt(randomBytes(40)), N - 1n) + 1n;
    const r = mod((multiplyG(k) as Point).x, N);
    const s = mod(invert(k, N) * (e + r * privateScalar), N);
    if (r === 0n || s === 0n) continue;
    const body = Buffer.concat([derInteger(r), derInteger(s)]);
    return Buffer.concat([Buffer.from([0x30, body.length]), body]);
  }
}

// ---------------------------------------------------------------------------------------------
// A KMS stand-in speaking the JSON 1.1 protocol for TrentService.Sign and TrentService.GetPublicKey.
// ---------------------------------------------------------------------------------------------
const KEY_ID = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

interface KmsCall {
  readonly target: string;
  readonly body: Record<string, string>;
}

class KmsStandIn {
  readonly calls: KmsCall[] = [];
  failNextGetPublicKey = false;
  omitSignature = false;
  private server?: Server;

  constructor(
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
  ) {}

  /** Public keys of other (retired) key ids this KMS also knows. */
  readonly otherKeys = new Map<string, KeyObject>();

  async start(): Promise<string> {
    const d = toBigInt(Buffer.from(this.privateKey.export({ format: 'jwk' }).d as string, 'base64url'));
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target']);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, string>;
        this.calls.push({ target, body });
        const reply = (status: number, payload: unknown) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(payload));
        };
        if (target === 'TrentService.GetPublicKey' && this.otherKeys.has(body.KeyId ?? '')) {
          const other = this.otherKeys.get(body.KeyId ?? '');
          reply(200, {
            KeyId: body.KeyId,
            KeySpec: 'ECC_NIST_P256',
            KeyUsage: 'SIGN_VERIFY',
            PublicKey: other?.export({ type: 'spki', format: 'der' }).toString('base64'),
          });
        } else if (target === 'TrentService.GetPublicKey') {
          if (this.failNextGetPublicKey) {
            this.failNextGetPublicKey = false;
            reply(400, { __type: 'NotFoundException', message: 'no such key' });
            return;
          }
          reply(200, {
            KeyId: KEY_ID,
            KeySpec: 'ECC_NIST_P256',
            KeyUsage: 'SIGN_VERIFY',
            SigningAlgorithms: ['ECDSA_SHA_256'],
            PublicKey: this.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
          });
        } else if (target === 'TrentService.Sign') {
          const digest = Buffer.from(body.Message ?? '', 'base64');
          reply(200, {
            KeyId: KEY_ID,
            SigningAlgorithm: 'ECDSA_SHA_256',
            ...(this.omitSignature ? {} : { Signature: signDigest(digest, d).toString('base64') }),
          });
        } else {
          reply(400, { __type: 'UnknownOperationException', message: target });
        }
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  count(target: string): number {
    return this.calls.filter((c) => c.target === target).length;
  }
}

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const privateD = privateKey.export({ format: 'jwk' }).d as string;
const kms = new KmsStandIn(privateKey, publicKey);
let client: KMSClient;

beforeAll(async () => {
  const endpoint = await kms.start();
  client = new KMSClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await kms.stop();
});

beforeEach(() => {
  kms.calls.length = 0;
  kms.failNextGetPublicKey = false;
  kms.omitSignature = false;
});

const claims = {
  iss: 'https://stepup.test',
  aud: 'db-admin-api',
  sub: 'deploy-bot',
  jti: 'jti-1',
  exp: 4_102_444_800,
  authorization_details: [{ type: 'stepup_action', actions: ['db:DropTable'], identifier: 'orders' }],
};

describe('the stand-in signs digests correctly (self-check)', () => {
  it('produces signatures node:crypto verifies over the original message', () => {
    const d = toBigInt(Buffer.from(privateD, 'base64url'));
    for (let i = 0; i < 5; i++) {
      const message = randomBytes(50);
      const der = signDigest(createHash('sha256').update(message).digest(), d);
      expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, der)).toBe(true);
    }
  });
});

describe('KmsSigner', () => {
  it('signs an ES256 at+jwt that jose verifies against the signer’s own JWKS', async () => {
    const signer = new KmsSigner(client, KEY_ID);
    const token = await signer.sign(claims);
    const { payload, protectedHeader } = await jwtVerify(
      token,
      createLocalJWKSet((await signer.jwks()) as JSONWebKeySet),
      {
        algorithms: ['ES256'],
        typ: 'at+jwt',
      },
    );
    expect(payload).toEqual(claims);
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
  });

  it('names the key by its RFC 7638 thumbprint, in the header and the JWKS', async () => {
    const signer = new KmsSigner(client, KEY_ID);
    const token = await signer.sign(claims);
    const { keys } = await signer.jwks();
    expect(keys).toHaveLength(1);
    const jwk = keys[0] as JWK;
    const expected = await calculateJwkThumbprint(publicKey.export({ format: 'jwk' }) as JWK);
    expect(jwk.kid).toBe(expected);
    expect(decodeProtectedHeader(token).kid).toBe(expected);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect({ x: jwk.x, y: jwk.y }).toEqual({
      x: publicKey.export({ format: 'jwk' }).x,
      y: publicKey.export({ format: 'jwk' }).y,
    });
  });

  it('asks KMS to sign the SHA-256 digest of the signing input with ECDSA_SHA_256', async () => {
    const signer = new KmsSigner(client, KEY_ID);
    const token = await signer.sign(claims);
    const signCalls = kms.calls.filter((c) => c.target === 'TrentService.Sign');
    expect(signCalls).toHaveLength(1);
    const [header, payload] = token.split('.');
    expect(signCalls[0]?.body).toEqual({
      KeyId: KEY_ID,
      MessageType: 'DIGEST',
      SigningAlgorithm: 'ECDSA_SHA_256',
      Message: createHash('sha256').update(`${header}.${payload}`).digest('base64'),
    });
  });

  it('never returns the private key', async () => {
    const signer = new KmsSigner(client, KEY_ID);
    const token = await signer.sign(claims);
    const jwks = await signer.jwks();
    for (const output of [token, JSON.stringify(jwks)]) expect(output).not.toContain(privateD);
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d');
    for (const part of token.split('.').slice(0, 2)) {
      expect(Buffer.from(part, 'base64url').toString()).not.toContain(privateD);
    }
  });

  it('produces a valid signature every time', async () => {
    const signer = new KmsSigner(client, KEY_ID);
    const keySet = createLocalJWKSet((await signer.jwks()) as JSONWebKeySet);
    for (let i = 0; i < 20; i++) {
      const token = await signer.sign({ ...claims, jti: `jti-${i}` });
      const { payload } = await jwtVerify(token, keySet, { algorithms: ['ES256'], typ: 'at+jwt' });
      expect(payload.jti).toBe(`jti-${i}`);
      expect(Buffer.from(token.split('.')[2] ?? '', 'base64url')).toHaveLength(64);
    }
  });

  it('fetches the public key once and reuses it', async () => {
    const signer = new KmsSigner(client, KEY_ID);
    await Promise.all([signer.sign(claims), signer.sign(claims), signer.jwks()]);
    await signer.sign(claims);
    await signer.jwks();
    expect(kms.count('TrentService.GetPublicKey')).toBe(1);
    expect(kms.count('TrentService.Sign')).toBe(3);
  });

  it('retries the public key after a failed fetch instead of caching the failure', async () => {
    const signer = new KmsSigner(client, KEY_ID);
    kms.failNextGetPublicKey = true;
    const error = await rejectionOf(signer.sign(claims));
    expect((error as Error).name).toBe('NotFoundException');
    expect(kms.count('TrentService.Sign')).toBe(0);
    const token = await signer.sign(claims);
    await expect(
      jwtVerify(token, createLocalJWKSet((await signer.jwks()) as JSONWebKeySet), { algorithms: ['ES256'] }),
    ).resolves.toBeDefined();
    expect(kms.count('TrentService.GetPublicKey')).toBe(2);
  });

  it('fails when KMS returns no signature', async () => {
    const signer = new KmsSigner(client, KEY_ID);
    kms.omitSignature = true;
    expect(((await rejectionOf(signer.sign(claims))) as Error).message).toBe('KMS returned no signature');
  });
});

describe('KmsSigner key rotation', () => {
  it('publishes retired keys beside the signing key, so tokens they signed still verify', async () => {
    const retired = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    kms.otherKeys.set('retired-key', retired.publicKey);
    const signer = new KmsSigner(client, KEY_ID, ['retired-key']);
    const jwks = await signer.jwks();
    expect(jwks.keys).toHaveLength(2);
    const retiredJwk = retired.publicKey.export({ format: 'jwk' });
    const retiredKid = await calculateJwkThumbprint(retiredJwk as JWK);
    expect(jwks.keys.map((k) => k.kid)).toContain(retiredKid);

    const keys = createLocalJWKSet(jwks as JSONWebKeySet);
    const oldToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: retiredKid })
      .sign(retired.privateKey);
    await expect(jwtVerify(oldToken, keys, { algorithms: ['ES256'] })).resolves.toBeDefined();
    await expect(
      jwtVerify(await signer.sign(claims), keys, { algorithms: ['ES256'] }),
    ).resolves.toBeDefined();
    kms.otherKeys.clear();
  });
});
