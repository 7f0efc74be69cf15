/**
 * Consistency between two transactions of the log (embedded/store/verification.go): the linear
 * chain of Alh values, and the dual proof that combines it with the Merkle tree of Alh values.
 */
import { leafFor, verifyConsistency, verifyInclusion, verifyLastInclusion } from './ahtree';
import { advanceLinearHash, alh } from './tx-header';
import type { Digest, DualProof, LinearAdvanceProof, LinearProof } from './types';

export function verifyLinearProof(
  proof: LinearProof | undefined,
  sourceTxId: number,
  targetTxId: number,
  sourceAlh: Digest,
  targetAlh: Digest,
): boolean {
  if (!proof || proof.sourceTxId !== sourceTxId || proof.targetTxId !== targetTxId) return false;
  if (proof.sourceTxId === 0 || proof.sourceTxId > proof.targetTxId) return false;
  if (proof.terms.length === 0 || !sourceAlh.equals(proof.terms[0]!)) return false;
  if (proof.terms.length !== targetTxId - sourceTxId + 1) return false;
  let calculated = proof.terms[0]!;
  for (let i = 1; i < proof.terms.length; i++) {
    calculated = advanceLinearHash(calculated, proof.sourceTxId + i, proof.terms[i]!);
  }
  return targetAlh.equals(calculated);
}

/** The part of the old linear chain that the new Merkle tree consumed is in that tree. */
export function verifyLinearAdvanceProof(
  proof: LinearAdvanceProof | undefined,
  startTxId: number,
  endTxId: number,
  endAlh: Digest,
  treeRoot: Digest,
  treeSize: number,
): boolean {
  if (endTxId < startTxId) return false;
  if (endTxId <= startTxId + 1) return true;
  if (
    !proof ||
    proof.linearProofTerms.length !== endTxId - startTxId ||
    proof.inclusionProofs.length !== endTxId - startTxId - 1
  ) {
    return false;
  }
  let calculated = proof.linearProofTerms[0]!; // Alh at startTxId + 1
  for (let txId = startTxId + 1; txId < endTxId; txId++) {
    const inclusion = proof.inclusionProofs[txId - startTxId - 1];
    if (!verifyInclusion(inclusion, txId, treeSize, leafFor(calculated), treeRoot)) return false;
    calculated = advanceLinearHash(calculated, txId + 1, proof.linearProofTerms[txId - startTxId]!);
  }
  return calculated.equals(endAlh);
}

/** The transaction `sourceTxId` with Alh `sourceAlh` is an ancestor of `targetTxId` with `targetAlh`. */
export function verifyDualProof(
  proof: DualProof | undefined,
  sourceTxId: number,
  targetTxId: number,
  sourceAlh: Digest,
  targetAlh: Digest,
): boolean {
  if (!proof || proof.sourceTxHeader.id !== sourceTxId || proof.targetTxHeader.id !== targetTxId) return false;
  const src = proof.sourceTxHeader;
  const tgt = proof.targetTxHeader;
  if (src.id === 0 || src.id > tgt.id) return false;
  if (!sourceAlh.equals(alh(src)) || !targetAlh.equals(alh(tgt))) return false;

  if (sourceTxId < tgt.blTxId) {
    if (!verifyInclusion(proof.inclusionProof, sourceTxId, tgt.blTxId, leafFor(sourceAlh), tgt.blRoot)) return false;
  }
  if (src.blTxId > 0) {
    if (!verifyConsistency(proof.consistencyProof, src.blTxId, tgt.blTxId, src.blRoot, tgt.blRoot)) return false;
  }
  if (tgt.blTxId > 0) {
    if (!verifyLastInclusion(proof.lastInclusionProof, tgt.blTxId, leafFor(proof.targetBlTxAlh), tgt.blRoot)) {
      return false;
    }
  }
  if (sourceTxId < tgt.blTxId) {
    return (
      verifyLinearProof(proof.linearProof, tgt.blTxId, targetTxId, proof.targetBlTxAlh, targetAlh) &&
      // The chain up to the source, consumed by the target's tree; the source itself is proven above.
      verifyLinearAdvanceProof(proof.linearAdvanceProof, src.blTxId, sourceTxId, sourceAlh, tgt.blRoot, tgt.blTxId)
    );
  }
  return (
    verifyLinearProof(proof.linearProof, sourceTxId, targetTxId, sourceAlh, targetAlh) &&
    // The chain between the two trees; its last node is proven by the last inclusion proof above.
    verifyLinearAdvanceProof(
      proof.linearAdvanceProof,
      src.blTxId,
      tgt.blTxId,
      proof.targetBlTxAlh,
      tgt.blRoot,
      tgt.blTxId,
    )
  );
}
