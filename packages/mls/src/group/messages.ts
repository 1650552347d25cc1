// Sending in the current epoch: application messages (RFC 9420 §6.3, always PrivateMessage), standalone proposals
// (§12.1, cached by reference in our own state too), and the exporter (§8.5).
import { makeProposalRef, signWithLabel } from '../crypto/labels.js';
import type { CipherSuite } from '../crypto/provider.js';
import { UsageError } from '../errors.js';
import { framingEpoch, protectPublicMessage, signContent } from '../framing/index.js';
import { mlsExporter } from '../schedule/key-schedule.js';
import {
  type Bytes,
  ContentType,
  encodeAuthenticatedContent,
  encodeLeafNodeTbs,
  type FramedContent,
  type LeafNode,
  LeafNodeSource,
  type MlsMessage,
  type Proposal,
  ProposalType,
  ProtocolVersion,
  type Sender,
  SenderType,
  WireFormat,
} from '../wire/index.js';
import { epochOf, frame } from './framing-glue.js';
import { assertOwnLeaf } from './own-leaf.js';
import { validateProposal } from './process.js';
import { assertOpen, type GroupDeps, type GroupState, makeState, suiteOf } from './state.js';

export function encryptMessage(
  deps: GroupDeps,
  state: GroupState,
  data: Bytes,
  authenticatedData: Bytes = new Uint8Array(0),
): { group: GroupState; message: MlsMessage } {
  assertOpen(state);
  const content: FramedContent = {
    groupId: state.context.groupId,
    epoch: state.context.epoch,
    sender: { senderType: SenderType.member, leafIndex: state.ownLeaf },
    authenticatedData,
    contentType: ContentType.application,
    applicationData: data,
  };
  const epoch = epochOf(deps, state);
  const ac = signContent(epoch, WireFormat.mls_private_message, content, state.signaturePrivateKey);
  const r = frame(epoch, state.secretTree, ac, deps.rng, state.config.paddingBlock);
  return { group: makeState({ ...state, secretTree: r.secretTree }), message: r.message };
}

export interface ProposeOptions {
  authenticatedData?: Bytes;
  wireFormat?: 'public' | 'private';
}

/** Sends one proposal as a member; it is also cached in the returned state so our own commit can include it. */
export function propose(
  deps: GroupDeps,
  state: GroupState,
  proposal: Proposal,
  opts: ProposeOptions = {},
): { group: GroupState; message: MlsMessage; ref: Bytes } {
  assertOpen(state);
  const me: Sender = { senderType: SenderType.member, leafIndex: state.ownLeaf };
  if (proposal.proposalType !== ProposalType.update) validateProposal(deps, state, proposal, me);
  const content: FramedContent = {
    groupId: state.context.groupId,
    epoch: state.context.epoch,
    sender: me,
    authenticatedData: opts.authenticatedData ?? new Uint8Array(0),
    contentType: ContentType.proposal,
    proposal,
  };
  const wf =
    (opts.wireFormat ?? (state.config.handshakeAsPrivate ? 'private' : 'public')) === 'private'
      ? WireFormat.mls_private_message
      : WireFormat.mls_public_message;
  const epoch = epochOf(deps, state);
  const ac = signContent(epoch, wf, content, state.signaturePrivateKey);
  const ref = makeProposalRef(suiteOf(deps, state), encodeAuthenticatedContent(ac));
  const r = frame(epoch, state.secretTree, ac, deps.rng, state.config.paddingBlock);
  const group = makeState({ ...state, secretTree: r.secretTree, pending: [...state.pending, { ref, proposal, sender: me }] });
  return { group, message: r.message, ref };
}

/** RFC 9420 §12.1.2: an Update proposal with a fresh leaf key; its private key is kept until a commit applies it. */
export function proposeUpdate(
  deps: GroupDeps,
  state: GroupState,
  opts: ProposeOptions = {},
): { group: GroupState; message: MlsMessage; ref: Bytes } {
  const cs = suiteOf(deps, state);
  const own = state.tree.leaf(state.ownLeaf);
  if (!own) throw new UsageError('own leaf missing');
  const kp = cs.hpke.generateKeyPair(deps.rng);
  const { lifetime: _l, parentHash: _p, signature: _s, ...rest } = own;
  const unsigned: Omit<LeafNode, 'signature'> = { ...rest, encryptionKey: kp.publicKey, leafNodeSource: LeafNodeSource.update };
  assertOwnLeaf('Update proposal', unsigned, { ...state.context, tree: state.tree, ownLeaf: state.ownLeaf });
  const leafNode: LeafNode = {
    ...unsigned,
    signature: signWithLabel(
      cs,
      state.signaturePrivateKey,
      'LeafNodeTBS',
      encodeLeafNodeTbs(unsigned, state.context.groupId, state.ownLeaf),
    ),
  };
  const r = propose(deps, state, { proposalType: ProposalType.update, update: { leafNode } }, opts);
  return { ...r, group: makeState({ ...r.group, updateKeys: [...state.updateKeys, kp] }) };
}

/** RFC 9420 §8.5 MLS-Exporter(label, context, length) of the current epoch. */
export function exportSecret(deps: GroupDeps, state: GroupState, label: string, context: Bytes, length: number): Bytes {
  return mlsExporter(suiteOf(deps, state), state.keys.exporterSecret, label, context, length);
}

/** Who sends an external proposal (RFC 9420 §12.1.8): an entry of the group's external_senders extension. */
export interface ExternalProposer {
  readonly cipherSuite: number;
  readonly groupId: Bytes;
  readonly epoch: bigint;
  /** Index of our entry in the external_senders extension. */
  readonly senderIndex: number;
  readonly signaturePrivateKey: Bytes;
}

/**
 * RFC 9420 §12.1.8: a proposal from an external sender (e.g. the delivery service removing a device), as a
 * PublicMessage without membership tag. Only Add, Remove, PreSharedKey, ReInit and GroupContextExtensions.
 */
export function proposeExternal(
  deps: GroupDeps,
  from: ExternalProposer,
  proposal: Proposal,
  authenticatedData: Bytes = new Uint8Array(0),
): MlsMessage {
  const cs = deps.crypto.suite(from.cipherSuite);
  const content: FramedContent = {
    groupId: from.groupId,
    epoch: from.epoch,
    sender: { senderType: SenderType.external, senderIndex: from.senderIndex },
    authenticatedData,
    contentType: ContentType.proposal,
    proposal,
  };
  return signWithoutContext(cs, from.cipherSuite, content, from.signaturePrivateKey);
}

/**
 * A PublicMessage from a sender outside the group (external, new_member_proposal): its FramedContentTBS carries no
 * GroupContext and it has no membership tag (RFC 9420 §6.1, §6.2), so no epoch keys are needed.
 */
export function signWithoutContext(cs: CipherSuite, cipherSuite: number, content: FramedContent, signaturePrivateKey: Bytes): MlsMessage {
  const empty = new Uint8Array(0);
  const ctx = {
    version: ProtocolVersion.mls10,
    cipherSuite,
    groupId: content.groupId,
    epoch: content.epoch,
    treeHash: empty,
    confirmedTranscriptHash: empty,
    extensions: [],
  };
  const epoch = framingEpoch(cs, ctx, { membershipKey: empty, senderDataSecret: empty });
  const ac = signContent(epoch, WireFormat.mls_public_message, content, signaturePrivateKey);
  return { version: ProtocolVersion.mls10, wireFormat: WireFormat.mls_public_message, publicMessage: protectPublicMessage(epoch, ac) };
}
