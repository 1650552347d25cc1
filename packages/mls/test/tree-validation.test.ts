// RFC 9420 §4.1.1 resolutions, §7.8 tree hashes, §7.9.2 parent hashes and §7.3 leaf signatures
// against the IETF tree-validation.json vectors (all seven ciphersuites), plus export/import round trips.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNativeProvider } from '../src/crypto/native/index.js';
import { RatchetTree } from '../src/tree/ratchet-tree.js';
import { validateRatchetTree } from '../src/tree/validate.js';
import { decodeRatchetTree, encodeRatchetTree } from '../src/wire/ratchet-tree.js';
import { hex, loadVectors, toHex } from './helpers/vectors.js';

interface TreeValidationVector {
  cipher_suite: number;
  tree: string;
  group_id: string;
  resolutions: number[][];
  tree_hashes: string[];
}

const provider = createNativeProvider();

test('tree-validation.json: resolutions, tree hashes, parent hashes, leaf signatures', (t) => {
  const cases = loadVectors<TreeValidationVector>('tree-validation');
  let passed = 0;
  for (const [i, v] of cases.entries()) {
    const cs = provider.suite(v.cipher_suite);
    const tree = RatchetTree.fromNodes(cs, decodeRatchetTree(hex(v.tree)));
    assert.equal(tree.nodeCount, v.tree_hashes.length, `case ${i}: node count`);
    for (let x = 0; x < tree.nodeCount; x++) {
      assert.deepEqual(tree.resolution(x), v.resolutions[x], `case ${i}: resolution(${x})`);
      assert.equal(toHex(tree.nodeHash(x)), v.tree_hashes[x], `case ${i}: tree hash(${x})`);
    }
    validateRatchetTree(tree, { groupId: hex(v.group_id), treeHash: tree.treeHash() });
    // Export is the canonical trimmed node list: re-encoding reproduces the vector bytes.
    assert.equal(toHex(encodeRatchetTree(tree.toNodes())), v.tree, `case ${i}: export`);
    const restored = RatchetTree.fromBytes(cs, tree.toBytes());
    assert.equal(toHex(restored.treeHash()), toHex(tree.treeHash()), `case ${i}: restore`);
    passed++;
  }
  t.diagnostic(`tree-validation.json: ${passed}/${cases.length} cases`);
});
