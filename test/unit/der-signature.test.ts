import { generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derToJoseSignature } from '../../lambdas/adapters/aws/der-signature';

interface Curve {
  readonly name: string;
  readonly hash: string;
  readonly size: number;
}

const P256: Curve = { name: 'P-256', hash: 'sha256', size: 32 };
const P384: Curve = { name: 'P-384', hash: 'sha384', size: 48 };
const P521: Curve = { name: 'P-521', hash: 'sha512', size: 66 };

function keys(curve: Curve): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: curve.name });
}

/** The two INTEGER lengths inside a DER ECDSA signature (short-form or 0x81 sequence length). */
function integerLengths(der: Buffer): [number, number] {
  let offset = der[1] === 0x81 ? 3 : 2;
  const rLength = der[offset + 1] as number;
  offset += 2 + rLength;
  return [rLength, der[offset + 1] as number];
}

describe('derToJoseSignature: real signatures convert and verify as IEEE P1363', () => {
  it('P-256: every one of many signatures, including short and zero-padded integers', () => {
    const { privateKey, publicKey } = keys(P256);
    const seen = { short: 0, padded: 0, total: 0 };
    // Keep signing until both a short integer (< 32 bytes) and a 33-byte (0x00-padded) integer have
    // been converted, and at least 200 signatures overall.
    while (seen.total < 200 || seen.short === 0 || seen.padded === 0) {
      if (seen.total > 20_000) throw new Error('no short DER integer in 20,000 signatures');
      const data = randomBytes(32);
      const der = sign('sha256', data, { key: privateKey, dsaEncoding: 'der' });
      const jose = derToJoseSignature(der, 32);
      expect(jose).toHaveLength(64);
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(true);
      for (const length of integerLengths(der)) {
        if (length < 32) seen.short += 1;
        if (length === 33) seen.padded += 1;
      }
      seen.total += 1;
    }
    expect(seen.short).toBeGreaterThan(0);
    expect(seen.padded).toBeGreaterThan(0);
  });

  it('puts r and s, as unsigned big-endian numbers, into the two fixed-width halves', () => {
    const { privateKey } = keys(P256);
    for (let i = 0; i < 50; i++) {
      const der = sign('sha256', randomBytes(16), { key: privateKey, dsaEncoding: 'der' });
      const [rLength, sLength] = integerLengths(der);
      const r = BigInt(`0x${der.subarray(4, 4 + rLength).toString('hex')}`);
      const s = BigInt(`0x${der.subarray(6 + rLength, 6 + rLength + sLength).toString('hex')}`);
      const jose = derToJoseSignature(der, 32);
      expect(jose.toString('hex')).toBe(r.toString(16).padStart(64, '0') + s.toString(16).padStart(64, '0'));
    }
  });

  for (const curve of [P384, P521]) {
    it(`${curve.name}: converts with size ${curve.size} (P-521 uses a long-form sequence length)`, () => {
      const { privateKey, publicKey } = keys(curve);
      let longForm = 0;
      for (let i = 0; i < 40; i++) {
        const data = randomBytes(32);
        const der = sign(curve.hash, data, { key: privateKey, dsaEncoding: 'der' });
        if (der[1] === 0x81) longForm += 1;
        const jose = derToJoseSignature(der, curve.size);
        expect(jose).toHaveLength(2 * curve.size);
        expect(verify(curve.hash, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(true);
      }
      if (curve === P521) expect(longForm).toBeGreaterThan(0);
    });
  }
});

describe('derToJoseSignature: hand-built encodings', () => {
  it('left-pads short integers and strips the sign byte', () => {
    const r = Buffer.from([0x00, 0x80, ...Buffer.alloc(31, 0x11)]); // 33 bytes, high bit set
    const s = Buffer.from([0x05]); // 1 byte
    const der = Buffer.from([0x30, 4 + r.length + s.length, 0x02, r.length, ...r, 0x02, s.length, ...s]);
    const jose = derToJoseSignature(der, 32);
    expect(jose.subarray(0, 32)).toEqual(r.subarray(1));
    expect(jose.subarray(32)).toEqual(Buffer.from([...Buffer.alloc(31), 0x05]));
  });
});

describe('derToJoseSignature: malformed input throws', () => {
  const valid = (() => {
    const { privateKey } = keys(P256);
    return sign('sha256', Buffer.from('x'), { key: privateKey, dsaEncoding: 'der' });
  })();

  it('rejects an empty buffer', () => {
    expect(() => derToJoseSignature(Buffer.alloc(0), 32)).toThrow(/malformed DER signature/);
  });

  it('rejects a buffer that is not a SEQUENCE', () => {
    const notSequence = Buffer.from(valid);
    notSequence[0] = 0x31;
    expect(() => derToJoseSignature(notSequence, 32)).toThrow(/malformed DER signature/);
  });

  it('rejects a SEQUENCE whose first element is not an INTEGER', () => {
    const notInteger = Buffer.from(valid);
    notInteger[2] = 0x04;
    expect(() => derToJoseSignature(notInteger, 32)).toThrow(/malformed DER signature/);
  });

  it('rejects a missing second INTEGER', () => {
    const rLength = valid[3] as number;
    const onlyR = Buffer.concat([Buffer.from([0x30, 2 + rLength]), valid.subarray(2, 4 + rLength)]);
    expect(() => derToJoseSignature(onlyR, 32)).toThrow(/malformed DER signature/);
  });

  it('rejects an integer longer than the curve size', () => {
    const r = Buffer.alloc(33, 0x7f);
    const der = Buffer.from([0x30, 4 + 33 + 1, 0x02, 33, ...r, 0x02, 1, 0x01]);
    expect(() => derToJoseSignature(der, 32)).toThrow(/integer too long/);
  });

  it.each([
    ['truncated by one byte', () => valid.subarray(0, valid.length - 1)],
    ['truncated in the middle', () => valid.subarray(0, 40)],
    ['truncated after the SEQUENCE header', () => valid.subarray(0, 2)],
    ['with trailing bytes', () => Buffer.concat([valid, Buffer.from([1, 2, 3])])],
    [
      'with a SEQUENCE length too long',
      () => Buffer.from([0x30, (valid[1] as number) + 1, ...valid.subarray(2)]),
    ],
    ['with a SEQUENCE length too short', () => Buffer.from([0x30, 0x10, ...valid.subarray(2)])],
    [
      'with a trailing byte inside a matching SEQUENCE length',
      () => Buffer.from([0x30, (valid[1] as number) + 1, ...valid.subarray(2), 0x00]),
    ],
    ['with zero-length integers', () => Buffer.from([0x30, 4, 2, 0, 2, 0])],
    ['with an INTEGER length beyond the end', () => Buffer.from([0x30, 6, 2, 0x20, 1, 2, 1, 1])],
    ['with an indefinite (0x80) length', () => Buffer.from([0x30, 0x80, 2, 1, 1, 2, 1, 1, 0, 0])],
    ['with a length of more than two bytes', () => Buffer.from([0x30, 0x83, 0, 0, 6, 2, 1, 1, 2, 1, 1])],
  ])('rejects a signature %s', (_name, input) => {
    expect(() => derToJoseSignature(input(), 32)).toThrow(/malformed DER signature/);
  });

  it('accepts a minimal hand-built signature (one-byte integers) whose lengths all match', () => {
    expect(derToJoseSignature(Buffer.from([0x30, 6, 2, 1, 1, 2, 1, 2]), 32)).toEqual(
      Buffer.concat([Buffer.alloc(31), Buffer.from([1]), Buffer.alloc(31), Buffer.from([2])]),
    );
  });

  it('rejects a P-384 signature read as P-256', () => {
    const { privateKey } = keys(P384);
    let rejected = 0;
    for (let i = 0; i < 10; i++) {
      const der = sign('sha384', randomBytes(8), { key: privateKey, dsaEncoding: 'der' });
      try {
        derToJoseSignature(der, 32);
      } catch {
        rejected += 1;
      }
    }
    expect(rejected).toBe(10);
  });
});
