// RFC 9420 §7.4-§7.6 TreeKEM as the group state machine uses it: create an UpdatePath for our own commit,
// or merge and decrypt a received one, tracking the HPKE private keys we hold by node index.
import { decryptWithLabel, deriveSecret, encryptWithLabel, signWithLabel } from '../crypto/labels.js';
import type { CipherSuite, KeyPair, Rng } from '../crypto/provider.js';
import { ValidationError } from '../errors.js';
import type { RatchetTree } from '../tree/ratchet-tree.js';
import { commonAncestor, inSubtree } from '../tree/tree-math.js';
import { validateLeafNode } from '../tree/validate.js';
import { bytesEqual } from '../util/bytes.js';
import {
  type Bytes,
  type GroupContext,
  type LeafNode,
  LeafNodeSource,
  type UpdatePath,
  encodeGroupContext,
  encodeLeafNodeTbs,
} from '../wire/index.js';

/** Private keys we hold, by node index, with their public halves to detect when a node changed under us. */
export type PathKeys = ReadonlyMap<number, KeyPair>;

/** Keeps only the keys whose node still carries the same public key. */
export function prunePathKeys(tree: RatchetTree, keys: PathKeys): Map<number, KeyPair> {
  const out = new Map<number, KeyPair>();
  for (const [x, kp] of keys) {
    const pub = tree.encryptionKey(x);
    if (pub !== undefined && bytesEqual(pub, kp.publicKey)) out.set(x, kp);
  }
  return out;
}

function nodeKeyPair(cs: CipherSuite, pathSecret: Bytes): KeyPair {
  return cs.hpke.deriveKeyPair(deriveSecret(cs, pathSecret, 'node'));
}

export interface CreatedPath {
  readonly tree: RatchetTree;
  readonly path: UpdatePath;
  readonly commitSecret: Bytes;
  /** path_secret by node index of our filtered direct path (for the Welcome's GroupSecrets). */
  readonly pathSecrets: ReadonlyMap<number, Bytes>;
  readonly keys: Map<number, KeyPair>;
}

export interface PathLeafTemplate {
  credential: LeafNode['credential'];
  capabilities: LeafNode['capabilities'];
  extensions: LeafNode['extensions'];
  signatureKey: Bytes;
}

/**
 * RFC 9420 §7.5: new leaf key pair, path secrets up the filtered direct path, merged keys and parent hashes,
 * signed leaf (source commit), then path secrets encrypted to each copath resolution (joiners excluded) under
 * the provisional GroupContext returned by `contextFor(newTreeHash)`.
 */
export function createUpdatePath(
  cs: CipherSuite,
  rng: Rng,
  tree: RatchetTree,
  leafIndex: number,
  leaf: PathLeafTemplate,
  signaturePrivateKey: Bytes,
  exclude: ReadonlySet<number>,
  contextFor: (treeHash: Bytes) => GroupContext,
): CreatedPath & { context: GroupContext } {
  const steps = tree.filteredDirectPath(leafIndex);
  const leafKeys = cs.hpke.generateKeyPair(rng);
  const secrets: Bytes[] = [];
  let ps = rng(cs.hashLength);
  for (let i = 0; i < steps.length; i++) {
    if (i > 0) ps = deriveSecret(cs, ps, 'path');
    secrets.push(ps);
  }
  const commitSecret = deriveSecret(cs, ps, 'path');
  const nodeKeys = secrets.map((s) => nodeKeyPair(cs, s));
  const merged = tree.mergePathKeys(
    leafIndex,
    nodeKeys.map((k) => k.publicKey),
  );
  const unsigned: Omit<LeafNode, 'signature'> = {
    encryptionKey: leafKeys.publicKey,
    signatureKey: leaf.signatureKey,
    credential: leaf.credential,
    capabilities: leaf.capabilities,
    leafNodeSource: LeafNodeSource.commit,
    parentHash: merged.leafParentHash,
    extensions: leaf.extensions,
  };
  const groupId = contextFor(new Uint8Array(0)).groupId;
  const signature = signWithLabel(cs, signaturePrivateKey, 'LeafNodeTBS', encodeLeafNodeTbs(unsigned, groupId, leafIndex));
  const leafNode: LeafNode = { ...unsigned, signature };
  const newTree = merged.tree.setLeaf(leafIndex, leafNode);
  const context = contextFor(newTree.treeHash());
  const ctxBytes = encodeGroupContext(context);
  const nodes = steps.map((step, i) => ({
    encryptionKey: (nodeKeys[i] as KeyPair).publicKey,
    encryptedPathSecret: tree.resolution(step.copathChild, exclude).map((x) => {
      const pub = tree.encryptionKey(x) as Bytes;
      return encryptWithLabel(cs, pub, 'UpdatePathNode', ctxBytes, secrets[i] as Bytes, rng);
    }),
  }));
  const keys = new Map<number, KeyPair>([[2 * leafIndex, leafKeys]]);
  const pathSecrets = new Map<number, Bytes>();
  steps.forEach((s, i) => {
    keys.set(s.node, nodeKeys[i] as KeyPair);
    pathSecrets.set(s.node, secrets[i] as Bytes);
  });
  return { tree: newTree, path: { leafNode, nodes }, commitSecret, pathSecrets, keys, context };
}

/**
 * RFC 9420 §12.4.2 receiver side: validate and merge `path` from `sender` into `tree` (proposals already applied),
 * decrypt the path secret meant for `ownLeaf` and derive every key above it. Throws ValidationError.
 */
export function applyUpdatePath(
  cs: CipherSuite,
  tree: RatchetTree,
  sender: number,
  path: UpdatePath,
  exclude: ReadonlySet<number>,
  ownLeaf: number,
  ownKeys: PathKeys,
  contextFor: (treeHash: Bytes) => GroupContext,
  groupCtx: { groupId: Bytes; extensions: GroupContext['extensions']; newLeaf?: boolean },
): { tree: RatchetTree; commitSecret: Bytes; keys: Map<number, KeyPair>; context: GroupContext } {
  const steps = tree.filteredDirectPath(sender);
  if (path.nodes.length !== steps.length) throw new ValidationError('V-PATH-01', 'UpdatePath length does not match the filtered direct path');
  const old = groupCtx.newLeaf ? undefined : tree.leaf(sender);
  validateLeafNode(path.leafNode, {
    cs,
    groupId: groupCtx.groupId,
    leafIndex: sender,
    source: 'commit',
    tree,
    groupExtensions: groupCtx.extensions,
    ...(old ? { replacing: old } : {}),
  });
  // RFC 9420 §12.4.2: the new public keys appear nowhere else in the tree.
  const newKeys = path.nodes.map((n) => n.encryptionKey);
  for (let i = 0; i < newKeys.length; i++) {
    const k = newKeys[i] as Bytes;
    if (bytesEqual(k, path.leafNode.encryptionKey) || newKeys.some((o, j) => j !== i && bytesEqual(o, k))) {
      throw new ValidationError('V-PATH-03', 'UpdatePath repeats a public key');
    }
  }
  const dp = new Set(tree.directPath(sender));
  for (let x = 0; x < tree.nodeCount; x++) {
    if (dp.has(x) || x === 2 * sender) continue;
    const k = tree.encryptionKey(x);
    if (k && (newKeys.some((n) => bytesEqual(n, k)) || bytesEqual(k, path.leafNode.encryptionKey))) {
      throw new ValidationError('V-PATH-03', 'UpdatePath public key already in the tree');
    }
  }
  const merged = tree.mergePathKeys(sender, newKeys);
  if (!path.leafNode.parentHash || !bytesEqual(merged.leafParentHash, path.leafNode.parentHash)) {
    throw new ValidationError('V-PATH-04', 'UpdatePath leaf parent hash mismatch');
  }
  const newTree = merged.tree.setLeaf(sender, path.leafNode);
  const context = contextFor(newTree.treeHash());
  // Find the step whose copath subtree holds our leaf, and the resolution node we hold a key for.
  const i = steps.findIndex((s) => inSubtree(2 * ownLeaf, s.copathChild));
  if (i < 0) throw new ValidationError('V-PATH-06', 'no path secret for this member');
  const step = steps[i] as (typeof steps)[number];
  const res = tree.resolution(step.copathChild, exclude);
  const cts = (path.nodes[i] as UpdatePath['nodes'][number]).encryptedPathSecret;
  if (cts.length !== res.length) throw new ValidationError('V-PATH-02', 'ciphertext count does not match the resolution');
  const j = res.findIndex((x) => ownKeys.has(x) && bytesEqual((ownKeys.get(x) as KeyPair).publicKey, tree.encryptionKey(x) ?? new Uint8Array(0)));
  if (j < 0) throw new ValidationError('V-PATH-06', 'no private key for the copath resolution');
  const ct = cts[j] as (typeof cts)[number];
  let ps: Bytes;
  try {
    ps = decryptWithLabel(cs, (ownKeys.get(res[j] as number) as KeyPair).privateKey, 'UpdatePathNode', encodeGroupContext(context), ct.kemOutput, ct.ciphertext);
  } catch {
    throw new ValidationError('V-PATH-06', 'path secret does not decrypt');
  }
  const keys = new Map<number, KeyPair>();
  for (let k = i; k < steps.length; k++) {
    if (k > i) ps = deriveSecret(cs, ps, 'path');
    const kp = nodeKeyPair(cs, ps);
    if (!bytesEqual(kp.publicKey, newKeys[k] as Bytes)) throw new ValidationError('V-PATH-05', 'derived public key does not match the UpdatePath');
    keys.set((steps[k] as (typeof steps)[number]).node, kp);
  }
  return { tree: newTree, commitSecret: deriveSecret(cs, ps, 'path'), keys, context };
}

/**
 * RFC 9420 §12.4.3.1: a joiner given the path secret of the lowest common ancestor with the committer derives the
 * keys of that node and every filtered-direct-path node above it, checking each against the tree.
 */
export function keysFromWelcomePathSecret(
  cs: CipherSuite,
  tree: RatchetTree,
  committer: number,
  ownLeaf: number,
  pathSecret: Bytes,
): Map<number, KeyPair> {
  const ancestor = commonAncestor(2 * committer, 2 * ownLeaf);
  const steps = tree.filteredDirectPath(committer);
  const start = steps.findIndex((s) => s.node === ancestor);
  if (start < 0) throw new ValidationError('V-WELC-08', 'path secret for a node outside the committer filtered path');
  const keys = new Map<number, KeyPair>();
  let ps = pathSecret;
  for (let k = start; k < steps.length; k++) {
    if (k > start) ps = deriveSecret(cs, ps, 'path');
    const node = (steps[k] as (typeof steps)[number]).node;
    const kp = nodeKeyPair(cs, ps);
    const pub = tree.encryptionKey(node);
    if (!pub || !bytesEqual(pub, kp.publicKey)) throw new ValidationError('V-WELC-08', 'path secret does not match the tree');
    keys.set(node, kp);
  }
  return keys;
}
