// @sotto/mls public API: RFC 9420 Messaging Layer Security for application developers.
// A `Group` is an immutable value; every operation returns a new one, which the caller persists (serializeGroup)
// once the server has accepted the resulting message. Messages travel as encoded MLSMessage bytes.
import type { RemovedMember } from './group/apply-proposals.js';
import { UsageError } from './errors.js';
import { type CommitOptions, createCommit } from './group/commit.js';
import { type CreateGroupOptions, createGroup as createGroupState } from './group/create.js';
import { type ExternalJoinOptions, joinByExternalCommit as externalJoin } from './group/external.js';
import { type GroupInfoOptions, signGroupInfo } from './group/group-info.js';
import { type JoinOptions, joinFromWelcomeWithSigner as joinStateWithSigner, type OwnKeyPackage } from './group/join.js';
import { proposeOwnAdd as proposeOwnAddState, type ReinitOptions, reinitGroup as reinitState } from './group/reinit.js';
import {
  type ExternalProposer,
  encryptMessage as encryptState,
  exportSecret as exportState,
  propose,
  proposeExternal,
  proposeUpdate,
} from './group/messages.js';
import { type ProcessResult as InternalResult, processMessage as processState } from './group/process.js';
import { type GroupDeps, type GroupState, type Member, membersOf, suiteOf } from './group/state.js';
import { type CreatedKeyPackage, type CreateKeyPackageOptions, createKeyPackage as createKp } from './key-package/create.js';
import { keyPackageRef } from './key-package/ref.js';
import { validateKeyPackage as validateKp } from './key-package/validate.js';
import {
  type Bytes,
  decodeMlsMessage,
  decodeRatchetTree,
  type Extension,
  encodeMlsMessage,
  encodeRatchetTree,
  type KeyPackage,
  type MlsMessage,
  type PreSharedKeyID,
  type Proposal,
  ProposalType,
  ProtocolVersion,
  type RatchetTreeNodes,
  type ReInit,
  type Welcome,
  WireFormat,
} from './wire/index.js';

import type { CipherSuite } from './crypto/provider.js';

export type Group = GroupState;
export type { CryptoProvider, MlsDeps, Rng } from './crypto/provider.js';
export type { OwnKeyPackage } from './group/join.js';
export type { GroupConfig } from './group/state.js';
export type { KeyPackagePrivate } from './key-package/create.js';
export type { CredentialValidator } from './key-package/validate.js';
export type {
  Bytes,
  Credential,
  Extension,
  KeyPackage,
  MlsMessage,
  PreSharedKeyID,
  Proposal,
  RatchetTreeNodes,
  ReInit,
} from './wire/index.js';
export type { ReinitOptions } from './group/reinit.js';
export { ContentType, CredentialType, ExtensionType, ProposalType, PskType, SenderType, WireFormat } from './wire/index.js';
export { type MlsHeader, parseMlsHeader } from './wire/message-header.js';
export type {
  CommitOptions,
  CreateGroupOptions,
  CreateKeyPackageOptions,
  ExternalJoinOptions,
  GroupDeps,
  GroupInfoOptions,
  JoinOptions,
  Member,
};

/** RFC 9420 §17.1 cipher suite ids; Sotto's mandatory suite is MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519. */
export const CipherSuiteId = {
  MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519: 1,
  MLS_128_DHKEMP256_AES128GCM_SHA256_P256: 2,
  MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519: 3,
  /** Post-quantum hybrid (X-Wing KEM, HPKE 0x647A) as OpenMLS ships it; not in the RFC 9420 table (see crypto/xwing.ts). */
  MLS_256_XWING_CHACHA20POLY1305_SHA256_Ed25519: 0x004d,
} as const;
export { CryptoError, DecodeError, EpochMismatchError, MlsError, UnsupportedError, UsageError, ValidationError } from './errors.js';
export { deserializeGroup, serializeGroup } from './group/serialize.js';
// The Delivery Service's view of a group: public state only, verified without epoch secrets (docs/public-group.md).
export { createPublicGroup, createPublicGroupFromFirstCommit, type PublicGroupInfoOptions } from './public-group/create.js';
export { checkGroupInfo, checkWelcome, exportPublicRatchetTree } from './public-group/group-info.js';
export { processPublicMessage, type PublicProcessResult } from './public-group/process.js';
export { deserializePublicGroup, serializePublicGroup } from './public-group/serialize.js';
export type { RemovedMember } from './group/apply-proposals.js';
export { type PublicGroup, type PublicGroupDeps, type PublicMember, publicGroupMembers } from './public-group/state.js';
export { CATALOGUE, type CatalogueEntry } from './validation-catalogue.js';
export { encodeExternalSenders, encodeRequiredCapabilities } from './wire/index.js';

/** A fresh KeyPackage to upload, its reference, its encoded MLSMessage bytes, and the private keys to keep. */
export interface NewKeyPackage extends CreatedKeyPackage {
  readonly bytes: Bytes;
}

export function createKeyPackage(deps: GroupDeps, opts: CreateKeyPackageOptions): NewKeyPackage {
  const kp = createKp(deps, opts);
  return {
    ...kp,
    privateKeys: kp.privateKeys,
    bytes: encodeMlsMessage({ version: ProtocolVersion.mls10, wireFormat: 5, keyPackage: kp.keyPackage }),
  };
}

/** Decodes an MLSMessage carrying a KeyPackage and validates it (RFC 9420 §10.1). */
export function parseKeyPackage(deps: GroupDeps, bytes: Bytes, cipherSuite?: number): KeyPackage {
  const kp = decodeKeyPackageMessage(bytes);
  validateKp(deps, kp, {
    ...(cipherSuite !== undefined ? { cipherSuite } : {}),
    ...(deps.validateCredential ? { validateCredential: deps.validateCredential } : {}),
  });
  return kp;
}

function decodeKeyPackageMessage(bytes: Bytes): KeyPackage {
  const m = decodeMlsMessage(bytes);
  if (m.wireFormat !== WireFormat.mls_key_package) throw new UsageError('not a KeyPackage message');
  return m.keyPackage;
}

export function keyPackageReference(deps: GroupDeps, kp: KeyPackage): Bytes {
  return keyPackageRef(deps.crypto.suite(kp.cipherSuite), kp);
}

export function createGroup(deps: GroupDeps, opts: CreateGroupOptions): Group {
  return createGroupState(deps, opts);
}

/** Result of a commit: the new group (persist it once the server accepts `commit`), and the bytes to send. */
export interface CommitOutput {
  readonly group: Group;
  /** MLSMessage for the current members. */
  readonly commit: Bytes;
  /** MLSMessage Welcome for the added members, if any. */
  readonly welcome?: Bytes;
  /** The ratchet tree to hand new members out of band when `ratchetTreeInWelcome` is false (encoded when read). */
  readonly ratchetTree: Bytes;
  readonly added: Member[];
  /** Leaves removed, with who proposed each removal (RFC 9420 §12.1.3). */
  readonly removed: RemovedMember[];
  readonly updated: Member[];
}

function output(r: ReturnType<typeof createCommit>): CommitOutput {
  let tree: Bytes | undefined;
  return {
    group: r.group,
    commit: encodeMlsMessage(r.commit),
    ...(r.welcome ? { welcome: encodeMlsMessage(r.welcome) } : {}),
    // O(N) to encode: done on first read only, since most commits never hand the tree out of band.
    get ratchetTree(): Bytes {
      tree ??= encodeRatchetTree(r.group.tree.toNodes());
      return tree;
    },
    added: r.added,
    removed: r.removed,
    updated: r.updated,
  };
}

/** The group's ratchet tree (RFC 9420 §12.4.3.3), to hand a joiner out of band when the Welcome does not carry it. */
export function exportRatchetTree(group: Group): Bytes {
  return encodeRatchetTree(group.tree.toNodes());
}

/** The parameters of a reinitialised group (RFC 9420 §12.1.5); the group id defaults to a fresh random one. */
export interface ReinitParams {
  cipherSuite: number;
  groupId?: Bytes;
  extensions?: Extension[];
  version?: number;
}

function reinitProposal(deps: GroupDeps, p: ReinitParams): Proposal {
  return {
    proposalType: ProposalType.reinit,
    reinit: {
      groupId: p.groupId ?? deps.rng(32),
      version: p.version ?? ProtocolVersion.mls10,
      cipherSuite: p.cipherSuite,
      extensions: p.extensions ?? [],
    },
  };
}

/**
 * RFC 9420 §11.2 steps 1-2: a commit carrying only a ReInit. Once it is applied the group is closed (`reinitOf`), and
 * any member continues with `reinitGroup`.
 */
export function commitReinit(
  deps: GroupDeps,
  group: Group,
  params: ReinitParams,
  opts: Omit<CommitOptions, 'proposals' | 'includePending'> = {},
): CommitOutput {
  return commit(deps, group, { ...opts, includePending: false, proposals: [reinitProposal(deps, params)] });
}

export function proposeReinit(deps: GroupDeps, group: Group, params: ReinitParams): ProposalOutput {
  return proposalOut(propose(deps, group, reinitProposal(deps, params)));
}

/** The ReInit that closed this group and the epoch it created, if any (RFC 9420 §11.2). */
export function reinitOf(group: Group): { readonly proposal: ReInit; readonly epoch: bigint } | undefined {
  return group.reinit;
}

/**
 * RFC 9420 §11.2 step 3: the new group that continues a reinitialised one, with every other old member added from
 * a fresh KeyPackage and the reinit resumption PSK linking the two. Send `welcome` to the members, who join it
 * with `joinFromWelcome(..., { reinitFrom: oldGroup })`.
 */
export function reinitGroup(
  deps: GroupDeps,
  old: Group,
  opts: Omit<ReinitOptions, 'keyPackages'> & { keyPackages: (KeyPackage | Bytes)[] },
): CommitOutput {
  const keyPackages = opts.keyPackages.map((kp) => (kp instanceof Uint8Array ? decodeKeyPackageMessage(kp) : kp));
  return output(reinitState(deps, old, { ...opts, keyPackages }));
}

/**
 * RFC 9420 §12.1.8: a prospective member's own Add proposal (sender new_member_proposal) for the group whose
 * GroupInfo it holds; a member that processes it can commit it by reference and send the Welcome.
 */
export function proposeOwnAdd(deps: GroupDeps, groupInfo: Bytes, own: OwnKeyPackage, authenticatedData?: Bytes): Bytes {
  const m = decodeMlsMessage(groupInfo);
  if (m.wireFormat !== WireFormat.mls_group_info) throw new UsageError('not a GroupInfo message');
  const ctx = m.groupInfo.groupContext;
  const target = { cipherSuite: ctx.cipherSuite, groupId: ctx.groupId, epoch: ctx.epoch };
  const signer = { keyPackage: own.keyPackage, signaturePrivateKey: own.privateKeys.signaturePrivateKey };
  return encodeMlsMessage(proposeOwnAddState(deps, target, signer, authenticatedData));
}

function asKeyPackage(deps: GroupDeps, kp: KeyPackage | Bytes): KeyPackage {
  return kp instanceof Uint8Array ? parseKeyPackage(deps, kp) : kp;
}

/** Commits every pending proposal plus the given ones (RFC 9420 §12.4). */
export function commit(deps: GroupDeps, group: Group, opts: CommitOptions = {}): CommitOutput {
  return output(createCommit(deps, group, opts));
}

/** Adds members in one commit; `welcome` goes to them (RFC 9420 §12.1.1, §12.4.3.1). */
export function addMembers(
  deps: GroupDeps,
  group: Group,
  keyPackages: (KeyPackage | Bytes)[],
  opts: Omit<CommitOptions, 'proposals'> = {},
): CommitOutput {
  // Decoded only: the commit validates every Add's KeyPackage once (RFC 9420 §12.2, §10.1).
  const proposals: Proposal[] = keyPackages.map((kp) => ({
    proposalType: ProposalType.add,
    add: { keyPackage: kp instanceof Uint8Array ? decodeKeyPackageMessage(kp) : kp },
  }));
  return commit(deps, group, { ...opts, proposals });
}

/** Removes the members at these leaf indices in one commit (RFC 9420 §12.1.3). */
export function removeMembers(
  deps: GroupDeps,
  group: Group,
  leafIndices: number[],
  opts: Omit<CommitOptions, 'proposals'> = {},
): CommitOutput {
  return commit(deps, group, {
    ...opts,
    proposals: leafIndices.map((removed) => ({ proposalType: ProposalType.remove, remove: { removed } })),
  });
}

/** Refreshes our own keys: a commit with an UpdatePath (post-compromise security, RFC 9420 §12.4). */
export function updateKey(deps: GroupDeps, group: Group, opts: Omit<CommitOptions, 'forcePath'> = {}): CommitOutput {
  return commit(deps, group, { ...opts, forcePath: true });
}

/** Replaces the group context extensions (RFC 9420 §12.1.7) in a commit. */
export function setGroupExtensions(deps: GroupDeps, group: Group, extensions: Extension[]): CommitOutput {
  return commit(deps, group, {
    proposals: [{ proposalType: ProposalType.group_context_extensions, groupContextExtensions: { extensions } }],
  });
}

export interface ProposalOutput {
  readonly group: Group;
  readonly message: Bytes;
  readonly ref: Bytes;
}

function proposalOut(r: { group: Group; message: MlsMessage; ref: Bytes }): ProposalOutput {
  return { group: r.group, message: encodeMlsMessage(r.message), ref: r.ref };
}

export function proposeAdd(deps: GroupDeps, group: Group, keyPackage: KeyPackage | Bytes): ProposalOutput {
  return proposalOut(propose(deps, group, { proposalType: ProposalType.add, add: { keyPackage: asKeyPackage(deps, keyPackage) } }));
}
export function proposeRemove(deps: GroupDeps, group: Group, leafIndex: number): ProposalOutput {
  return proposalOut(propose(deps, group, { proposalType: ProposalType.remove, remove: { removed: leafIndex } }));
}
export function proposeUpdateKey(deps: GroupDeps, group: Group): ProposalOutput {
  return proposalOut(proposeUpdate(deps, group));
}
export function proposePsk(deps: GroupDeps, group: Group, psk: PreSharedKeyID): ProposalOutput {
  return proposalOut(propose(deps, group, { proposalType: ProposalType.psk, psk: { psk } }));
}
export function proposeGroupExtensions(deps: GroupDeps, group: Group, extensions: Extension[]): ProposalOutput {
  return proposalOut(propose(deps, group, { proposalType: ProposalType.group_context_extensions, groupContextExtensions: { extensions } }));
}

/** A proposal from an external sender listed in the group's external_senders extension (RFC 9420 §12.1.8). */
export function proposeAsExternalSender(deps: GroupDeps, from: ExternalProposer, proposal: Proposal): Bytes {
  return encodeMlsMessage(proposeExternal(deps, from, proposal));
}
export type { ExternalProposer };

export type ProcessResult = InternalResult;

/** Processes one received PublicMessage/PrivateMessage; throws (state untouched) if it fails validation. */
export function processMessage(deps: GroupDeps, group: Group, message: Bytes): ProcessResult {
  return processState(deps, group, decodeMlsMessage(message));
}

/** Encrypts application data for the group (always a PrivateMessage). */
export function encryptMessage(deps: GroupDeps, group: Group, data: Bytes, authenticatedData?: Bytes): { group: Group; message: Bytes } {
  const r = encryptState(deps, group, data, authenticatedData);
  return { group: r.group, message: encodeMlsMessage(r.message) };
}

/** Joins from a Welcome with one of our KeyPackages (the one the Welcome names is picked). */
export function joinFromWelcome(
  deps: GroupDeps,
  welcome: Bytes,
  keyPackages: OwnKeyPackage | OwnKeyPackage[],
  opts: Omit<JoinOptions, 'ratchetTree'> & { ratchetTree?: Bytes | RatchetTreeNodes } = {},
): Group {
  return joinFromWelcomeWithCommitter(deps, welcome, keyPackages, opts).group;
}

/**
 * As joinFromWelcome, also returning `committer`: the leaf index that signed the Welcome's GroupInfo (RFC 9420
 * §12.4.3.1), i.e. the member whose commit added us. Its signature was verified under that leaf's key.
 */
export function joinFromWelcomeWithCommitter(
  deps: GroupDeps,
  welcome: Bytes,
  keyPackages: OwnKeyPackage | OwnKeyPackage[],
  opts: Omit<JoinOptions, 'ratchetTree'> & { ratchetTree?: Bytes | RatchetTreeNodes } = {},
): { group: Group; committer: number } {
  const m = decodeMlsMessage(welcome);
  if (m.wireFormat !== WireFormat.mls_welcome) throw new UsageError('not a Welcome message');
  const list = Array.isArray(keyPackages) ? keyPackages : [keyPackages];
  const suite = deps.crypto.suite(m.welcome.cipherSuite); // an unsupported suite fails here, as before
  // One KeyPackage is used as given (join checks its reference, V-WELC-01): no hex of every Welcome entry. Among
  // several, the one the Welcome names.
  const own = list.length === 1 ? list[0] : pickOwnKeyPackage(suite, m.welcome, list);
  if (!own) throw new UsageError('no KeyPackage given');
  const { ratchetTree, ...rest } = opts;
  const tree = ratchetTree instanceof Uint8Array ? decodeRatchetTree(ratchetTree) : ratchetTree;
  const r = joinStateWithSigner(deps, m.welcome, own, { ...rest, ...(tree ? { ratchetTree: tree } : {}) });
  return { group: r.state, committer: r.signer };
}

/** A signed GroupInfo (MLSMessage) of the current epoch, e.g. published for external joins. */
export function createGroupInfo(deps: GroupDeps, group: Group, opts: GroupInfoOptions = { externalPub: true }): Bytes {
  const gi = signGroupInfo(suiteOf(deps, group), group, opts);
  return encodeMlsMessage({ version: ProtocolVersion.mls10, wireFormat: WireFormat.mls_group_info, groupInfo: gi });
}

/** Joins by external commit from a published GroupInfo; send `commit` to the group (RFC 9420 §12.4.3.2). */
export function joinByExternalCommit(
  deps: GroupDeps,
  groupInfo: Bytes,
  opts: Omit<ExternalJoinOptions, 'ratchetTree'> & { ratchetTree?: Bytes | RatchetTreeNodes },
): { group: Group; commit: Bytes } {
  const m = decodeMlsMessage(groupInfo);
  if (m.wireFormat !== WireFormat.mls_group_info) throw new UsageError('not a GroupInfo message');
  const { ratchetTree, ...rest } = opts;
  const tree = ratchetTree instanceof Uint8Array ? decodeRatchetTree(ratchetTree) : ratchetTree;
  const r = externalJoin(deps, m.groupInfo, { ...rest, ...(tree ? { ratchetTree: tree } : {}) });
  return { group: r.group, commit: encodeMlsMessage(r.commit) };
}

/** RFC 9420 §8.5 exporter: a secret of `length` bytes bound to this epoch, `label` and `context`. */
export function exportSecret(deps: GroupDeps, group: Group, label: string, context: Bytes, length: number): Bytes {
  return exportState(deps, group, label, context, length);
}

export function members(group: Group): Member[] {
  return membersOf(group);
}
export function epoch(group: Group): bigint {
  return group.context.epoch;
}
export function groupId(group: Group): Bytes {
  return group.context.groupId;
}
export function ownLeafIndex(group: Group): number {
  return group.ownLeaf;
}
/** RFC 9420 §8.7: equal for all members of an epoch; compare it out of band to detect a split view. */
export function epochAuthenticator(group: Group): Bytes {
  return group.keys.epochAuthenticator;
}

function pickOwnKeyPackage(suite: CipherSuite, welcome: Welcome, list: OwnKeyPackage[]): OwnKeyPackage | undefined {
  const refs = new Set(welcome.secrets.map((s) => hex(s.newMember)));
  return list.find((k) => k.keyPackage.cipherSuite === welcome.cipherSuite && refs.has(hex(keyPackageRef(suite, k.keyPackage)))) ?? list[0];
}

function hex(b: Bytes): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
