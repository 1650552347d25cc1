// RFC 9420 §12.4.3: signed GroupInfo of the current epoch (for a Welcome or an external join), with optional
// ratchet_tree (§12.4.3.3) and external_pub (§12.4.3.2) extensions.
import { signWithLabel, verifyWithLabel } from '../crypto/labels.js';
import type { CipherSuite } from '../crypto/provider.js';
import { ValidationError } from '../errors.js';
import { deriveExternalKeyPair } from '../schedule/key-schedule.js';
import { RatchetTree } from '../tree/ratchet-tree.js';
import { validateRatchetTree } from '../tree/validate.js';
import {
  type Extension,
  ExtensionType,
  encodeExternalPub,
  encodeGroupInfoTbs,
  decodeRatchetTree,
  encodeRatchetTree,
  type GroupContext,
  type GroupInfo,
  type RatchetTreeNodes,
} from '../wire/index.js';
import type { GroupDeps, GroupState } from './state.js';

export interface GroupInfoOptions {
  /** Include the ratchet_tree extension (default true). */
  ratchetTree?: boolean;
  /** Include external_pub so non-members can join by external commit (default false). */
  externalPub?: boolean;
}

export function ratchetTreeExtension(tree: RatchetTree): Extension {
  return { extensionType: ExtensionType.ratchet_tree, extensionData: encodeRatchetTree(tree.toNodes()) };
}

export function signGroupInfo(cs: CipherSuite, state: GroupState, opts: GroupInfoOptions = {}): GroupInfo {
  const extensions: Extension[] = [];
  if (opts.ratchetTree ?? true) extensions.push(ratchetTreeExtension(state.tree));
  if (opts.externalPub) {
    const kp = deriveExternalKeyPair(cs, state.keys.externalSecret);
    extensions.push({ extensionType: ExtensionType.external_pub, extensionData: encodeExternalPub(kp.publicKey) });
  }
  const tbs: Omit<GroupInfo, 'signature'> = {
    groupContext: state.context,
    extensions,
    confirmationTag: state.confirmationTag,
    signer: state.ownLeaf,
  };
  return { ...tbs, signature: signWithLabel(cs, state.signaturePrivateKey, 'GroupInfoTBS', encodeGroupInfoTbs(tbs)) };
}

/** RFC 9420 §12.4.3.1: the GroupInfo signature verifies under the signer leaf's key in `tree`. */
export function verifyGroupInfo(cs: CipherSuite, gi: GroupInfo, tree: RatchetTree, code: string): void {
  const signer = tree.leaf(gi.signer);
  const { signature, ...tbs } = gi;
  if (!signer || !verifyWithLabel(cs, signer.signatureKey, 'GroupInfoTBS', encodeGroupInfoTbs(tbs), signature)) {
    throw new ValidationError(code, 'GroupInfo signature does not verify');
  }
}

/**
 * RFC 9420 §12.4.3.1 / §12.4.3.3: the tree of a GroupInfo (its ratchet_tree extension, else `outOfBand`), checked:
 * the GroupInfo signature under the signer's leaf (`codes.signature`), the tree's integrity (V-TREE-*, V-LEAF-*) and
 * the application's acceptance of every member credential (V-WELC-08). `codes.noTree` when no tree is available.
 */
export function verifiedGroupInfoTree(
  deps: GroupDeps,
  gi: GroupInfo,
  outOfBand: RatchetTreeNodes | undefined,
  codes: { noTree: string; signature: string },
): RatchetTree {
  const ctx = gi.groupContext;
  const cs = deps.crypto.suite(ctx.cipherSuite);
  const treeExt = findExtension(gi.extensions, ExtensionType.ratchet_tree);
  const nodes = treeExt ? decodeRatchetTree(treeExt.extensionData) : outOfBand;
  if (!nodes) throw new ValidationError(codes.noTree, 'no ratchet tree: pass it out of band');
  const tree = RatchetTree.fromNodes(cs, nodes);
  verifyGroupInfo(cs, gi, tree, codes.signature);
  validateRatchetTree(tree, { groupId: ctx.groupId, treeHash: ctx.treeHash, groupExtensions: ctx.extensions });
  if (deps.validateCredential) {
    for (const [, leaf] of tree.leaves()) {
      if (!deps.validateCredential(leaf.credential, leaf.signatureKey)) {
        throw new ValidationError('V-WELC-08', 'a member credential is rejected by the application');
      }
    }
  }
  return tree;
}

export function findExtension(exts: readonly Extension[], type: number): Extension | undefined {
  return exts.find((e) => e.extensionType === type);
}

export type { GroupContext };
