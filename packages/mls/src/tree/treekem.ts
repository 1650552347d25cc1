// TreeKEM (RFC 9420 §7.4-§7.6, §12.4.2): create an UpdatePath as committer, apply one from another member,
// and seed a joiner's private keys from a Welcome path secret (§12.4.3.1). Pure: randomness comes in as `rng`.

import { decryptWithLabel, encryptWithLabel, signWithLabel } from '../crypto/labels.js';
import type { KeyPair, Rng } from '../crypto/provider.js';
import { redactSecrets } from '../crypto/secret.js';
import { MlsError, UsageError, ValidationError } from '../errors.js';
import { bytesEqual } from '../util/bytes.js';
import { encodeGroupContext } from '../wire/group-context.js';
import { encodeLeafNodeTbs } from '../wire/leaf-node.js';
import {
  type Bytes,
  type Extension,
  type GroupContext,
  type HpkeCiphertext,
  type LeafNode,
  LeafNodeSource,
  type UpdatePath,
} from '../wire/types.js';
import { nextPathSecret, nodeKeyPair, PrivateTree } from './private-tree.js';
import type { PathStep, RatchetTree } from './ratchet-tree.js';
import { commonAncestor, directPath, inSubtree } from './tree-math.js';
import { validateLeafNode } from './validate.js';

const UPDATE_PATH_NODE = 'UpdatePathNode';

/** The GroupContext of the new epoch before its tree hash is known (§12.4.1 / §12.4.2 provisional context). */
export type ProvisionalContext = Omit<GroupContext, 'treeHash'>;

/** The fields of the committer's leaf that the application chooses; the rest is set by TreeKEM (§7.5 step 4). */
export type CommitLeafTemplate = Pick<LeafNode, 'signatureKey' | 'credential' | 'capabilities' | 'extensions'>;

export interface CreatePathParams {
  /** Tree after applying the commit's proposals (§12.4.1), including any new members. */
  tree: RatchetTree;
  /** The committer's private keys for `tree`, if a member already (external joiners have none). */
  privateTree?: PrivateTree;
  leafIndex: number;
  leaf: CommitLeafTemplate;
  signaturePrivateKey: Bytes;
  groupContext: ProvisionalContext;
  /** Leaf indices added by this commit: excluded from every resolution we encrypt to (§7.6). */
  newLeaves?: ReadonlySet<number>;
  rng: Rng;
}

export interface CreatedPath {
  tree: RatchetTree;
  updatePath: UpdatePath;
  /** The provisional GroupContext with the new tree hash (the HPKE context used). */
  groupContext: GroupContext;
  commitSecret: Bytes;
  privateTree: PrivateTree;
  /** Path secret a new member at `leafIndex` needs in its GroupSecrets (§12.4.3.1): the one of the common ancestor. */
  pathSecretFor(leafIndex: number): Bytes | undefined;
}

/** RFC 9420 §7.5 "updates their direct path" + "encrypts path secrets to the group", as the committer. */
export function createUpdatePath(p: CreatePathParams): CreatedPath {
  const { tree, leafIndex, rng } = p;
  const cs = tree.cs;
  const steps = tree.filteredDirectPath(leafIndex);
  // §7.4: fresh leaf secret -> leaf key pair; path_secret[0] from it; each next one by DeriveSecret(., "path").
  const leafSecret = rng(cs.hashLength);
  const leafKeys = nodeKeyPair(cs, leafSecret);
  const secrets: Bytes[] = [nextPathSecret(cs, leafSecret)];
  for (let i = 0; i < steps.length; i++) secrets.push(nextPathSecret(cs, secrets[i] as Bytes));
  const nodeKeys: KeyPair[] = steps.map((_, i) => nodeKeyPair(cs, secrets[i] as Bytes));

  const merged = tree.mergePathKeys(
    leafIndex,
    nodeKeys.map((k) => k.publicKey),
  );
  const content: Omit<LeafNode, 'signature'> = {
    encryptionKey: leafKeys.publicKey,
    signatureKey: p.leaf.signatureKey,
    credential: p.leaf.credential,
    capabilities: p.leaf.capabilities,
    leafNodeSource: LeafNodeSource.commit,
    parentHash: merged.leafParentHash,
    extensions: p.leaf.extensions,
  };
  const groupId = p.groupContext.groupId;
  const signature = signWithLabel(cs, p.signaturePrivateKey, 'LeafNodeTBS', encodeLeafNodeTbs(content, groupId, leafIndex));
  const leafNode: LeafNode = { ...content, signature };
  const next = merged.tree.setLeaf(leafIndex, leafNode);

  const groupContext: GroupContext = { ...p.groupContext, treeHash: next.treeHash() };
  const context = encodeGroupContext(groupContext);
  const exclude = p.newLeaves ?? new Set<number>();
  const nodes = steps.map((step, i) => ({
    encryptionKey: (nodeKeys[i] as KeyPair).publicKey,
    encryptedPathSecret: next
      .resolution(step.copathChild, exclude)
      .map((r): HpkeCiphertext =>
        encryptWithLabel(cs, next.encryptionKey(r) as Bytes, UPDATE_PATH_NODE, context, secrets[i] as Bytes, rng),
      ),
  }));

  const base = (p.privateTree ?? PrivateTree.forLeaf(leafIndex, leafKeys)).prune(next);
  const privateTree = base.withKeys([[2 * leafIndex, leafKeys], ...steps.map((s, i) => [s.node, nodeKeys[i] as KeyPair] as const)]);
  const byNode = new Map(steps.map((s, i) => [s.node, secrets[i] as Bytes]));
  return hide({
    tree: next,
    updatePath: { leafNode, nodes },
    groupContext,
    commitSecret: secrets[steps.length] as Bytes,
    privateTree,
    pathSecretFor: (joiner: number) => byNode.get(commonAncestor(2 * leafIndex, 2 * joiner)),
  });
}

export interface ApplyPathParams {
  /** Tree after applying the commit's proposals, before the path (§12.4.2). */
  tree: RatchetTree;
  /** Our private keys for `tree`. */
  privateTree: PrivateTree;
  senderLeaf: number;
  updatePath: UpdatePath;
  groupContext: ProvisionalContext;
  /** Leaf indices added by this commit (§7.6: excluded from resolutions). */
  newLeaves?: ReadonlySet<number>;
  /** Extra §7.3 inputs for the committer's new leaf node. */
  leafChecks?: { groupExtensions?: readonly Extension[]; now?: bigint; maxLifetime?: bigint };
}

export interface AppliedPath {
  tree: RatchetTree;
  groupContext: GroupContext;
  commitSecret: Bytes;
  privateTree: PrivateTree;
  /** The path secret we decrypted, and the node it belongs to. */
  pathSecret: Bytes;
  pathSecretNode: number;
}

/** What verifying an UpdatePath needs: everything of ApplyPathParams but our private keys (RFC 9420 §12.4.2). */
export type VerifyPathParams = Omit<ApplyPathParams, 'privateTree'>;

/** An UpdatePath whose public checks passed, merged into the tree; its path secrets are still encrypted. */
export interface VerifiedPath {
  /** The tree with the path merged and the committer's new leaf (§7.5). */
  readonly tree: RatchetTree;
  /** The provisional GroupContext with the new tree hash (the HPKE context of the path secrets). */
  readonly groupContext: GroupContext;
  readonly senderLeaf: number;
  readonly updatePath: UpdatePath;
  readonly steps: readonly PathStep[];
  /** Per step, the resolution of its copath child (new leaves excluded), as node indices of `tree`. */
  readonly resolutions: readonly (readonly number[])[];
  readonly newLeaves: ReadonlySet<number>;
}

/**
 * RFC 9420 §12.4.2 + §7.5/§7.6/§7.9, the checks that need no private key: path length (V-PATH-01), the new leaf
 * (V-LEAF-*), fresh keys (V-PATH-03), parent hash (V-PATH-04), one ciphertext per resolution node (V-PATH-02);
 * then the merge. A Delivery Service stops here; a member goes on with decryptUpdatePath.
 */
export function verifyUpdatePath(p: VerifyPathParams): VerifiedPath {
  const { tree, senderLeaf, updatePath } = p;
  const steps = tree.filteredDirectPath(senderLeaf);
  if (updatePath.nodes.length !== steps.length) {
    throw new ValidationError('V-PATH-01', 'UpdatePath length differs from the filtered direct path');
  }
  const leaf = updatePath.leafNode;
  const replacing = tree.leaf(senderLeaf);
  validateLeafNode(leaf, {
    ...p.leafChecks,
    cs: tree.cs,
    groupId: p.groupContext.groupId,
    leafIndex: senderLeaf,
    source: 'commit',
    tree,
    ...(replacing === undefined ? {} : { replacing }),
  });
  const keys = updatePath.nodes.map((n) => n.encryptionKey);
  checkFreshKeys(tree, senderLeaf, [...keys, leaf.encryptionKey]);

  const merged = tree.mergePathKeys(senderLeaf, keys);
  if (leaf.parentHash === undefined || !bytesEqual(leaf.parentHash, merged.leafParentHash)) {
    throw new ValidationError('V-PATH-04', 'leaf parent hash does not match the merged path');
  }
  const next = merged.tree.setLeaf(senderLeaf, leaf);
  const newLeaves = p.newLeaves ?? new Set<number>();
  const resolutions = steps.map((step, i) => {
    const res = next.resolution(step.copathChild, newLeaves);
    if ((updatePath.nodes[i]?.encryptedPathSecret.length ?? 0) !== res.length) {
      throw new ValidationError('V-PATH-02', 'ciphertext count differs from the resolution size');
    }
    return res;
  });
  const groupContext: GroupContext = { ...p.groupContext, treeHash: next.treeHash() };
  return { tree: next, groupContext, senderLeaf, updatePath, steps, resolutions, newLeaves };
}

/** RFC 9420 §12.4.2 + §7.5: validate the UpdatePath, merge it, decrypt our path secret, derive up to the root. */
export function applyUpdatePath(p: ApplyPathParams): AppliedPath {
  if (p.privateTree.leafIndex === p.senderLeaf) throw new UsageError('a member does not apply its own UpdatePath');
  return decryptUpdatePath(verifyUpdatePath(p), p.privateTree);
}

/** RFC 9420 §7.5 "decrypts the path secrets" of a verified path, checks the derived keys (V-PATH-05/06). */
export function decryptUpdatePath(v: VerifiedPath, privateTree: PrivateTree): AppliedPath {
  const { tree: next, steps, updatePath, groupContext } = v;
  const cs = next.cs;
  const me = privateTree.leafIndex;
  if (me === v.senderLeaf) throw new UsageError('a member does not apply its own UpdatePath');
  if (v.newLeaves.has(me)) throw new UsageError('a member added by this commit joins from the Welcome');
  const at = decryptPosition(next, v, privateTree);
  const context = encodeGroupContext(groupContext);
  let secret: Bytes;
  try {
    secret = decryptWithLabel(cs, at.privateKey, UPDATE_PATH_NODE, context, at.ct.kemOutput, at.ct.ciphertext);
  } catch (e) {
    if (e instanceof MlsError) throw new ValidationError('V-PATH-06', 'path secret does not decrypt');
    throw e;
  }
  const pathSecret = secret;
  const derived: [number, KeyPair][] = [];
  for (let i = at.step; i < steps.length; i++) {
    const kp = nodeKeyPair(cs, secret);
    if (!bytesEqual(kp.publicKey, updatePath.nodes[i]?.encryptionKey ?? new Uint8Array(0))) {
      throw new ValidationError('V-PATH-05', 'derived public key differs from the UpdatePath');
    }
    derived.push([(steps[i] as PathStep).node, kp]);
    secret = nextPathSecret(cs, secret);
  }
  return hide({
    tree: next,
    groupContext,
    commitSecret: secret,
    privateTree: privateTree.prune(next).withKeys(derived),
    pathSecret,
    pathSecretNode: (steps[at.step] as PathStep).node,
  });
}

/** §12.4.2: no UpdatePath key (path nodes and leaf) may sit in a node the merge keeps, nor repeat within the path. */
function checkFreshKeys(tree: RatchetTree, senderLeaf: number, keys: readonly Bytes[]): void {
  const replaced = new Set([2 * senderLeaf, ...directPath(2 * senderLeaf, tree.leafCount)]);
  const unique = keys.every((k, i) => keys.findIndex((q) => bytesEqual(q, k)) === i);
  if (!unique || tree.findEncryptionKey(keys, replaced) !== -1) {
    throw new ValidationError('V-PATH-03', 'UpdatePath public key already used in the tree');
  }
}

/**
 * §7.5 "decrypts the path secrets": the first path step whose copath child covers our leaf, and the resolution node
 * there whose private key we hold (ciphertext counts were checked by verifyUpdatePath).
 */
function decryptPosition(tree: RatchetTree, v: VerifiedPath, mine: PrivateTree): { step: number; privateKey: Bytes; ct: HpkeCiphertext } {
  for (let i = 0; i < v.steps.length; i++) {
    if (!inSubtree(2 * mine.leafIndex, (v.steps[i] as PathStep).copathChild)) continue;
    const cts = v.updatePath.nodes[i]?.encryptedPathSecret ?? [];
    const res = v.resolutions[i] ?? [];
    for (let j = 0; j < res.length; j++) {
      const r = res[j] as number;
      const sk = mine.privateKey(r);
      const pk = mine.publicKey(r);
      const current = tree.encryptionKey(r);
      if (sk !== undefined && pk !== undefined && current !== undefined && bytesEqual(pk, current)) {
        return { step: i, privateKey: sk, ct: cts[j] as HpkeCiphertext };
      }
    }
    throw new ValidationError('V-PATH-06', 'no private key of ours matches the resolution the path secret was encrypted to');
  }
  throw new ValidationError('V-PATH-06', 'the UpdatePath carries no path secret for our leaf');
}

/**
 * RFC 9420 §12.4.3.1: a joiner's private keys from the Welcome: its leaf key pair, plus, when GroupSecrets has a
 * path_secret, the key pairs of the common ancestor with the committer (`senderLeaf`) and of every non-blank node
 * above it, each checked against the tree (V-PATH-05).
 */
export function joinerPrivateTree(
  tree: RatchetTree,
  leafIndex: number,
  leafKeyPair: KeyPair,
  path?: { senderLeaf: number; pathSecret: Bytes },
): PrivateTree {
  const own = PrivateTree.forLeaf(leafIndex, leafKeyPair);
  if (path === undefined) return own;
  const cs = tree.cs;
  const start = commonAncestor(2 * leafIndex, 2 * path.senderLeaf);
  const derived: [number, KeyPair][] = [];
  let secret = path.pathSecret;
  for (const x of [start, ...directPath(start, tree.leafCount)]) {
    if (x !== start && tree.isBlank(x)) continue;
    const kp = nodeKeyPair(cs, secret);
    const pub = tree.encryptionKey(x);
    if (pub === undefined || !bytesEqual(pub, kp.publicKey)) {
      throw new ValidationError('V-PATH-05', 'path secret does not derive the public key in the tree');
    }
    derived.push([x, kp]);
    secret = nextPathSecret(cs, secret);
  }
  return own.withKeys(derived);
}

/** Result objects carry secrets: printing them shows no bytes (STYLE.md rule 7). */
function hide<T extends object>(obj: T): T {
  return redactSecrets(obj, 'TreeKEM result');
}
