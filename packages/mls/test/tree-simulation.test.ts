// Seeded multi-member TreeKEM simulation (RFC 9420 §7, §12.1, §12.4): random commits with Adds (new members
// excluded from resolutions, §7.6), Removes (truncation, §7.7), Updates and path-less commits (unmerged leaves).
// After every epoch: all members agree on the commit secret, hold keys consistent with the tree, the tree passes
// §12.4.3.1 validation, and the incremental tree hash equals a from-scratch one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { signWithLabel } from '../src/crypto/labels.js';
import { createNativeProvider } from '../src/crypto/native/index.js';
import type { CipherSuite, KeyPair, Rng } from '../src/crypto/provider.js';
import { PrivateTree } from '../src/tree/private-tree.js';
import { RatchetTree } from '../src/tree/ratchet-tree.js';
import { applyUpdatePath, createUpdatePath, joinerPrivateTree, type ProvisionalContext } from '../src/tree/treekem.js';
import { validateRatchetTree } from '../src/tree/validate.js';
import { encodeLeafNodeTbs } from '../src/wire/leaf-node.js';
import type { LeafNode } from '../src/wire/types.js';

function seededRng(cs: CipherSuite, seed: number): Rng {
  let counter = 0;
  return (n) => {
    const block = new Uint8Array(8);
    new DataView(block.buffer).setUint32(0, seed);
    new DataView(block.buffer).setUint32(4, counter++);
    return cs.expand(cs.hash(block), new Uint8Array(0), n);
  };
}

interface Member {
  sig: KeyPair;
  leaf: LeafNode;
  state: PrivateTree;
}

class Sim {
  tree: RatchetTree;
  members = new Map<number, Member>();
  epoch = 0n;
  private next = 0;
  readonly groupId = new TextEncoder().encode('simulated-group');

  constructor(
    readonly cs: CipherSuite,
    readonly rng: Rng,
  ) {
    const { leaf, sig, enc } = this.keyPackageLeaf();
    this.tree = RatchetTree.create(cs, leaf);
    this.members.set(0, { sig, leaf, state: PrivateTree.forLeaf(0, enc) });
  }

  keyPackageLeaf() {
    const sig = this.cs.generateSignatureKeyPair(this.rng);
    const enc = this.cs.hpke.generateKeyPair(this.rng);
    const content: Omit<LeafNode, 'signature'> = {
      encryptionKey: enc.publicKey,
      signatureKey: sig.publicKey,
      credential: { credentialType: 1, identity: new TextEncoder().encode(`client-${this.next++}`) },
      capabilities: { versions: [1], cipherSuites: [this.cs.id], extensions: [], proposals: [], credentials: [1] },
      leafNodeSource: 1,
      lifetime: { notBefore: 0n, notAfter: 2n ** 63n },
      extensions: [],
    };
    const leaf = { ...content, signature: signWithLabel(this.cs, sig.privateKey, 'LeafNodeTBS', encodeLeafNodeTbs(content)) };
    return { leaf, sig, enc };
  }

  context(): ProvisionalContext {
    return {
      version: 1,
      cipherSuite: this.cs.id,
      groupId: this.groupId,
      epoch: this.epoch + 1n,
      confirmedTranscriptHash: new Uint8Array(32),
      extensions: [],
    };
  }

  /** One commit by `committer`: Updates by `updaters`, Removes of `removed`, then `adds` new members. */
  commit(committer: number, updaters: number[], removed: number[], adds: number, withPath: boolean): void {
    let tree = this.tree;
    // §12.3 order: Updates, Removes, Adds.
    for (const u of updaters) {
      const m = this.members.get(u) as Member;
      const enc = this.cs.hpke.generateKeyPair(this.rng);
      const { signature: _old, lifetime: _lt, parentHash: _ph, ...rest } = m.leaf;
      const content = { ...rest, encryptionKey: enc.publicKey, leafNodeSource: 2 };
      const leaf = {
        ...content,
        signature: signWithLabel(this.cs, m.sig.privateKey, 'LeafNodeTBS', encodeLeafNodeTbs(content, this.groupId, u)),
      };
      tree = tree.updateLeaf(u, leaf);
      m.leaf = leaf;
      m.state = m.state.withKeys([[2 * u, enc]]);
    }
    for (const r of removed) {
      tree = tree.removeLeaf(r);
      this.members.delete(r);
    }
    const joiners: { index: number; sig: KeyPair; enc: KeyPair; leaf: LeafNode }[] = [];
    for (let i = 0; i < adds; i++) {
      const kp = this.keyPackageLeaf();
      const added = tree.addLeaf(kp.leaf);
      tree = added.tree;
      joiners.push({ index: added.leafIndex, ...kp });
    }
    for (const m of this.members.values()) m.state = m.state.prune(tree);
    const newLeaves = new Set(joiners.map((j) => j.index));
    const ctx = this.context();
    let pathSecretFor: ((l: number) => Uint8Array | undefined) | undefined;
    if (withPath) {
      const c = this.members.get(committer) as Member;
      const created = createUpdatePath({
        tree,
        privateTree: c.state,
        leafIndex: committer,
        leaf: c.leaf,
        signaturePrivateKey: c.sig.privateKey,
        groupContext: ctx,
        newLeaves,
        rng: this.rng,
      });
      for (const [i, m] of this.members) {
        if (i === committer) continue;
        const r = applyUpdatePath({
          tree,
          privateTree: m.state,
          senderLeaf: committer,
          updatePath: created.updatePath,
          groupContext: ctx,
          newLeaves,
        });
        assert.deepEqual(r.commitSecret, created.commitSecret, `member ${i} commit secret`);
        assert.deepEqual(r.tree.treeHash(), created.tree.treeHash());
        m.state = r.privateTree;
      }
      tree = created.tree;
      c.state = created.privateTree;
      c.leaf = created.updatePath.leafNode;
      pathSecretFor = created.pathSecretFor;
    }
    for (const j of joiners) {
      const ps = pathSecretFor?.(j.index);
      const state = joinerPrivateTree(tree, j.index, j.enc, ps === undefined ? undefined : { senderLeaf: committer, pathSecret: ps });
      this.members.set(j.index, { sig: j.sig, leaf: j.leaf, state });
    }
    this.tree = tree;
    this.epoch++;
    this.check();
  }

  check(): void {
    const th = this.tree.treeHash();
    assert.deepEqual(RatchetTree.fromNodes(this.cs, this.tree.toNodes()).treeHash(), th, 'incremental tree hash');
    validateRatchetTree(this.tree, { groupId: this.groupId, treeHash: th });
    assert.equal(this.tree.memberCount, this.members.size);
    for (const [i, m] of this.members) {
      assert.ok(m.state.consistentWith(this.tree), `member ${i} keys consistent`);
      assert.ok(m.state.has(2 * i));
      // Tree invariant (§4.2): every key a member holds is on its own direct path.
      for (const x of m.state.nodes()) assert.ok(x === 2 * i || this.tree.directPath(i).includes(x));
    }
    // The exported form re-imports to the same tree (serialise/restore).
    assert.deepEqual(RatchetTree.fromNodes(this.cs, this.tree.toNodes()).toNodes(), this.tree.toNodes());
  }
}

const provider = createNativeProvider();

test('tree-simulation: random commits keep every member in agreement (fast-check, seeded)', (t) => {
  let epochs = 0;
  const stats = { truncations: 0, joinersExcluded: 0, unmergedNodes: 0 };
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.nat(2), fc.nat(1), fc.boolean()), { minLength: 4, maxLength: 14 }),
      fc.constantFrom(1, 2, 3),
      (seed, rounds, suite) => {
        const cs = provider.suite(suite);
        const sim = new Sim(cs, seededRng(cs, seed));
        for (const [pick, adds, removes, updates, path] of rounds) {
          const ids = [...sim.members.keys()];
          const committer = ids[pick % ids.length] as number;
          const others = ids.filter((i) => i !== committer);
          const removed = others.slice(0, Math.min(removes, others.length));
          const updaters = others.slice(removed.length, removed.length + Math.min(updates, others.length - removed.length));
          // §12.4: a path is required with Updates or Removes, or with no proposals at all.
          const needPath = removed.length + updaters.length > 0 || adds === 0;
          const leavesBefore = sim.tree.leafCount;
          sim.commit(committer, updaters, removed, adds, needPath || path);
          if (sim.tree.leafCount < leavesBefore) stats.truncations++;
          if (adds > 0 && (needPath || path)) stats.joinersExcluded += adds;
          for (let x = 1; x < sim.tree.nodeCount; x += 2)
            if ((sim.tree.parentNode(x)?.unmergedLeaves.length ?? 0) > 0) stats.unmergedNodes++;
          epochs++;
        }
      },
    ),
    { numRuns: 12, seed: 9420 },
  );
  t.diagnostic(
    `${epochs} simulated epochs; ${stats.truncations} truncations, ${stats.joinersExcluded} joiners excluded from paths, ${stats.unmergedNodes} parent-node-epochs with unmerged leaves`,
  );
  assert.ok(
    stats.truncations > 0 && stats.joinersExcluded > 0 && stats.unmergedNodes > 0,
    'simulation covers truncation, exclusion, unmerged leaves',
  );
});
