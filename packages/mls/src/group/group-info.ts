// RFC 9420 §12.4.3: signed GroupInfo of the current epoch (for a Welcome or an external join), with optional
// ratchet_tree (§12.4.3.3) and external_pub (§12.4.3.2) extensions.
import { signWithLabel, verifyWithLabel } from '../crypto/labels.js';
import type { CipherSuite } from '../crypto/provider.js';
import { ValidationError } from '../errors.js';
import { deriveExternalKeyPair } from '../schedule/key-schedule.js';
import type { RatchetTree } from '../tree/ratchet-tree.js';
import {
  type Extension,
  ExtensionType,
  encodeExternalPub,
  encodeGroupInfoTbs,
  encodeRatchetTree,
  type GroupContext,
  type GroupInfo,
} from '../wire/index.js';
import type { GroupState } from './state.js';

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

export function findExtension(exts: readonly Extension[], type: number): Extension | undefined {
  return exts.find((e) => e.extensionType === type);
}

export type { GroupContext };
