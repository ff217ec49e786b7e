const TWO_32 = 2 ** 32;

/** Writes a safe integer as 8-byte big-endian two's complement without a BigInt (hot path of int64 and windowed serdes). */
export function writeInt64(buf: Buffer, n: number, at: number): void {
  const hi = Math.floor(n / TWO_32);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(n - hi * TWO_32, at + 4);
}

/** Reads 8-byte big-endian two's complement; undefined when the value is outside Number's safe range. */
export function readInt64(buf: Buffer, at: number): number | undefined {
  const hi = buf.readInt32BE(at);
  if (hi > 0x1fffff || hi < -0x200000) return undefined;
  const n = hi * TWO_32 + buf.readUInt32BE(at + 4);
  return Number.isSafeInteger(n) ? n : undefined;
}
