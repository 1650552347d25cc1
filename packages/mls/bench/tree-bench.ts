// Benchmark of the tree hot paths in a 1000-member group (targets: UpdatePath created < 10 ms, processed < 4 ms).
// Run: node --import tsx bench/tree-bench.ts. Prints medians; times are never asserted in tests.
import assert from 'node:assert/strict';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import type { KeyPair } from '../src/crypto/provider.js';
import { PrivateTree } from '../src/tree/private-tree.js';
import { RatchetTree } from '../src/tree/ratchet-tree.js';
import { directPath } from '../src/tree/tree-math.js';
import { applyUpdatePath, createUpdatePath, type ProvisionalContext } from '../src/tree/treekem.js';
import type { LeafNode, Node } from '../src/wire/types.js';
import { median } from './measure.js';

const MEMBERS = 1000;

function time(runs: number, f: () => void): number {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    out.push(performance.now() - t0);
  }
  return median(out);
}

function main(): void {
  const cs = createNativeProvider().suite(1);
  const sig = cs.generateSignatureKeyPair(nativeRandom);
  const leafKeys: KeyPair[] = [];
  const nodes: (Node | undefined)[] = [];
  const parentKeys = new Map<number, KeyPair>();
  for (let l = 0; l < MEMBERS; l++) {
    const kp = cs.hpke.generateKeyPair(nativeRandom);
    leafKeys.push(kp);
    const leaf: LeafNode = {
      encryptionKey: kp.publicKey,
      signatureKey: l === 0 ? sig.publicKey : nativeRandom(32),
      credential: { credentialType: 1, identity: new TextEncoder().encode(`member-${l}`) },
      capabilities: { versions: [1], cipherSuites: [1], extensions: [], proposals: [], credentials: [1] },
      leafNodeSource: 3,
      parentHash: nativeRandom(32),
      extensions: [],
      signature: nativeRandom(64),
    };
    nodes[2 * l] = { nodeType: 1, leaf };
  }
  // Every parent non-blank, as after many commits: the realistic worst case for resolutions.
  const width = 2 * 1024 - 1;
  for (let x = 1; x < width; x += 2) {
    const kp = cs.hpke.generateKeyPair(nativeRandom);
    parentKeys.set(x, kp);
    nodes[x] = { nodeType: 2, parent: { encryptionKey: kp.publicKey, parentHash: nativeRandom(32), unmergedLeaves: [] } };
  }
  while (nodes[nodes.length - 1] === undefined) nodes.pop();

  const fullHash = time(5, () => RatchetTree.fromNodes(cs, nodes).treeHash());
  const tree = RatchetTree.fromNodes(cs, nodes).computeAllHashes();
  const ctx: ProvisionalContext = {
    version: 1,
    cipherSuite: 1,
    groupId: nativeRandom(16),
    epoch: 42n,
    confirmedTranscriptHash: nativeRandom(32),
    extensions: [],
  };
  const sender = 0;
  const receiver = 777;
  let receiverState = PrivateTree.forLeaf(receiver, leafKeys[receiver] as KeyPair);
  receiverState = receiverState.withKeys(
    directPath(2 * receiver, tree.leafCount).flatMap((x) => (parentKeys.has(x) ? [[x, parentKeys.get(x) as KeyPair] as const] : [])),
  );
  const senderLeaf = tree.leaf(sender) as LeafNode;
  const create = () =>
    createUpdatePath({
      tree,
      leafIndex: sender,
      leaf: senderLeaf,
      signaturePrivateKey: sig.privateKey,
      groupContext: ctx,
      rng: nativeRandom,
    });
  const created = create();
  const processPath = () =>
    applyUpdatePath({ tree, privateTree: receiverState, senderLeaf: sender, updatePath: created.updatePath, groupContext: ctx });
  assert.deepEqual(processPath().commitSecret, created.commitSecret);

  const tCreate = time(31, create);
  const tProcess = time(31, processPath);
  const tUpdate = time(31, () => tree.updateLeaf(500, senderLeaf).treeHash());
  console.log(`members=${MEMBERS} nodes=${tree.nodeCount}`);
  console.log(`full tree hash from scratch: ${fullHash.toFixed(2)} ms`);
  console.log(`Update proposal + incremental tree hash: ${tUpdate.toFixed(3)} ms`);
  console.log(`createUpdatePath (median of 31): ${tCreate.toFixed(2)} ms (target < 10)`);
  console.log(`applyUpdatePath (median of 31): ${tProcess.toFixed(2)} ms (target < 4)`);
}

main();
