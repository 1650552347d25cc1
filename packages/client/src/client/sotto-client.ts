// SottoClient: the SDK object an application holds: account and devices, conversations over MLS, the ordered
// exactly-once receive pipeline, the outbox, attachments, receipts, timers, safety and requests. Emits ClientEvents.

import { x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { publicKeyOf } from '@sotto/identity';
import type { Credential, CryptoProvider } from '@sotto/mls';
import { encryptMessage, epoch as epochOf, type Group, groupId as groupIdOf, joinFromWelcome, processMessage } from '@sotto/mls';
import { decryptStream, encryptedHash, encryptedSize, encryptedStream } from '../attachments/attachment-cipher.js';
import { decodeContent, encodeContent, newMessageId } from '../content/content-codec.js';
import type { Content, ContentBody } from '../content/content-types.js';
import { type GroupMeta, policyViolation, roleOf } from '../conversation/group-meta.js';
import { checkCertificate, createAccountIdentity, DeviceIdentity, deviceIdFor, identityFromRecord } from '../identity/device-identity.js';
import { createLinkQr, decodeLinkQr, deriveLinkCode, encodeLinkQr, formatLinkCode } from '../link/link-code.js';
import {
  decodeStoredKeyPackage,
  encodeStoredKeyPackage,
  type LeafInfo,
  leafFromCredential,
  leavesOf,
  MlsAdapter,
  metaOf,
  type StoredKeyPackage,
} from '../mls/mls-adapter.js';
import { parseMlsHeader } from '../mls/mls-header.js';
import { Outbox } from '../outbox/outbox.js';
import { KeyChangeTracker } from '../safety/key-change-tracker.js';
import { computeSafetyNumber, type SafetyNumber } from '../safety/safety-number.js';
import type { LocalStore, OutboxRecord, StoreWriter } from '../store/local-store.js';
import { StoreError } from '../store/store-error.js';
import { ApiError } from '../transport/api-error.js';
import { challengeSigner, type QueuedMessage, ServerApi } from '../transport/server-api.js';
import { ServerSocket, type WebSocketFactory } from '../transport/socket.js';
import { fromB64Url, toB64Url } from '../util/b64.js';
import { constantTimeEqual, fromHex, readU64be, toHex, u64be } from '../util/bytes.js';
import { Emitter } from '../util/emitter.js';
import { Mutex, sleep } from '../util/mutex.js';
import { type RandomBytes, SecretBytes } from '../util/secret-bytes.js';
import { ClientError } from './client-error.js';
import {
  type ContactRecord,
  type ConvRecord,
  decodeMessage,
  decodeOutbox,
  decodePending,
  encodeMessage,
  encodeOutbox,
  encodePending,
  json,
  type MessageRecord,
  NS,
  parse,
  publicMessage,
} from './records.js';
import {
  type AttachmentInfo,
  type ClientEvents,
  type ClientSettings,
  type ContactInfo,
  type ConversationId,
  type ConversationInfo,
  DEFAULT_SETTINGS,
  type MessageIdHex,
  type StoredMessage,
} from './types.js';

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
  /** Outbox retry base delay (ms). Default 500. */
  retryBaseMs?: number;
  settings?: Partial<ClientSettings>;
}

const KP_LOW = 10;
const KP_BATCH = 30;
const PAST_EPOCHS = 4;
const COMMIT_ATTEMPTS = 8;
const BATCH = 200;

type Effect = () => void;

interface Work {
  groups: Map<string, Group>;
  convs: Map<string, ConvRecord>;
  fx: Effect[];
  afterCommit: Array<() => Promise<void>>;
}

const webRandom: RandomBytes = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n));

export class SottoClient extends Emitter<ClientEvents> {
  readonly #store: LocalStore;
  readonly #crypto: CryptoProvider;
  readonly #wsFactory: WebSocketFactory;
  readonly #rng: RandomBytes;
  readonly #now: () => number;
  readonly #fetch: typeof fetch | undefined;
  readonly #sweepMs: number;
  readonly #updateMs: number;
  readonly #outbox: Outbox;
  readonly #tracker: KeyChangeTracker;
  readonly #lock = new Mutex();

  #identity: DeviceIdentity | undefined;
  #serverUrl: string | undefined;
  #api: ServerApi | undefined;
  #mls: MlsAdapter | undefined;
  #socket: ServerSocket | undefined;
  #settings: ClientSettings;
  readonly #groups = new Map<string, Group>();
  readonly #convs = new Map<string, ConvRecord>();
  readonly #expiry = new Map<string, number>();
  #ownKps = new Map<string, { stored: StoredKeyPackage; own: ReturnType<MlsAdapter['ownKeyPackage']> }>();

  #inbox: QueuedMessage[] = [];
  #inboxIds = new Set<number>();
  #draining = false;
  #drainAgain = false;
  #pumping = false;
  #pumpAgain = false;
  #outboxTimer: ReturnType<typeof setTimeout> | undefined;
  #sweepTimer: ReturnType<typeof setInterval> | undefined;
  #maintTimer: ReturnType<typeof setInterval> | undefined;
  #started = false;
  #closed = false;
  #processedCount = 0;

  constructor(options: SottoClientOptions) {
    super();
    this.#store = options.store;
    this.#crypto = options.crypto;
    this.#wsFactory = options.webSocket;
    this.#rng = options.randomBytes ?? webRandom;
    this.#now = options.now ?? Date.now;
    this.#fetch = options.fetch;
    this.#sweepMs = options.sweepIntervalMs ?? 1000;
    this.#updateMs = options.updateIntervalMs ?? 7 * 86400_000;
    this.#settings = { ...DEFAULT_SETTINGS, ...options.settings };
    this.#outbox = new Outbox(this.#store, {
      now: this.#now,
      random: Math.random,
      baseDelayMs: options.retryBaseMs ?? 500,
      maxDelayMs: 30_000,
      leaseMs: 60_000,
    });
    this.#tracker = new KeyChangeTracker(this.#store);
  }

  // =====================================================================================================
  // Lifecycle
  // =====================================================================================================

  /** Load what the store holds (identity, conversations, groups). Called by openNodeClient; idempotent. */
  async load(): Promise<void> {
    const id = await this.#store.get(NS.client, 'identity');
    const url = await this.#store.get(NS.client, 'server');
    const settings = await this.#store.get(NS.client, 'settings');
    if (settings) this.#settings = { ...this.#settings, ...parse<Partial<ClientSettings>>(settings) };
    if (id && url) this.#init(identityFromRecord(id), new TextDecoder().decode(url));
    if (!this.#mls) return;
    for (const { key, value } of await this.#store.list(NS.conv)) this.#convs.set(key, parse<ConvRecord>(value));
    for (const { key, value } of await this.#store.list(NS.group)) this.#groups.set(key, this.#mls.deserialize(value));
    for (const { key, value } of await this.#store.list(NS.expiry)) this.#expiry.set(key, readU64be(value));
    await this.#loadKeyPackages();
  }

  #init(identity: DeviceIdentity, serverUrl: string): void {
    this.#identity = identity;
    this.#serverUrl = serverUrl;
    this.#api = new ServerApi({ baseUrl: serverUrl, ...(this.#fetch ? { fetch: this.#fetch } : {}) });
    this.#api.setSigner(challengeSigner(identity.deviceId, identity.domain, identity.signatureSecret.expose()));
    this.#mls = new MlsAdapter(identity, this.#crypto, this.#rng, this.#now);
  }

  get registered(): boolean {
    return this.#identity !== undefined;
  }

  /** This device: account, device id, account key (hex), whether it holds the account key, server. */
  get me(): { account: string; deviceId: string; accountKey: string; isPrimary: boolean; serverUrl: string } {
    const i = this.#need();
    return {
      account: i.accountName,
      deviceId: i.deviceId,
      accountKey: toHex(i.accountKey),
      isPrimary: i.isPrimary,
      serverUrl: this.#serverUrl ?? '',
    };
  }

  get settings(): ClientSettings {
    return { ...this.#settings };
  }

  async updateSettings(patch: Partial<ClientSettings>): Promise<ClientSettings> {
    this.#settings = { ...this.#settings, ...patch };
    await this.#store.put(NS.client, 'settings', json(this.#settings));
    return this.settings;
  }

  #need(): DeviceIdentity {
    if (!this.#identity) throw new ClientError('NOT_REGISTERED', 'this device has no account yet');
    return this.#identity;
  }
  get #a(): ServerApi {
    if (!this.#api) throw new ClientError('NOT_REGISTERED', 'this device has no account yet');
    return this.#api;
  }
  get #m(): MlsAdapter {
    if (!this.#mls) throw new ClientError('NOT_REGISTERED', 'this device has no account yet');
    return this.#mls;
  }

  /** Create the account `name@host` on the server with this device as its first (primary) device. */
  async register(o: { serverUrl: string; account: string; invite?: string }): Promise<void> {
    if (this.#identity) throw new ClientError('ALREADY_REGISTERED', 'this device already has an account');
    const identity = createAccountIdentity(o.account, this.#rng, this.#now());
    const api = new ServerApi({ baseUrl: o.serverUrl, ...(this.#fetch ? { fetch: this.#fetch } : {}) });
    await api.register(identity.certificate, o.invite);
    await this.#adopt(identity, o.serverUrl);
  }

  async #adopt(identity: DeviceIdentity, serverUrl: string): Promise<void> {
    await this.#store.transaction(async (tx) => {
      await tx.put(NS.client, 'identity', identity.toRecord());
      await tx.put(NS.client, 'server', new TextEncoder().encode(serverUrl));
    });
    this.#init(identity, serverUrl);
    await this.#topUpKeyPackages(true);
  }

  /** Connect, catch up with the server queue, resolve interrupted commits, run the outbox and timers. */
  async start(): Promise<void> {
    this.#need();
    if (this.#started) return;
    this.#started = true;
    await this.#outbox.recoverAfterRestart();
    await this.#catchUp();
    await this.#resolvePendingCommits();
    this.#socket = new ServerSocket({
      url: this.#a.wsUrl,
      factory: this.#wsFactory,
      token: () => this.#a.token(),
      onUnauthorized: () => this.#a.dropToken(),
      onMessage: (m) => this.#enqueue([m]),
      onState: (state) => {
        this.emit('connection', { state });
        if (state === 'online') this.#kickOutbox();
      },
    });
    this.#socket.start();
    this.#sweepTimer = setInterval(() => void this.#sweep().catch((e) => this.#warnErr('SWEEP', e)), this.#sweepMs);
    this.#maintTimer = setInterval(() => void this.#maintain().catch((e) => this.#warnErr('MAINTENANCE', e)), 60_000);
    this.#kickOutbox();
    void this.#maintain().catch((e) => this.#warnErr('MAINTENANCE', e));
  }

  /** Stop network activity (the store stays open). */
  async stop(): Promise<void> {
    this.#started = false;
    this.#socket?.stop();
    this.#socket = undefined;
    for (const t of [this.#sweepTimer, this.#maintTimer]) if (t) clearInterval(t);
    if (this.#outboxTimer) clearTimeout(this.#outboxTimer);
    this.#sweepTimer = this.#maintTimer = this.#outboxTimer = undefined;
    await this.#lock.run(async () => {});
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.stop();
    this.#closed = true;
    await this.#store.close();
  }

  // =====================================================================================================
  // Device linking
  // =====================================================================================================

  /**
   * New device: make keys and a link payload to show (QR text) and wait until an existing device approved it.
   * `done` resolves once this device is registered (call start() then).
   */
  async beginLink(o: {
    serverUrl: string;
    account: string;
    timeoutMs?: number;
  }): Promise<{ qr: string; code: string; deviceId: string; done: Promise<void> }> {
    if (this.#identity) throw new ClientError('ALREADY_REGISTERED', 'this device already has an account');
    const signatureSecret = this.#rng(32);
    const signatureKey = publicKeyOf(signatureSecret);
    const encryptionKey = x25519.getPublicKey(this.#rng(32));
    const payload = createLinkQr({ signatureKey, encryptionKey }, this.#rng);
    const qr = `sotto-link:1:${toB64Url(encodeLinkQr(payload))}`;
    const code = linkCodeOf(payload.keys, payload.secret.expose());
    const deviceId = deviceIdFor(signatureKey);
    const api = new ServerApi({ baseUrl: o.serverUrl, ...(this.#fetch ? { fetch: this.#fetch } : {}) });
    const domain = o.account.slice(o.account.indexOf('@') + 1);
    api.setSigner(challengeSigner(deviceId, domain, signatureSecret));
    const deadline = this.#now() + (o.timeoutMs ?? 10 * 60_000);
    const done = (async () => {
      for (;;) {
        try {
          await api.token();
          break;
        } catch (e) {
          if (!(e instanceof ApiError) || (e.code !== 'UNAUTHORIZED' && !e.retryable)) throw e;
        }
        if (this.#now() > deadline) throw new ClientError('LINK_TIMEOUT', 'no device approved this link in time');
        await sleep(300);
      }
      const acct = await api.lookupAccount(o.account);
      const mine = acct.devices.find((d) => d.deviceId === deviceId);
      if (!mine) throw new ClientError('BAD_LINK', 'the server does not list this device');
      const cert = checkCertificate(mine.certificate, this.#now());
      if (
        !constantTimeEqual(cert.signatureKey, signatureKey) ||
        cert.accountName !== o.account ||
        !constantTimeEqual(cert.accountKey, acct.accountKey)
      ) {
        throw new ClientError('BAD_LINK', 'the certificate does not match this device');
      }
      const identity = new DeviceIdentity({
        accountName: o.account,
        accountKey: cert.accountKey,
        signatureSecret: new SecretBytes(signatureSecret),
        certificate: mine.certificate,
      });
      await this.#adopt(identity, o.serverUrl);
    })();
    return { qr, code, deviceId, done };
  }

  /**
   * Primary device: approve a new device from its link payload: certify and register it, wait for its KeyPackages,
   * then add it to every conversation. Returns its id and the confirmation code to compare with its screen.
   */
  async approveLink(qrText: string, o: { timeoutMs?: number } = {}): Promise<{ deviceId: string; code: string; conversations: number }> {
    const me = this.#need();
    if (!me.isPrimary) throw new ClientError('NOT_PRIMARY', 'only the device holding the account key can approve a new device');
    const m = /^sotto-link:1:([A-Za-z0-9_-]+)$/.exec(qrText.trim());
    if (!m?.[1]) throw new ClientError('BAD_LINK', 'not a Sotto link payload');
    const payload = decodeLinkQr(fromB64Url(m[1]));
    const code = linkCodeOf(payload.keys, payload.secret.expose());
    const cert = me.certify(payload.keys.signatureKey, this.#now());
    const deviceId = deviceIdFor(payload.keys.signatureKey);
    await this.#a.addDevice(cert);
    // Wait for the new device's first KeyPackage (it uploads right after it sees its certificate).
    const deadline = this.#now() + (o.timeoutMs ?? 120_000);
    let first: Uint8Array | undefined;
    while (!first) {
      try {
        first = (await this.#a.claimKeyPackages(me.accountName)).find((k) => k.deviceId === deviceId)?.keyPackage;
      } catch (e) {
        if (!(e instanceof ApiError) || (e.code !== 'NO_KEY_PACKAGE' && !e.retryable)) throw e;
      }
      if (first) break;
      if (this.#now() > deadline) throw new ClientError('LINK_TIMEOUT', 'the new device did not publish KeyPackages in time');
      await sleep(300);
    }
    let n = 0;
    for (const rec of [...this.#convs.values()]) {
      if (rec.state === 'removed' || rec.state === 'deleted' || rec.policyViolation) continue;
      const kp = first ?? (await this.#a.claimKeyPackages(me.accountName)).find((k) => k.deviceId === deviceId)?.keyPackage;
      first = undefined;
      if (!kp) continue;
      await this.#addKeyPackages(rec.id, [{ deviceId, keyPackage: kp, account: me.accountName }]);
      if (rec.state === 'active') {
        await this.#sendBody(
          rec.id,
          { type: 'device-link', action: 'linked', deviceId: new TextEncoder().encode(deviceId) },
          { store: false },
        );
      }
      n++;
    }
    return { deviceId, code, conversations: n };
  }

  /** Devices of this account, as the server lists them. */
  async listDevices(): Promise<Array<{ deviceId: string; current: boolean }>> {
    const me = this.#need();
    const a = await this.#a.lookupAccount(me.accountName);
    return a.devices.map((d) => ({ deviceId: d.deviceId, current: d.deviceId === me.deviceId }));
  }

  /** Primary device: revoke a device (signed) and remove it from every conversation. */
  async unlinkDevice(deviceId: string): Promise<void> {
    const me = this.#need();
    if (!me.isPrimary) throw new ClientError('NOT_PRIMARY', 'only the device holding the account key can unlink a device');
    if (deviceId === me.deviceId) throw new ClientError('INVALID_ARGUMENT', 'the primary device cannot unlink itself');
    await this.#a.revokeDevice(me.revoke(deviceId, this.#now()));
    for (const rec of [...this.#convs.values()]) {
      const g = this.#groups.get(rec.id);
      if (!g || rec.state === 'removed' || rec.policyViolation) continue;
      if (!leavesOf(g).some((l) => l.deviceId === deviceId)) continue;
      await this.#commitWith(rec.id, (group) => {
        const leaves = leavesOf(group)
          .filter((l) => l.deviceId === deviceId)
          .map((l) => l.leafIndex);
        if (leaves.length === 0) return undefined;
        return { out: this.#m.remove(group, leaves), submit: {} };
      });
    }
  }

  // =====================================================================================================
  // Conversations
  // =====================================================================================================

  listConversations(): ConversationInfo[] {
    return [...this.#convs.keys()].map((id) => this.#info(id)).filter((c): c is ConversationInfo => c !== undefined);
  }

  getConversation(id: ConversationId): ConversationInfo | undefined {
    return this.#info(id);
  }

  #info(id: string, work?: Work): ConversationInfo | undefined {
    const rec = work?.convs.get(id) ?? this.#convs.get(id);
    const g = work?.groups.get(id) ?? this.#groups.get(id);
    if (!rec || !g) return undefined;
    const meta = metaOf(g);
    const byAccount = new Map<string, string[]>();
    for (const l of leavesOf(g)) byAccount.set(l.account, [...(byAccount.get(l.account) ?? []), l.deviceId]);
    const me = this.#identity?.accountName;
    const peer = meta.kind === 'direct' ? [...byAccount.keys(), ...meta.admins].find((a) => a !== me) : undefined;
    return {
      id,
      kind: meta.kind,
      state: rec.state,
      name: meta.name || (peer ?? ''),
      owner: meta.owner,
      ...(peer ? { peer } : {}),
      members: [...byAccount].map(([account, deviceIds]) => ({ account, role: roleOf(meta, account), deviceIds })),
      timerSeconds: meta.timerSeconds,
      epoch: epochOf(g).toString(),
      createdAt: rec.createdAt,
      ...(rec.policyViolation ? { policyViolation: rec.policyViolation } : {}),
    };
  }

  #conv(id: string): { rec: ConvRecord; group: Group; meta: GroupMeta } {
    const rec = this.#convs.get(id);
    const group = this.#groups.get(id);
    if (!rec || !group) throw new ClientError('UNKNOWN_CONVERSATION', 'no such conversation');
    return { rec, group, meta: metaOf(group) };
  }

  /** Start (or return the existing) 1:1 conversation with `account`. */
  async createDirect(account: string): Promise<ConversationInfo> {
    const me = this.#need();
    if (account === me.accountName) throw new ClientError('INVALID_ARGUMENT', 'a 1:1 needs another account');
    const existing = this.listConversations().find(
      (c) => c.kind === 'direct' && c.peer === account && c.state !== 'removed' && c.state !== 'deleted',
    );
    if (existing) return existing;
    return this.#create({ v: 1, kind: 'direct', name: '', owner: me.accountName, admins: [me.accountName, account], timerSeconds: 0 }, [
      account,
    ]);
  }

  /** Create a group owned by this account, with the given members. */
  async createGroup(o: { name: string; members: string[]; admins?: string[]; timerSeconds?: number }): Promise<ConversationInfo> {
    const me = this.#need();
    const members = [...new Set(o.members)].filter((a) => a !== me.accountName);
    return this.#create(
      {
        v: 1,
        kind: 'group',
        name: o.name,
        owner: me.accountName,
        admins: [me.accountName, ...(o.admins ?? [])],
        timerSeconds: o.timerSeconds ?? 0,
      },
      members,
    );
  }

  async #create(meta: GroupMeta, accounts: string[]): Promise<ConversationInfo> {
    const me = this.#need();
    const group = this.#m.createGroup(meta);
    const id = toB64Url(groupIdOf(group));
    await this.#a.createGroup(groupIdOf(group), epochOf(group));
    const rec: ConvRecord = { id, state: 'active', createdAt: this.#now(), lastUpdateAt: this.#now() };
    await this.#store.transaction(async (tx) => {
      await tx.put(NS.group, id, this.#m.serialize(group));
      await tx.put(NS.conv, id, json(rec));
    });
    this.#groups.set(id, group);
    this.#convs.set(id, rec);
    for (const a of accounts) await this.#setContact(a, { accepted: true });
    const kps = await this.#claim([...accounts, me.accountName], new Set([me.deviceId]));
    if (kps.length > 0) await this.#addKeyPackages(id, kps);
    const info = this.#info(id)!;
    this.emit('conversation', info);
    return info;
  }

  /** Claim one KeyPackage per device of each account (checking each against the account's key). */
  async #claim(accounts: string[], skip: Set<string>): Promise<Array<{ deviceId: string; keyPackage: Uint8Array; account: string }>> {
    const out: Array<{ deviceId: string; keyPackage: Uint8Array; account: string }> = [];
    for (const account of accounts) {
      const lookup = await this.#a.lookupAccount(account);
      await this.#observe(account, lookup.accountKey, lookup.devices);
      if (lookup.devices.every((d) => skip.has(d.deviceId))) continue;
      let claimed: Awaited<ReturnType<ServerApi['claimKeyPackages']>>;
      try {
        claimed = await this.#a.claimKeyPackages(account);
      } catch (e) {
        if (e instanceof ApiError && e.code === 'NO_KEY_PACKAGE' && account === this.#identity?.accountName) continue;
        throw e;
      }
      for (const c of claimed) {
        if (skip.has(c.deviceId)) continue;
        let leaf: LeafInfo;
        try {
          leaf = this.#m.keyPackageLeaf(c.keyPackage);
        } catch {
          this.#warn('BAD_KEY_PACKAGE', `a KeyPackage of ${account} failed validation`);
          continue;
        }
        if (leaf.account !== account || leaf.deviceId !== c.deviceId || !constantTimeEqual(leaf.accountKey, lookup.accountKey)) {
          this.#warn('BAD_KEY_PACKAGE', `a KeyPackage of ${account} does not match the account`);
          continue;
        }
        out.push({ deviceId: c.deviceId, keyPackage: c.keyPackage, account });
      }
    }
    return out;
  }

  async #addKeyPackages(id: string, kps: Array<{ deviceId: string; keyPackage: Uint8Array; account: string }>): Promise<void> {
    await this.#commitWith(id, (group) => {
      const present = new Set(leavesOf(group).map((l) => l.deviceId));
      const fresh = kps.filter((k) => !present.has(k.deviceId));
      if (fresh.length === 0) return undefined;
      const out = this.#m.add(
        group,
        fresh.map((k) => k.keyPackage),
      );
      if (!out.welcome) throw new Error('add commit without a Welcome');
      return { out, submit: { addDevices: fresh.map((k) => k.deviceId), welcome: out.welcome } };
    });
  }

  /** Admins: add accounts (every device of each) to a group. */
  async addMembers(id: ConversationId, accounts: string[]): Promise<ConversationInfo> {
    const me = this.#need();
    const { meta, group } = this.#conv(id);
    const fresh = accounts.filter((a) => !leavesOf(group).some((l) => l.account === a));
    for (const a of fresh) {
      const v = policyViolation({ committer: me.accountName, addedAccounts: [a], removedAccounts: [], before: meta, after: meta });
      if (v) throw new ClientError('FORBIDDEN', v);
    }
    if (fresh.length === 0) return this.#info(id)!;
    const present = new Set(leavesOf(group).map((l) => l.deviceId));
    const kps = await this.#claim(fresh, present);
    if (kps.length === 0) throw new ClientError('NO_DEVICES', 'none of these accounts has a device to add');
    for (const a of fresh) await this.#setContact(a, { accepted: true });
    await this.#addKeyPackages(id, kps);
    return this.#info(id)!;
  }

  /** Admins: remove accounts (all their devices) from a group. */
  async removeMembers(id: ConversationId, accounts: string[]): Promise<ConversationInfo> {
    const me = this.#need();
    const { meta } = this.#conv(id);
    const v = policyViolation({ committer: me.accountName, addedAccounts: [], removedAccounts: accounts, before: meta, after: meta });
    if (v) throw new ClientError('FORBIDDEN', v);
    const server = await this.#a.getGroup(fromB64Url(id));
    const listed = new Set(server.members);
    await this.#commitWith(id, (group) => {
      const leaves = leavesOf(group).filter((l) => accounts.includes(l.account));
      if (leaves.length === 0) return undefined;
      const cur = metaOf(group);
      const after = { ...cur, admins: cur.admins.filter((a) => !accounts.includes(a)) };
      const out = this.#m.remove(
        group,
        leaves.map((l) => l.leafIndex),
      );
      // The admin list is cleaned in a follow-up commit only when needed (a commit carries one kind of change here).
      void after;
      return { out, submit: { removeDevices: leaves.map((l) => l.deviceId).filter((d) => listed.has(d)) } };
    });
    return this.#info(id)!;
  }

  async #changeMeta(id: ConversationId, change: (m: GroupMeta) => GroupMeta): Promise<ConversationInfo> {
    const me = this.#need();
    const { meta } = this.#conv(id);
    const v = policyViolation({ committer: me.accountName, addedAccounts: [], removedAccounts: [], before: meta, after: change(meta) });
    if (v) throw new ClientError('FORBIDDEN', v);
    await this.#commitWith(id, (group) => ({ out: this.#m.setMeta(group, change(metaOf(group))), submit: {} }));
    return this.#info(id)!;
  }

  rename(id: ConversationId, name: string): Promise<ConversationInfo> {
    return this.#changeMeta(id, (m) => ({ ...m, name }));
  }

  setRole(id: ConversationId, account: string, role: 'admin' | 'member'): Promise<ConversationInfo> {
    return this.#changeMeta(id, (m) => ({
      ...m,
      admins: role === 'admin' ? [...new Set([...m.admins, account])] : m.admins.filter((a) => a !== account || a === m.owner),
    }));
  }

  setDisappearingTimer(id: ConversationId, seconds: number): Promise<ConversationInfo> {
    if (!Number.isInteger(seconds) || seconds < 0) throw new ClientError('INVALID_ARGUMENT', 'timer must be a whole number of seconds');
    return this.#changeMeta(id, (m) => ({ ...m, timerSeconds: seconds }));
  }

  /** Refresh this device's leaf keys in a conversation (an Update commit): a stolen key stops working. */
  async rotateKeys(id: ConversationId): Promise<void> {
    await this.#commitWith(id, (group) => ({ out: this.#m.update(group), submit: {} }));
  }

  /**
   * Run a commit: build it on the current state, keep the new state as pending, submit; on success adopt it.
   * STALE_EPOCH: catch up and rebuild (RFC 9420 §14: the Delivery Service accepts one commit per epoch).
   */
  async #commitWith(
    id: string,
    build: (
      group: Group,
    ) =>
      | { out: ReturnType<MlsAdapter['add']>; submit: { addDevices?: string[]; removeDevices?: string[]; welcome?: Uint8Array } }
      | undefined,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const r = await this.#lock.run(async () => {
        const { rec, group } = this.#conv(id);
        if (rec.state === 'removed') throw new ClientError('FORBIDDEN', 'this device is no longer in the conversation');
        if (rec.policyViolation) throw new ClientError('FORBIDDEN', 'the conversation is frozen after a policy violation');
        const built = build(group);
        if (!built) return 'noop' as const;
        const oldEpoch = epochOf(group);
        await this.#store.put(NS.pending, id, encodePending({ epoch: oldEpoch.toString(), state: this.#m.serialize(built.out.group) }));
        try {
          await this.#a.submit(built.out.commit, built.submit);
        } catch (e) {
          if (e instanceof ApiError && (e.code === 'STALE_EPOCH' || !e.retryable)) {
            await this.#store.delete(NS.pending, id);
            if (e.code === 'STALE_EPOCH') return 'stale' as const;
          }
          throw e;
        }
        const work = this.#newWork();
        await this.#store.transaction(async (tx) => {
          await this.#adoptCommit(tx, id, group, built.out.group, work);
          await tx.delete(NS.pending, id);
        });
        this.#finish(work);
        const info = this.#info(id);
        if (info) this.emit('conversation', info);
        return 'done' as const;
      });
      if (r !== 'stale') return;
      if (attempt + 1 >= COMMIT_ATTEMPTS) throw new ClientError('CONFLICT', 'the group kept moving; commit not accepted');
      await this.#catchUp();
    }
  }

  /** Keep the old state for late application messages, store the new one. */
  async #adoptCommit(tx: StoreWriter, id: string, old: Group, next: Group, work: Work): Promise<void> {
    const e = epochOf(old);
    await tx.put(NS.groupPast, `${id}/${e}`, this.#m.serialize(old));
    if (e >= BigInt(PAST_EPOCHS)) await tx.delete(NS.groupPast, `${id}/${e - BigInt(PAST_EPOCHS)}`);
    await tx.put(NS.group, id, this.#m.serialize(next));
    work.groups.set(id, next);
  }

  async #resolvePendingCommits(): Promise<void> {
    for (const { key, value } of await this.#store.list(NS.pending)) {
      const p = decodePending(value);
      const group = this.#groups.get(key);
      if (!group || epochOf(group).toString() !== p.epoch) {
        await this.#store.delete(NS.pending, key);
        continue;
      }
      let server: { epoch: bigint };
      try {
        server = await this.#a.getGroup(fromB64Url(key));
      } catch {
        continue;
      }
      await this.#lock.run(async () => {
        const work = this.#newWork();
        await this.#store.transaction(async (tx) => {
          // The queue was drained: had another commit won this epoch we would have processed it. So it was ours.
          if (server.epoch > BigInt(p.epoch)) await this.#adoptCommit(tx, key, group, this.#m.deserialize(p.state), work);
          await tx.delete(NS.pending, key);
        });
        this.#finish(work);
      });
    }
  }

  // =====================================================================================================
  // Receive pipeline: ordered, batched, exactly once (state + message + marker in one transaction, then ack)
  // =====================================================================================================

  #enqueue(ms: QueuedMessage[]): void {
    for (const m of ms) {
      if (this.#inboxIds.has(m.id)) continue;
      this.#inboxIds.add(m.id);
      this.#inbox.push(m);
    }
    void this.#drain().catch((e) => this.#warnErr('RECEIVE', e));
  }

  /** Pull everything queued for this device over HTTP and process it (start-up, and after STALE_EPOCH). */
  async #catchUp(): Promise<void> {
    let after = 0;
    for (;;) {
      const page = await this.#a.fetchMessages(after, 500);
      if (page.length === 0) break;
      after = page[page.length - 1]!.id;
      this.#enqueue(page);
      await this.#drain();
      if (page.length < 500) break;
    }
    await this.#drain();
    this.emit('synced', { processed: this.#processedCount });
  }

  async #drain(): Promise<void> {
    if (this.#draining) {
      this.#drainAgain = true;
      return this.#lock.run(async () => {});
    }
    this.#draining = true;
    try {
      do {
        this.#drainAgain = false;
        while (this.#inbox.length > 0) {
          const batch = this.#inbox.splice(0, BATCH);
          const ids = await this.#lock.run(() => this.#processBatch(batch));
          for (const m of batch) this.#inboxIds.delete(m.id);
          if (ids.length > 0) await this.#a.ack(ids).catch((e) => this.#warnErr('ACK', e));
        }
      } while (this.#drainAgain);
    } finally {
      this.#draining = false;
    }
  }

  #newWork(): Work {
    return { groups: new Map(), convs: new Map(), fx: [], afterCommit: [] };
  }

  #finish(work: Work): void {
    for (const [k, g] of work.groups) this.#groups.set(k, g);
    for (const [k, c] of work.convs) this.#convs.set(k, c);
    for (const f of work.fx) f();
    for (const a of work.afterCommit) void a().catch((e) => this.#warnErr('FOLLOW_UP', e));
  }

  async #processBatch(batch: QueuedMessage[]): Promise<number[]> {
    const work = this.#newWork();
    await this.#store.transaction(async (tx) => {
      for (const m of batch) {
        const marker = `srv:${m.id}`;
        if (await tx.isProcessed(marker)) continue;
        try {
          if (m.kind === 'welcome') await this.#onWelcome(tx, m, work);
          else await this.#onGroupMessage(tx, m, work);
        } catch (e) {
          if (e instanceof StoreError) throw e;
          const conversationId = toB64Url(m.groupId);
          const code = (e as { code?: string }).code ?? 'UNPROCESSABLE';
          work.fx.push(() =>
            this.emit('warning', {
              code: String(code),
              message: `a message could not be processed: ${(e as Error).message}`,
              conversationId,
            }),
          );
        }
        await tx.markProcessed(marker);
        this.#processedCount++;
      }
    });
    this.#finish(work);
    if (work.groups.size > 0 || work.convs.size > 0) this.#kickOutbox();
    return batch.map((m) => m.id);
  }

  async #groupFor(id: string, work: Work): Promise<Group | undefined> {
    return work.groups.get(id) ?? this.#groups.get(id);
  }

  #recFor(id: string, work: Work): ConvRecord | undefined {
    return work.convs.get(id) ?? this.#convs.get(id);
  }

  async #putRec(tx: StoreWriter, rec: ConvRecord, work: Work): Promise<void> {
    await tx.put(NS.conv, rec.id, json(rec));
    work.convs.set(rec.id, rec);
  }

  async #onWelcome(tx: StoreWriter, m: QueuedMessage, work: Work): Promise<void> {
    const me = this.#need();
    const owns = [...this.#ownKps.values()];
    if (owns.length === 0) throw new ClientError('CONFLICT', 'a Welcome arrived but no KeyPackage is left');
    const group = joinFromWelcome(
      this.#m.deps,
      m.data,
      owns.map((o) => o.own),
    );
    const id = toB64Url(groupIdOf(group));
    const meta = metaOf(group);
    // Which KeyPackage was used: the one whose leaf encryption key is now our leaf's.
    const ownLeaf = group.tree.leaf(group.ownLeaf);
    for (const [ref, o] of this.#ownKps) {
      if (ownLeaf && constantTimeEqual(o.own.keyPackage.leafNode.encryptionKey, ownLeaf.encryptionKey) && !o.stored.lastResort) {
        await tx.delete(NS.kp, ref);
        this.#ownKps.delete(ref);
      }
    }
    const owner = meta.owner;
    const contact = await this.#contact(owner, tx);
    let state: ConvRecord['state'] = 'active';
    if (owner !== me.accountName && !contact?.accepted) state = 'request';
    if (contact?.blocked) state = 'blocked';
    const rec: ConvRecord = { id, state, createdAt: this.#now(), lastUpdateAt: this.#now() };
    await tx.put(NS.group, id, this.#m.serialize(group));
    work.groups.set(id, group);
    await this.#putRec(tx, rec, work);
    await this.#checkAccountKeys(tx, leavesOf(group), work);
    work.fx.push(() => {
      const info = this.#info(id);
      if (!info) return;
      this.emit('conversation', info);
      if (info.state === 'request') this.emit('request', info);
    });
    work.afterCommit.push(() => this.#topUpKeyPackages(false));
  }

  async #onGroupMessage(tx: StoreWriter, m: QueuedMessage, work: Work): Promise<void> {
    const id = toB64Url(m.groupId);
    let group = await this.#groupFor(id, work);
    const rec = this.#recFor(id, work);
    if (!group || !rec) throw new ClientError('UNKNOWN_CONVERSATION', 'message for a group this device is not in');
    if (rec.state === 'removed' || rec.policyViolation) return;
    const h = parseMlsHeader(m.data);
    const pendingBytes = await tx.get(NS.pending, id);
    if (pendingBytes) {
      const p = decodePending(pendingBytes);
      if (BigInt(p.epoch) === epochOf(group)) {
        if (h.epoch === BigInt(p.epoch) && h.contentType === 3)
          await tx.delete(NS.pending, id); // another commit won
        else if (h.epoch > BigInt(p.epoch)) {
          const next = this.#m.deserialize(p.state);
          await this.#adoptCommit(tx, id, group, next, work);
          await tx.delete(NS.pending, id);
          group = next;
        }
      }
    }
    const cur = epochOf(group);
    if (h.epoch < cur) {
      if (h.contentType !== 1) return; // a handshake message of a past epoch lost the race: nothing to do
      const key = `${id}/${h.epoch}`;
      const pastBytes = await tx.get(NS.groupPast, key);
      if (!pastBytes) throw new ClientError('CONFLICT', 'message from an epoch no longer kept');
      const r = processMessage(this.#m.deps, this.#m.deserialize(pastBytes), m.data);
      if (r.kind !== 'application') return;
      await tx.put(NS.groupPast, key, this.#m.serialize(r.group));
      await this.#onContent(tx, id, leafOf(r.sender), r.data, work);
      return;
    }
    if (h.epoch > cur) throw new ClientError('CONFLICT', `message from epoch ${h.epoch}, this device is at ${cur}`);
    const r = processMessage(this.#m.deps, group, m.data);
    if (r.kind === 'application') {
      await tx.put(NS.group, id, this.#m.serialize(r.group));
      work.groups.set(id, r.group);
      await this.#onContent(tx, id, leafOf(r.sender), r.data, work);
      return;
    }
    if (r.kind === 'proposal') {
      await tx.put(NS.group, id, this.#m.serialize(r.group));
      work.groups.set(id, r.group);
      return;
    }
    await this.#onCommit(tx, id, rec, group, r, work);
  }

  async #onCommit(
    tx: StoreWriter,
    id: string,
    rec: ConvRecord,
    old: Group,
    r: Extract<ReturnType<typeof processMessage>, { kind: 'commit' }>,
    work: Work,
  ): Promise<void> {
    const before = metaOf(old);
    const oldLeaves = leavesOf(old);
    const committer =
      r.sender.senderType === 1 ? oldLeaves.find((l) => l.leafIndex === (r.sender as { leafIndex: number }).leafIndex) : undefined;
    if (!committer) throw new ClientError('FORBIDDEN', 'commit from a non-member');
    const added = r.added.map((x) => leafOf(x));
    const removed = r.removed.map((x) => leafOf(x));
    if (r.removedSelf) {
      await this.#putRec(tx, { ...rec, state: 'removed' }, work);
      await tx.delete(NS.pending, id);
      work.fx.push(() => {
        const info = this.#info(id);
        if (info) this.emit('conversation', info);
      });
      return;
    }
    const after = metaOf(r.group);
    const violation = policyViolation({
      committer: committer.account,
      addedAccounts: [...new Set(added.map((l) => l.account))],
      removedAccounts: [...new Set(removed.map((l) => l.account))],
      before,
      after,
    });
    if (violation) {
      await this.#putRec(tx, { ...rec, policyViolation: violation }, work);
      work.fx.push(() =>
        this.emit('warning', {
          code: 'POLICY_VIOLATION',
          message: `refused a commit by ${committer.account}: ${violation}`,
          conversationId: id,
        }),
      );
      return;
    }
    await this.#adoptCommit(tx, id, old, r.group, work);
    await this.#checkAccountKeys(tx, added, work);
    const addedAccounts = [...new Set(added.map((l) => l.account))];
    const removedAccounts = [...new Set(removed.map((l) => l.account))].filter((a) => !leavesOf(r.group).some((l) => l.account === a));
    // Devices of existing contacts that came or went: check the account's device list and warn.
    const me = this.#identity?.accountName;
    const changed = [...new Set([...added, ...removed].map((l) => l.account))].filter((a) => a !== me);
    for (const a of changed) work.afterCommit.push(() => this.#refreshContact(a));
    work.fx.push(() => {
      if (added.length || removed.length)
        this.emit('membership', { conversationId: id, by: committer.account, added: addedAccounts, removed: removedAccounts });
      const info = this.#info(id);
      if (info) this.emit('conversation', info);
    });
  }

  async #onContent(tx: StoreWriter, id: string, sender: LeafInfo, data: Uint8Array, work: Work): Promise<void> {
    const me = this.#need();
    const rec = this.#recFor(id, work)!;
    const content = decodeContent(data);
    const mid = toHex(content.messageId);
    if (rec.state === 'blocked' || rec.state === 'deleted') return;
    const contact = sender.account === me.accountName ? undefined : await this.#contact(sender.account, tx);
    if (contact?.blocked) return;
    if (!(await tx.markProcessed(`msg:${mid}`))) return; // the same content again (a resend after a crash)
    const outgoing = sender.account === me.accountName;
    const now = this.#now();
    const b = content.body;
    const base: MessageRecord = {
      id: mid,
      sender: sender.account,
      senderDevice: sender.deviceId,
      outgoing,
      sentAt: content.sentAt,
      receivedAt: now,
      kind: 'text',
      reactions: {},
      ...(content.expiresIn ? { expiresAt: now + content.expiresIn * 1000 } : {}),
      ...(outgoing ? { status: 'sent' as const } : {}),
    };
    const store = async (r: MessageRecord) => {
      const entry = await tx.appendMessage(id, mid, encodeMessage(r));
      if (r.expiresAt) await this.#setExpiry(tx, id, mid, r.expiresAt, work);
      const msg = decodeMessage(entry.data, id, entry.seq);
      work.fx.push(() => this.emit('message', publicMessage(msg)));
      if (!outgoing && rec.state === 'active' && this.#settings.sendDeliveryReceipts) {
        await this.#enqueueBody(tx, id, { type: 'delivery-receipt', messageIds: [content.messageId] }, work);
      }
    };
    switch (b.type) {
      case 'text':
        return store({ ...base, text: b.text });
      case 'reply':
        return store({ ...base, text: b.text, replyTo: toHex(b.target), ...(b.quote !== undefined ? { quote: b.quote } : {}) });
      case 'attachment': {
        const hash = toHex(b.contentHash);
        return store({
          ...base,
          kind: 'attachment',
          attachment: { blobId: hash, hash, size: b.size, mimeType: b.mimeType, fileName: b.fileName },
          contentKey: toHex(b.contentKey.expose()),
        });
      }
      case 'reaction':
        return this.#updateTarget(tx, id, toHex(b.target), work, (t) => {
          const list = new Set(t.reactions[b.emoji] ?? []);
          if (b.action === 'add') list.add(sender.account);
          else list.delete(sender.account);
          const reactions = { ...t.reactions, [b.emoji]: [...list] };
          if (list.size === 0) delete reactions[b.emoji];
          return { ...t, reactions };
        });
      case 'edit':
        return this.#updateTarget(tx, id, toHex(b.target), work, (t) => {
          if (t.sender !== sender.account || t.deleted || t.kind !== 'text') return undefined;
          if (content.sentAt - t.sentAt > this.#settings.editWindowSeconds * 1000) return undefined;
          return { ...t, text: b.text, editedAt: content.sentAt };
        });
      case 'delete':
        return this.#updateTarget(tx, id, toHex(b.target), work, (t) => {
          if (t.sender !== sender.account) return undefined;
          const { text: _t, attachment: _a, contentKey: _k, quote: _q, ...rest } = t;
          return { ...rest, deleted: true, reactions: {} };
        });
      case 'delivery-receipt':
      case 'read-receipt': {
        if (sender.account === me.accountName) return;
        const kind = b.type === 'read-receipt' ? 'read' : 'delivered';
        for (const target of b.messageIds) {
          await this.#updateTarget(tx, id, toHex(target), work, (t) => {
            if (!t.outgoing) return undefined;
            const prev = t.receipts?.[sender.account];
            if (prev === 'read' || prev === kind) return undefined;
            const receipts = { ...(t.receipts ?? {}), [sender.account]: kind as 'read' | 'delivered' };
            const status = kind === 'read' || t.status === 'read' ? 'read' : 'delivered';
            return { ...t, receipts, status };
          });
        }
        return;
      }
      case 'typing':
        if (sender.account !== me.accountName && rec.state === 'active') {
          work.fx.push(() =>
            this.emit('typing', { conversationId: id, account: sender.account, deviceId: sender.deviceId, typing: b.state === 'start' }),
          );
        }
        return;
      case 'device-link': {
        const target = new TextDecoder().decode(b.deviceId);
        if (sender.account === me.accountName && target === me.deviceId && rec.state === 'request') {
          await this.#putRec(tx, { ...rec, state: 'active' }, work);
          work.fx.push(() => {
            const info = this.#info(id);
            if (info) this.emit('conversation', info);
          });
        }
        return;
      }
      default:
        return; // group settings travel in the MLS group context; unknown types are ignored
    }
  }

  async #updateTarget(
    tx: StoreWriter,
    id: string,
    target: string,
    work: Work,
    change: (t: StoredMessage & { contentKey?: string }) => (StoredMessage & { contentKey?: string }) | undefined,
  ): Promise<void> {
    const entry = await tx.getMessage(id, target);
    if (!entry) return;
    const cur = decodeMessage(entry.data, id, entry.seq);
    const next = change(cur);
    if (!next) return;
    const { seq: _s, conversationId: _c, ...rec } = next;
    const updated = await tx.updateMessage(id, target, encodeMessage(rec));
    const msg = decodeMessage(updated.data, id, updated.seq);
    work.fx.push(() => this.emit('message-updated', publicMessage(msg)));
  }

  // =====================================================================================================
  // Sending: content -> local log + outbox (one transaction) -> encrypt -> submit, in order, with retries
  // =====================================================================================================

  async #contentFor(id: string, body: ContentBody): Promise<{ content: Content; ttl: number }> {
    const group = this.#groups.get(id);
    const timer = group ? metaOf(group).timerSeconds : 0;
    const ephemeral = body.type === 'typing' || body.type === 'delivery-receipt' || body.type === 'read-receipt';
    const content: Content = {
      messageId: newMessageId(this.#rng),
      sentAt: this.#now(),
      ...(timer > 0 && !ephemeral ? { expiresIn: timer } : {}),
      body,
    };
    return { content, ttl: timer };
  }

  async #enqueueBody(tx: StoreWriter, id: string, body: ContentBody, _work?: Work): Promise<string> {
    const { content, ttl } = await this.#contentFor(id, body);
    const mid = toHex(content.messageId);
    await this.#outbox.enqueue(id, mid, encodeOutbox({ content: encodeContent(content), ...(ttl ? { ttlSeconds: ttl } : {}) }), tx);
    return mid;
  }

  /** Queue a content body; `store` also keeps it in the local log as our outgoing message. */
  async #sendBody(id: string, body: ContentBody, o: { store: boolean; extra?: Partial<MessageRecord> }): Promise<MessageIdHex> {
    const me = this.#need();
    const { rec } = this.#conv(id);
    if (rec.state === 'removed') throw new ClientError('FORBIDDEN', 'this device is no longer in the conversation');
    const { content, ttl } = await this.#contentFor(id, body);
    const mid = toHex(content.messageId);
    const encoded = encodeContent(content);
    let stored: StoredMessage | undefined;
    const work = this.#newWork();
    await this.#store.transaction(async (tx) => {
      if (o.store) {
        const r: MessageRecord = {
          id: mid,
          sender: me.accountName,
          senderDevice: me.deviceId,
          outgoing: true,
          sentAt: content.sentAt,
          receivedAt: content.sentAt,
          kind: 'text',
          reactions: {},
          status: 'sending',
          ...(content.expiresIn ? { expiresAt: content.sentAt + content.expiresIn * 1000 } : {}),
          ...o.extra,
        };
        const entry = await tx.appendMessage(id, mid, encodeMessage(r));
        if (r.expiresAt) await this.#setExpiry(tx, id, mid, r.expiresAt, work);
        stored = decodeMessage(entry.data, id, entry.seq);
      }
      await tx.markProcessed(`msg:${mid}`);
      await this.#outbox.enqueue(id, mid, encodeOutbox({ content: encoded, ...(ttl ? { ttlSeconds: ttl } : {}) }), tx);
    });
    this.#finish(work);
    if (stored) this.emit('message', publicMessage(stored));
    this.#kickOutbox();
    return mid;
  }

  #kickOutbox(): void {
    if (!this.#started || this.#closed) return;
    void this.#pumpOutbox().catch((e) => this.#warnErr('OUTBOX', e));
  }

  async #pumpOutbox(): Promise<void> {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        for (;;) {
          if (!this.#started) return;
          const batches = this.#dueBatches(await this.#outbox.list());
          if (batches.length === 0) break;
          for (const b of batches) await this.#sendBatch(b);
        }
      } while (this.#pumpAgain);
    } finally {
      this.#pumping = false;
    }
    if (!this.#started) return;
    const wake = await this.#outbox.nextWakeAt();
    if (this.#outboxTimer) clearTimeout(this.#outboxTimer);
    if (wake !== undefined) this.#outboxTimer = setTimeout(() => this.#kickOutbox(), Math.max(10, wake - this.#now()));
  }

  /** Per conversation, the due entries at the head of its queue (in order; stops at the first one not due). */
  #dueBatches(all: OutboxRecord[]): OutboxRecord[][] {
    const now = this.#now();
    const byConv = new Map<string, OutboxRecord[]>();
    const blocked = new Set<string>();
    for (const r of all) {
      if (r.state === 'failed' || blocked.has(r.conversationId)) continue;
      const due = r.state === 'inflight' ? r.leaseUntil <= now : r.nextAttemptAt <= now;
      if (!due) {
        blocked.add(r.conversationId);
        continue;
      }
      const list = byConv.get(r.conversationId) ?? [];
      if (list.length < 100) list.push(r);
      byConv.set(r.conversationId, list);
    }
    return [...byConv.values()];
  }

  /**
   * Send a run of one conversation's queue: encrypt what has no ciphertext of the current epoch and persist the new
   * MLS state with the ciphertexts (so a resend after a crash is the same message), submit in order, then mark sent.
   */
  async #sendBatch(batch: OutboxRecord[]): Promise<void> {
    const id = batch[0]!.conversationId;
    const lease = this.#now() + 60_000;
    const prepared = await this.#lock.run(async () => {
      let group = this.#groups.get(id);
      const conv = this.#convs.get(id);
      if (!group || !conv || conv.state === 'removed' || conv.policyViolation) return undefined;
      const e = epochOf(group).toString();
      const out: Array<{ rec: OutboxRecord; ct: Uint8Array; ttl?: number }> = [];
      for (const rec of batch) {
        const p = decodeOutbox(rec.payload);
        let ct = p.ciphertext && p.epoch === e ? p.ciphertext : undefined;
        if (!ct) {
          const r = encryptMessage(this.#m.deps, group, p.content);
          group = r.group;
          ct = r.message;
        }
        const next: OutboxRecord = {
          ...rec,
          state: 'inflight',
          attempts: rec.attempts + 1,
          leaseUntil: lease,
          payload: encodeOutbox({ ...p, ciphertext: ct, epoch: e }),
        };
        out.push({ rec: next, ct, ...(p.ttlSeconds ? { ttl: p.ttlSeconds } : {}) });
      }
      const g = group;
      await this.#store.transaction(async (tx) => {
        await tx.put(NS.group, id, this.#m.serialize(g));
        for (const w of out) await tx.outboxPut(w.rec);
      });
      this.#groups.set(id, g);
      return out;
    });
    if (!prepared) {
      for (const rec of batch) await this.#failSend(rec, 'NOT_MEMBER', true);
      return;
    }
    const sent: OutboxRecord[] = [];
    let failure: { rec: OutboxRecord; code: string; permanent: boolean } | undefined;
    const classify = (rec: OutboxRecord, e: unknown) => {
      const code = e instanceof ApiError ? e.code : 'NETWORK';
      const permanent = e instanceof ApiError && !e.retryable && e.code !== 'STALE_EPOCH' && e.code !== 'UNAUTHORIZED';
      return { rec, code, permanent };
    };
    const socket = this.#socket;
    if (socket?.online && prepared.length > 1) {
      // Pipelined over the socket: sent in order, answered in order, stored by the server in one batch.
      const results = await Promise.allSettled(prepared.map(({ ct, ttl }) => socket.submit(ct, ttl ? { ttlSeconds: ttl } : {})));
      for (let k = 0; k < results.length; k++) {
        const r = results[k]!;
        if (r.status === 'fulfilled') sent.push(prepared[k]!.rec);
        else if (!failure) failure = classify(prepared[k]!.rec, r.reason);
      }
    } else {
      for (const { rec, ct, ttl } of prepared) {
        try {
          await this.#a.submit(ct, ttl ? { ttlSeconds: ttl } : {});
          sent.push(rec);
        } catch (e) {
          failure = classify(rec, e);
          break;
        }
      }
    }
    const updated: StoredMessage[] = [];
    await this.#store.transaction(async (tx) => {
      for (const rec of sent) {
        await this.#outbox.markSent(rec.id, tx);
        const entry = await tx.getMessage(id, rec.id);
        if (!entry) continue;
        const cur = decodeMessage(entry.data, id, entry.seq);
        if (cur.status !== 'sending' && cur.status !== 'failed') continue;
        const { seq: _s, conversationId: _c, ...r } = cur;
        const u = await tx.updateMessage(id, rec.id, encodeMessage({ ...r, status: 'sent' }));
        updated.push(decodeMessage(u.data, id, u.seq));
      }
      // Other unsent entries go back in line (their attempt is not counted).
      if (failure) {
        const done = new Set([...sent.map((r) => r.id), failure.rec.id]);
        for (const { rec } of prepared) if (!done.has(rec.id)) await tx.outboxPut({ ...rec, state: 'pending', attempts: rec.attempts - 1, leaseUntil: 0 });
      }
    });
    for (const u of updated) this.emit('message-updated', publicMessage(u));
    if (failure) await this.#failSend(failure.rec, failure.code, failure.permanent);
  }

  async #failSend(rec: OutboxRecord, code: string, permanent: boolean): Promise<void> {
    const r = await this.#outbox.markFailed(rec.id, code, { permanent });
    if (r.state !== 'failed') return;
    this.emit('send-failed', { conversationId: rec.conversationId, id: rec.id, code });
    let updated: StoredMessage | undefined;
    await this.#store.transaction(async (tx) => {
      const entry = await tx.getMessage(rec.conversationId, rec.id);
      if (!entry) return;
      const { seq: _s, conversationId: _c, ...cur } = decodeMessage(entry.data, rec.conversationId, entry.seq);
      const u = await tx.updateMessage(rec.conversationId, rec.id, encodeMessage({ ...cur, status: 'failed' }));
      updated = decodeMessage(u.data, rec.conversationId, u.seq);
    });
    if (updated) this.emit('message-updated', publicMessage(updated));
  }

  /** Entries still waiting in the outbox. */
  async pendingSends(): Promise<Array<{ conversationId: string; id: string; state: string; attempts: number; lastError?: string }>> {
    return (await this.#outbox.list()).map((r) => ({
      conversationId: r.conversationId,
      id: r.id,
      state: r.state,
      attempts: r.attempts,
      ...(r.lastError ? { lastError: r.lastError } : {}),
    }));
  }

  /** Resolves when the outbox is empty (or rejects after `timeoutMs`). */
  async flush(timeoutMs = 60_000): Promise<void> {
    const end = this.#now() + timeoutMs;
    for (;;) {
      const list = (await this.#outbox.list()).filter((r) => r.state !== 'failed');
      if (list.length === 0) return;
      if (this.#now() > end) throw new ClientError('CONFLICT', `${list.length} sends still pending`);
      this.#kickOutbox();
      await sleep(50);
    }
  }

  // ---------- public message API ----------

  sendText(id: ConversationId, text: string, o: { replyTo?: MessageIdHex; quote?: string } = {}): Promise<MessageIdHex> {
    if (o.replyTo) {
      const body: ContentBody = { type: 'reply', target: fromHex(o.replyTo), text, ...(o.quote !== undefined ? { quote: o.quote } : {}) };
      return this.#sendBody(id, body, {
        store: true,
        extra: { text, replyTo: o.replyTo, ...(o.quote !== undefined ? { quote: o.quote } : {}) },
      });
    }
    return this.#sendBody(id, { type: 'text', text }, { store: true, extra: { text } });
  }

  async react(id: ConversationId, target: MessageIdHex, emoji: string, action: 'add' | 'remove' = 'add'): Promise<void> {
    const me = this.#need();
    await this.#localUpdate(id, target, (t) => {
      const list = new Set(t.reactions[emoji] ?? []);
      if (action === 'add') list.add(me.accountName);
      else list.delete(me.accountName);
      const reactions = { ...t.reactions, [emoji]: [...list] };
      if (list.size === 0) delete reactions[emoji];
      return { ...t, reactions };
    });
    await this.#sendBody(id, { type: 'reaction', target: fromHex(target), emoji, action }, { store: false });
  }

  async edit(id: ConversationId, target: MessageIdHex, text: string): Promise<void> {
    const me = this.#need();
    const cur = await this.getMessage(id, target);
    if (!cur) throw new ClientError('UNKNOWN_MESSAGE', 'no such message');
    if (cur.sender !== me.accountName || cur.kind !== 'text' || cur.deleted)
      throw new ClientError('FORBIDDEN', 'only your own text messages can be edited');
    if (this.#now() - cur.sentAt > this.#settings.editWindowSeconds * 1000)
      throw new ClientError('EDIT_WINDOW', 'the edit window has passed');
    await this.#localUpdate(id, target, (t) => ({ ...t, text, editedAt: this.#now() }));
    await this.#sendBody(id, { type: 'edit', target: fromHex(target), text }, { store: false });
  }

  async deleteForEveryone(id: ConversationId, target: MessageIdHex): Promise<void> {
    const me = this.#need();
    const cur = await this.getMessage(id, target);
    if (!cur) throw new ClientError('UNKNOWN_MESSAGE', 'no such message');
    if (cur.sender !== me.accountName) throw new ClientError('FORBIDDEN', 'only your own messages can be deleted for everyone');
    await this.#localUpdate(id, target, (t) => {
      const { text: _t, attachment: _a, contentKey: _k, quote: _q, ...rest } = t;
      return { ...rest, deleted: true, reactions: {} };
    });
    await this.#sendBody(id, { type: 'delete', target: fromHex(target) }, { store: false });
  }

  async markRead(id: ConversationId, ids: MessageIdHex[]): Promise<void> {
    const { rec } = this.#conv(id);
    if (ids.length === 0 || rec.state !== 'active' || !this.#settings.sendReadReceipts) return;
    await this.#sendBody(id, { type: 'read-receipt', messageIds: ids.map(fromHex) }, { store: false });
  }

  async setTyping(id: ConversationId, typing: boolean): Promise<void> {
    const { rec } = this.#conv(id);
    if (rec.state !== 'active' || !this.#settings.sendTyping) return;
    await this.#sendBody(id, { type: 'typing', state: typing ? 'start' : 'stop' }, { store: false });
  }

  async #localUpdate(
    id: string,
    target: string,
    change: (t: StoredMessage & { contentKey?: string }) => StoredMessage & { contentKey?: string },
  ): Promise<void> {
    const work = this.#newWork();
    await this.#store.transaction((tx) => this.#updateTarget(tx, id, target, work, change));
    this.#finish(work);
  }

  async listMessages(id: ConversationId, o: { limit?: number; beforeSeq?: number; afterSeq?: number } = {}): Promise<StoredMessage[]> {
    const entries = await this.#store.listMessages(id, {
      ...(o.limit !== undefined ? { limit: o.limit, reverse: o.afterSeq === undefined } : {}),
      ...(o.beforeSeq !== undefined ? { beforeSeq: o.beforeSeq } : {}),
      ...(o.afterSeq !== undefined ? { afterSeq: o.afterSeq } : {}),
    });
    const list = entries.map((e) => publicMessage(decodeMessage(e.data, id, e.seq)));
    return list.sort((a, b) => a.seq - b.seq);
  }

  async getMessage(id: ConversationId, messageId: MessageIdHex): Promise<StoredMessage | undefined> {
    const e = await this.#store.getMessage(id, messageId);
    return e ? publicMessage(decodeMessage(e.data, id, e.seq)) : undefined;
  }

  // ---------- attachments ----------

  /** Encrypt (fresh key, streamed), upload, and send an attachment message. */
  async sendAttachment(id: ConversationId, blob: Blob, o: { fileName: string; mimeType?: string }): Promise<MessageIdHex> {
    const { meta } = this.#conv(id);
    const key = this.#rng(32);
    const hash = await encryptedHash(blob, key);
    const size = encryptedSize(blob.size);
    await this.#a.putBlob(hash, size, encryptedStream(blob, key), meta.timerSeconds || undefined);
    const mimeType = o.mimeType ?? (blob.type || 'application/octet-stream');
    const attachment: AttachmentInfo = { blobId: hash, hash, size: blob.size, mimeType, fileName: o.fileName };
    return this.#sendBody(
      id,
      {
        type: 'attachment',
        blobId: fromHex(hash),
        contentKey: new SecretBytes(key),
        contentHash: fromHex(hash),
        size: blob.size,
        mimeType,
        fileName: o.fileName,
      },
      { store: true, extra: { kind: 'attachment', attachment, contentKey: toHex(key) } as Partial<MessageRecord> },
    );
  }

  /** Download, check and decrypt an attachment of a stored message into `sink`, chunk by chunk. */
  async downloadAttachment(
    id: ConversationId,
    messageId: MessageIdHex,
    sink: (chunk: Uint8Array) => void | Promise<void>,
  ): Promise<AttachmentInfo> {
    const e = await this.#store.getMessage(id, messageId);
    if (!e) throw new ClientError('UNKNOWN_MESSAGE', 'no such message');
    const m = decodeMessage(e.data, id, e.seq);
    if (!m.attachment || !m.contentKey) throw new ClientError('UNKNOWN_MESSAGE', 'the message has no attachment');
    const stream = await this.#a.getBlob(m.attachment.hash);
    await decryptStream(stream, fromHex(m.contentKey), m.attachment.hash, m.attachment.size, sink);
    return m.attachment;
  }

  // =====================================================================================================
  // Disappearing messages, maintenance
  // =====================================================================================================

  async #setExpiry(tx: StoreWriter, id: string, mid: string, at: number, work: Work): Promise<void> {
    await tx.put(NS.expiry, `${id}/${mid}`, u64be(Math.max(0, Math.floor(at))));
    work.fx.push(() => this.#expiry.set(`${id}/${mid}`, at));
  }

  async #sweep(): Promise<void> {
    const now = this.#now();
    const due = [...this.#expiry].filter(([, at]) => at <= now).map(([k]) => k);
    if (due.length === 0) return;
    await this.#store.transaction(async (tx) => {
      for (const k of due) {
        const slash = k.indexOf('/');
        await tx.deleteMessage(k.slice(0, slash), k.slice(slash + 1));
        await tx.delete(NS.expiry, k);
      }
    });
    for (const k of due) {
      this.#expiry.delete(k);
      const slash = k.indexOf('/');
      this.emit('message-removed', { conversationId: k.slice(0, slash), id: k.slice(slash + 1), reason: 'expired' });
    }
  }

  async #maintain(): Promise<void> {
    if (!this.#started) return;
    await this.#topUpKeyPackages(false);
    const now = this.#now();
    for (const rec of [...this.#convs.values()]) {
      if (rec.state !== 'active' || rec.policyViolation || now - rec.lastUpdateAt < this.#updateMs) continue;
      await this.rotateKeys(rec.id).catch((e) => this.#warnErr('KEY_UPDATE', e));
      const next = { ...rec, lastUpdateAt: this.#now() };
      await this.#store.put(NS.conv, rec.id, json(next));
      this.#convs.set(rec.id, { ...(this.#convs.get(rec.id) ?? next), lastUpdateAt: next.lastUpdateAt });
    }
  }

  async #loadKeyPackages(): Promise<void> {
    this.#ownKps = new Map();
    for (const { key, value } of await this.#store.list(NS.kp)) {
      const stored = decodeStoredKeyPackage(value);
      this.#ownKps.set(key, { stored, own: this.#m.ownKeyPackage(stored) });
    }
  }

  async #topUpKeyPackages(initial: boolean): Promise<void> {
    const count = initial ? { count: 0, lastResort: false } : await this.#a.keyPackageCount();
    if (count.count >= KP_LOW && count.lastResort) return;
    const fresh = count.count >= KP_LOW ? [] : Array.from({ length: KP_BATCH }, () => this.#m.newKeyPackage());
    const lastResort = count.lastResort ? undefined : this.#m.newKeyPackage(true);
    await this.#store.transaction(async (tx) => {
      for (const k of [...fresh, ...(lastResort ? [lastResort] : [])])
        await tx.put(NS.kp, toHex(sha256(k.bytes)), encodeStoredKeyPackage(k));
    });
    await this.#loadKeyPackages();
    await this.#a.uploadKeyPackages(
      fresh.map((k) => k.bytes),
      lastResort?.bytes,
    );
  }

  // =====================================================================================================
  // Safety: contacts, key changes, safety numbers, blocking, requests
  // =====================================================================================================

  async #contact(account: string, tx?: StoreWriter): Promise<ContactRecord | undefined> {
    const b = tx ? await tx.get(NS.contact, account) : await this.#store.get(NS.contact, account);
    return b ? parse<ContactRecord>(b) : undefined;
  }

  async #setContact(account: string, patch: Partial<ContactRecord>, tx?: StoreWriter): Promise<ContactRecord> {
    const run = async (w: StoreWriter) => {
      const cur = (await this.#contact(account, w)) ?? { account, accountKey: '', verified: false, blocked: false, accepted: false };
      const next = { ...cur, ...patch };
      await w.put(NS.contact, account, json(next));
      return next;
    };
    return tx ? run(tx) : this.#store.transaction(run);
  }

  /** Compare the account keys in new leaves with what we know (trust on first use); warn on a change. */
  async #checkAccountKeys(tx: StoreWriter, leaves: LeafInfo[], work: Work): Promise<void> {
    const me = this.#identity?.accountName;
    const seen = new Map<string, Uint8Array>();
    for (const l of leaves) if (l.account !== me) seen.set(l.account, l.accountKey);
    for (const [account, key] of seen) {
      const c = await this.#contact(account, tx);
      if (!c || c.accountKey === '') {
        await this.#setContact(account, { accountKey: toHex(key) }, tx);
      } else if (c.accountKey !== toHex(key)) {
        await this.#setContact(account, { accountKey: toHex(key), verified: false }, tx);
        work.fx.push(() => this.emit('key-change', { type: 'account-key-changed', account }));
      }
    }
  }

  async #observe(account: string, accountKey: Uint8Array, devices: Array<{ deviceId: string; certificate: Uint8Array }>): Promise<void> {
    if (account === this.#identity?.accountName) return;
    const observed = {
      accountKey,
      devices: devices.flatMap((d) => {
        try {
          return [{ deviceId: d.deviceId, signatureKey: checkCertificate(d.certificate, this.#now()).signatureKey }];
        } catch {
          return [];
        }
      }),
    };
    const r = await this.#tracker.observe(account, observed);
    const c = await this.#contact(account);
    if (!c || c.accountKey === '') await this.#setContact(account, { accountKey: toHex(accountKey) });
    for (const e of r.events) {
      if (e.type === 'account-key-changed') {
        await this.#setContact(account, { accountKey: toHex(accountKey), verified: false });
        this.emit('key-change', { type: 'account-key-changed', account });
      } else this.emit('key-change', { type: e.type, account, deviceId: e.deviceId });
    }
  }

  async #refreshContact(account: string): Promise<void> {
    const a = await this.#a.lookupAccount(account);
    await this.#observe(account, a.accountKey, a.devices);
  }

  async listContacts(): Promise<ContactInfo[]> {
    return (await this.#store.list(NS.contact)).map(({ value }) => {
      const c = parse<ContactRecord>(value);
      return { account: c.account, accountKey: c.accountKey, verified: c.verified, blocked: c.blocked, accepted: c.accepted };
    });
  }

  /** The safety number between this account and `account` (compare it in person or scan its QR payload). */
  async safetyNumber(account: string): Promise<SafetyNumber> {
    const me = this.#need();
    let c = await this.#contact(account);
    if (!c?.accountKey) {
      await this.#refreshContact(account);
      c = await this.#contact(account);
    }
    if (!c?.accountKey) throw new ClientError('INVALID_ARGUMENT', 'unknown account');
    return computeSafetyNumber({ accountKey: me.accountKey, name: me.accountName }, { accountKey: fromHex(c.accountKey), name: account });
  }

  async markVerified(account: string, verified = true): Promise<void> {
    await this.#setContact(account, { verified });
  }

  async block(account: string): Promise<void> {
    await this.#setContact(account, { blocked: true, accepted: false });
    await this.#setConvStates((info) => info.owner === account && info.state !== 'removed', 'blocked');
  }

  async unblock(account: string): Promise<void> {
    await this.#setContact(account, { blocked: false });
  }

  async acceptRequest(id: ConversationId): Promise<ConversationInfo> {
    const info = this.getConversation(id);
    if (!info) throw new ClientError('UNKNOWN_CONVERSATION', 'no such conversation');
    await this.#setContact(info.owner, { accepted: true, blocked: false });
    await this.#setConvStates((i) => i.id === id, 'active');
    return this.getConversation(id)!;
  }

  async deleteRequest(id: ConversationId): Promise<void> {
    await this.#setConvStates((i) => i.id === id, 'deleted');
    const msgs = await this.#store.listMessages(id);
    await this.#store.transaction(async (tx) => {
      for (const m of msgs) await tx.deleteMessage(id, m.messageId);
    });
  }

  async #setConvStates(match: (i: ConversationInfo) => boolean, state: ConvRecord['state']): Promise<void> {
    for (const info of this.listConversations()) {
      if (!match(info)) continue;
      const rec = { ...this.#convs.get(info.id)!, state };
      await this.#store.put(NS.conv, info.id, json(rec));
      this.#convs.set(info.id, rec);
      this.emit('conversation', this.#info(info.id)!);
    }
  }

  // ---------- warnings ----------

  #warn(code: string, message: string, conversationId?: string): void {
    this.emit('warning', { code, message, ...(conversationId ? { conversationId } : {}) });
  }

  #warnErr(code: string, e: unknown): void {
    const c = (e as { code?: string })?.code;
    this.#warn(c ? `${code}:${c}` : code, (e as Error)?.message ?? String(e));
  }
}

function leafOf(m: { leafIndex: number; credential: Credential; signatureKey: Uint8Array }): LeafInfo {
  return leafFromCredential(m.leafIndex, m.credential, m.signatureKey);
}

function linkCodeOf(keys: { signatureKey: Uint8Array; encryptionKey: Uint8Array }, secret: Uint8Array): string {
  return formatLinkCode(deriveLinkCode(keys, sha256(secret), secret));
}
