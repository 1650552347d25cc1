// ClientCore: the state one SottoClient shares between its parts (store, identity, MLS group states, conversation
// records, connection state) and the helpers they all use; each part owns its own pipeline state and timers. The parts
// see it through the Core port (ports.ts). Internal to the SDK: applications hold a SottoClient.

import { sha256 } from '@noble/hashes/sha2.js';
import type { CryptoProvider } from '@sotto/mls';
import { epoch as epochOf, type Group } from '@sotto/mls';
import { type GroupMeta, roleOf } from '../conversation/group-meta.js';
import type { DeviceIdentity } from '../identity/device-identity.js';
import { decodeStoredKeyPackage, encodeStoredKeyPackage, leavesOf, MlsAdapter, metaOf, type StoredKeyPackage } from '../mls/mls-adapter.js';
import { Outbox } from '../outbox/outbox.js';
import { type Directory, serverDirectory } from '../safety/directory.js';
import { IdentityRule } from '../safety/identity-rule.js';
import { KeyChangeTracker } from '../safety/key-change-tracker.js';
import type { LocalStore, StoreWriter } from '../store/local-store.js';
import { challengeSigner, ServerApi } from '../transport/server-api.js';
import type { ServerSocket, WebSocketFactory } from '../transport/socket.js';
import { toHex, u64be } from '../util/bytes.js';
import { Mutex } from '../util/mutex.js';
import type { RandomBytes } from '../util/secret-bytes.js';
import { redactOnPrototype } from '../util/secret-bytes.js';
import { ClientError } from './client-error.js';
import { Committer } from './commits.js';
import { ConnectionState } from './connection.js';
import { ConversationCache } from './conversation-cache.js';
import { Contacts } from './contacts.js';
import { Devices } from './devices.js';
import { Held } from './held.js';
import { Receiver } from './receiver.js';
import { type ConvRecord, json, NS } from './records.js';
import { Sender } from './sender.js';
import { Syncer } from './sync.js';
import { type ClientSettings, type ConversationInfo, DEFAULT_SETTINGS, type SecurityNotice } from './types.js';
import { type Core, type EventsPort, KP_BATCH, KP_LOW, type Work } from './ports.js';
import { Upkeep } from './upkeep.js';

export interface SottoClientOptions {
  store: LocalStore;
  crypto: CryptoProvider;
  webSocket: WebSocketFactory;
  randomBytes?: RandomBytes;
  now?: () => number;
  fetch?: typeof fetch;
  /** How often expired (disappearing) messages are removed. Default 1000 ms. */
  sweepIntervalMs?: number;
  /** Own-leaf key rotation period per conversation. Default 7 days. */
  updateIntervalMs?: number;
  /** How often maintenance runs (KeyPackage top-up, due key rotations). Default 60 s. */
  maintenanceIntervalMs?: number;
  /** Outbox retry base delay (ms). Default 500. */
  retryBaseMs?: number;
  /**
   * Upload an attachment as one Blob (the encrypted file, assembled in memory) instead of a streamed request body.
   * Browsers need it: Chromium streams a request body only over HTTP/2 or QUIC. Default false (streamed, Node).
   */
  bufferUploads?: boolean;
  settings?: Partial<ClientSettings>;
  /**
   * Where account keys and device lists come from (default: the server's account lookup). The identity rule pins and
   * checks against its answers; key transparency will prove them behind this port.
   */
  directory?: (api: ServerApi) => Directory;
}

export const webRandom: RandomBytes = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));

export class ClientCore implements Core {
  readonly store: LocalStore;
  readonly crypto: CryptoProvider;
  readonly wsFactory: WebSocketFactory;
  readonly rng: RandomBytes;
  readonly now: () => number;
  readonly fetch: typeof fetch | undefined;
  readonly bufferUploads: boolean;
  readonly sweepMs: number;
  readonly updateMs: number;
  readonly maintMs: number;
  /** Base delay (ms) of the outbox's and the sync's retries. */
  readonly retryMs: number;
  readonly outbox: Outbox;
  readonly tracker: KeyChangeTracker;
  readonly lock = new Mutex();
  identity: DeviceIdentity | undefined;
  serverUrl: string | undefined;
  api: ServerApi | undefined;
  mls: MlsAdapter | undefined;
  socket: ServerSocket | undefined;
  settings: ClientSettings;
  /** Group states, conversation records and expiry deadlines in memory (conversation-cache.ts). */
  readonly cache = new ConversationCache();
  ownKps = new Map<string, { stored: StoredKeyPackage; own: ReturnType<MlsAdapter['ownKeyPackage']> }>();
  readonly connection = new ConnectionState();
  readonly commits: Committer;
  readonly receiver: Receiver;
  readonly sender: Sender;
  readonly sync: Syncer;
  readonly held: Held;
  readonly contacts: Contacts;
  readonly upkeep: Upkeep;
  readonly devices: Devices;
  readonly rule: IdentityRule;
  readonly #directoryFor: ((api: ServerApi) => Directory) | undefined;
  directory: Directory | undefined;

  constructor(
    options: SottoClientOptions,
    readonly events: EventsPort,
  ) {
    this.store = options.store;
    this.crypto = options.crypto;
    this.wsFactory = options.webSocket;
    this.rng = options.randomBytes ?? webRandom;
    this.now = options.now ?? Date.now;
    this.fetch = options.fetch;
    this.bufferUploads = options.bufferUploads ?? false;
    this.sweepMs = options.sweepIntervalMs ?? 1000;
    this.updateMs = options.updateIntervalMs ?? 7 * 86400_000;
    this.maintMs = options.maintenanceIntervalMs ?? 60_000;
    this.settings = { ...DEFAULT_SETTINGS, ...options.settings };
    this.retryMs = options.retryBaseMs ?? 500;
    this.outbox = new Outbox(this.store, {
      now: this.now,
      random: Math.random,
      baseDelayMs: this.retryMs,
      maxDelayMs: 30_000,
      leaseMs: 60_000,
      // Message ids are fresh random ones, enqueued in the transaction that makes them: nothing enqueues one twice.
      rememberSent: false,
    });
    this.tracker = new KeyChangeTracker(this.store);
    this.commits = new Committer(this);
    this.receiver = new Receiver(this);
    this.sender = new Sender(this);
    this.sync = new Syncer(this);
    this.held = new Held(this);
    this.contacts = new Contacts(this);
    this.upkeep = new Upkeep(this);
    this.devices = new Devices(this);
    this.#directoryFor = options.directory;
    this.rule = new IdentityRule(
      () => this.need(),
      () => this.dir,
      this.contacts,
    );
  }

  init(identity: DeviceIdentity, serverUrl: string): void {
    this.identity = identity;
    this.serverUrl = serverUrl;
    this.api = new ServerApi({ baseUrl: serverUrl, ...(this.fetch ? { fetch: this.fetch } : {}) });
    this.api.setSigner(challengeSigner(identity.deviceId, identity.domain, identity.signatureSecret.expose()));
    this.mls = new MlsAdapter(identity, this.crypto, this.rng, this.now);
    const api = this.api;
    this.directory = this.#directoryFor?.(api) ?? serverDirectory(() => api, this.now);
  }

  get groups(): ReadonlyMap<string, Group> {
    return this.cache.groups;
  }

  get convs(): ReadonlyMap<string, ConvRecord> {
    return this.cache.records;
  }

  get expiry(): ReadonlyMap<string, number> {
    return this.cache.expiry;
  }

  get dir(): Directory {
    if (!this.directory) throw new ClientError('NOT_REGISTERED', 'this device has no account yet');
    return this.directory;
  }

  need(): DeviceIdentity {
    if (!this.identity) throw new ClientError('NOT_REGISTERED', 'this device has no account yet');
    return this.identity;
  }

  get a(): ServerApi {
    if (!this.api) throw new ClientError('NOT_REGISTERED', 'this device has no account yet');
    return this.api;
  }

  get m(): MlsAdapter {
    if (!this.mls) throw new ClientError('NOT_REGISTERED', 'this device has no account yet');
    return this.mls;
  }

  info(id: string, work?: Work): ConversationInfo | undefined {
    const rec = work?.convs.get(id) ?? this.convs.get(id);
    const g = work?.groups.get(id) ?? this.groups.get(id);
    if (!rec || !g) return undefined;
    const meta = metaOf(g);
    const byAccount = new Map<string, string[]>();
    for (const l of leavesOf(g)) byAccount.set(l.account, [...(byAccount.get(l.account) ?? []), l.deviceId]);
    const me = this.identity?.accountName;
    const peer = meta.kind === 'direct' ? [...byAccount.keys(), ...meta.admins].find((a) => a !== me) : undefined;
    return {
      id,
      kind: meta.kind,
      state: rec.state,
      name: rec.name || (peer ?? ''),
      owner: meta.owner,
      ...(peer ? { peer } : {}),
      members: [...byAccount].map(([account, deviceIds]) => ({ account, role: roleOf(meta, account), deviceIds })),
      timerSeconds: meta.timerSeconds,
      epoch: epochOf(g).toString(),
      createdAt: rec.createdAt,
      ...(rec.policyViolation ? { policyViolation: rec.policyViolation } : {}),
      ...(rec.addedBy ? { addedBy: rec.addedBy } : {}),
      ...this.#notices(rec, [...byAccount.keys(), ...(peer ? [peer] : [])]),
    };
  }

  /** A refused commit, and every member whose account key changed (pending: sending waits for the user). */
  #notices(rec: ConvRecord, accounts: string[]): { notices?: SecurityNotice[] } {
    const notices: SecurityNotice[] = rec.security ? [rec.security] : [];
    for (const account of new Set(accounts)) {
      const c = account === this.identity?.accountName ? undefined : this.contacts.cached(account);
      if (c?.pendingKey !== undefined) notices.push({ code: 'KEY_CHANGED', account, pending: true });
      else if (c?.keyChangedAt !== undefined) notices.push({ code: 'KEY_CHANGED', account });
    }
    return notices.length > 0 ? { notices } : {};
  }

  conv(id: string): { rec: ConvRecord; group: Group; meta: GroupMeta } {
    const rec = this.convs.get(id);
    const group = this.groups.get(id);
    if (!rec || !group) throw new ClientError('UNKNOWN_CONVERSATION', `no conversation ${id}`);
    return { rec, group, meta: metaOf(group) };
  }

  newWork(): Work {
    return { groups: new Map(), convs: new Map(), fx: [], afterCommit: [], receipts: new Map() };
  }

  finish(work: Work): void {
    for (const [k, g] of work.groups) this.cache.putGroup(k, g);
    for (const [k, c] of work.convs) this.cache.putRecord(k, c);
    for (const f of work.fx) f();
    for (const a of work.afterCommit) void a().catch((e) => this.warnErr('FOLLOW_UP', e));
  }

  async putRec(tx: StoreWriter, rec: ConvRecord, work: Work): Promise<void> {
    await tx.put(NS.conv, rec.id, json(rec));
    work.convs.set(rec.id, rec);
  }

  recFor(id: string, work: Work): ConvRecord | undefined {
    return work.convs.get(id) ?? this.convs.get(id);
  }

  async groupFor(id: string, work: Work): Promise<Group | undefined> {
    return work.groups.get(id) ?? this.groups.get(id);
  }

  // =====================================================================================================
  // Disappearing messages, maintenance
  // =====================================================================================================
  async setExpiry(tx: StoreWriter, id: string, mid: string, at: number, work: Work): Promise<void> {
    await tx.put(NS.expiry, `${id}/${mid}`, u64be(Math.max(0, Math.floor(at))));
    work.fx.push(() => this.cache.expireAt(`${id}/${mid}`, at));
  }

  // ---------- warnings ----------
  warn(code: string, message: string, conversationId?: string): void {
    this.events.emit('warning', { code, message, ...(conversationId ? { conversationId } : {}) });
  }

  warnErr(code: string, e: unknown): void {
    const c = (e as { code?: string })?.code;
    this.warn(c ? `${code}:${c}` : code, (e as Error)?.message ?? String(e));
  }

  async adopt(identity: DeviceIdentity, serverUrl: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      await tx.put(NS.client, 'identity', identity.toRecord());
      await tx.put(NS.client, 'server', new TextEncoder().encode(serverUrl));
    });
    this.init(identity, serverUrl);
    await this.topUpKeyPackages(true);
  }

  async loadKeyPackages(): Promise<void> {
    this.ownKps = new Map();
    for (const { key, value } of await this.store.list(NS.kp)) {
      const stored = decodeStoredKeyPackage(value);
      this.ownKps.set(key, { stored, own: this.m.ownKeyPackage(stored) });
    }
  }

  async topUpKeyPackages(initial: boolean): Promise<void> {
    const count = initial ? { count: 0, lastResort: false } : await this.a.keyPackageCount();
    if (count.count >= KP_LOW && count.lastResort) return;
    const fresh = count.count >= KP_LOW ? [] : Array.from({ length: KP_BATCH }, () => this.m.newKeyPackage());
    const lastResort = count.lastResort ? undefined : this.m.newKeyPackage(true);
    await this.store.transaction(async (tx) => {
      for (const k of [...fresh, ...(lastResort ? [lastResort] : [])])
        await tx.put(NS.kp, toHex(sha256(k.bytes)), encodeStoredKeyPackage(k));
    });
    await this.loadKeyPackages();
    await this.a.uploadKeyPackages(
      fresh.map((k) => k.bytes),
      lastResort?.bytes,
    );
  }
}

redactOnPrototype(ClientCore.prototype, 'ClientCore');
