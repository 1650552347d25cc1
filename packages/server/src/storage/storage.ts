// The storage interface of the server. SQLite implements it today; every method is async so that a
// PostgreSQL implementation (a later issue) fits without changing callers.
import type { SottoError } from '../errors.js';

export interface InviteRecord {
  id: string;
  secretHash: Uint8Array;
  createdAt: number;
  expiresAt: number;
  maxUses: number;
  uses: number;
  note: string;
  /** When an operator revoked it; a revoked invite admits no one. */
  revokedAt: number | null;
}

export interface AccountRecord {
  name: string;
  accountKey: Uint8Array;
  status: 'active' | 'suspended';
  createdAt: number;
}

export interface DeviceRecord {
  deviceId: string;
  account: string;
  certificate: Uint8Array;
  signatureKey: Uint8Array;
  cipherSuite: number;
  createdAt: number;
  revokedAt: number | null;
}

export interface TokenRecord {
  id: string;
  secretHash: Uint8Array;
  deviceId: string;
  account: string;
  expiresAt: number;
}

export interface ClaimedKeyPackage {
  deviceId: string;
  keyPackage: Uint8Array;
  lastResort: boolean;
}

export interface QueuedMessage {
  id: number;
  groupId: Uint8Array;
  kind: MessageKind;
  payload: Uint8Array;
  /** The server's receive time (ms): the time a franking stamp covers. */
  createdAt: number;
  /** An application message: who sent it, as the server authenticated them, and its franking commitment. */
  franking?: QueuedFranking | undefined;
}

/** What the server stamps for each recipient of an application message (docs/franking.md). */
export interface QueuedFranking {
  senderDevice: string;
  senderAccount: string;
  commitment: Uint8Array;
}

/** What the queue holds: an MLS message routed by group, or a Welcome routed to added devices. */
export type MessageKind = 'message' | 'welcome';

/**
 * One message to route. `epoch` and `contentType` come from MLS framing. An application message is routed to the
 * group's current delivery list when its epoch is within `epochWindow` epochs of the current one. A handshake
 * (`handshake` set) has been verified by the Delivery Service against the group's public state at (`epoch`,
 * `handshake.version`): it is applied only if the group is still there (compare-and-set), replacing the state,
 * the epoch and the delivery list, and it carries the Welcome for the devices it added.
 */
export interface SubmitOp {
  type: 'submit';
  senderDevice: string;
  /** The sender's account, recorded on each stored message for the queued-bytes quota. */
  senderAccount?: string | undefined;
  groupId: Uint8Array;
  epoch: bigint;
  contentType: number;
  payload: Uint8Array;
  /** Application messages: the franking commitment from the PrivateMessage's authenticated_data. */
  commitment?: Uint8Array | undefined;
  expiresAt: number;
  now: number;
  /** Application messages: how many epochs behind the current one are still accepted. */
  epochWindow: number;
  handshake?: VerifiedHandshake;
}

/** The outcome of verifying a proposal or commit against the group's public state (what storage writes). */
export interface VerifiedHandshake {
  /** The state version the verification started from (compare-and-set with `epoch`). */
  version: number;
  nextEpoch: bigint;
  /**
   * The whole state after this message (a snapshot), or undefined to store only the message itself in the group's
   * handshake log, from which the state is rebuilt by replaying it on the last snapshot (GroupStateRecord).
   */
  nextState?: Uint8Array | undefined;
  /** Devices whose leaves the commit adds (an external joiner included) and removes: the delivery list follows the tree. */
  addMembers: string[];
  removeMembers: string[];
  welcome?: { payload: Uint8Array; recipients: string[] };
  /** With a commit: the committer's GroupInfo of the new epoch (checked), or null when it sent none (cleared). */
  groupInfo?: Uint8Array | null;
}

/**
 * A group's public MLS state as stored: a snapshot of version `snapshotVersion` plus the handshakes applied after it
 * (versions snapshotVersion+1 .. version, oldest first, each with the time it was accepted). `state` is null for a
 * group made before verified delivery.
 */
export interface GroupStateRecord {
  epoch: bigint;
  version: number;
  state: Uint8Array | null;
  snapshotVersion: number;
  log: { message: Uint8Array; at: number }[];
}

/** A group as stored: epoch, public MLS state (absent for groups made before verified delivery) and its version. */
export interface GroupRecord {
  epoch: bigint;
  version: number;
  members: string[];
}

export interface AckOp {
  type: 'ack';
  deviceId: string;
  ids: number[];
}

export type BatchOp = SubmitOp | AckOp;

export interface Delivery {
  recipients: string[];
  message: QueuedMessage;
}

export type SubmitResult = { ok: true; messageId: number; epoch: bigint; deliveries: Delivery[] } | { ok: false; error: SottoError };

export type AckResult = { ok: true; acked: number } | { ok: false; error: SottoError };

export type BatchResult = SubmitResult | AckResult;

/** Written by an admin command, read by the running server: close the sockets of these devices now. */
export interface AdminEvent {
  id: number;
  kind: 'suspended' | 'deleted';
  account: string;
  devices: string[];
  at: number;
}

export interface StorageStats {
  accounts: number;
  devices: number;
  queuedDeliveries: number;
  queuedMessages: number;
  groups: number;
  blobs: number;
}

export interface Storage {
  // invites
  createInvite(inv: Omit<InviteRecord, 'revokedAt'>): Promise<void>;
  listInvites(): Promise<InviteRecord[]>;
  getInvite(id: string): Promise<InviteRecord | undefined>;
  /** Marks an invite revoked; false when there is no such invite. */
  revokeInvite(id: string, now: number): Promise<boolean>;
  /** Uses up one use of a live invite (a failed registration with it); false when it was unknown, expired or used up. */
  consumeInvite(id: string, now: number): Promise<boolean>;
  // accounts and devices
  /** Creates the account and its first device in one transaction; consumes one use of `inviteId` if given. */
  createAccount(account: AccountRecord, device: DeviceRecord, inviteId: string | undefined, now: number): Promise<void>;
  getAccount(name: string): Promise<AccountRecord | undefined>;
  listAccounts(): Promise<(AccountRecord & { devices: number })[]>;
  setAccountStatus(name: string, status: AccountRecord['status']): Promise<boolean>;
  deleteAccount(name: string): Promise<boolean>;
  addDevice(device: DeviceRecord, maxDevices: number): Promise<void>;
  getDevice(deviceId: string): Promise<DeviceRecord | undefined>;
  listDevices(account: string): Promise<DeviceRecord[]>;
  /** The live devices of `account` with the names its devices gave them ('' when none), oldest first. */
  listDeviceNames(account: string): Promise<Array<{ deviceId: string; name: string; createdAt: number }>>;
  /** Names a live device of `account`; false when `deviceId` is not one. */
  setDeviceName(account: string, deviceId: string, name: string): Promise<boolean>;
  revokeDevice(deviceId: string, revocation: Uint8Array, now: number): Promise<void>;
  // tokens
  putToken(t: TokenRecord): Promise<void>;
  getToken(id: string): Promise<TokenRecord | undefined>;
  // key packages
  addKeyPackages(deviceId: string, keyPackages: Uint8Array[], lastResort: Uint8Array | undefined, max: number): Promise<number>;
  countKeyPackages(deviceId: string): Promise<{ count: number; lastResort: boolean }>;
  /**
   * Atomically consumes one KeyPackage per live device of `account` (the last-resort one is not consumed).
   * With `oneTime` false, hands out only the last-resort KeyPackages and consumes nothing.
   */
  claimKeyPackages(account: string, oneTime?: boolean): Promise<ClaimedKeyPackage[]>;
  // groups and queues
  /** Starts routing a group from its verified public state, with the creator's device as the only member. */
  createGroup(groupId: Uint8Array, epoch: bigint, creatorDevice: string, state: Uint8Array, now: number): Promise<void>;
  getGroup(groupId: Uint8Array): Promise<GroupRecord | undefined>;
  /**
   * Deletes a group and everything held for it (public state, handshake log, delivery list, queued messages and their
   * deliveries) if it is still at state `version` (compare-and-set, as handshakes); false when it is not, or unknown.
   */
  deleteGroup(groupId: Uint8Array, version: number): Promise<boolean>;
  /** The group's public MLS state (snapshot and handshake log) with the epoch and version it belongs to. */
  getGroupState(groupId: Uint8Array): Promise<GroupStateRecord | undefined>;
  /** The epoch and state version alone (to tell whether a cached state is current without reading it). */
  getGroupVersion(groupId: Uint8Array): Promise<{ epoch: bigint; version: number } | undefined>;
  /** The GroupInfo of the group's current epoch that its last committer uploaded, for external joins (resync). */
  getGroupInfo(groupId: Uint8Array): Promise<{ epoch: bigint; groupInfo: Uint8Array | null; verified: boolean } | undefined>;
  /** Applies many submits and acks in one transaction (group commit); one result per op, in order. */
  applyBatch(ops: BatchOp[]): Promise<BatchResult[]>;
  fetchQueue(deviceId: string, afterId: number, limit: number, now: number): Promise<QueuedMessage[]>;
  /** Bytes of the messages (and Welcomes) `account` sent that are still waiting in some queue. */
  queuedBytesOf(account: string): Promise<number>;
  // blobs
  putBlob(hash: string, size: number, owner: string, now: number, expiresAt: number): Promise<void>;
  getBlob(hash: string, now: number): Promise<{ size: number; expiresAt: number } | undefined>;
  /** Bytes of the unexpired blobs uploaded by the devices of `account`. */
  blobBytesOf(account: string, now: number): Promise<number>;
  // housekeeping
  /** Deletes expired messages, tokens and blob records; returns the expired blob hashes. */
  sweep(now: number): Promise<{ messages: number; blobs: string[] }>;
  inactiveAccounts(): Promise<string[]>;
  // admin events (a queue from admin commands to the running server)
  addAdminEvent(event: Omit<AdminEvent, 'id'>): Promise<void>;
  /** Events with an id above `afterId`, oldest first. */
  adminEventsAfter(afterId: number): Promise<AdminEvent[]>;
  /** Deletes events recorded before `before` (ms). */
  pruneAdminEvents(before: number): Promise<void>;
  stats(): Promise<StorageStats>;
  backup(destination: string): Promise<void>;
  close(): Promise<void>;
}
