// Ports: what the client's parts (commits, receiver, sender, held, sync, contacts, devices, upkeep) see of the core and
// of each other. A leaf module: the parts depend on these interfaces, never on core.ts or sotto-client.ts (no cycle).

import { sha256 } from '@noble/hashes/sha2.js';
import type { Credential, CryptoProvider, Group } from '@sotto/mls';
import type { ContentBody } from '../content/content-types.js';
import type { GroupMeta } from '../conversation/group-meta.js';
import type { DeviceIdentity } from '../identity/device-identity.js';
import { deriveLinkCode, formatLinkCode } from '../link/link-code.js';
import { type LeafInfo, leafFromCredential, type MlsAdapter, type StoredKeyPackage } from '../mls/mls-adapter.js';
import type { Outbox } from '../outbox/outbox.js';
import type { Directory, DirectoryEntry } from '../safety/directory.js';
import type { IdentityRule } from '../safety/identity-rule.js';
import type { KeyChangeTracker } from '../safety/key-change-tracker.js';
import type { LocalStore, StoreWriter } from '../store/local-store.js';
import type { QueuedMessage, ServerApi } from '../transport/server-api.js';
import type { ServerSocket } from '../transport/socket.js';
import type { Mutex } from '../util/mutex.js';
import type { RandomBytes } from '../util/secret-bytes.js';
import type { ConnectionState } from './connection.js';
import type { ConversationCache } from './conversation-cache.js';
import type { ContactRecord, ConvRecord, MessageRecord } from './records.js';
import type { ClientEvents, ClientSettings, ConversationId, ConversationInfo, MessageIdHex, StoredMessage } from './types.js';

export const KP_LOW = 10;
export const KP_BATCH = 30;
/** Past epochs kept for late messages: the same window the server accepts application messages in (one contract). */
export { PAST_EPOCHS } from '@sotto/protocol';
export const COMMIT_ATTEMPTS = 8;
export const BATCH = 200;

export type Effect = () => void;

/** What one receive or commit transaction changed: applied to memory, and its events raised, once it is durable. */
export interface Work {
  groups: Map<string, Group>;
  convs: Map<string, ConvRecord>;
  fx: Effect[];
  afterCommit: Array<() => Promise<void>>;
  /**
   * Delivery receipts owed for content this transaction stored, by conversation: queued at its end as one receipt per
   * conversation (one MLS message, one send, one receive on the peer) instead of one per message.
   */
  receipts: Map<string, Uint8Array[]>;
}

export function leafOf(m: { leafIndex: number; credential: Credential; signatureKey: Uint8Array }): LeafInfo {
  return leafFromCredential(m.leafIndex, m.credential, m.signatureKey);
}

export function linkCodeOf(keys: { signatureKey: Uint8Array; encryptionKey: Uint8Array }, secret: Uint8Array): string {
  return formatLinkCode(deriveLinkCode(keys, sha256(secret), secret));
}

/** The application-facing side: events, and the two facade operations the parts reuse. */
export interface EventsPort {
  emit<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]): void;
  listConversations(): ConversationInfo[];
  rotateKeys(id: ConversationId): Promise<void>;
}

export type KeyPackageClaim = { deviceId: string; keyPackage: Uint8Array; account: string };

export interface CommitsPort {
  addKeyPackages(id: string, kps: KeyPackageClaim[]): Promise<void>;
  /** Store the next epoch's state (keeping the old one for late messages) and the system items of what changed; `by` is the committer (default: this account). */
  adoptCommit(tx: StoreWriter, id: string, old: Group, next: Group, work: Work, by?: string, left?: readonly string[]): Promise<void>;
  commitWith(
    id: string,
    build: (group: Group) => { out: ReturnType<MlsAdapter['add']>; submit: { welcome?: Uint8Array }; left?: string[] } | undefined,
  ): Promise<void>;
  recover(id: string, serverEpoch: bigint): Promise<void>;
  recoverIfBehind(id: string): Promise<void>;
  resolvePendingCommits(): Promise<void>;
  wipePast(tx: StoreWriter, id: string): Promise<void>;
}

export interface ContactsPort {
  cached(account: string): ContactRecord | undefined;
  contact(account: string, tx?: StoreWriter): Promise<ContactRecord | undefined>;
  setContact(account: string, patch: Partial<ContactRecord>, tx?: StoreWriter): Promise<ContactRecord>;
  refreshContact(account: string): Promise<DirectoryEntry>;
  unaccepted(accounts: Iterable<string>): string | undefined;
}

export interface ReceiverPort {
  catchUp(): Promise<void>;
  updateTarget(
    tx: StoreWriter,
    id: string,
    target: string,
    work: Work,
    change: (t: StoredMessage & { contentKey?: string }) => (StoredMessage & { contentKey?: string }) | undefined,
  ): Promise<void>;
}

export interface SenderPort {
  enqueueBody(tx: StoreWriter, id: string, body: ContentBody): Promise<string>;
  sendBody(id: string, body: ContentBody, o: { store: boolean; extra?: Partial<MessageRecord> }): Promise<MessageIdHex>;
  kickOutbox(): void;
}

export interface HeldPort {
  hold(tx: StoreWriter, m: QueuedMessage, e: unknown, work: Work): Promise<void>;
  retry(process: (tx: StoreWriter, m: QueuedMessage, work: Work) => Promise<void>): Promise<void>;
}

export interface SyncPort {
  run(): Promise<void>;
  schedule(): void;
}

/** The core's shared state and helpers as the parts see them (ClientCore implements it). */
export interface Core {
  readonly store: LocalStore;
  readonly crypto: CryptoProvider;
  readonly rng: RandomBytes;
  readonly now: () => number;
  readonly fetch: typeof fetch | undefined;
  readonly updateMs: number;
  readonly retryMs: number;
  readonly outbox: Outbox;
  readonly tracker: KeyChangeTracker;
  readonly lock: Mutex;
  readonly identity: DeviceIdentity | undefined;
  readonly socket: ServerSocket | undefined;
  readonly settings: ClientSettings;
  readonly groups: ReadonlyMap<string, Group>;
  readonly convs: ReadonlyMap<string, ConvRecord>;
  readonly expiry: ReadonlyMap<string, number>;
  readonly cache: ConversationCache;
  readonly ownKps: Map<string, { stored: StoredKeyPackage; own: ReturnType<MlsAdapter['ownKeyPackage']> }>;
  readonly connection: ConnectionState;
  readonly events: EventsPort;
  readonly commits: CommitsPort;
  readonly receiver: ReceiverPort;
  readonly sender: SenderPort;
  readonly sync: SyncPort;
  readonly held: HeldPort;
  readonly contacts: ContactsPort;
  readonly rule: IdentityRule;
  readonly dir: Directory;
  readonly a: ServerApi;
  readonly m: MlsAdapter;
  need(): DeviceIdentity;
  info(id: string, work?: Work): ConversationInfo | undefined;
  conv(id: string): { rec: ConvRecord; group: Group; meta: GroupMeta };
  newWork(): Work;
  finish(work: Work): void;
  putRec(tx: StoreWriter, rec: ConvRecord, work: Work): Promise<void>;
  recFor(id: string, work: Work): ConvRecord | undefined;
  groupFor(id: string, work: Work): Promise<Group | undefined>;
  setExpiry(tx: StoreWriter, id: string, mid: string, at: number, work: Work): Promise<void>;
  warn(code: string, message: string, conversationId?: string): void;
  warnErr(code: string, e: unknown): void;
  adopt(identity: DeviceIdentity, serverUrl: string): Promise<void>;
  topUpKeyPackages(initial: boolean): Promise<void>;
}
