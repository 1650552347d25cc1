// RFC 9420 §12.3 applying a validated proposal list: GroupContextExtensions, Update, Remove, Add, PreSharedKey.
import type { RatchetTree } from '../tree/ratchet-tree.js';
import {
  type Bytes,
  type Extension,
  type KeyPackage,
  type PreSharedKeyID,
  ProposalType,
  type ReInit,
  type Sender,
  SenderType,
} from '../wire/index.js';
import type { ResolvedProposal } from './proposal-list.js';
import { type Member, memberOf } from './state.js';

/** A leaf a commit removes, with the sender of the Remove proposal (the committer for one by value, RFC 9420 §12.1.3). */
export interface RemovedMember extends Member {
  readonly proposer: Sender;
}

export interface AppliedProposals {
  readonly tree: RatchetTree;
  readonly extensions: Extension[];
  readonly added: { leafIndex: number; keyPackage: KeyPackage }[];
  readonly removed: RemovedMember[];
  readonly updated: Member[];
  readonly psks: PreSharedKeyID[];
  /** kem_output of the ExternalInit proposal (external commits). */
  readonly externalInit?: Bytes;
  /** The committed ReInit (RFC 9420 §11.2): the group ends with this commit and continues as a new group. */
  readonly reinit?: ReInit;
}

/** RFC 9420 §12.3: applies the proposals in the mandated order to a copy of the tree. */
export function applyProposals(tree: RatchetTree, extensions: Extension[], list: readonly ResolvedProposal[]): AppliedProposals {
  let t = tree;
  let exts = extensions;
  const removed: RemovedMember[] = [];
  const updated: Member[] = [];
  const added: { leafIndex: number; keyPackage: KeyPackage }[] = [];
  const psks: PreSharedKeyID[] = [];
  let externalInit: Bytes | undefined;
  let reinit: ReInit | undefined;
  for (const { proposal: p } of list) {
    if (p.proposalType === ProposalType.group_context_extensions) exts = p.groupContextExtensions.extensions;
  }
  for (const { proposal: p, sender } of list) {
    if (p.proposalType !== ProposalType.update || sender.senderType !== SenderType.member) continue;
    t = t.updateLeaf(sender.leafIndex, p.update.leafNode);
    updated.push(memberOf(sender.leafIndex, p.update.leafNode));
  }
  for (const { proposal: p, sender } of list) {
    if (p.proposalType !== ProposalType.remove) continue;
    const leaf = t.leaf(p.remove.removed);
    if (leaf) removed.push({ ...memberOf(p.remove.removed, leaf), proposer: sender });
    t = t.removeLeaf(p.remove.removed);
  }
  for (const { proposal: p } of list) {
    if (p.proposalType !== ProposalType.add) continue;
    const r = t.addLeaf(p.add.keyPackage.leafNode);
    t = r.tree;
    added.push({ leafIndex: r.leafIndex, keyPackage: p.add.keyPackage });
  }
  for (const { proposal: p } of list) {
    if (p.proposalType === ProposalType.psk) psks.push(p.psk.psk);
    if (p.proposalType === ProposalType.external_init) externalInit = p.externalInit.kemOutput;
    if (p.proposalType === ProposalType.reinit) reinit = p.reinit;
  }
  return {
    tree: t,
    extensions: exts,
    added,
    removed,
    updated,
    psks,
    ...(externalInit ? { externalInit } : {}),
    ...(reinit ? { reinit } : {}),
  };
}
