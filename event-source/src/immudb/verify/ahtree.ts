/**
 * Proofs over the append-only Merkle tree of transaction hashes (embedded/ahtree/verification.go).
 * Leaves are numbered from 1.
 */
import { half, LEAF_PREFIX, NODE_PREFIX, sha256 } from './hash';
import type { Digest } from './types';

/** The leaf of the tree for a transaction's Alh. */
export const leafFor = (d: Digest) => sha256(LEAF_PREFIX, d);

export function verifyInclusion(iproof: Digest[] | undefined, i: number, j: number, iLeaf: Digest, jRoot: Digest) {
  if (!iproof || i > j || i === 0 || (i < j && iproof.length === 0)) return false;
  return jRoot.equals(evalInclusion(iproof, i, j, iLeaf));
}

function evalInclusion(iproof: Digest[], i: number, j: number, iLeaf: Digest): Digest {
  let i1 = i - 1;
  let j1 = j - 1;
  let root = iLeaf;
  for (const h of iproof) {
    root = i1 % 2 === 0 && i1 !== j1 ? sha256(NODE_PREFIX, root, h) : sha256(NODE_PREFIX, h, root);
    i1 = half(i1);
    j1 = half(j1);
  }
  return root;
}

/** The tree of size j extends the tree of size i (roots iRoot and jRoot). */
export function verifyConsistency(cproof: Digest[] | undefined, i: number, j: number, iRoot: Digest, jRoot: Digest) {
  if (!cproof || i > j || i === 0 || (i < j && cproof.length === 0)) return false;
  if (i === j && cproof.length === 0) return iRoot.equals(jRoot);
  const [ciRoot, cjRoot] = evalConsistency(cproof, i, j);
  return iRoot.equals(ciRoot) && jRoot.equals(cjRoot);
}

function evalConsistency(cproof: Digest[], i: number, j: number): [Digest, Digest] {
  let fn = i - 1;
  let sn = j - 1;
  while (fn % 2 === 1) {
    fn = half(fn);
    sn = half(sn);
  }
  let ciRoot = cproof[0]!;
  let cjRoot = cproof[0]!;
  for (const h of cproof.slice(1)) {
    if (fn % 2 === 1 || fn === sn) {
      ciRoot = sha256(NODE_PREFIX, h, ciRoot);
      cjRoot = sha256(NODE_PREFIX, h, cjRoot);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      cjRoot = sha256(NODE_PREFIX, cjRoot, h);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return [ciRoot, cjRoot];
}

/** `leaf` is the last (i-th) leaf of the tree whose root is `root`. */
export function verifyLastInclusion(iproof: Digest[] | undefined, i: number, leaf: Digest, root: Digest) {
  if (!iproof || i === 0) return false;
  let r = leaf;
  for (const h of iproof) r = sha256(NODE_PREFIX, h, r);
  return root.equals(r);
}
