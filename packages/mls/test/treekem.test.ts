// RFC 9420 §7.4-§7.6 TreeKEM against the IETF treekem.json vectors (all seven ciphersuites): process every
// UpdatePath as every other member, then create our own UpdatePath per sender and have every member process it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { decryptWithLabel, encryptWithLabel } from '../src/crypto/labels.js';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import type { CipherSuite, Rng } from '../src/crypto/provider.js';
import { nodeKeyPair, PrivateTree } from '../src/tree/private-tree.js';
import { RatchetTree } from '../src/tree/ratchet-tree.js';
import { applyUpdatePath, createUpdatePath, type ProvisionalContext } from '../src/tree/treekem.js';
import { decodeRatchetTree } from '../src/wire/ratchet-tree.js';
import { decodeUpdatePath } from '../src/wire/update-path.js';
import { type ProviderUnderTest, providers, selectCases, suitesOf } from './helpers/providers.js';
import { hex, loadVectors, toHex } from './helpers/vectors.js';

interface TreeKemVector {
  cipher_suite: number;
  group_id: string;
  epoch: number;
  confirmed_transcript_hash: string;
  ratchet_tree: string;
  leaves_private: {
    index: number;
    encryption_priv: string;
    signature_priv: string;
    path_secrets: { node: number; path_secret: string }[];
  }[];
  update_paths: {
    sender: number;
    update_path: string;
    path_secrets: (string | null)[];
    commit_secret: string;
    tree_hash_after: string;
  }[];
}

/** The private key matches the public key iff a test message sealed to the public key opens with it. */
function keysMatch(cs: CipherSuite, pub: Uint8Array, priv: Uint8Array, rng: Rng): boolean {
  const msg = new Uint8Array([1, 2, 3]);
  const ct = encryptWithLabel(cs, pub, 'test', new Uint8Array(0), msg, rng);
  try {
    return toHex(decryptWithLabel(cs, priv, 'test', new Uint8Array(0), ct.kemOutput, ct.ciphertext)) === '010203';
  } catch {
    return false;
  }
}

function privateStates(cs: CipherSuite, tree: RatchetTree, v: TreeKemVector, rng: Rng): Map<number, PrivateTree> {
  const out = new Map<number, PrivateTree>();
  for (const lp of v.leaves_private) {
    const pub = tree.encryptionKey(2 * lp.index);
    assert.ok(pub, `leaf ${lp.index} is blank`);
    const priv = hex(lp.encryption_priv);
    assert.ok(keysMatch(cs, pub, priv, rng), `leaf ${lp.index}: private key does not match`);
    let st = PrivateTree.forLeaf(lp.index, { privateKey: priv, publicKey: pub });
    st = st.withKeys(lp.path_secrets.map((ps) => [ps.node, nodeKeyPair(cs, hex(ps.path_secret))] as const));
    assert.ok(st.consistentWith(tree), `leaf ${lp.index}: private state inconsistent with the tree`);
    out.set(lp.index, st);
  }
  return out;
}

function runCase(p: ProviderUnderTest, ci: number, v: TreeKemVector): { processed: number; created: number } {
  let processed = 0;
  let created = 0;
  const cs = p.provider.suite(v.cipher_suite);
  const tree = RatchetTree.fromNodes(cs, decodeRatchetTree(hex(v.ratchet_tree))).computeAllHashes();
  const privs = privateStates(cs, tree, v, p.rng);
  const ctx: ProvisionalContext = {
    version: 1,
    cipherSuite: v.cipher_suite,
    groupId: hex(v.group_id),
    epoch: BigInt(v.epoch),
    confirmedTranscriptHash: hex(v.confirmed_transcript_hash),
    extensions: [],
  };
  for (const up of v.update_paths) {
    const updatePath = decodeUpdatePath(hex(up.update_path));
    let treeAfter: RatchetTree | undefined;
    for (const [j, st] of privs) {
      if (j === up.sender) continue;
      const r = applyUpdatePath({ tree, privateTree: st, senderLeaf: up.sender, updatePath, groupContext: ctx });
      assert.equal(toHex(r.pathSecret), up.path_secrets[j], `${p.name} case ${ci} sender ${up.sender} member ${j}: path secret`);
      assert.equal(toHex(r.commitSecret), up.commit_secret, `${p.name} case ${ci} sender ${up.sender} member ${j}: commit secret`);
      assert.ok(r.privateTree.consistentWith(r.tree));
      treeAfter = r.tree;
      processed++;
    }
    assert.ok(treeAfter);
    assert.equal(toHex(treeAfter.treeHash()), up.tree_hash_after, `${p.name} case ${ci} sender ${up.sender}: tree hash after`);
    // The incremental hash equals a from-scratch computation over the same nodes.
    assert.equal(toHex(RatchetTree.fromNodes(cs, treeAfter.toNodes()).treeHash()), up.tree_hash_after);

    // Our own UpdatePath from the same sender, processed by every other member.
    const lp = v.leaves_private.find((l) => l.index === up.sender);
    const sender = tree.leaf(up.sender);
    assert.ok(lp && sender);
    const mine = createUpdatePath({
      tree,
      privateTree: privs.get(up.sender),
      leafIndex: up.sender,
      leaf: sender,
      signaturePrivateKey: hex(lp.signature_priv),
      groupContext: ctx,
      rng: p.rng,
    });
    assert.ok(mine.privateTree.consistentWith(mine.tree));
    for (const [j, st] of privs) {
      if (j === up.sender) continue;
      const r = applyUpdatePath({ tree, privateTree: st, senderLeaf: up.sender, updatePath: mine.updatePath, groupContext: ctx });
      assert.equal(toHex(r.commitSecret), toHex(mine.commitSecret), `${p.name} case ${ci}: our commit secret at member ${j}`);
      assert.equal(toHex(r.tree.treeHash()), toHex(mine.tree.treeHash()));
    }
    created++;
  }
  return { processed, created };
}

const vectors = loadVectors<TreeKemVector>('treekem');

for (const p of providers) {
  const { cases: selected, summary } = selectCases(p, 'treekem', vectors);

  test(`treekem.json, ${p.name} provider: process every UpdatePath, then create and process our own`, async (t) => {
    let passed = 0;
    for (const suite of suitesOf(selected)) {
      // One subtest per ciphersuite, so a provider gap in one suite does not hide the others.
      await t.test(`${p.name}: cipher suite ${suite}`, (st) => {
        let processed = 0;
        let created = 0;
        const mine = selected.filter(([, v]) => v.cipher_suite === suite);
        for (const [ci, v] of mine) {
          const r = runCase(p, ci, v);
          processed += r.processed;
          created += r.created;
          passed++;
        }
        st.diagnostic(
          `${p.name} suite ${suite}: ${mine.length} cases, ${processed} UpdatePath decryptions, ${created} own UpdatePaths round-tripped`,
        );
      });
    }
    assert.equal(passed, selected.length);
    t.diagnostic(summary);
  });
}

test('PrivateTree and TreeKEM results do not print secrets', () => {
  const v = vectors[0] as TreeKemVector;
  const cs = createNativeProvider().suite(v.cipher_suite);
  const tree = RatchetTree.fromNodes(cs, decodeRatchetTree(hex(v.ratchet_tree)));
  const st = privateStates(cs, tree, v, nativeRandom).get(0) as PrivateTree;
  const secretHex = (v.leaves_private[0] as TreeKemVector['leaves_private'][number]).encryption_priv;
  for (const s of [String(st), JSON.stringify(st), inspect(st), JSON.stringify({ st })]) {
    assert.ok(!s.includes(secretHex) && !s.includes(secretHex.slice(0, 16)), s);
    assert.match(s, /redacted/);
  }
  const up = v.update_paths[1] as TreeKemVector['update_paths'][number];
  const r = applyUpdatePath({
    tree,
    privateTree: st,
    senderLeaf: up.sender,
    updatePath: decodeUpdatePath(hex(up.update_path)),
    groupContext: {
      version: 1,
      cipherSuite: v.cipher_suite,
      groupId: hex(v.group_id),
      epoch: BigInt(v.epoch),
      confirmedTranscriptHash: hex(v.confirmed_transcript_hash),
      extensions: [],
    },
  });
  for (const s of [String(r), JSON.stringify(r), inspect(r)]) assert.ok(!s.includes(up.commit_secret) && /redacted/.test(s), s);
});
