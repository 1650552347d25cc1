// RFC 9420 §6, §12.1, §12.4.2: processing a received PublicMessage or PrivateMessage: application data,
// proposals (validated and cached by reference) and commits (validated, applied, new epoch confirmed).
// Decode -> verify (framing) -> validate -> act; on any error the caller's state is untouched.
import type { RemovedMember } from './apply-proposals.js';
import { makeProposalRef } from '../crypto/labels.js';
import { UsageError, ValidationError } from '../errors.js';
import { framingEpoch, unprotectPrivateMessage, type VerifiedContent } from '../framing/index.js';
import { deriveEpochSecrets, deriveExternalKeyPair, externalInitSecretForReceiver } from '../schedule/key-schedule.js';
import { computePskSecret } from '../schedule/psk.js';
import { SecretTree } from '../schedule/secret-tree.js';
import { interimTranscriptHash, verifyConfirmationTag } from '../schedule/transcript-hash.js';
import type { PrivateTree } from '../tree/private-tree.js';
import { decryptUpdatePath } from '../tree/treekem.js';
import { bytesEqual } from '../util/bytes.js';
import {
  type Bytes,
  ContentType,
  encodeAuthenticatedContent,
  type MlsMessage,
  type PrivateMessage,
  type Proposal,
  type Sender,
  SenderType,
} from '../wire/index.js';
import { unframe } from './framing-glue.js';
import { resolvePsks } from './psk.js';
import { type GroupDeps, type GroupState, keysFrom, type Member, makeState, memberOf, rememberPsk, retireEpoch, suiteOf } from './state.js';
import { addedMembers, cacheProposal, checkCommit, mergeCommitPath, nextGroupContext, validateProposal } from './verify-commit.js';

export { validateProposal } from './verify-commit.js';

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
      /** Leaves removed, with the credential they had and who proposed each removal. */
      readonly removed: RemovedMember[];
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
      group: makeState({ ...state, secretTree, pending: cacheProposal(state.pending, { ref, proposal: c.proposal, sender: c.sender }) }),
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

function processCommit(deps: GroupDeps, state: GroupState, ac: VerifiedContent, secretTree: SecretTree): ProcessResult {
  const cs = suiteOf(deps, state);
  if (state.reinit) throw new ValidationError('V-COMMIT-05', `commit after the ReInit of epoch ${state.reinit.epoch}`);
  // RFC 9420 §12.4.2: the public checks (shared with a Delivery Service's PublicGroup), then our own part.
  const checked = checkCommit(deps, state, ac, state.ownLeaf);
  const { sender, applied } = checked;
  const newEpoch = state.context.epoch + 1n;
  const result = { kind: 'commit' as const, sender, newEpoch, updated: applied.updated };
  if (applied.removed.some((m) => m.leafIndex === state.ownLeaf)) {
    return { ...result, group: state, added: addedMembers(checked), removed: applied.removed, removedSelf: true };
  }
  const merged = mergeCommitPath(deps, state, checked);
  const tree = merged.tree;
  // Our own Update may have been committed: adopt its key pair for our new leaf.
  let privateTree = withUpdateKeys(state, merged.treeBeforePath).prune(merged.treeBeforePath);
  let commitSecret: Bytes = new Uint8Array(cs.hashLength);
  if (merged.path) {
    const r = decryptUpdatePath(merged.path, privateTree);
    commitSecret = r.commitSecret;
    privateTree = r.privateTree;
  }
  const initSecret =
    checked.committer === undefined
      ? externalInitSecretForReceiver(cs, deriveExternalKeyPair(cs, state.keys.externalSecret).privateKey, applied.externalInit as Bytes)
      : state.keys.initSecret;
  const psks = resolvePsks(deps, applied.psks, { groupId: state.context.groupId, psks: state.resumptionPsks }, 'V-PROP-15');
  const context = nextGroupContext(cs, merged, state.interimTranscriptHash, ac);
  const confirmed = context.confirmedTranscriptHash;
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
    ...(applied.reinit ? { reinit: { proposal: applied.reinit, epoch: newEpoch } } : {}),
  });
  return { ...result, group, added: addedMembers(checked, merged), removed: applied.removed, removedSelf: false };
}

function withUpdateKeys(state: GroupState, tree: GroupState['tree']): PrivateTree {
  const own = tree.leaf(state.ownLeaf);
  const kp = own && state.updateKeys.find((k) => bytesEqual(k.publicKey, own.encryptionKey));
  return kp ? state.privateTree.withKeys([[2 * state.ownLeaf, kp]]) : state.privateTree;
}
