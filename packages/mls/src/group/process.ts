// RFC 9420 §6, §12.1, §12.4.2: processing a received PublicMessage or PrivateMessage: application data,
// proposals (validated and cached by reference) and commits (validated, applied, new epoch confirmed).
// Decode -> verify (framing) -> validate -> act; on any error the caller's state is untouched.
import { makeProposalRef } from '../crypto/labels.js';
import { UsageError, ValidationError } from '../errors.js';
import { framingEpoch, unprotectPrivateMessage, type VerifiedContent } from '../framing/index.js';
import { validateKeyPackage } from '../key-package/validate.js';
import { deriveEpochSecrets, deriveExternalKeyPair, externalInitSecretForReceiver } from '../schedule/key-schedule.js';
import { computePskSecret } from '../schedule/psk.js';
import { SecretTree } from '../schedule/secret-tree.js';
import { confirmedTranscriptHash, interimTranscriptHash, verifyConfirmationTag } from '../schedule/transcript-hash.js';
import type { PrivateTree } from '../tree/private-tree.js';
import { applyUpdatePath } from '../tree/treekem.js';
import { bytesEqual } from '../util/bytes.js';
import {
  type Bytes,
  ContentType,
  encodeAuthenticatedContent,
  type GroupContext,
  type MlsMessage,
  type PrivateMessage,
  type Proposal,
  ProposalType,
  type Sender,
  SenderType,
} from '../wire/index.js';
import { applyProposals } from './apply-proposals.js';
import { viewOf } from './commit.js';
import { unframe } from './framing-glue.js';
import {
  checkLeafAgainstGroup,
  pathRequired,
  type ResolvedProposal,
  validateProposalList,
  validatePskId,
  validateUpdateLeaf,
} from './proposal-list.js';
import { resolvePsks } from './psk.js';
import { type GroupDeps, type GroupState, keysFrom, type Member, makeState, memberOf, rememberPsk, retireEpoch, suiteOf } from './state.js';

export type ProcessResult =
  | {
      readonly kind: 'application';
      readonly group: GroupState;
      readonly sender: Member;
      readonly data: Bytes;
      readonly authenticatedData: Bytes;
    }
  | { readonly kind: 'proposal'; readonly group: GroupState; readonly sender: Sender; readonly proposal: Proposal; readonly ref: Bytes }
  | {
      readonly kind: 'commit';
      readonly group: GroupState;
      readonly sender: Sender;
      readonly newEpoch: bigint;
      readonly added: Member[];
      readonly removed: Member[];
      readonly updated: Member[];
      /** We were removed: `group` is the old state, no longer usable for this group. */
      readonly removedSelf: boolean;
    };

export function processMessage(deps: GroupDeps, state: GroupState, msg: MlsMessage): ProcessResult {
  if (msg.wireFormat !== 1 && msg.wireFormat !== 2) throw new UsageError('processMessage takes a PublicMessage or PrivateMessage');
  if (msg.wireFormat === 2 && msg.privateMessage.epoch < state.context.epoch) {
    const late = processLateApplication(deps, state, msg.privateMessage);
    if (late) return late;
  }
  const { content: ac, secretTree } = unframe(deps, state, msg);
  const c = ac.content;
  if (c.contentType === ContentType.application) {
    if (c.sender.senderType !== SenderType.member) throw new ValidationError('V-FRM-05', 'application data from a non-member');
    const leaf = state.tree.leaf(c.sender.leafIndex);
    if (!leaf) throw new ValidationError('V-FRM-05', 'application data from a blank leaf');
    return {
      kind: 'application',
      group: makeState({ ...state, secretTree }),
      sender: memberOf(c.sender.leafIndex, leaf),
      data: c.applicationData,
      authenticatedData: c.authenticatedData,
    };
  }
  if (c.contentType === ContentType.proposal) {
    validateProposal(deps, state, c.proposal, c.sender);
    const ref = makeProposalRef(suiteOf(deps, state), encodeAuthenticatedContent(ac));
    return {
      kind: 'proposal',
      group: makeState({ ...state, secretTree, pending: [...state.pending, { ref, proposal: c.proposal, sender: c.sender }] }),
      sender: c.sender,
      proposal: c.proposal,
      ref,
    };
  }
  return processCommit(deps, state, ac, secretTree);
}

/**
 * An application message of a past epoch we still keep (config.pastEpochs): decrypted with that epoch's keys and
 * tree. Handshake messages of past epochs are never processed (they fall through to the V-FRM-02 rejection).
 */
function processLateApplication(deps: GroupDeps, state: GroupState, pm: PrivateMessage): ProcessResult | undefined {
  const i = state.pastEpochs.findIndex((p) => p.context.epoch === pm.epoch && bytesEqual(p.context.groupId, pm.groupId));
  const past = state.pastEpochs[i];
  if (!past || pm.contentType !== ContentType.application) return undefined;
  const fe = framingEpoch(suiteOf(deps, state), past.context, past);
  const lookup = (s: Sender) => (s.senderType === SenderType.member ? past.tree.leaf(s.leafIndex)?.signatureKey : undefined);
  const r = unprotectPrivateMessage(fe, past.secretTree, pm, lookup);
  const c = r.content.content;
  if (c.contentType !== ContentType.application || c.sender.senderType !== SenderType.member) return undefined;
  const leaf = past.tree.leaf(c.sender.leafIndex);
  if (!leaf) throw new ValidationError('V-FRM-05', 'application data from a blank leaf');
  const pastEpochs = state.pastEpochs.map((p, j) => (j === i ? { ...p, secretTree: r.tree } : p));
  return {
    kind: 'application',
    group: makeState({ ...state, pastEpochs }),
    sender: memberOf(c.sender.leafIndex, leaf),
    data: c.applicationData,
    authenticatedData: c.authenticatedData,
  };
}

/** RFC 9420 §12.1: validity of one proposal on receipt (the list rules apply at commit time). */
export function validateProposal(deps: GroupDeps, state: GroupState, p: Proposal, sender: Sender): void {
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

function resolveList(state: GroupState, ac: VerifiedContent, sender: Sender): ResolvedProposal[] {
  if (ac.content.contentType !== ContentType.commit) throw new TypeError('not a commit');
  return ac.content.commit.proposals.map((por) => {
    if (por.type === 1) return { proposal: por.proposal, sender };
    const p = state.pending.find((x) => bytesEqual(x.ref, por.reference));
    if (!p) throw new ValidationError('V-PROP-11', 'proposal reference not received in this epoch');
    return { proposal: p.proposal, sender: p.sender, ref: p.ref };
  });
}

function processCommit(deps: GroupDeps, state: GroupState, ac: VerifiedContent, secretTree: SecretTree): ProcessResult {
  if (ac.content.contentType !== ContentType.commit) throw new TypeError('not a commit');
  const cs = suiteOf(deps, state);
  const sender = ac.content.sender;
  const commit = ac.content.commit;
  let committer: number | undefined;
  if (sender.senderType === SenderType.member) {
    if (sender.leafIndex === state.ownLeaf)
      throw new ValidationError('V-COMMIT-03', 'own commit received; use the state returned by commit()');
    committer = sender.leafIndex;
  } else if (sender.senderType !== SenderType.new_member_commit) {
    throw new ValidationError('V-FRM-12', 'commit from an external sender');
  }
  const external = committer === undefined;
  const list = resolveList(state, ac, sender);
  for (const r of list) {
    if (r.ref === undefined && r.proposal.proposalType === ProposalType.update) throw new ValidationError('V-PROP-14', 'Update by value');
    // By-value Adds are validated with the whole list (validateProposalList), the rest one by one here.
    if (r.ref === undefined && !external && r.proposal.proposalType !== ProposalType.add) validateProposal(deps, state, r.proposal, sender);
  }
  validateProposalList(deps, viewOf(deps, state, committer), list);
  if (pathRequired(list) && !commit.path) {
    throw new ValidationError(external ? 'V-FRM-13' : 'V-COMMIT-01', 'commit needs an UpdatePath');
  }
  let applied = applyProposals(state.tree, state.context.extensions, list);
  const newEpoch = state.context.epoch + 1n;
  const result = { kind: 'commit' as const, sender, newEpoch, updated: applied.updated };
  if (applied.removed.some((m) => m.leafIndex === state.ownLeaf)) {
    return { ...result, group: state, added: added(applied), removed: applied.removed, removedSelf: true };
  }
  let tree = applied.tree;
  if (external) {
    // RFC 9420 §12.4.3.2: the joiner takes the leftmost blank leaf. The placeholder (no encryption key) is replaced
    // by the UpdatePath leaf when the path is merged; it only reserves the index.
    const leaf = (commit.path as NonNullable<typeof commit.path>).leafNode;
    const r = tree.addLeaf({ ...leaf, encryptionKey: new Uint8Array(0) });
    tree = r.tree;
    committer = r.leafIndex;
  }
  // Our own Update may have been committed: adopt its key pair for our new leaf.
  let privateTree = withUpdateKeys(state, tree).prune(tree);
  const { treeHash: _old, ...provisional } = { ...state.context, epoch: newEpoch, extensions: applied.extensions };
  let commitSecret: Bytes = new Uint8Array(cs.hashLength);
  if (commit.path) {
    const leaf = commit.path.leafNode;
    if (deps.validateCredential && !deps.validateCredential(leaf.credential, leaf.signatureKey)) {
      throw new ValidationError('V-COMMIT-04', 'credential of the committer leaf rejected by the application');
    }
    const r = applyUpdatePath({
      tree,
      privateTree,
      senderLeaf: committer as number,
      updatePath: commit.path,
      groupContext: provisional,
      newLeaves: new Set(applied.added.map((a) => a.leafIndex)),
      leafChecks: { groupExtensions: applied.extensions },
    });
    tree = r.tree;
    commitSecret = r.commitSecret;
    privateTree = r.privateTree;
  }
  if (external) applied = { ...applied, tree };
  const initSecret = external
    ? externalInitSecretForReceiver(cs, deriveExternalKeyPair(cs, state.keys.externalSecret).privateKey, applied.externalInit as Bytes)
    : state.keys.initSecret;
  const psks = resolvePsks(deps, applied.psks, { groupId: state.context.groupId, psks: state.resumptionPsks }, 'V-PROP-15');
  const confirmed = confirmedTranscriptHash(cs, state.interimTranscriptHash, ac);
  const context: GroupContext = { ...provisional, treeHash: tree.treeHash(), confirmedTranscriptHash: confirmed };
  const secrets = deriveEpochSecrets(cs, { initSecret, commitSecret, pskSecret: computePskSecret(cs, psks), groupContext: context });
  const tag = ac.auth.confirmationTag;
  if (!tag || !verifyConfirmationTag(cs, secrets.confirmationKey, confirmed, tag)) {
    throw new ValidationError('V-COMMIT-02', 'confirmation tag does not verify');
  }
  const group = makeState({
    context,
    tree,
    ownLeaf: state.ownLeaf,
    signaturePrivateKey: state.signaturePrivateKey,
    privateTree,
    updateKeys: [],
    keys: keysFrom(secrets),
    secretTree: SecretTree.create(cs, secrets.encryptionSecret, tree.leafCount),
    interimTranscriptHash: interimTranscriptHash(cs, confirmed, tag),
    confirmationTag: tag,
    pending: [],
    resumptionPsks: rememberPsk(state.resumptionPsks, newEpoch, secrets.resumptionPsk, state.config.resumptionPskEpochs),
    pastEpochs: retireEpoch(state, secretTree),
    config: state.config,
  });
  const addedMembers = added(applied);
  if (external) {
    const leaf = tree.leaf(committer as number);
    if (leaf) addedMembers.push(memberOf(committer as number, leaf));
  }
  return { ...result, group, added: addedMembers, removed: applied.removed, removedSelf: false };
}

function added(a: ReturnType<typeof applyProposals>): Member[] {
  return a.added.map((x) => memberOf(x.leafIndex, x.keyPackage.leafNode));
}

function withUpdateKeys(state: GroupState, tree: GroupState['tree']): PrivateTree {
  const own = tree.leaf(state.ownLeaf);
  const kp = own && state.updateKeys.find((k) => bytesEqual(k.publicKey, own.encryptionKey));
  return kp ? state.privateTree.withKeys([[2 * state.ownLeaf, kp]]) : state.privateTree;
}
