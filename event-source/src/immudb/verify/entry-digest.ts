/**
 * How an entry is hashed into its transaction (embedded/store/verification.go EntrySpecDigest_v0/v1)
 * and how the server encodes plain key-values before storing them (pkg/database: the key and
 * the value each get a one-byte prefix, 0 for a plain set).
 */
import { sha256, u16, u64 } from './hash';
import type { Digest, KVMetadata } from './types';

const SET_KEY_PREFIX = 0;
const PLAIN_VALUE_PREFIX = 0;
const DELETED_ATTR = 0;
const EXPIRES_AT_ATTR = 1;
const NON_INDEXABLE_ATTR = 2;

export const encodeKey = (key: Buffer) => Buffer.concat([Buffer.from([SET_KEY_PREFIX]), key]);
export const encodeValue = (value: Buffer) => Buffer.concat([Buffer.from([PLAIN_VALUE_PREFIX]), value]);

/** KVMetadata.Bytes(): attributes in code order, only those present. */
export function kvMetadataBytes(md: KVMetadata | undefined): Buffer {
  if (!md) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  if (md.deleted) parts.push(Buffer.from([DELETED_ATTR]));
  if (md.expiresAt !== undefined) parts.push(Buffer.from([EXPIRES_AT_ATTR]), u64(md.expiresAt));
  if (md.nonIndexable) parts.push(Buffer.from([NON_INDEXABLE_ATTR]));
  return Buffer.concat(parts);
}

export type EntrySpec = { key: Buffer; metadata: KVMetadata | undefined; value: Buffer };

/** The digest of an entry (key and value as stored, i.e. already prefixed) for a header version. */
export function entryDigest(txHeaderVersion: number, e: EntrySpec): Digest {
  switch (txHeaderVersion) {
    case 0:
      return sha256(e.key, sha256(e.value));
    case 1: {
      const md = kvMetadataBytes(e.metadata);
      return sha256(u16(md.length), md, u16(e.key.length), e.key, sha256(e.value));
    }
    default:
      throw new Error(`unsupported transaction header version ${txHeaderVersion}`);
  }
}
