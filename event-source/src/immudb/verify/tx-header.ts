/** Transaction header hashing (embedded/store/tx.go, tx_metadata.go). */
import { sha256, u16, u32, u64 } from './hash';
import type { Digest, TxHeader, TxMetadata } from './types';

const TRUNCATED_UPTO_TX_ATTR = 0;
const EXTRA_ATTR = 1;

/** TxMetadata.Bytes(): attributes in code order, only those present. */
export function txMetadataBytes(md: TxMetadata | undefined): Buffer {
  if (!md) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  if (md.truncatedTxId > 0) parts.push(Buffer.from([TRUNCATED_UPTO_TX_ATTR]), u64(md.truncatedTxId));
  if (md.extra.length > 0) parts.push(Buffer.from([EXTRA_ATTR]), u16(md.extra.length), md.extra);
  return Buffer.concat(parts);
}

/** hash(ts + version + (mdLen + md)? + nentries + eH + blTxID + blRoot); throws on an unknown version. */
export function innerHash(hdr: TxHeader): Digest {
  const parts: Buffer[] = [u64(hdr.ts), u16(hdr.version)];
  switch (hdr.version) {
    case 0:
      parts.push(u16(hdr.nentries));
      break;
    case 1: {
      const md = txMetadataBytes(hdr.metadata);
      parts.push(u16(md.length), md, u32(hdr.nentries));
      break;
    }
    default:
      throw new Error(`unsupported transaction header version ${hdr.version}`);
  }
  parts.push(hdr.eh, u64(hdr.blTxId), hdr.blRoot);
  return sha256(...parts);
}

/** The accumulated linear hash of a transaction: hash(txID + prevAlh + innerHash). */
export function alh(hdr: TxHeader): Digest {
  return sha256(u64(hdr.id), hdr.prevAlh, innerHash(hdr));
}

/** Alh of the transaction after `alh`, given that transaction's inner hash. */
export function advanceLinearHash(prevAlh: Digest, txId: number, term: Digest): Digest {
  return sha256(u64(txId), prevAlh, term);
}
