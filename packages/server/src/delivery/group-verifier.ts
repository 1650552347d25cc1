// The Delivery Service's check of handshakes (RFC 9420 §6.2, §12): every proposal and commit is verified against the
// group's public state (a PublicGroup from @sotto/mls: tree without private keys, GroupContext, proposals by reference)
// before the epoch moves or the delivery list changes. The delivery list is derived from the new tree, never from
// what a client says. No group secret is involved, and no content: application messages are not looked at here.
import { randomFillSync } from 'node:crypto';
import { decodeDeviceCertificate, verifyGroupOwner } from '@sotto/identity';
import {
  type Credential,
  type Member,
  checkGroupInfo,
  checkWelcome,
  createPublicGroup,
  DecodeError,
  deserializePublicGroup,
  EpochMismatchError,
  exportPublicRatchetTree,
  MlsError,
  type PublicGroup,
  type PublicGroupDeps,
  type PublicMember,
  processPublicMessage,
  publicGroupMembers,
  type RemovedMember,
  SenderType,
  serializePublicGroup,
} from '@sotto/mls';
import { createNativeProvider } from '@sotto/mls/native';
import { decodeGroupMeta, GROUP_META_EXTENSION, type GroupMeta, ownerProofOf, policyViolation } from '@sotto/protocol';
import { SottoError } from '../errors.js';
import type { Storage, VerifiedHandshake } from '../storage/storage.js';
import type { Clock } from '../util/clock.js';

/**
 * When a handshake's state is stored whole: after this many handshakes in the log, or when the log's bytes pass this
 * many times the last snapshot's. In between only the message is stored (the state of a 1,000-member group is ~340 KB,
 * an UpdatePath commit ~80 KB), and a state not in the cache is rebuilt by replaying at most this many handshakes.
 */
const SNAPSHOT_EVERY = 32;
const SNAPSHOT_LOG_RATIO = 4;

/** A group's state as verified, with what is needed to decide when to store it whole. */
interface Loaded {
  version: number;
  group: PublicGroup;
  /** Handshakes stored in the log since the last snapshot, and their bytes; the snapshot's bytes. */
  logCount: number;
  logBytes: number;
  snapshotBytes: number;
}

/** What verification hands to storage, plus what the caller needs for the reply. */
export interface Verified extends VerifiedHandshake {
  kind: 'proposal' | 'commit';
  /** Devices added by this commit (they get the Welcome); an external joiner is not among them. */
  added: string[];
  /** The state after this message. */
  group: PublicGroup;
  /** The state it was verified against, and the message's size (for `storable`). */
  from: Loaded;
  messageBytes: number;
}

/** How a verified handshake's new state is stored: whole (`nextState`), or as the message in the log. */
export interface Storable {
  nextState?: Uint8Array;
  log: Pick<Loaded, 'logCount' | 'logBytes' | 'snapshotBytes'>;
}

const CREDENTIAL_BASIC = 1;

/** The device a leaf claims: its certificate's device id, or undefined when the credential is no certificate. */
function deviceOf(credential: Credential): { deviceId: string; account: string } | undefined {
  if (credential.credentialType !== CREDENTIAL_BASIC || !('identity' in credential)) return undefined;
  try {
    const c = decodeDeviceCertificate(credential.identity);
    return { deviceId: c.deviceId, account: c.accountName };
  } catch {
    return undefined;
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.from(a).equals(Buffer.from(b));

function refuse(rule: string, message: string): SottoError {
  return new SottoError('INVALID_COMMIT', message, { rule });
}

/** Maps an @sotto/mls error to the server's codes; the MLS check's catalogue id travels as `rule`. */
function fromMls(e: unknown): never {
  if (e instanceof EpochMismatchError) {
    throw new SottoError('STALE_EPOCH', `the group is at epoch ${e.currentEpoch}; this message was made in epoch ${e.messageEpoch}`, {
      currentEpoch: e.currentEpoch.toString(),
    });
  }
  if (e instanceof DecodeError) throw new SottoError('MALFORMED_MLS', 'the message is not a well-formed MLSMessage');
  if (e instanceof MlsError) throw refuse(e.code, `the group's members would refuse this message (${e.code})`);
  throw e;
}

export class GroupVerifier {
  readonly deps: PublicGroupDeps;
  /** Deserialized states by group, valid while the stored version matches (bounded; least recently used goes). */
  readonly #cache = new Map<string, Loaded>();
  /** One handshake at a time per group: each starts from the state the previous one left. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly cacheSize = 256,
  ) {
    this.deps = {
      crypto: createNativeProvider(),
      rng: (n) => randomFillSync(new Uint8Array(n)),
      now: () => BigInt(Math.floor(this.clock.now() / 1000)),
      // Structure only here (synchronous hook); who the device is gets checked against storage after processing.
      validateCredential: (credential, signatureKey) => {
        if (credential.credentialType !== CREDENTIAL_BASIC || !('identity' in credential)) return false;
        try {
          return sameBytes(decodeDeviceCertificate(credential.identity).signatureKey, signatureKey);
        } catch {
          return false;
        }
      },
    };
  }

  /** Runs `fn` after every earlier call for the same group has finished. */
  exclusive<T>(groupId: Uint8Array, fn: () => Promise<T>): Promise<T> {
    const key = Buffer.from(groupId).toString('base64');
    const prev = this.#queues.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    // The tail settles after `run` either way and forgets the queue once nothing else waits behind it.
    const settle = (): void => {
      if (this.#queues.get(key) === tail) this.#queues.delete(key);
    };
    const tail: Promise<void> = run.then(settle, settle);
    this.#queues.set(key, tail);
    return run;
  }

  /**
   * A new group: its creator's GroupInfo of epoch 0 (RFC 9420 §11, with the ratchet_tree extension), signed by the
   * one leaf of the tree, which must be the calling device. Returns the state to store.
   */
  async genesis(deviceId: string, groupInfo: Uint8Array): Promise<{ groupId: Uint8Array; state: Uint8Array }> {
    let group: PublicGroup;
    try {
      group = createPublicGroup(this.deps, groupInfo);
    } catch (e) {
      fromMls(e);
    }
    if (group.context.epoch !== 0n || group.context.confirmedTranscriptHash.length !== 0) {
      throw refuse('V-DS-01', 'a new group starts at epoch 0 (RFC 9420 §11)');
    }
    const leaves = publicGroupMembers(group);
    if (leaves.length !== 1) throw refuse('V-DS-01', 'a new group has exactly one member, its creator');
    await this.#checkLeaf(leaves[0]!);
    if (deviceOf(leaves[0]!.credential)?.deviceId !== deviceId) {
      throw refuse('V-DS-01', "the new group's only member must be the calling device");
    }
    this.#checkOwner(group, leaves[0]!.credential);
    return { groupId: group.context.groupId, state: serializePublicGroup(group) };
  }

  /**
   * A new group's metadata, when it has one, names its creator as owner and carries the creating device's owner proof
   * for this group id (members check the same proof when they join; the server refuses a false one at the door).
   */
  #checkOwner(group: PublicGroup, creator: Credential): void {
    const e = group.context.extensions.find((x) => x.extensionType === GROUP_META_EXTENSION);
    if (!e) return;
    let meta: GroupMeta;
    try {
      meta = decodeGroupMeta(e.extensionData);
    } catch {
      throw refuse('GROUP_POLICY', 'the group metadata does not decode');
    }
    const proof = ownerProofOf(meta);
    if (!proof) throw refuse('GROUP_POLICY', "a new group's metadata carries its owner proof");
    if (!('identity' in creator) || deviceOf(creator)?.account !== meta.owner) {
      throw refuse('GROUP_POLICY', 'a new group is owned by the account that creates it');
    }
    try {
      verifyGroupOwner(proof, group.context.groupId, meta.owner);
    } catch {
      throw refuse('GROUP_POLICY', 'the owner proof does not verify for this group');
    }
    if (!sameBytes(proof.certificate, creator.identity)) throw refuse('GROUP_POLICY', "the owner proof is not the creating device's");
  }

  /** Verifies a PublicMessage proposal or commit sent by `sender` and returns what to store if it wins its epoch. */
  async verify(
    sender: { deviceId: string; account: string },
    groupId: Uint8Array,
    message: Uint8Array,
    groupInfo?: Uint8Array,
    welcome?: Uint8Array,
  ): Promise<Verified> {
    const loaded = await this.#load(groupId);
    const { group: before, version } = loaded;
    let r: ReturnType<typeof processPublicMessage>;
    try {
      r = processPublicMessage(this.deps, before, message);
    } catch (e) {
      fromMls(e);
    }
    // One leaf at a time: listing a 1,000-leaf tree (and decoding its certificates) per commit costs milliseconds.
    const leafBefore = (i: number) => {
      const leaf = before.tree.leaf(i);
      return leaf && { credential: leaf.credential };
    };
    // The MLS sender must be the authenticated device: a member may sign only as its own leaf.
    if (r.sender.senderType === SenderType.member) {
      const leaf = leafBefore(r.sender.leafIndex);
      if (!leaf || deviceOf(leaf.credential)?.deviceId !== sender.deviceId) {
        throw new SottoError('NOT_MEMBER', 'the message is signed as another member than the sending device');
      }
    } else if (r.kind === 'commit' && r.sender.senderType === SenderType.new_member_commit) {
      // External commit (resync, RFC 9420 §12.4.3.2): only a device of an account already in the group.
      const joiner = deviceOf(r.committer.credential);
      if (joiner?.deviceId !== sender.deviceId) throw new SottoError('NOT_MEMBER', 'an external commit must add the sending device');
      const accounts = new Set(publicGroupMembers(before).map((m) => deviceOf(m.credential)?.account));
      if (!accounts.has(sender.account)) {
        throw new SottoError('NOT_MEMBER', 'only a device of an account already in the group may rejoin by external commit');
      }
    } else {
      throw new SottoError('NOT_MEMBER', 'the server accepts handshakes from members only');
    }

    if (r.kind === 'proposal' && (groupInfo || welcome)) throw new SottoError('VALIDATION', 'welcome and groupInfo go only with a commit');
    if (r.kind === 'proposal') {
      if (r.proposal.proposalType === 2 /* update */) {
        // An Update proposal carries the sender's next leaf: it may not become another device.
        const after = deviceOf(r.proposal.update.leafNode.credential);
        if (after?.deviceId !== sender.deviceId) throw refuse('LEAF_IDENTITY', 'an Update may not change the device of a leaf');
      }
      if (r.proposal.proposalType === 1 /* add */) await this.#checkLeaf(leafOfKeyPackage(r.proposal.add.keyPackage));
      if (r.proposal.proposalType === 3 /* remove */ && hasMeta(before)) {
        // Leaving (RFC 9420 §12.1.3): in a group with Sotto roles a member proposes the removal of its own account's
        // devices only; removing anyone else is an admin's commit.
        const removed = leafBefore(r.proposal.remove.removed);
        if (!removed || deviceOf(removed.credential)?.account !== sender.account) {
          throw refuse('GROUP_POLICY', "a member may propose the removal of its own account's devices only");
        }
      }
      return {
        kind: 'proposal',
        version,
        nextEpoch: before.context.epoch,
        from: loaded,
        messageBytes: message.length,
        addMembers: [],
        removeMembers: [],
        added: [],
        group: r.group,
      };
    }

    // A leaf that stays may not change device (Update proposals, the committer's UpdatePath leaf).
    const changed = [...r.updated, ...(r.sender.senderType === SenderType.member ? [r.committer] : [])];
    for (const m of changed) {
      const old = leafBefore(m.leafIndex);
      if (old && deviceOf(old.credential)?.deviceId !== deviceOf(m.credential)?.deviceId) {
        throw refuse('LEAF_IDENTITY', 'an Update or UpdatePath may not change the device of a leaf');
      }
    }
    // The group's roles live in its public state (GroupMeta): the server refuses what every member would refuse, so
    // that a member breaking the admin rule cannot freeze the group for everyone else.
    const committerAccount =
      r.sender.senderType === SenderType.member ? deviceOf(leafBefore(r.sender.leafIndex)!.credential)!.account : sender.account;
    this.#checkPolicy(before, r.group, committerAccount, r.added, r.removed, selfRemovedAccounts(before, r.removed));
    // Every new or changed leaf is a registered, live device whose account signed this very certificate.
    const seen = new Set<number>();
    for (const m of [...r.added, ...changed]) {
      if (seen.has(m.leafIndex)) continue;
      seen.add(m.leafIndex);
      await this.#checkLeaf(m);
    }
    // The committer's GroupInfo of the new epoch, kept for devices that must rejoin by external commit.
    if (groupInfo) {
      try {
        checkGroupInfo(this.deps, r.group, groupInfo);
      } catch (e) {
        fromMls(e);
      }
    }
    const joinerIndex = r.sender.senderType === SenderType.new_member_commit ? r.committer.leafIndex : -1;
    const added = r.added.filter((m) => m.leafIndex !== joinerIndex).map((m) => deviceOf(m.credential)!.deviceId);
    if (added.length > 0 && !welcome) throw new SottoError('VALIDATION', 'a commit that adds devices needs their welcome');
    if (added.length === 0 && welcome) throw new SottoError('VALIDATION', 'a welcome goes only with a commit that adds devices');
    // The Welcome must be for exactly the KeyPackages added, or those devices could never join.
    if (welcome) {
      try {
        checkWelcome(r.group, welcome, r.addedKeyPackageRefs);
      } catch (e) {
        fromMls(e);
      }
    }
    return {
      kind: 'commit',
      version,
      nextEpoch: r.newEpoch,
      from: loaded,
      messageBytes: message.length,
      addMembers: r.added.map((m) => deviceOf(m.credential)!.deviceId),
      removeMembers: r.removed.map((m) => deviceOf(m.credential)?.deviceId ?? ''),
      added,
      groupInfo: groupInfo ?? null,
      group: r.group,
    };
  }

  /**
   * What a device needs to rejoin by external commit (RFC 9420 §12.4.3.2): the current epoch's GroupInfo its last
   * committer uploaded, and the server's tree. Only for a device of an account that is in the group.
   */
  async groupInfoFor(
    sender: { account: string },
    groupId: Uint8Array,
  ): Promise<{ epoch: bigint; groupInfo: Uint8Array; ratchetTree: Uint8Array }> {
    const row = await this.storage.getGroupInfo(groupId);
    const { group } = row?.verified ? await this.#load(groupId) : { group: undefined };
    const accounts = new Set(group ? publicGroupMembers(group).map((m) => deviceOf(m.credential)?.account) : []);
    if (!row || !group || !accounts.has(sender.account)) {
      throw new SottoError('UNKNOWN_GROUP', 'no such group, or no device of the calling account is in it');
    }
    if (!row.groupInfo || group.context.epoch !== row.epoch) {
      throw new SottoError('NOT_FOUND', 'no GroupInfo of the current epoch was uploaded with the last commit');
    }
    return { epoch: row.epoch, groupInfo: row.groupInfo, ratchetTree: exportPublicRatchetTree(group) };
  }

  /** Who a group's leaves are (their devices, in leaf order; undefined for a leaf without a certificate), at which epoch and state version. */
  async roster(groupId: Uint8Array): Promise<{ epoch: bigint; version: number; devices: (string | undefined)[] }> {
    const { group, version } = await this.#load(groupId);
    return { epoch: group.context.epoch, version, devices: publicGroupMembers(group).map((m) => deviceOf(m.credential)?.deviceId) };
  }

  /** Drops the cached state of a deleted group, so that a group made again under its id starts from its own state. */
  forget(groupId: Uint8Array): void {
    this.#cache.delete(Buffer.from(groupId).toString('base64'));
  }

  /** Remembers a state that storage accepted, so the next handshake starts from it without reading it back. */
  accepted(groupId: Uint8Array, v: Verified, stored: Storable, version: number): void {
    this.#remember(Buffer.from(groupId).toString('base64'), { version, group: v.group, ...stored.log });
  }

  /**
   * How to store a verified handshake's state (after verification, not part of it): whole when it is time for a
   * snapshot, else nothing but the message, which storage appends to the group's log.
   */
  storable(v: Verified): Storable {
    const { from } = v;
    const logBytes = from.logBytes + v.messageBytes;
    if (from.logCount + 1 < SNAPSHOT_EVERY && logBytes <= SNAPSHOT_LOG_RATIO * from.snapshotBytes) {
      return { log: { logCount: from.logCount + 1, logBytes, snapshotBytes: from.snapshotBytes } };
    }
    const nextState = serializePublicGroup(v.group);
    return { nextState, log: { logCount: 0, logBytes: 0, snapshotBytes: nextState.length } };
  }

  #checkPolicy(
    before: PublicGroup,
    after: PublicGroup,
    committer: string,
    added: readonly Member[],
    removed: readonly Member[],
    selfRemoved: string[],
  ): void {
    const metaOf = (g: PublicGroup) => {
      const e = g.context.extensions.find((x) => x.extensionType === GROUP_META_EXTENSION);
      return e && decodeGroupMeta(e.extensionData);
    };
    const was = metaOf(before);
    if (!was) return; // a group without Sotto roles: nothing more to enforce
    let now: GroupMeta | undefined;
    try {
      now = metaOf(after);
    } catch {
      throw refuse('GROUP_POLICY', 'the group metadata does not decode');
    }
    if (!now) throw refuse('GROUP_POLICY', 'the group metadata cannot be removed');
    const accounts = (ms: readonly Member[]) => [...new Set(ms.map((m) => deviceOf(m.credential)?.account ?? ''))];
    const v = policyViolation({
      committer,
      addedAccounts: accounts(added),
      removedAccounts: accounts(removed),
      selfRemovedAccounts: selfRemoved,
      before: was,
      after: now,
    });
    if (v) throw refuse('GROUP_POLICY', v);
  }

  async #checkLeaf(m: Pick<PublicMember, 'credential' | 'signatureKey'>): Promise<void> {
    const claimed = deviceOf(m.credential);
    if (!claimed) throw refuse('DEVICE_CERTIFICATE', 'a leaf must carry a device certificate');
    const device = await this.storage.getDevice(claimed.deviceId);
    const registered =
      device !== undefined &&
      device.revokedAt === null &&
      device.account === claimed.account &&
      'identity' in m.credential &&
      sameBytes(device.certificate, m.credential.identity) &&
      sameBytes(device.signatureKey, m.signatureKey);
    if (!registered) {
      throw refuse('DEVICE_CERTIFICATE', `leaf device ${claimed.deviceId} is not a registered, live device of ${claimed.account}`);
    }
    const account = await this.storage.getAccount(claimed.account);
    if (account?.status !== 'active') throw refuse('DEVICE_CERTIFICATE', `account ${claimed.account} is not active`);
  }

  async #load(groupId: Uint8Array): Promise<Loaded> {
    const key = Buffer.from(groupId).toString('base64');
    const hit = this.#cache.get(key);
    const current = await this.storage.getGroupVersion(groupId);
    if (!current) throw new SottoError('UNKNOWN_GROUP', 'the server routes no group with this id');
    if (hit && hit.version === current.version) {
      this.#remember(key, hit);
      return hit;
    }
    const row = await this.storage.getGroupState(groupId);
    if (!row) throw new SottoError('UNKNOWN_GROUP', 'the server routes no group with this id');
    if (row.state === null) {
      throw new SottoError('UNKNOWN_GROUP', 'this group was created before the server verified handshakes; create it again');
    }
    if (row.snapshotVersion + row.log.length !== row.version) {
      throw new SottoError('INTERNAL', `the stored state of this group is incomplete (version ${row.version})`);
    }
    let group = deserializePublicGroup(this.deps, row.state);
    // Each logged handshake was verified when it came in; replaying it (at the time it was accepted, for lifetimes)
    // rebuilds the state it led to.
    for (const entry of row.log) {
      const deps = { ...this.deps, now: () => BigInt(Math.floor(entry.at / 1000)) };
      group = processPublicMessage(deps, group, entry.message).group;
    }
    const loaded: Loaded = {
      version: row.version,
      group,
      logCount: row.log.length,
      logBytes: row.log.reduce((n, e) => n + e.message.length, 0),
      snapshotBytes: row.state.length,
    };
    this.#remember(key, loaded);
    return loaded;
  }

  #remember(key: string, loaded: Loaded): void {
    this.#cache.delete(key);
    this.#cache.set(key, loaded);
    if (this.#cache.size > this.cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
  }
}

function leafOfKeyPackage(kp: { leafNode: { credential: Credential; signatureKey: Uint8Array } }) {
  return { credential: kp.leafNode.credential, signatureKey: kp.leafNode.signatureKey };
}

const hasMeta = (g: PublicGroup) => g.context.extensions.some((x) => x.extensionType === GROUP_META_EXTENSION);

/** Accounts whose every removed leaf was proposed for removal by a member leaf of that same account (they left). */
function selfRemovedAccounts(before: PublicGroup, removed: readonly RemovedMember[]): string[] {
  const proposerAccount = (m: RemovedMember) => {
    if (m.proposer.senderType !== SenderType.member) return undefined;
    const leaf = before.tree.leaf(m.proposer.leafIndex);
    return leaf && deviceOf(leaf.credential)?.account;
  };
  const byAccount = new Map<string, boolean>();
  for (const m of removed) {
    const account = deviceOf(m.credential)?.account;
    if (account === undefined) continue;
    byAccount.set(account, (byAccount.get(account) ?? true) && proposerAccount(m) === account);
  }
  return [...byAccount].filter(([, self]) => self).map(([a]) => a);
}
