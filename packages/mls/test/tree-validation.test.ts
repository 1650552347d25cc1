// RFC 9420 §4.1.1 resolutions, §7.8 tree hashes, §7.9.2 parent hashes and §7.3 leaf signatures
// against the IETF tree-validation.json vectors (all seven ciphersuites), plus export/import round trips.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RatchetTree } from '../src/tree/ratchet-tree.js';
import { validateRatchetTree } from '../src/tree/validate.js';
import { decodeRatchetTree, encodeRatchetTree } from '../src/wire/ratchet-tree.js';
import { providers, selectCases, suitesOf } from './helpers/providers.js';
import { hex, loadVectors, toHex } from './helpers/vectors.js';

interface TreeValidationVector {
  cipher_suite: number;
  tree: string;
  group_id: string;
  resolutions: number[][];
  tree_hashes: string[];
}

const vectors = loadVectors<TreeValidationVector>('tree-validation');

for (const p of providers) {
  const { cases: selected, summary } = selectCases(p, 'tree-validation', vectors);

  test(`tree-validation.json, ${p.name} provider: resolutions, tree hashes, parent hashes, leaf signatures`, async (t) => {
    let passed = 0;
    for (const suite of suitesOf(selected)) {
      // One subtest per ciphersuite, so a provider gap in one suite does not hide the others.
      await t.test(`${p.name}: cipher suite ${suite}`, (st) => {
        const mine = selected.filter(([, v]) => v.cipher_suite === suite);
        for (const [i, v] of mine) {
          const at = `${p.name} case ${i}`;
          const cs = p.provider.suite(v.cipher_suite);
          const tree = RatchetTree.fromNodes(cs, decodeRatchetTree(hex(v.tree)));
          assert.equal(tree.nodeCount, v.tree_hashes.length, `${at}: node count`);
          for (let x = 0; x < tree.nodeCount; x++) {
            assert.deepEqual(tree.resolution(x), v.resolutions[x], `${at}: resolution(${x})`);
            assert.equal(toHex(tree.nodeHash(x)), v.tree_hashes[x], `${at}: tree hash(${x})`);
          }
          validateRatchetTree(tree, { groupId: hex(v.group_id), treeHash: tree.treeHash() });
          // Export is the canonical trimmed node list: re-encoding reproduces the vector bytes.
          assert.equal(toHex(encodeRatchetTree(tree.toNodes())), v.tree, `${at}: export`);
          const restored = RatchetTree.fromBytes(cs, tree.toBytes());
          assert.equal(toHex(restored.treeHash()), toHex(tree.treeHash()), `${at}: restore`);
          passed++;
        }
        st.diagnostic(`${p.name} suite ${suite}: ${mine.length} cases`);
      });
    }
    assert.equal(passed, selected.length);
    t.diagnostic(summary);
  });
}
