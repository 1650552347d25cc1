// RFC 9420 §12.1, §12.2, §12.4.2: the part of receiving proposals and commits that needs no epoch secret: proposal
// validity, sender rules, proposal-list rules, applying the list, the UpdatePath's public checks and merge, and the
// next GroupContext. Shared by a member (process.ts, which then decrypts the path and checks the confirmation tag)
// and by a Delivery Service's PublicGroup (public-group/process.ts), so both enforce the same checks.
import type { CipherSuite } from '../crypto/provider.js';
import { ValidationError } from '../errors.js';
import type { SignatureVerifiedContent } from '../framing/index.js';
import { validateKeyPackage } from '../key-package/validate.js';
import { confirmedTranscriptHash } from '../schedule/transcript-hash.js';
import type { RatchetTree } from '../tree/ratchet-tree.js';
import { type ProvisionalContext, type VerifiedPath, verifyUpdatePath } from '../tree/treekem.js';
import { bytesEqual } from '../util/bytes.js';
import {
  type Bytes,
  type Commit,
  ContentType,
  encodeCredential,
  type GroupContext,
  type Proposal,
  ProposalType,
  type Sender,
  SenderType,
} from '../wire/index.js';
import { type AppliedProposals, applyProposals } from './apply-proposals.js';
import { viewOf } from './commit.js';
import {
  checkLeafAgainstGroup,
  pathRequired,
  type ResolvedProposal,
  validateProposalList,
  validatePskId,
  validateUpdateLeaf,
} from './proposal-list.js';
import type { GroupDeps, Member, PendingProposal } from './state.js';
import { memberOf } from './state.js';

/** The public state of an epoch the checks read: GroupContext, tree, proposals cached by reference (§12.4). */
export interface PublicEpochState {
  readonly context: GroupContext;
  readonly tree: RatchetTree;
  readonly pending: readonly PendingProposal[];
}

/** RFC 9420 §12.1: validity of one proposal on receipt (the list rules apply at commit time). */
export function validateProposal(deps: GroupDeps, state: Pick<PublicEpochState, 'context' | 'tree'>, p: Proposal, sender: Sender): void {
  const view = viewOf(deps, state, undefined);
  switch (p.proposalType) {
    case ProposalType.update:
      if (sender.senderType !== SenderType.member) throw new ValidationError('V-PROP-12', 'Update not sent by a member');
      validateUpdateLeaf(deps, view, sender.leafIndex, p.update.leafNode);
      return;
    case ProposalType.add:
      validateKeyPackage(deps, p.add.keyPackage, {
        version: state.context.version,
        cipherSuite: state.context.cipherSuite,
        ...(deps.validateCredential ? { validateCredential: deps.validateCredential } : {}),
      });
      checkLeafAgainstGroup(view, p.add.keyPackage.leafNode, 'V-PROP-10');
      return;
    case ProposalType.remove:
      if (!state.tree.leaf(p.remove.removed)) throw new ValidationError('V-PROP-06', 'Remove of a blank or absent leaf');
      return;
    case ProposalType.psk:
      validatePskId(deps, view, p.psk.psk);
      return;
    case ProposalType.external_init:
      throw new ValidationError('V-PROP-09', 'ExternalInit sent as a standalone proposal');
    default:
      return;
  }
}

/** Proposals a group caches per epoch at most (an implementation bound: a flood of valid proposals cannot grow state). */
export const MAX_PENDING_PROPOSALS = 256;

/**
 * RFC 9420 §12.4: caches a received proposal by reference for this epoch. The same proposal twice (a replay: same
 * reference) and more than MAX_PENDING_PROPOSALS are refused (V-PROP-17), so replays and floods cannot grow state.
 */
export function cacheProposal(pending: readonly PendingProposal[], entry: PendingProposal): PendingProposal[] {
  if (pending.some((p) => bytesEqual(p.ref, entry.ref))) throw new ValidationError('V-PROP-17', 'proposal already received in this epoch');
  if (pending.length >= MAX_PENDING_PROPOSALS) {
    throw new ValidationError('V-PROP-17', `more than ${MAX_PENDING_PROPOSALS} proposals pending in this epoch`);
  }
  return [...pending, entry];
}

/** A commit whose sender and proposal list passed §12.2, with the list applied to the tree (§12.3). */
export interface CheckedCommit {
  readonly sender: Sender;
  readonly commit: Commit;
  /** The committer's leaf index; undefined for an external commit until its leaf is placed (mergeCommitPath). */
  readonly committer: number | undefined;
  readonly list: readonly ResolvedProposal[];
  readonly applied: AppliedProposals;
}

/**
 * RFC 9420 §12.4.2 up to applying the proposals: sender type (V-FRM-12, V-COMMIT-03 when `ownLeaf` is ours),
 * references resolved against this epoch's proposals (V-PROP-11), each by-value proposal and the whole list
 * validated (V-PROP-*, V-EXT-*), path presence (V-COMMIT-01 / V-FRM-13), then the list applied to a copy of the tree.
 */
export function checkCommit(deps: GroupDeps, state: PublicEpochState, ac: SignatureVerifiedContent, ownLeaf?: number): CheckedCommit {
  if (ac.content.contentType !== ContentType.commit) throw new TypeError('not a commit');
  const { sender, commit } = ac.content;
  let committer: number | undefined;
  if (sender.senderType === SenderType.member) {
    if (sender.leafIndex === ownLeaf) throw new ValidationError('V-COMMIT-03', 'own commit received; use the state returned by commit()');
    committer = sender.leafIndex;
  } else if (sender.senderType !== SenderType.new_member_commit) {
    throw new ValidationError('V-FRM-12', 'commit from an external sender');
  }
  const external = committer === undefined;
  const list = resolveList(state, commit, sender);
  for (const r of list) {
    if (r.ref === undefined && r.proposal.proposalType === ProposalType.update) throw new ValidationError('V-PROP-14', 'Update by value');
    // By-value Adds are validated with the whole list (validateProposalList), the rest one by one here.
    if (r.ref === undefined && !external && r.proposal.proposalType !== ProposalType.add) validateProposal(deps, state, r.proposal, sender);
  }
  validateProposalList(deps, viewOf(deps, state, committer), list);
  if (pathRequired(list) && !commit.path) {
    throw new ValidationError(external ? 'V-FRM-13' : 'V-COMMIT-01', 'commit needs an UpdatePath');
  }
  return { sender, commit, committer, list, applied: applyProposals(state.tree, state.context.extensions, list) };
}

/** RFC 9420 §12.4.2: proposals by value, or by reference to one received in this epoch (V-PROP-11). */
function resolveList(state: PublicEpochState, commit: Commit, sender: Sender): ResolvedProposal[] {
  return commit.proposals.map((por) => {
    if (por.type === 1) return { proposal: por.proposal, sender };
    const p = state.pending.find((x) => bytesEqual(x.ref, por.reference));
    if (!p) throw new ValidationError('V-PROP-11', 'proposal reference not received in this epoch');
    return { proposal: p.proposal, sender: p.sender, ref: p.ref };
  });
}

/** A checked commit with the joiner's leaf placed (external commits) and its UpdatePath verified and merged. */
export interface MergedCommit {
  readonly committer: number;
  /** The tree after the proposals (and an external joiner's placeholder leaf), before the path. */
  readonly treeBeforePath: RatchetTree;
  /** The tree of the new epoch. */
  readonly tree: RatchetTree;
  /** The new epoch's GroupContext before its tree hash and confirmed transcript hash (§12.4.2). */
  readonly provisional: ProvisionalContext;
  /** The verified path, still encrypted; absent for a commit without a path. */
  readonly path?: VerifiedPath;
}

/**
 * RFC 9420 §12.4.2 / §12.4.3.2 after the proposals: an external joiner takes the leftmost blank leaf, the
 * application accepts the path leaf's credential (V-COMMIT-04), and the UpdatePath passes its public checks
 * (V-PATH-01..04, V-LEAF-*) and is merged. No private key is used.
 */
export function mergeCommitPath(deps: GroupDeps, state: Pick<PublicEpochState, 'context'>, c: CheckedCommit): MergedCommit {
  let tree = c.applied.tree;
  let committer = c.committer;
  const path = c.commit.path;
  if (committer === undefined) {
    // The placeholder (no encryption key) only reserves the index; the UpdatePath leaf replaces it when merged.
    const r = tree.addLeaf({ ...(path as NonNullable<typeof path>).leafNode, encryptionKey: new Uint8Array(0) });
    tree = r.tree;
    committer = r.leafIndex;
  }
  const { treeHash: _old, ...provisional } = { ...state.context, epoch: state.context.epoch + 1n, extensions: c.applied.extensions };
  if (!path) return { committer, treeBeforePath: tree, tree, provisional };
  // RFC 9420 §12.2: the one Remove an external commit may carry drops the joiner's own old leaf (resync), so the new
  // leaf presents the removed member's credential; any other Remove would let an outsider evict a member (V-EXT-05).
  if (c.committer === undefined) {
    const joiner = encodeCredential(path.leafNode.credential);
    if (c.applied.removed.some((m) => !bytesEqual(encodeCredential(m.credential), joiner))) {
      throw new ValidationError('V-EXT-05', 'an external commit removes a member other than the joiner');
    }
  }
  if (deps.validateCredential && !deps.validateCredential(path.leafNode.credential, path.leafNode.signatureKey)) {
    throw new ValidationError('V-COMMIT-04', 'credential of the committer leaf rejected by the application');
  }
  const verified = verifyUpdatePath({
    tree,
    senderLeaf: committer,
    updatePath: path,
    groupContext: provisional,
    newLeaves: new Set(c.applied.added.map((a) => a.leafIndex)),
    leafChecks: { groupExtensions: c.applied.extensions },
  });
  return { committer, treeBeforePath: tree, tree: verified.tree, provisional, path: verified };
}

/** RFC 9420 §8.2, §12.4.2: the new epoch's GroupContext, with confirmed_transcript_hash over this commit. */
export function nextGroupContext(cs: CipherSuite, m: MergedCommit, interimBefore: Bytes, ac: SignatureVerifiedContent): GroupContext {
  return { ...m.provisional, treeHash: m.tree.treeHash(), confirmedTranscriptHash: confirmedTranscriptHash(cs, interimBefore, ac) };
}

/** The members a commit added: its Adds, plus the external joiner's own leaf (§12.4.3.2). */
export function addedMembers(c: CheckedCommit, m?: MergedCommit): Member[] {
  const out = c.applied.added.map((x) => memberOf(x.leafIndex, x.keyPackage.leafNode));
  const joiner = c.committer === undefined && m ? m.tree.leaf(m.committer) : undefined;
  if (m && joiner) out.push(memberOf(m.committer, joiner));
  return out;
}
