// Validation of leaf nodes (RFC 9420 §7.3) and of a whole ratchet tree when joining (§12.4.3.1, §7.9.2).
// Every failed MUST throws ValidationError with an ID from checks.ts; messages carry indices, never key bytes.

import { verifyWithLabel } from '../crypto/labels.js';
import type { CipherSuite } from '../crypto/provider.js';
import { ValidationError } from '../errors.js';
import { bytesEqual, toHex } from '../util/bytes.js';
import { decodeRequiredCapabilities } from '../wire/extension.js';
import { encodeLeafNodeTbs } from '../wire/leaf-node.js';
import { type Bytes, type Extension, ExtensionType, type LeafNode, LeafNodeSource, NodeType } from '../wire/types.js';
import { verifyParentHashes } from './parent-hash.js';
import { keyTag, type RatchetTree } from './ratchet-tree.js';
import { directPath, inSubtree } from './tree-math.js';

/** §7.2: extension types 1-5 are "default": always supported, never listed in capabilities. */
const isDefaultExtension = (t: number): boolean => t >= 1 && t <= 5;
/** §7.2: proposal types 1-7 are "default". */
const isDefaultProposal = (t: number): boolean => t >= 1 && t <= 7;

export type LeafSource = 'key_package' | 'update' | 'commit';
const SOURCE: Record<LeafSource, number> = {
  key_package: LeafNodeSource.key_package,
  update: LeafNodeSource.update,
  commit: LeafNodeSource.commit,
};

export interface LeafCheckContext {
  cs: CipherSuite;
  /** Group the leaf is used in; signs into LeafNodeTBS for update/commit sources. */
  groupId: Bytes;
  /** The leaf's index in the group (required for update/commit sources). */
  leafIndex?: number;
  /** The source the leaf must have here; omit to accept any (a leaf already in a tree). */
  source?: LeafSource;
  /** The tree the leaf joins: for credential-type and uniqueness checks against the other members. */
  tree?: RatchetTree;
  /** GroupContext extensions (required_capabilities; every extension must be supported). */
  groupExtensions?: readonly Extension[];
  /** Seconds since the epoch: when given, a key_package leaf's lifetime must contain it (§7.3). */
  now?: bigint;
  /** Application maximum for not_after - not_before, in seconds (§7.2). */
  maxLifetime?: bigint;
  /** The leaf this one replaces (Update, UpdatePath): its encryption key must differ (§12.1.2, §12.4.2). */
  replacing?: LeafNode;
}

/** RFC 9420 §7.3 leaf node validation (credential validation itself is the application's, §5.3.1). */
export function validateLeafNode(leaf: LeafNode, ctx: LeafCheckContext): void {
  checkLeafSelf(leaf, ctx);
  if (ctx.tree !== undefined) {
    checkCredentialTypes(leaf, ctx.tree, ctx.leafIndex);
    checkUniqueKeys(leaf, ctx.tree, ctx.leafIndex);
  }
}

/** The §7.3 checks that need no other member: source, signature, capabilities, lifetime, replaced key. */
function checkLeafSelf(leaf: LeafNode, ctx: LeafCheckContext): void {
  const v = (id: string, msg: string) => new ValidationError(id, ctx.leafIndex === undefined ? msg : `leaf ${ctx.leafIndex}: ${msg}`);
  if (ctx.source !== undefined && leaf.leafNodeSource !== SOURCE[ctx.source]) {
    throw v('V-LEAF-02', `leaf_node_source must be ${ctx.source}`);
  }
  const tbs =
    leaf.leafNodeSource === LeafNodeSource.key_package
      ? encodeLeafNodeTbs(leaf)
      : encodeLeafNodeTbs(leaf, ctx.groupId, requireIndex(ctx.leafIndex));
  if (!verifyWithLabel(ctx.cs, leaf.signatureKey, 'LeafNodeTBS', tbs, leaf.signature)) {
    throw v('V-LEAF-01', 'leaf node signature does not verify');
  }
  const caps = leaf.capabilities;
  if (!caps.credentials.includes(leaf.credential.credentialType)) {
    throw v('V-LEAF-03', 'credential type not listed in capabilities');
  }
  const seen = new Set<number>();
  for (const e of leaf.extensions) {
    if (seen.has(e.extensionType)) throw v('V-LEAF-05', 'duplicate leaf node extension type');
    seen.add(e.extensionType);
    if (!isDefaultExtension(e.extensionType) && !caps.extensions.includes(e.extensionType)) {
      throw v('V-LEAF-04', 'leaf node extension not listed in capabilities');
    }
  }
  for (const e of ctx.groupExtensions ?? []) {
    if (e.extensionType === ExtensionType.required_capabilities) {
      const req = decodeRequiredCapabilities(e.extensionData);
      const ok =
        req.extensionTypes.every((t) => isDefaultExtension(t) || caps.extensions.includes(t)) &&
        req.proposalTypes.every((t) => isDefaultProposal(t) || caps.proposals.includes(t)) &&
        req.credentialTypes.every((t) => caps.credentials.includes(t));
      if (!ok) throw v('V-LEAF-06', 'capabilities miss a required capability');
    }
    if (!isDefaultExtension(e.extensionType) && !caps.extensions.includes(e.extensionType)) {
      throw v('V-LEAF-07', 'capabilities miss a group context extension');
    }
  }
  if (leaf.leafNodeSource === LeafNodeSource.key_package && leaf.lifetime !== undefined) {
    const { notBefore, notAfter } = leaf.lifetime;
    if (ctx.now !== undefined && (ctx.now < notBefore || ctx.now > notAfter)) {
      throw v('V-LEAF-09', 'current time outside the leaf node lifetime');
    }
    if (ctx.maxLifetime !== undefined && notAfter - notBefore > ctx.maxLifetime) {
      throw v('V-LEAF-10', 'leaf node lifetime longer than allowed');
    }
  }
  if (ctx.replacing !== undefined && bytesEqual(ctx.replacing.encryptionKey, leaf.encryptionKey)) {
    throw v('V-LEAF-13', 'encryption key equals the key of the replaced leaf');
  }
}

function requireIndex(i: number | undefined): number {
  if (i === undefined) throw new RangeError('leaf index needed to verify an update/commit leaf node');
  return i;
}

/** §7.3: the leaf's credential type is supported by every other member, and it supports theirs. */
function checkCredentialTypes(leaf: LeafNode, tree: RatchetTree, self: number | undefined): void {
  const mine = leaf.credential.credentialType;
  // An indexed loop, not tree.leaves(): this runs for every new or updated leaf, over every member (1,000 in a big group).
  for (let i = 0, n = tree.leafCount; i < n; i++) {
    const other = i === self ? undefined : tree.leaf(i);
    if (other === undefined) continue;
    if (!other.capabilities.credentials.includes(mine) || !leaf.capabilities.credentials.includes(other.credential.credentialType)) {
      throw new ValidationError('V-LEAF-08', `credential type not supported between leaf and member ${i}`);
    }
  }
}

/** §7.3: signature_key unique among members; encryption_key unique among the nodes of the tree. */
function checkUniqueKeys(leaf: LeafNode, tree: RatchetTree, self: number | undefined): void {
  const key = leaf.signatureKey;
  const tag = keyTag(key);
  for (let i = 0, n = tree.leafCount; i < n; i++) {
    const other = i === self ? undefined : tree.leaf(i);
    if (other !== undefined && keyTag(other.signatureKey) === tag && bytesEqual(other.signatureKey, key)) {
      throw new ValidationError('V-LEAF-11', `signature key already used by member ${i}`);
    }
  }
  if (tree.findEncryptionKey([leaf.encryptionKey], self === undefined ? -1 : 2 * self) !== -1) {
    throw new ValidationError('V-LEAF-12', 'encryption key already in the tree');
  }
}

export interface TreeCheckContext {
  groupId: Bytes;
  /** tree_hash of the GroupContext the tree must match (V-TREE-01). */
  treeHash: Bytes;
  groupExtensions?: readonly Extension[];
  now?: bigint;
  maxLifetime?: bigint;
}

/**
 * RFC 9420 §12.4.3.1 "Verify the integrity of the ratchet tree" (joining via Welcome or external commit):
 * tree hash, parent hashes, every leaf valid, unmerged leaves consistent, keys unique.
 */
export function validateRatchetTree(tree: RatchetTree, ctx: TreeCheckContext): void {
  if (!bytesEqual(tree.treeHash(), ctx.treeHash)) throw new ValidationError('V-TREE-01', 'tree hash does not match the group context');
  checkUnmergedLeaves(tree);
  checkTreeUniqueness(tree);
  verifyParentHashes(tree);
  const inUse = new Set<number>();
  for (const [, leaf] of tree.leaves()) inUse.add(leaf.credential.credentialType);
  for (const [leafIndex, leaf] of tree.leaves()) {
    checkLeafSelf(leaf, { ...ctx, cs: tree.cs, leafIndex });
    for (const t of inUse) {
      if (!leaf.capabilities.credentials.includes(t)) {
        throw new ValidationError('V-LEAF-08', `leaf ${leafIndex}: does not support a credential type in use`);
      }
    }
  }
}

/** §7.1 sorted unmerged_leaves; §12.4.3.1 each entry a non-blank descendant, listed on every non-blank node between. */
function checkUnmergedLeaves(tree: RatchetTree): void {
  const n = tree.leafCount;
  for (let p = 1; p < tree.nodeCount; p += 2) {
    const node = tree.parentNode(p);
    if (node === undefined) continue;
    if (node.unmergedLeaves.some((l, i) => i > 0 && l <= (node.unmergedLeaves[i - 1] as number))) {
      throw new ValidationError('V-TREE-06', `parent ${p}: unmerged leaves not strictly increasing`);
    }
    for (const l of node.unmergedLeaves) {
      if (2 * l >= tree.nodeCount || !inSubtree(2 * l, p) || tree.isBlank(2 * l)) {
        throw new ValidationError('V-TREE-03', `parent ${p}: unmerged leaf is not a non-blank descendant`);
      }
      for (const q of directPath(2 * l, n)) {
        if (q === p) break;
        const between = tree.parentNode(q);
        if (between !== undefined && !between.unmergedLeaves.includes(l)) {
          throw new ValidationError('V-TREE-04', `parent ${q}: missing unmerged leaf listed above it`);
        }
      }
    }
  }
}

/** V-TREE-05 (parent keys), V-LEAF-12 (leaf encryption keys) and V-LEAF-11 (signature keys) in one pass. */
function checkTreeUniqueness(tree: RatchetTree): void {
  const enc = new Map<string, number>();
  const sig = new Set<string>();
  for (let x = 0; x < tree.nodeCount; x++) {
    const node = tree.node(x);
    if (node === undefined) continue;
    const k = toHex(node.nodeType === NodeType.leaf ? node.leaf.encryptionKey : node.parent.encryptionKey);
    const first = enc.get(k);
    if (first !== undefined) {
      const parentInvolved = node.nodeType === NodeType.parent || first % 2 === 1;
      throw new ValidationError(parentInvolved ? 'V-TREE-05' : 'V-LEAF-12', `node ${x}: encryption key repeats node ${first}`);
    }
    enc.set(k, x);
    if (node.nodeType === NodeType.leaf) {
      const s = toHex(node.leaf.signatureKey);
      if (sig.has(s)) throw new ValidationError('V-LEAF-11', `leaf ${x >>> 1}: signature key repeats another member`);
      sig.add(s);
    }
  }
}
