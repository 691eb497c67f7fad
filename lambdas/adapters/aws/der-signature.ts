/**
 * Converts a DER-encoded ECDSA signature (`SEQUENCE { INTEGER r, INTEGER s }`, as KMS returns it)
 * to the fixed-length `R‖S` form JWS requires (RFC 7518 §3.4).
 * @param size bytes per integer: 32 for P-256
 */
export function derToJoseSignature(der: Buffer, size: number): Buffer {
  let offset = 0;
  const expect = (tag: number) => {
    if (der[offset++] !== tag) throw new Error('malformed DER signature');
  };
  const readLength = (): number => {
    let length = der[offset++] ?? 0;
    if (length & 0x80) {
      const bytes = length & 0x7f;
      length = 0;
      for (let i = 0; i < bytes; i++) length = (length << 8) | (der[offset++] ?? 0);
    }
    return length;
  };
  const readInteger = (): Buffer => {
    expect(0x02);
    const length = readLength();
    let value = der.subarray(offset, offset + length);
    offset += length;
    while (value.length > size && value[0] === 0) value = value.subarray(1);
    if (value.length > size) throw new Error('malformed DER signature: integer too long');
    return Buffer.concat([Buffer.alloc(size - value.length), value]);
  };
  expect(0x30);
  readLength();
  return Buffer.concat([readInteger(), readInteger()]);
}
