/**
 * Converts a DER-encoded ECDSA signature (`SEQUENCE { INTEGER r, INTEGER s }`, as KMS returns it)
 * to the fixed-length `R‖S` form JWS requires (RFC 7518 §3.4). Strict: every declared length must
 * match, so a damaged signature fails here rather than as a mysterious verification failure.
 * @param size bytes per integer: 32 for P-256
 * @throws Error on anything that is not exactly one well-formed signature
 */
export function derToJoseSignature(der: Buffer, size: number): Buffer {
  let offset = 0;
  const fail = (why: string): never => {
    throw new Error(`malformed DER signature: ${why}`);
  };
  const byte = (): number => der[offset++] ?? fail('truncated');
  const readLength = (): number => {
    const first = byte();
    if (first < 0x80) return first;
    const count = first & 0x7f;
    if (count === 0 || count > 2) fail('unsupported length encoding');
    let length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + byte();
    return length;
  };
  const readInteger = (): Buffer => {
    if (byte() !== 0x02) fail('expected INTEGER');
    const length = readLength();
    if (length === 0 || offset + length > der.length) fail('bad INTEGER length');
    let value = der.subarray(offset, offset + length);
    offset += length;
    while (value.length > size && value[0] === 0) value = value.subarray(1);
    if (value.length > size) fail('integer too long');
    return Buffer.concat([Buffer.alloc(size - value.length), value]);
  };
  if (byte() !== 0x30) fail('expected SEQUENCE');
  const sequenceLength = readLength();
  if (offset + sequenceLength !== der.length) fail('SEQUENCE length does not match the signature');
  const r = readInteger();
  const s = readInteger();
  if (offset !== der.length) fail('trailing bytes');
  return Buffer.concat([r, s]);
}
