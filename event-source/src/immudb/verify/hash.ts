import { createHash } from 'node:crypto';
import type { Digest } from './types';

export const LEAF_PREFIX = Buffer.from([0]);
export const NODE_PREFIX = Buffer.from([1]);

export function sha256(...parts: Buffer[]): Digest {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

export const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff);
  return b;
};
export const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
/** Big-endian 64 bits; negative numbers wrap like Go's uint64(int64) conversion. */
export const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt.asUintN(64, BigInt(n)));
  return b;
};

/** Go's `[32]byte` from a slice: padded with zeros or cut to 32 bytes. */
export function digestOf(bytes: Buffer | Uint8Array | null | undefined): Digest {
  const d = Buffer.alloc(32);
  if (bytes) Buffer.from(bytes).copy(d, 0, 0, 32);
  return d;
}

export const half = (n: number) => Math.trunc(n / 2);
