// RFC 9420 §12.1.1-§12.1.3 Add/Update/Remove applied to a ratchet tree, against the IETF tree-operations.json vectors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNativeProvider } from '../src/crypto/native/index.js';
import { RatchetTree } from '../src/tree/ratchet-tree.js';
import { decodeProposal } from '../src/wire/proposal.js';
import { decodeRatchetTree, encodeRatchetTree } from '../src/wire/ratchet-tree.js';
import type { Proposal } from '../src/wire/types.js';
import { hex, loadVectors, toHex } from './helpers/vectors.js';

interface TreeOperationsVector {
  cipher_suite: number;
  tree_before: string;
  proposal: string;
  proposal_sender: number;
  tree_hash_before: string;
  tree_after: string;
  tree_hash_after: string;
}

function apply(tree: RatchetTree, p: Proposal, sender: number): RatchetTree {
  switch (p.proposalType) {
    case 1:
      return tree.addLeaf(p.add.keyPackage.leafNode).tree;
    case 2:
      return tree.updateLeaf(sender, p.update.leafNode);
    case 3:
      return tree.removeLeaf(p.remove.removed);
    default:
      throw new Error('unexpected proposal type in tree-operations vector');
  }
}

test('tree-operations.json: apply the proposal to tree_before', (t) => {
  const cases = loadVectors<TreeOperationsVector>('tree-operations');
  const kinds: number[] = [];
  for (const [i, v] of cases.entries()) {
    const cs = createNativeProvider().suite(v.cipher_suite);
    const before = RatchetTree.fromNodes(cs, decodeRatchetTree(hex(v.tree_before)));
    assert.equal(toHex(before.treeHash()), v.tree_hash_before, `case ${i}: hash before`);
    const proposal = decodeProposal(hex(v.proposal));
    kinds.push(proposal.proposalType);
    const after = apply(before.computeAllHashes(), proposal, v.proposal_sender);
    assert.equal(toHex(encodeRatchetTree(after.toNodes())), v.tree_after, `case ${i}: tree after`);
    assert.equal(toHex(after.treeHash()), v.tree_hash_after, `case ${i}: hash after (incremental)`);
    // The incremental (cached) hash must equal a from-scratch hash of the same nodes.
    assert.equal(toHex(RatchetTree.fromNodes(cs, after.toNodes()).treeHash()), v.tree_hash_after, `case ${i}: hash after (fresh)`);
    // Copy-on-write: the input tree is unchanged.
    assert.equal(toHex(encodeRatchetTree(before.toNodes())), v.tree_before, `case ${i}: tree before untouched`);
    assert.equal(toHex(before.treeHash()), v.tree_hash_before);
  }
  t.diagnostic(`tree-operations.json: ${cases.length}/${cases.length} cases (proposal types ${kinds.join(',')})`);
});
