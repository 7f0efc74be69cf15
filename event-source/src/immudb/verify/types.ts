/**
 * The proof structures of ImmuDB v1.11.1 (embedded/store, embedded/htree), as plain data.
 * Digests are 32-byte buffers; transaction ids are numbers (exact up to 2^53).
 */
export type Digest = Buffer;

/** The database state a client trusts or checks against: a transaction and its accumulated hash (Alh). */
export type ImmuState = { txId: number; txHash: Digest };

export type TxMetadata = { truncatedTxId: number; extra: Buffer };
export type KVMetadata = { deleted: boolean; expiresAt: number | undefined; nonIndexable: boolean };

export type TxHeader = {
  id: number;
  prevAlh: Digest;
  ts: number;
  version: number;
  metadata: TxMetadata | undefined;
  nentries: number;
  eh: Digest;
  blTxId: number;
  blRoot: Digest;
};

/** Inclusion of one entry digest in a transaction's entries tree (htree). */
export type InclusionProof = { leaf: number; width: number; terms: Digest[] };

export type LinearProof = { sourceTxId: number; targetTxId: number; terms: Digest[] };
export type LinearAdvanceProof = { linearProofTerms: Digest[]; inclusionProofs: Digest[][] };

/** Proves that the source transaction is an ancestor of the target one (Merkle tree + linear chain). */
export type DualProof = {
  sourceTxHeader: TxHeader;
  targetTxHeader: TxHeader;
  inclusionProof: Digest[];
  consistencyProof: Digest[];
  targetBlTxAlh: Digest;
  lastInclusionProof: Digest[];
  linearProof: LinearProof | undefined;
  linearAdvanceProof: LinearAdvanceProof | undefined;
};

/** What VerifiableGet answers: the entry, its transaction's header, and the two proofs. */
export type VerifiableEntry = {
  entry: { tx: number; key: Buffer; value: Buffer; metadata: KVMetadata | undefined; isReference: boolean };
  txHeader: TxHeader;
  dualProof: DualProof;
  inclusionProof: InclusionProof;
};

/** What VerifiableTxById answers, without the transaction's entries. */
export type VerifiableTx = { txHeader: TxHeader; dualProof: DualProof };
