/** Inclusion of an entry in its transaction's Merkle tree (embedded/htree VerifyInclusion). */
import { half, LEAF_PREFIX, NODE_PREFIX, sha256 } from './hash';
import type { Digest, InclusionProof } from './types';

export function verifyEntryInclusion(proof: InclusionProof | undefined, digest: Digest, root: Digest): boolean {
  if (!proof) return false;
  let calc = sha256(LEAF_PREFIX, digest);
  let i = proof.leaf;
  let r = proof.width - 1;
  for (const t of proof.terms) {
    calc = i % 2 === 0 && i !== r ? sha256(NODE_PREFIX, calc, t) : sha256(NODE_PREFIX, t, calc);
    i = half(i);
    r = half(r);
  }
  return i === r && root.equals(calc);
}
