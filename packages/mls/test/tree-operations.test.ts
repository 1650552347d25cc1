// RFC 9420 §12.1.1-§12.1.3 Add/Update/Remove applied to a ratchet tree, against the IETF tree-operations.json vectors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RatchetTree } from '../src/tree/ratchet-tree.js';
import { decodeProposal } from '../src/wire/proposal.js';
import { decodeRatchetTree, encodeRatchetTree } from '../src/wire/ratchet-tree.js';
import type { Proposal } from '../src/wire/types.js';
import { providers, selectCases } from './helpers/providers.js';
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

const vectors = loadVectors<TreeOperationsVector>('tree-operations');

for (const p of providers) {
  const { cases: selected, summary } = selectCases(p, 'tree-operations', vectors);

  test(`tree-operations.json, ${p.name} provider: apply the proposal to tree_before`, (t) => {
    const kinds: number[] = [];
    for (const [i, v] of selected) {
      const at = `${p.name} case ${i}`;
      const cs = p.provider.suite(v.cipher_suite);
      const before = RatchetTree.fromNodes(cs, decodeRatchetTree(hex(v.tree_before)));
      assert.equal(toHex(before.treeHash()), v.tree_hash_before, `${at}: hash before`);
      const proposal = decodeProposal(hex(v.proposal));
      kinds.push(proposal.proposalType);
      const after = apply(before.computeAllHashes(), proposal, v.proposal_sender);
      assert.equal(toHex(encodeRatchetTree(after.toNodes())), v.tree_after, `${at}: tree after`);
      assert.equal(toHex(after.treeHash()), v.tree_hash_after, `${at}: hash after (incremental)`);
      // The incremental (cached) hash must equal a from-scratch hash of the same nodes.
      assert.equal(toHex(RatchetTree.fromNodes(cs, after.toNodes()).treeHash()), v.tree_hash_after, `${at}: hash after (fresh)`);
      // Copy-on-write: the input tree is unchanged.
      assert.equal(toHex(encodeRatchetTree(before.toNodes())), v.tree_before, `${at}: tree before untouched`);
      assert.equal(toHex(before.treeHash()), v.tree_hash_before);
    }
    assert.equal(kinds.length, selected.length);
    t.diagnostic(`${summary} (proposal types ${kinds.join(',')})`);
  });
}
