// The group state of one member (RFC 9420 §8, §12): an immutable value the caller persists between operations.
import type { CipherSuite, KeyPair, MlsDeps } from '../crypto/provider.js';
import { redactSecrets } from '../crypto/secret.js';
import { UsageError } from '../errors.js';
import type { CredentialValidator } from '../key-package/validate.js';
import type { EpochSecrets } from '../schedule/key-schedule.js';
import { SecretTree } from '../schedule/secret-tree.js';
import type { PrivateTree } from '../tree/private-tree.js';
import type { RatchetTree } from '../tree/ratchet-tree.js';
import type { Bytes, Credential, GroupContext, LeafNode, Proposal, ReInit, Sender } from '../wire/index.js';

/** The epoch secrets a member keeps (RFC 9420 §8); encryption_secret lives on only as the secret tree. */
export interface EpochKeys {
  readonly senderDataSecret: Bytes;
  readonly exporterSecret: Bytes;
  readonly externalSecret: Bytes;
  readonly confirmationKey: Bytes;
  readonly membershipKey: Bytes;
  readonly resumptionPsk: Bytes;
  readonly epochAuthenticator: Bytes;
  readonly initSecret: Bytes;
}

/** A proposal received (or sent) in the current epoch, cached by its reference (RFC 9420 §12.4). */
export interface PendingProposal {
  readonly ref: Bytes;
  readonly proposal: Proposal;
  readonly sender: Sender;
}

/** Per-group settings chosen at creation or join; persisted with the state. */
export interface GroupConfig {
  /** Send proposals and commits as PrivateMessage (default) or PublicMessage (RFC 9420 §6). */
  readonly handshakeAsPrivate: boolean;
  /** Bytes of zero padding added to each PrivateMessage, rounded up to a multiple of this (0 = none). */
  readonly paddingBlock: number;
  /** How many past epochs' resumption PSKs to keep (RFC 9420 §8.6). */
  readonly resumptionPskEpochs: number;
  /**
   * How many past epochs can still decrypt late application messages (sent before a commit we already applied).
   * Each kept epoch keeps its unused message keys: a trade of forward secrecy for delivery (RFC 9420 §15.3).
   */
  readonly pastEpochs: number;
}

/** What a past epoch keeps to decrypt late application messages: its framing keys, tree and secret tree. */
export interface PastEpoch {
  readonly context: GroupContext;
  readonly tree: RatchetTree;
  readonly senderDataSecret: Bytes;
  readonly membershipKey: Bytes;
  readonly secretTree: SecretTree;
}

export const DEFAULT_CONFIG: GroupConfig = Object.freeze({
  handshakeAsPrivate: true,
  paddingBlock: 0,
  resumptionPskEpochs: 4,
  pastEpochs: 1,
});

/**
 * One member's view of a group at one epoch. A plain, immutable value: every operation returns a new state and
 * leaves its input untouched. Holds secrets: it prints as `GroupState [redacted]`; persist it with serializeGroup.
 */
export interface GroupState {
  readonly context: GroupContext;
  readonly tree: RatchetTree;
  readonly ownLeaf: number;
  readonly signaturePrivateKey: Bytes;
  /** HPKE private keys by node index: our leaf and the nodes of our direct path we know (RFC 9420 §7.4). */
  readonly privateTree: PrivateTree;
  /** Leaf key pairs of our own Update proposals of this epoch, used if a commit applies one. */
  readonly updateKeys: readonly KeyPair[];
  readonly keys: EpochKeys;
  readonly secretTree: SecretTree;
  readonly interimTranscriptHash: Bytes;
  readonly confirmationTag: Bytes;
  readonly pending: readonly PendingProposal[];
  /** Resumption PSKs of recent epochs, by epoch (current epoch included). */
  readonly resumptionPsks: ReadonlyMap<bigint, Bytes>;
  /** Most recent first, at most config.pastEpochs. */
  readonly pastEpochs: readonly PastEpoch[];
  readonly config: GroupConfig;
  /**
   * Set once a commit with a ReInit proposal is applied (RFC 9420 §11.2, §12.1.5): the group is closed, `epoch` is
   * the epoch that commit created, whose resumption PSK (usage reinit) links the new group. Nothing more is sent here.
   */
  readonly reinit?: { readonly proposal: ReInit; readonly epoch: bigint };
}

/** Throws unless the group can still send (RFC 9420 §11.2: a reinitialised group continues as a new group). */
export function assertOpen(state: GroupState): void {
  if (state.reinit) {
    throw new UsageError(
      `the group was reinitialised at epoch ${state.reinit.epoch}: continue in the new group (reinitGroup / joinFromWelcome)`,
    );
  }
}

/** A member of the group as an application sees it. */
export interface Member {
  readonly leafIndex: number;
  readonly credential: Credential;
  readonly signatureKey: Bytes;
  /** For a basic credential, the identity bytes; empty otherwise. */
  readonly identity: Bytes;
}

/** The side effects and hooks every group operation takes (STYLE.md rule 1). */
export interface GroupDeps extends MlsDeps {
  /** Application check of a member's credential (e.g. a Sotto device certificate). Return false to reject. */
  validateCredential?: CredentialValidator;
  /** Value of an external PSK by its psk_id (RFC 9420 §8.4), if the application holds it. */
  externalPsk?: (pskId: Bytes) => Bytes | undefined;
}

export function suiteOf(deps: MlsDeps, state: { context: GroupContext }): CipherSuite {
  return deps.crypto.suite(state.context.cipherSuite);
}

export function keysFrom(s: EpochSecrets): EpochKeys {
  return {
    senderDataSecret: s.senderDataSecret,
    exporterSecret: s.exporterSecret,
    externalSecret: s.externalSecret,
    confirmationKey: s.confirmationKey,
    membershipKey: s.membershipKey,
    resumptionPsk: s.resumptionPsk,
    epochAuthenticator: s.epochAuthenticator,
    initSecret: s.initSecret,
  };
}

/** Freezes a new state and marks it redacted. */
// One shared prototype carries the redacting toString/toJSON/inspect, so a new state per message costs a copy,
// not three property definitions (which would also push every state object into slow dictionary mode).
const STATE_PROTOTYPE: object = redactSecrets({}, 'GroupState');

export function makeState(s: GroupState): GroupState {
  return Object.freeze(Object.assign(Object.create(STATE_PROTOTYPE) as GroupState, s));
}

export function memberOf(leafIndex: number, leaf: LeafNode): Member {
  return {
    leafIndex,
    credential: leaf.credential,
    signatureKey: leaf.signatureKey,
    identity: 'identity' in leaf.credential ? leaf.credential.identity : new Uint8Array(0),
  };
}

export function membersOf(state: GroupState): Member[] {
  return [...state.tree.leaves()].map(([i, leaf]) => memberOf(i, leaf));
}

/** The past-epoch list after leaving the current epoch, whose secret tree is now `secretTree`. */
export function retireEpoch(state: GroupState, secretTree: SecretTree): PastEpoch[] {
  const current: PastEpoch = {
    context: state.context,
    tree: state.tree,
    senderDataSecret: state.keys.senderDataSecret,
    membershipKey: state.keys.membershipKey,
    secretTree,
  };
  return [current, ...state.pastEpochs].slice(0, state.config.pastEpochs);
}

/** Keeps the last `n` resumption PSKs, adding this epoch's. */
export function rememberPsk(prev: ReadonlyMap<bigint, Bytes>, epoch: bigint, psk: Bytes, n: number): Map<bigint, Bytes> {
  const m = new Map(prev);
  m.set(epoch, psk);
  for (const e of [...m.keys()]) if (e + BigInt(n) <= epoch) m.delete(e);
  return m;
}

export { SecretTree };
