// RFC 9420 §12.4 creating a Commit: proposals by value and by reference, UpdatePath when required (§12.4, §17.4),
// the new epoch (§8), and a Welcome for the new members (§12.4.3.1).
import type { RemovedMember } from './apply-proposals.js';
import { encryptWithLabel } from '../crypto/labels.js';
import { UsageError, ValidationError } from '../errors.js';
import { signContent } from '../framing/index.js';
import { keyPackageRef } from '../key-package/ref.js';
import { deriveEpochSecrets, welcomeKeyNonce } from '../schedule/key-schedule.js';
import { computePskSecret } from '../schedule/psk.js';
import { SecretTree } from '../schedule/secret-tree.js';
import { confirmationTag, confirmedTranscriptHash, interimTranscriptHash } from '../schedule/transcript-hash.js';
import { createUpdatePath } from '../tree/treekem.js';
import {
  type Bytes,
  ContentType,
  encodeGroupInfo,
  encodeGroupSecrets,
  type FramedContent,
  type GroupContext,
  type MlsMessage,
  type PreSharedKeyID,
  type Proposal,
  ProposalType,
  ProtocolVersion,
  type Sender,
  SenderType,
  type Welcome,
  WireFormat,
} from '../wire/index.js';
import { applyProposals } from './apply-proposals.js';
import { epochOf, frame } from './framing-glue.js';
import { signGroupInfo } from './group-info.js';
import { assertOwnLeaf } from './own-leaf.js';
import { type ProposalListView, pathRequired, type ResolvedProposal, validateProposalList } from './proposal-list.js';
import { resolvePsks } from './psk.js';
import {
  assertOpen,
  type GroupDeps,
  type GroupState,
  keysFrom,
  type Member,
  makeState,
  memberOf,
  rememberPsk,
  retireEpoch,
  suiteOf,
} from './state.js';

export interface CommitOptions {
  /** Proposals to include by value (Add, Remove, PreSharedKey, GroupContextExtensions, ReInit). */
  proposals?: Proposal[];
  /** Include every pending proposal of this epoch by reference (default true). */
  includePending?: boolean;
  /** Send an UpdatePath even when no proposal requires one (e.g. to refresh our key along with Adds). */
  forcePath?: boolean;
  /** Put the ratchet tree in the Welcome's GroupInfo (default true); else deliver it out of band. */
  ratchetTreeInWelcome?: boolean;
  authenticatedData?: Bytes;
  /** Override the group's handshake wire format for this commit. */
  wireFormat?: 'public' | 'private';
}

export interface CommitResult {
  readonly group: GroupState;
  /** The MLSMessage carrying the commit, for every current member. */
  readonly commit: MlsMessage;
  /** The Welcome for the new members, if any were added. */
  readonly welcome?: MlsMessage;
  readonly added: Member[];
  /** Leaves removed, with the credential they had and who proposed each removal. */
  readonly removed: RemovedMember[];
  readonly updated: Member[];
}

export function viewOf(deps: GroupDeps, state: Pick<GroupState, 'context' | 'tree'>, committer: number | undefined): ProposalListView {
  return {
    context: state.context,
    leafCount: state.tree.leafCount,
    leafAt: (i) => state.tree.leaf(i),
    committer,
    tree: state.tree,
    now: deps.now(),
    ...(deps.validateCredential ? { validateCredential: deps.validateCredential } : {}),
  };
}

/**
 * The first commit of a group that reinitialises another (RFC 9420 §11.2): the one PreSharedKey proposal allowed to
 * carry a resumption PSK of usage reinit, and that PSK's value (the old group's, at the epoch of its ReInit commit).
 */
export interface ReinitPsk {
  readonly id: PreSharedKeyID;
  readonly psk: Bytes;
  readonly groupId: Bytes;
}

export function createCommit(deps: GroupDeps, state: GroupState, opts: CommitOptions = {}, reinitPsk?: ReinitPsk): CommitResult {
  assertOpen(state);
  const cs = suiteOf(deps, state);
  const me: Sender = { senderType: SenderType.member, leafIndex: state.ownLeaf };
  // RFC 9420 §12.4: pending proposals by reference (never our own Updates), then the new ones by value.
  const view = { ...viewOf(deps, state, state.ownLeaf), ...(reinitPsk ? { reinitPsk: reinitPsk.id } : {}) };
  const list: ResolvedProposal[] = [];
  for (const p of opts.proposals ?? []) {
    if (p.proposalType === ProposalType.update) throw new UsageError('Update proposals cannot be committed by value; use a path');
    list.push({ proposal: p, sender: me });
  }
  validateProposalList(deps, view, list);
  const byRef: ResolvedProposal[] = [];
  if (opts.includePending ?? true) {
    // RFC 9420 §12.2: a pending proposal that would make the list invalid (our own Update, a Remove of us, a second
    // Update/Remove of one leaf, a duplicate Add, PSK or GroupContextExtensions) is left out, not fatal.
    for (const p of state.pending) {
      const own = p.sender.senderType === SenderType.member && p.sender.leafIndex === state.ownLeaf;
      if (own && p.proposal.proposalType === ProposalType.update) continue;
      const entry: ResolvedProposal = { proposal: p.proposal, sender: p.sender, ref: p.ref };
      try {
        validateProposalList(deps, view, [...byRef, entry, ...list]);
      } catch (e) {
        if (e instanceof ValidationError) continue;
        throw e;
      }
      byRef.push(entry);
    }
  }
  list.unshift(...byRef);
  const applied = applyProposals(state.tree, state.context.extensions, list);
  const removedSelf = applied.removed.some((m) => m.leafIndex === state.ownLeaf);
  if (removedSelf) throw new UsageError('a commit cannot remove its committer');
  const nextEpoch = state.context.epoch + 1n;
  const { treeHash: _old, ...provisional } = { ...state.context, epoch: nextEpoch, extensions: applied.extensions };
  let tree = applied.tree;
  let commitSecret: Bytes = new Uint8Array(cs.hashLength);
  let privateTree = state.privateTree.prune(tree);
  let created: ReturnType<typeof createUpdatePath> | undefined;
  if (pathRequired(list) || opts.forcePath) {
    const own = tree.leaf(state.ownLeaf);
    if (!own) throw new UsageError('own leaf missing');
    const leaf = { credential: own.credential, capabilities: own.capabilities, extensions: own.extensions, signatureKey: own.signatureKey };
    // The new epoch's extensions (a GroupContextExtensions proposal may change them) and members (V-OWN-01).
    assertOwnLeaf('UpdatePath', leaf, { ...state.context, extensions: applied.extensions, tree, ownLeaf: state.ownLeaf });
    created = createUpdatePath({
      tree,
      privateTree,
      leafIndex: state.ownLeaf,
      leaf,
      signaturePrivateKey: state.signaturePrivateKey,
      groupContext: provisional,
      newLeaves: new Set(applied.added.map((a) => a.leafIndex)),
      rng: deps.rng,
    });
    tree = created.tree;
    commitSecret = created.commitSecret;
    privateTree = created.privateTree;
  }
  const path = created?.updatePath;
  const own = { groupId: state.context.groupId, psks: state.resumptionPsks };
  const reinitSource = reinitPsk && {
    groupId: reinitPsk.groupId,
    psks: new Map([[reinitPsk.id.pskType === 2 ? reinitPsk.id.pskEpoch : 0n, reinitPsk.psk]]),
  };
  const psks = resolvePsks(deps, applied.psks, reinitSource ? [own, reinitSource] : own, undefined);
  const pskSecret = computePskSecret(cs, psks);
  // Sign the commit over the current epoch's GroupContext (RFC 9420 §6.1).
  const wireFormat =
    (opts.wireFormat ?? (state.config.handshakeAsPrivate ? 'private' : 'public')) === 'private'
      ? WireFormat.mls_private_message
      : WireFormat.mls_public_message;
  const content: FramedContent = {
    groupId: state.context.groupId,
    epoch: state.context.epoch,
    sender: me,
    authenticatedData: opts.authenticatedData ?? new Uint8Array(0),
    contentType: ContentType.commit,
    commit: {
      proposals: list.map((p) => (p.ref ? { type: 2, reference: p.ref } : { type: 1, proposal: p.proposal })),
      ...(path ? { path } : {}),
    },
  };
  const epoch = epochOf(deps, state);
  const signed = signContent(epoch, wireFormat, content, state.signaturePrivateKey);
  // RFC 9420 §8.2 transcript, §8 key schedule, §6.1 confirmation tag.
  const confirmed = confirmedTranscriptHash(cs, state.interimTranscriptHash, signed);
  const context: GroupContext = { ...provisional, treeHash: tree.treeHash(), confirmedTranscriptHash: confirmed };
  const secrets = deriveEpochSecrets(cs, { initSecret: state.keys.initSecret, commitSecret, pskSecret, groupContext: context });
  const tag = confirmationTag(cs, secrets.confirmationKey, confirmed);
  const ac = { ...signed, auth: { ...signed.auth, confirmationTag: tag } };
  const interim = interimTranscriptHash(cs, confirmed, tag);
  const framed = frame(epoch, state.secretTree, ac, deps.rng, state.config.paddingBlock);
  const next = makeState({
    context,
    tree,
    ownLeaf: state.ownLeaf,
    signaturePrivateKey: state.signaturePrivateKey,
    privateTree,
    updateKeys: [],
    keys: keysFrom(secrets),
    secretTree: SecretTree.create(cs, secrets.encryptionSecret, tree.leafCount),
    interimTranscriptHash: interim,
    confirmationTag: tag,
    pending: [],
    resumptionPsks: rememberPsk(state.resumptionPsks, context.epoch, secrets.resumptionPsk, state.config.resumptionPskEpochs),
    pastEpochs: retireEpoch(state, framed.secretTree),
    config: state.config,
    ...(applied.reinit ? { reinit: { proposal: applied.reinit, epoch: context.epoch } } : {}),
  });
  let welcome: MlsMessage | undefined;
  if (applied.added.length > 0) {
    const gi = signGroupInfo(cs, next, { ratchetTree: opts.ratchetTreeInWelcome ?? true });
    const { key, nonce } = welcomeKeyNonce(cs, secrets.welcomeSecret as Bytes);
    const encryptedGroupInfo = cs.aeadSeal(key, nonce, new Uint8Array(0), encodeGroupInfo(gi));
    const w: Welcome = {
      cipherSuite: state.context.cipherSuite,
      encryptedGroupInfo,
      secrets: applied.added.map(({ leafIndex, keyPackage }) => {
        const ps = created?.pathSecretFor(leafIndex);
        const gs = encodeGroupSecrets({
          joinerSecret: secrets.joinerSecret as Bytes,
          ...(ps ? { pathSecret: ps } : {}),
          psks: applied.psks,
        });
        return {
          newMember: keyPackageRef(cs, keyPackage),
          encryptedGroupSecrets: encryptWithLabel(cs, keyPackage.initKey, 'Welcome', encryptedGroupInfo, gs, deps.rng),
        };
      }),
    };
    welcome = { version: ProtocolVersion.mls10, wireFormat: WireFormat.mls_welcome, welcome: w };
  }
  return {
    group: next,
    commit: framed.message,
    ...(welcome ? { welcome } : {}),
    added: applied.added.map((a) => memberOf(a.leafIndex, a.keyPackage.leafNode)),
    removed: applied.removed,
    updated: applied.updated,
  };
}
