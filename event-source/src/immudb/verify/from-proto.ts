/**
 * From the gRPC answers (as @grpc/proto-loader decodes them: bytes as Buffers, 64-bit integers
 * as strings, absent messages as null) to the proof structures (pkg/api/schema/database_protoconv.go).
 */
import { digestOf } from './hash';
import type {
  Digest,
  DualProof,
  InclusionProof,
  KVMetadata,
  LinearAdvanceProof,
  TxHeader,
  TxMetadata,
  VerifiableEntry,
  VerifiableTx,
} from './types';

/** The server's answer lacks a part every proof has: a failed verification, not an outage. */
export class MalformedProof extends Error {
  override readonly name = 'MalformedProof';
}

type Raw = Record<string, unknown> | null | undefined;

const num = (v: unknown) => Number(v ?? 0);
const bytes = (v: unknown) => (Buffer.isBuffer(v) ? v : Buffer.from((v as Uint8Array | undefined) ?? []));
const digests = (v: unknown): Digest[] => ((v as unknown[] | null) ?? []).map((d) => digestOf(bytes(d)));
const obj = (v: unknown) => (v ?? null) as Raw;

export function txMetadataFromProto(raw: Raw): TxMetadata | undefined {
  return raw ? { truncatedTxId: num(raw.truncatedTxID), extra: bytes(raw.extra) } : undefined;
}

export function kvMetadataFromProto(raw: Raw): KVMetadata | undefined {
  if (!raw) return undefined;
  const expiration = obj(raw.expiration);
  return {
    deleted: Boolean(raw.deleted),
    expiresAt: expiration ? num(expiration.expiresAt) : undefined,
    nonIndexable: Boolean(raw.nonIndexable),
  };
}

export function txHeaderFromProto(raw: Raw): TxHeader {
  if (!raw) throw new MalformedProof('missing transaction header');
  return {
    id: num(raw.id),
    prevAlh: digestOf(bytes(raw.prevAlh)),
    ts: num(raw.ts),
    version: num(raw.version),
    metadata: txMetadataFromProto(obj(raw.metadata)),
    nentries: num(raw.nentries),
    eh: digestOf(bytes(raw.eH)),
    blTxId: num(raw.blTxId),
    blRoot: digestOf(bytes(raw.blRoot)),
  };
}

export function inclusionProofFromProto(raw: Raw): InclusionProof | undefined {
  return raw ? { leaf: num(raw.leaf), width: num(raw.width), terms: digests(raw.terms) } : undefined;
}

function linearAdvanceProofFromProto(raw: Raw): LinearAdvanceProof | undefined {
  if (!raw) return undefined;
  return {
    linearProofTerms: digests(raw.linearProofTerms),
    inclusionProofs: ((raw.inclusionProofs as Raw[] | null) ?? []).map((p) => digests(p?.terms)),
  };
}

export function dualProofFromProto(raw: Raw): DualProof {
  if (!raw) throw new MalformedProof('missing dual proof');
  const linear = obj(raw.linearProof);
  return {
    sourceTxHeader: txHeaderFromProto(obj(raw.sourceTxHeader)),
    targetTxHeader: txHeaderFromProto(obj(raw.targetTxHeader)),
    inclusionProof: digests(raw.inclusionProof),
    consistencyProof: digests(raw.consistencyProof),
    targetBlTxAlh: digestOf(bytes(raw.targetBlTxAlh)),
    lastInclusionProof: digests(raw.lastInclusionProof),
    linearProof: linear
      ? { sourceTxId: num(linear.sourceTxId), targetTxId: num(linear.TargetTxId), terms: digests(linear.terms) }
      : undefined,
    linearAdvanceProof: linearAdvanceProofFromProto(obj(raw.LinearAdvanceProof)),
  };
}

export function verifiableTxFromProto(raw: Raw): VerifiableTx {
  if (!raw) throw new MalformedProof('missing verifiable transaction');
  return {
    txHeader: txHeaderFromProto(obj(obj(raw.tx)?.header)),
    dualProof: dualProofFromProto(obj(raw.dualProof)),
  };
}

export function verifiableEntryFromProto(raw: Raw): VerifiableEntry {
  const entry = obj(raw?.entry);
  const proof = inclusionProofFromProto(obj(raw?.inclusionProof));
  if (!entry || !proof) throw new MalformedProof('missing entry or inclusion proof');
  const vtx = verifiableTxFromProto(obj(raw?.verifiableTx));
  return {
    entry: {
      tx: num(entry.tx),
      key: bytes(entry.key),
      value: bytes(entry.value),
      metadata: kvMetadataFromProto(obj(entry.metadata)),
      isReference: Boolean(entry.referencedBy),
    },
    txHeader: vtx.txHeader,
    dualProof: vtx.dualProof,
    inclusionProof: proof,
  };
}
