// One must-reject case per check of src/tree/checks.ts (RFC 9420 §7, §12.4.2, §12.4.3.1): each test feeds a
// crafted bad tree, leaf or UpdatePath and asserts the ValidationError code. A final test checks every ID is covered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encryptWithLabel, signWithLabel } from '../src/crypto/labels.js';
import { createNativeProvider } from '../src/crypto/native/index.js';
import type { KeyPair, Rng } from '../src/crypto/provider.js';
import { ValidationError } from '../src/errors.js';
import { TREE_CHECK_IDS } from '../src/tree/checks.js';
import { PrivateTree } from '../src/tree/private-tree.js';
import { RatchetTree } from '../src/tree/ratchet-tree.js';
import { applyUpdatePath, createUpdatePath, joinerPrivateTree, type ProvisionalContext } from '../src/tree/treekem.js';
import { validateLeafNode, validateRatchetTree } from '../src/tree/validate.js';
import { encodeRequiredCapabilities } from '../src/wire/extension.js';
import { encodeGroupContext } from '../src/wire/group-context.js';
import { encodeLeafNodeTbs } from '../src/wire/leaf-node.js';
import type { LeafNode, Node, ParentNode, RatchetTreeNodes, UpdatePath } from '../src/wire/types.js';

const cs = createNativeProvider().suite(1);

/** Deterministic RNG for reproducible fixtures (STYLE.md: tests seed randomness). */
function seededRng(seed: number): Rng {
  let counter = 0;
  return (n) => {
    const block = new Uint8Array(8);
    new DataView(block.buffer).setUint32(0, seed);
    new DataView(block.buffer).setUint32(4, counter++);
    return cs.expand(cs.hash(block), new Uint8Array(0), n);
  };
}
const rng = seededRng(9420);
const groupId = new TextEncoder().encode('must-reject-group');
const ctx: ProvisionalContext = {
  version: 1,
  cipherSuite: 1,
  groupId,
  epoch: 7n,
  confirmedTranscriptHash: new Uint8Array(32),
  extensions: [],
};

interface Member {
  sig: KeyPair;
  enc: KeyPair;
  leaf: LeafNode;
}

/** Signs leaf content (§7.2 LeafNodeTBS; group id and index for update/commit sources). */
function signLeaf(content: Omit<LeafNode, 'signature'>, sigPriv: Uint8Array, leafIndex?: number): LeafNode {
  const tbs = content.leafNodeSource === 1 ? encodeLeafNodeTbs(content) : encodeLeafNodeTbs(content, groupId, leafIndex);
  return { ...content, signature: signWithLabel(cs, sigPriv, 'LeafNodeTBS', tbs) };
}

function newMember(i: number, over: Partial<Omit<LeafNode, 'signature'>> = {}): Member {
  const sig = cs.generateSignatureKeyPair(rng);
  const enc = cs.hpke.generateKeyPair(rng);
  const leaf = signLeaf(
    {
      encryptionKey: enc.publicKey,
      signatureKey: sig.publicKey,
      credential: { credentialType: 1, identity: new TextEncoder().encode(`member-${i}`) },
      capabilities: { versions: [1], cipherSuites: [1], extensions: [0xff00], proposals: [], credentials: [1] },
      leafNodeSource: 1,
      lifetime: { notBefore: 1000n, notAfter: 2000n },
      extensions: [],
      ...over,
    },
    sig.privateKey,
  );
  return { sig, enc, leaf };
}

// Fixture: four members; member 0 commits, then member 2 commits (nodes 1, 3, 5 set; leaves 0 and 2 source commit).
const members = [0, 1, 2, 3].map((i) => newMember(i));
let base = RatchetTree.create(cs, (members[0] as Member).leaf);
for (const m of members.slice(1)) base = base.addLeaf(m.leaf).tree;
let states = members.map((m, i) => PrivateTree.forLeaf(i, m.enc));

function commit(tree: RatchetTree, sender: number) {
  const m = members[sender] as Member;
  const created = createUpdatePath({
    tree,
    privateTree: states[sender],
    leafIndex: sender,
    leaf: m.leaf,
    signaturePrivateKey: m.sig.privateKey,
    groupContext: ctx,
    rng,
  });
  states = states.map((st, i) =>
    i === sender
      ? created.privateTree
      : applyUpdatePath({ tree, privateTree: st, senderLeaf: sender, updatePath: created.updatePath, groupContext: ctx }).privateTree,
  );
  return created;
}
const tree = commit(commit(base, 0).tree, 2).tree;
const nodes = (): RatchetTreeNodes => tree.toNodes().slice();
const withParent = (list: RatchetTreeNodes, x: number, f: (p: ParentNode) => ParentNode): RatchetTreeNodes => {
  const n = list[x];
  assert.ok(n?.nodeType === 2);
  list[x] = { nodeType: 2, parent: f(n.parent) };
  return list;
};
const validate = (list: RatchetTreeNodes) => {
  const t = RatchetTree.fromNodes(cs, list);
  validateRatchetTree(t, { groupId, treeHash: t.treeHash() });
};

const covered = new Set<string>();
function mustReject(id: string, what: string, f: () => unknown): void {
  covered.add(id);
  test(`${id}: rejects ${what}`, () => {
    assert.throws(f, (e: unknown) => e instanceof ValidationError && e.code === id);
  });
}

test('fixture: the crafted group tree is valid and every member agrees', () => {
  validateRatchetTree(tree, { groupId, treeHash: tree.treeHash() });
  for (const st of states) assert.ok(st.consistentWith(tree));
});

// ---- whole tree (§12.4.3.1, §12.4.3.3) ----
mustReject('V-TREE-01', 'a tree whose hash differs from the GroupContext tree_hash', () =>
  validateRatchetTree(tree, { groupId, treeHash: new Uint8Array(32) }),
);
mustReject('V-TREE-02', 'a parent node whose key was swapped (not parent-hash valid)', () =>
  validate(withParent(nodes(), 5, (p) => ({ ...p, encryptionKey: cs.hpke.generateKeyPair(rng).publicKey }))),
);
mustReject('V-TREE-03', 'an unmerged leaf that is not a descendant of the parent', () =>
  validate(withParent(nodes(), 1, (p) => ({ ...p, unmergedLeaves: [2] }))),
);
mustReject('V-TREE-04', 'an unmerged leaf missing from a non-blank node between it and the parent', () =>
  validate(withParent(nodes(), 3, (p) => ({ ...p, unmergedLeaves: [2] }))),
);
mustReject('V-TREE-05', 'a parent node reusing another node encryption key', () =>
  validate(withParent(nodes(), 1, (p) => ({ ...p, encryptionKey: (members[3] as Member).leaf.encryptionKey }))),
);
mustReject('V-TREE-06', 'unsorted unmerged leaves', () => validate(withParent(nodes(), 3, (p) => ({ ...p, unmergedLeaves: [3, 2] }))));
mustReject('V-TREE-07', 'a ratchet_tree ending in a blank node', () => RatchetTree.fromNodes(cs, [...nodes(), undefined]));
mustReject('V-TREE-08', 'a parent node at a leaf position', () => {
  const list = nodes();
  list[2] = list[1] as Node;
  return RatchetTree.fromNodes(cs, list);
});

// ---- leaf nodes (§7.3) ----
const m3 = members[3] as Member;
const leafCtx = { cs, groupId, tree };
const resign = (m: Member, over: Partial<Omit<LeafNode, 'signature'>>, leafIndex?: number): LeafNode => {
  const { signature: _s, ...content } = m.leaf;
  return signLeaf({ ...content, ...over }, m.sig.privateKey, leafIndex);
};
mustReject('V-LEAF-01', 'a leaf node with a bad signature', () =>
  validateLeafNode({ ...m3.leaf, signature: m3.leaf.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) }, { cs, groupId }),
);
mustReject('V-LEAF-02', 'a key_package leaf where an update leaf is required', () =>
  validateLeafNode(m3.leaf, { cs, groupId, leafIndex: 3, source: 'update' }),
);
mustReject('V-LEAF-03', 'a credential type missing from capabilities', () =>
  validateLeafNode(resign(m3, { capabilities: { ...m3.leaf.capabilities, credentials: [2] } }), { cs, groupId }),
);
mustReject('V-LEAF-04', 'a leaf extension not listed in capabilities', () =>
  validateLeafNode(resign(m3, { extensions: [{ extensionType: 0xff07, extensionData: new Uint8Array(0) }] }), { cs, groupId }),
);
mustReject('V-LEAF-05', 'two leaf extensions of the same type', () => {
  const e = { extensionType: 0xff00, extensionData: new Uint8Array(0) };
  return validateLeafNode(resign(m3, { extensions: [e, e] }), { cs, groupId });
});
mustReject('V-LEAF-06', 'capabilities missing a required_capabilities extension', () => {
  const req = encodeRequiredCapabilities({ extensionTypes: [0xff01], proposalTypes: [], credentialTypes: [] });
  return validateLeafNode(m3.leaf, { cs, groupId, groupExtensions: [{ extensionType: 3, extensionData: req }] });
});
mustReject('V-LEAF-07', 'capabilities missing a GroupContext extension', () =>
  validateLeafNode(m3.leaf, { cs, groupId, groupExtensions: [{ extensionType: 0xff02, extensionData: new Uint8Array(0) }] }),
);
mustReject('V-LEAF-08', 'a credential type the other members do not support', () => {
  const x509 = newMember(9, {
    credential: { credentialType: 2, certificates: [new Uint8Array([1, 2, 3])] },
    capabilities: { versions: [1], cipherSuites: [1], extensions: [], proposals: [], credentials: [1, 2] },
  });
  return validateLeafNode(x509.leaf, leafCtx);
});
mustReject('V-LEAF-09', 'a key_package leaf outside its lifetime', () => validateLeafNode(m3.leaf, { cs, groupId, now: 2001n }));
mustReject('V-LEAF-10', 'a lifetime longer than the application maximum', () =>
  validateLeafNode(m3.leaf, { cs, groupId, maxLifetime: 999n }),
);
mustReject('V-LEAF-11', 'a signature key already used by a member', () => {
  const dup = newMember(10);
  return validateLeafNode(signLeaf({ ...resign(dup, {}), signatureKey: m3.sig.publicKey }, m3.sig.privateKey), leafCtx);
});
mustReject('V-LEAF-12', 'an encryption key already in the tree (a parent node key)', () => {
  const fresh = newMember(11);
  return validateLeafNode(resign(fresh, { encryptionKey: tree.encryptionKey(5) as Uint8Array }), leafCtx);
});
mustReject('V-LEAF-13', 'an update leaf that keeps the encryption key it replaces', () => {
  const upd = resign(m3, { leafNodeSource: 2, lifetime: undefined }, 3);
  return validateLeafNode(upd, { ...leafCtx, leafIndex: 3, source: 'update', replacing: m3.leaf });
});

// ---- UpdatePath processing (§7.5, §7.6, §12.4.2): member 0 commits again, member 1 processes ----
const good = createUpdatePath({
  tree,
  privateTree: states[0],
  leafIndex: 0,
  leaf: (members[0] as Member).leaf,
  signaturePrivateKey: (members[0] as Member).sig.privateKey,
  groupContext: ctx,
  rng,
});
const processPath = (updatePath: UpdatePath) =>
  applyUpdatePath({ tree, privateTree: states[1] as PrivateTree, senderLeaf: 0, updatePath, groupContext: ctx });
const [n0, n1] = good.updatePath.nodes as [UpdatePath['nodes'][number], UpdatePath['nodes'][number]];

test('the untampered UpdatePath processes', () => {
  assert.deepEqual(processPath(good.updatePath).commitSecret, good.commitSecret);
});
mustReject('V-PATH-01', 'an UpdatePath with a node missing', () => processPath({ ...good.updatePath, nodes: [n0] }));
mustReject('V-PATH-02', 'an UpdatePath node with too few ciphertexts', () =>
  processPath({ ...good.updatePath, nodes: [n0, { ...n1, encryptedPathSecret: [] }] }),
);
mustReject('V-PATH-03', 'an UpdatePath key already held by another node', () =>
  processPath({ ...good.updatePath, nodes: [n0, { ...n1, encryptionKey: m3.leaf.encryptionKey }] }),
);
mustReject('V-PATH-04', 'an UpdatePath whose keys do not match the signed parent hash', () =>
  processPath({ ...good.updatePath, nodes: [n0, { ...n1, encryptionKey: cs.hpke.generateKeyPair(rng).publicKey }] }),
);
mustReject('V-PATH-05', 'an UpdatePath whose upper key does not derive from the path secret', () => {
  // A malicious committer: consistent parent hash, signature and encryption, but a root key not from the chain.
  const keys = [n0.encryptionKey, cs.hpke.generateKeyPair(rng).publicKey];
  const merged = tree.mergePathKeys(0, keys);
  const m0 = members[0] as Member;
  const leafNode = resign({ ...m0, leaf: good.updatePath.leafNode }, { parentHash: merged.leafParentHash }, 0);
  const t = merged.tree.setLeaf(0, leafNode);
  const context = encodeGroupContext({ ...ctx, treeHash: t.treeHash() });
  const secret = good.pathSecretFor(1) as Uint8Array;
  const ct = encryptWithLabel(cs, (members[1] as Member).leaf.encryptionKey, 'UpdatePathNode', context, secret, rng);
  return processPath({
    leafNode,
    nodes: [
      { encryptionKey: keys[0] as Uint8Array, encryptedPathSecret: [ct] },
      { ...n1, encryptionKey: keys[1] as Uint8Array },
    ],
  });
});
mustReject('V-PATH-05', 'a Welcome path secret that does not derive the tree keys', () =>
  joinerPrivateTree(tree, 1, (members[1] as Member).enc, { senderLeaf: 0, pathSecret: rng(32) }),
);
mustReject('V-PATH-06', 'a path secret ciphertext that does not decrypt', () => {
  const [ct] = n0.encryptedPathSecret;
  assert.ok(ct);
  const bad = { ...ct, ciphertext: ct.ciphertext.map((b, i) => (i === 0 ? b ^ 1 : b)) };
  return processPath({ ...good.updatePath, nodes: [{ ...n0, encryptedPathSecret: [bad] }, n1] });
});

test('every TREE_CHECKS ID has a must-reject test', () => {
  assert.deepEqual(
    [...TREE_CHECK_IDS].filter((id) => !covered.has(id)),
    [],
  );
});
