// SottoClient: the SDK object an application holds: account and devices, conversations over MLS, sync with
// exactly-once delivery, attachments, receipts, timers, safety and requests. Emits ClientEvents. The work is done by
// the parts in this folder (core, commits, receiver, sender, devices, contacts, upkeep); this is the facade.

import { decryptStream, encryptedHash, encryptedSize, encryptedStream } from '../attachments/attachment-cipher.js';
import {
  addClaimsRefusal,
  type AttachmentExtras,
  adminsAfterRemoval,
  applyLocalChange,
  attachmentExtrasRefusal,
  type IntentRefusal,
  leavesToRemove,
  type MessageIntentDecision,
  peerToRestore,
  reduceAdd,
  reduceAttachment,
  reduceCreateDirect,
  reduceCreateGroup,
  reduceDelete,
  reduceEdit,
  reduceLeave,
  reduceReaction,
  reduceReadReceipt,
  reduceRemove,
  reduceRename,
  reduceText,
  reduceTyping,
  timerRefusal,
  withoutAdmins,
  withRole,
} from '../engine/index.js';
import { createAccountIdentity, identityFromRecord } from '../identity/device-identity.js';
import { leavesOf, metaOf } from '../mls/mls-adapter.js';
import { recordSystemItems } from './system-items.js';
import {
  compareScannedSafetyNumber,
  compareTypedSafetyNumber,
  computeSafetyNumber,
  type SafetyComparison,
  type SafetyNumber,
} from '../safety/safety-number.js';
import { ServerApi } from '../transport/server-api.js';
import { ServerSocket } from '../transport/socket.js';
import { fromHex, readU64be, toHex } from '../util/bytes.js';
import { Emitter } from '../util/emitter.js';
import { sleep } from '../util/mutex.js';
import { redactOnPrototype } from '../util/secret-bytes.js';
import { ClientError } from './client-error.js';
import { fetchOperatorNotices, listOperatorNotices } from './operator-notices.js';
import { buildReportDraft, type ReportDraft, type ReportOptions, type ReportResult } from './reports.js';
import { ClientCore, type SottoClientOptions } from './core.js';
import { proposeLeave } from './leave.js';
import { type ContactRecord, type ConvRecord, decodeMessage, json, NS, parse, publicMessage } from './records.js';
import type {
  DeviceInfo,
  AttachmentInfo,
  ClientEvents,
  ClientSettings,
  ContactInfo,
  ConversationId,
  ConversationInfo,
  MessageIdHex,
  OperatorNotice,
  StoredMessage,
} from './types.js';

export type { SottoClientOptions } from './core.js';

export class SottoClient extends Emitter<ClientEvents> {
  /** @internal The shared state and parts of this client. */
  readonly c: ClientCore;

  constructor(options: SottoClientOptions) {
    super();
    this.c = new ClientCore(options, this);
  }

  // =====================================================================================================
  // Lifecycle
  // =====================================================================================================
  /** Load what the store holds (identity, conversations, groups). Called by openNodeClient; idempotent. */
  async load(): Promise<void> {
    const id = await this.c.store.get(NS.client, 'identity');
    const url = await this.c.store.get(NS.client, 'server');
    const settings = await this.c.store.get(NS.client, 'settings');
    if (settings) this.c.settings = { ...this.c.settings, ...parse<Partial<ClientSettings>>(settings) };
    if (id && url) this.c.init(identityFromRecord(id), new TextDecoder().decode(url));
    if (!this.c.mls) return;
    for (const { key, value } of await this.c.store.list(NS.conv)) this.c.cache.putRecord(key, parse<ConvRecord>(value));
    for (const { key, value } of await this.c.store.list(NS.group)) this.c.cache.putGroup(key, this.c.mls.deserialize(value));
    for (const { key, value } of await this.c.store.list(NS.expiry)) this.c.cache.expireAt(key, readU64be(value));
    await this.c.contacts.load();
    await this.c.loadKeyPackages();
    // Messages that expired while no process ran are removed now, not at the first tick of a running client's timer.
    await this.c.upkeep.sweep();
  }

  get registered(): boolean {
    return this.c.identity !== undefined;
  }

  /** This device: account, device id, account key (hex), whether it holds the account key, server. */
  get me(): { account: string; deviceId: string; accountKey: string; isPrimary: boolean; serverUrl: string } {
    const i = this.c.need();
    return {
      account: i.accountName,
      deviceId: i.deviceId,
      accountKey: toHex(i.accountKey),
      isPrimary: i.isPrimary,
      serverUrl: this.c.serverUrl ?? '',
    };
  }

  get settings(): ClientSettings {
    return { ...this.c.settings };
  }

  async updateSettings(patch: Partial<ClientSettings>): Promise<ClientSettings> {
    this.c.settings = { ...this.c.settings, ...patch };
    await this.c.store.put(NS.client, 'settings', json(this.c.settings));
    return this.settings;
  }

  /** Create the account `name@host` on the server with this device as its first (primary) device. */
  async register(o: { serverUrl: string; account: string; invite?: string }): Promise<void> {
    if (this.c.identity) throw new ClientError('ALREADY_REGISTERED', 'this device already has an account');
    const identity = createAccountIdentity(o.account, this.c.rng, this.c.now());
    const api = new ServerApi({ baseUrl: o.serverUrl, ...(this.c.fetch ? { fetch: this.c.fetch } : {}) });
    await api.register(identity.certificate, o.invite);
    await this.c.adopt(identity, o.serverUrl);
  }

  /**
   * Connect, catch up with the server queue, resolve interrupted commits, run the outbox and timers. Works offline: when
   * the server cannot be reached the store still serves history and queues sends; the client connects and catches up
   * (with backoff) once the server answers, and only then sends.
   */
  async start(): Promise<void> {
    this.c.need();
    if (!this.c.connection.start()) return;
    try {
      await this.c.outbox.recoverAfterRestart();
      await this.c.sync.run();
    } catch (e) {
      this.c.connection.startFailed();
      this.c.sync.stop();
      throw e;
    }
    this.c.socket = new ServerSocket({
      url: this.c.a.wsUrl,
      factory: this.c.wsFactory,
      token: () => this.c.a.token(),
      onUnauthorized: () => this.c.a.dropToken(),
      onMessage: (m) => this.c.receiver.enqueue([m]),
      onState: (state) => {
        this.emit('connection', { state });
        // (Re)connected: catch up first (messages may have queued while the socket was down), then the outbox runs.
        if (state === 'online') {
          void this.c.sync.run().catch((e) => this.c.warnErr('SYNC', e));
          void fetchOperatorNotices(this.c, (n) => this.emit('operator-notice', n)).catch((e) => this.c.warnErr('NOTICES', e));
        }
      },
    });
    this.c.socket.start();
    this.c.upkeep.start(this.c.sweepMs, this.c.maintMs);
    this.c.sender.kickOutbox();
    void this.c.upkeep.maintain().catch((e) => this.c.warnErr('MAINTENANCE', e));
  }

  /**
   * Whether the last sync reached the server (a catch-up succeeded and no send has found the network gone since).
   * False before start(), and after a start() made while the server could not be reached, until it answers.
   */
  get online(): boolean {
    return this.c.connection.connected;
  }

  /**
   * Pull and process everything the server holds for this device now, then settle interrupted commits (what start()
   * and every reconnect do). Resolves once done; offline it resolves at once and a retry is scheduled.
   */
  async sync(): Promise<void> {
    this.c.need();
    await this.c.sync.run();
  }

  /** Stop network activity (the store stays open). */
  async stop(): Promise<void> {
    this.c.connection.stop();
    this.c.socket?.stop();
    this.c.socket = undefined;
    this.c.upkeep.stop();
    this.c.sender.stop();
    this.c.receiver.stop();
    this.c.sync.stop();
    await this.c.lock.run(async () => {});
  }

  async close(): Promise<void> {
    if (this.c.connection.closed) return;
    await this.stop();
    this.c.connection.close();
    await this.c.store.close();
  }

  // =====================================================================================================
  // Device linking (devices.ts)
  // =====================================================================================================
  /**
   * New device: make keys and a link payload to show (QR text) and wait until an existing device approved it.
   * `done` resolves once this device is registered (call start() then).
   */
  beginLink(o: {
    serverUrl: string;
    account: string;
    timeoutMs?: number;
  }): Promise<{ qr: string; code: string; deviceId: string; done: Promise<void> }> {
    return this.c.devices.beginLink(o);
  }

  /**
   * Primary device: approve a new device from its link payload: certify and register it, wait for its KeyPackages,
   * then add it to every conversation. With `code` (the one the user read on the new device) a mismatch refuses
   * before anything is signed (CODE_MISMATCH). Returns its id and the confirmation code.
   */
  approveLink(
    qrText: string,
    o: { timeoutMs?: number; code?: string } = {},
  ): Promise<{ deviceId: string; code: string; conversations: number }> {
    return this.c.devices.approveLink(qrText, o);
  }

  /**
   * Read a link payload without approving anything: the new device's id and the confirmation code to compare with its
   * screen before calling approveLink (pass the confirmed code there as `code`; a mismatch signs nothing).
   */
  inspectLink(qrText: string): { deviceId: string; code: string } {
    return this.c.devices.inspectLink(qrText);
  }

  /** Devices of this account, as the server lists them. */
  listDevices(): Promise<DeviceInfo[]> {
    return this.c.devices.listDevices();
  }

  /**
   * Names a device of this account (this one, or another). The name is shown only to the account's own devices; the
   * server holds it (linked devices share no key to encrypt it under). At most 64 characters.
   */
  renameDevice(deviceId: string, name: string): Promise<string> {
    return this.c.devices.renameDevice(deviceId, name);
  }

  /** Primary device: revoke a device (signed) and remove it from every conversation. */
  unlinkDevice(deviceId: string): Promise<void> {
    return this.c.devices.unlinkDevice(deviceId);
  }

  // =====================================================================================================
  // Conversations
  // =====================================================================================================
  listConversations(): ConversationInfo[] {
    return [...this.c.convs.keys()].map((id) => this.c.info(id)).filter((c): c is ConversationInfo => c !== undefined);
  }

  getConversation(id: ConversationId): ConversationInfo | undefined {
    return this.c.info(id);
  }

  /** Start (or return the existing) 1:1 conversation with `account`. */
  async createDirect(account: string): Promise<ConversationInfo> {
    const me = this.c.need();
    const d = reduceCreateDirect(me.accountName, account, this.listConversations());
    if (d.kind === 'refuse') throw refused(d.refusal);
    if (d.kind === 'existing') return d.info;
    return this.c.commits.create(d.meta, d.accounts);
  }

  /** Create a group owned by this account, with the given members. */
  async createGroup(o: { name: string; members: string[]; admins?: string[]; timerSeconds?: number }): Promise<ConversationInfo> {
    const me = this.c.need();
    const d = reduceCreateGroup(me.accountName, o);
    return this.c.commits.create(d.meta, d.accounts, d.name);
  }

  /** Admins: add accounts (every device of each) to a group. */
  async addMembers(id: ConversationId, accounts: string[]): Promise<ConversationInfo> {
    const me = this.c.need();
    const { meta, group } = this.c.conv(id);
    const d = reduceAdd({ me: me.accountName, meta, leaves: leavesOf(group) }, accounts);
    if (d.kind === 'refuse') throw refused(d.refusal);
    if (d.kind === 'noop') return this.c.info(id)!;
    // Every account is looked up before any KeyPackage is claimed or any commit made: a missing one fails the call.
    for (const a of d.fresh) await this.c.commits.lookup(a);
    const kps = await this.c.commits.claim(d.fresh, d.present);
    const none = addClaimsRefusal(kps.length);
    if (none) throw refused(none);
    for (const a of d.fresh) await this.c.contacts.setContact(a, { accepted: true });
    await this.c.commits.addKeyPackages(id, kps);
    return this.c.info(id)!;
  }

  /** Admins: remove accounts (all their devices) from a group. */
  async removeMembers(id: ConversationId, accounts: string[]): Promise<ConversationInfo> {
    const me = this.c.need();
    const { meta } = this.c.conv(id);
    const d = reduceRemove({ me: me.accountName, meta }, accounts);
    if (d.kind === 'refuse') throw refused(d.refusal);
    await this.c.commits.commitWith(id, (group) => {
      const leaves = leavesToRemove(leavesOf(group), accounts);
      return leaves ? { out: this.c.m.remove(group, leaves), submit: {} } : undefined;
    });
    // A removed admin leaves the admin list too (a second commit: a GroupContextExtensions change).
    if (adminsAfterRemoval(metaOf(this.c.conv(id).group), accounts)) {
      await this.c.commits.changeMeta(id, (m) => withoutAdmins(m, accounts));
    }
    return this.c.info(id)!;
  }

  /**
   * Leave a group (any member; a 1:1 is deleted, not left). An MLS member cannot commit its own removal (RFC 9420
   * §12.4), so this device proposes the removal of every device of this account and another member commits it. From
   * here on the conversation is `left` (a "you left" line): nothing more is sent or read there. If a commit comes that
   * does not remove us, the proposals are made again in the new epoch. A leaving admin leaves the admin list in the
   * commit that removes it; the owner stays named as owner (its proof records who created the group).
   */
  async leave(id: ConversationId): Promise<ConversationInfo> {
    const me = this.c.need();
    const { rec, meta, group } = this.c.conv(id);
    const d = reduceLeave({ me: me.accountName, meta, record: rec, leaves: leavesOf(group) });
    if (d.kind === 'refuse') throw refused(d.refusal);
    if (d.kind === 'leave') await proposeLeave(this.c, id);
    return this.c.info(id)!;
  }

  /** Admins: rename a group. The name travels end-to-end encrypted (a `group-rename` message), not in the MLS group context. */
  async rename(id: ConversationId, name: string): Promise<ConversationInfo> {
    const me = this.c.need();
    const { rec, meta } = this.c.conv(id);
    const d = reduceRename({ me: me.accountName, meta, record: rec }, name);
    if (d.kind === 'refuse') throw refused(d.refusal);
    const renamed = rec.name !== undefined && rec.name !== d.record.name;
    await this.c.sender.sendBody(id, d.body, { store: false });
    const work = this.c.newWork();
    await this.c.store.transaction(async (tx) => {
      await this.c.putRec(tx, d.record, work);
      if (!renamed) return;
      const items = await recordSystemItems(
        tx,
        id,
        `rename:${this.c.now()}`,
        [{ type: 'rename', by: me.accountName, name: d.record.name ?? name }],
        this.c.now(),
      );
      work.fx.push(() => {
        for (const m of items) this.emit('message', m);
      });
    });
    this.c.finish(work);
    const info = this.c.info(id)!;
    this.c.events.emit('conversation', info);
    return info;
  }

  setRole(id: ConversationId, account: string, role: 'admin' | 'member'): Promise<ConversationInfo> {
    return this.c.commits.changeMeta(id, (m) => withRole(m, account, role));
  }

  setDisappearingTimer(id: ConversationId, seconds: number): Promise<ConversationInfo> {
    const bad = timerRefusal(seconds);
    if (bad) throw refused(bad);
    return this.c.commits.changeMeta(id, (m) => ({ ...m, timerSeconds: seconds }));
  }

  /** Refresh this device's leaf keys in a conversation (an Update commit): a stolen key stops working. */
  async rotateKeys(id: ConversationId): Promise<void> {
    await this.c.commits.commitWith(id, (group) => ({ out: this.c.m.update(group), submit: {} }));
  }

  /** Entries still waiting in the outbox. */
  async pendingSends(): Promise<Array<{ conversationId: string; id: string; state: string; attempts: number; lastError?: string }>> {
    return (await this.c.outbox.list()).map((r) => ({
      conversationId: r.conversationId,
      id: r.id,
      state: r.state,
      attempts: r.attempts,
      ...(r.lastError ? { lastError: r.lastError } : {}),
    }));
  }

  /** Resolves when the outbox is empty (or rejects after `timeoutMs`). */
  async flush(timeoutMs = 60_000): Promise<void> {
    const end = this.c.now() + timeoutMs;
    for (;;) {
      const list = (await this.c.outbox.list()).filter((r) => r.state !== 'failed');
      if (list.length === 0) return;
      if (this.c.now() > end) throw new ClientError('CONFLICT', `${list.length} sends still pending`);
      this.c.sender.kickOutbox();
      await sleep(50);
    }
  }

  /**
   * A 1:1 whose peer has no device in it (created before its peer could be added) would take messages nowhere: while
   * online, the peer is added back first, or the send fails naming it. Offline, the message waits in the outbox.
   */
  async #ensurePeer(id: ConversationId): Promise<void> {
    const me = this.c.need();
    const { rec, group, meta } = this.c.conv(id);
    const leaves = leavesOf(group);
    const peer = peerToRestore({ me: me.accountName, meta, leaves, record: rec, started: this.c.connection.started });
    if (!peer) return;
    const present = new Set(leaves.map((l) => l.deviceId));
    try {
      const kps = await this.c.commits.claim([peer], present);
      if (kps.length === 0) throw new ClientError('NO_DEVICES', `${peer}: no device able to join right now`);
      await this.c.commits.addKeyPackages(id, kps);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new ClientError('PEER_MISSING', `${peer} is not in conversation ${id} and could not be added back (${why})`, { cause: e });
    }
  }

  /** Run a message intent's decision: refuse, skip, or change our copy of the target, then send the body. */
  async #send(id: ConversationId, d: MessageIntentDecision): Promise<MessageIdHex | undefined> {
    if (d.kind === 'refuse') throw refused(d.refusal);
    if (d.kind === 'skip') return undefined;
    const local = d.local;
    if (local) await this.c.sender.localUpdate(id, local.target, (t) => applyLocalChange(t, local.change));
    return this.c.sender.sendBody(id, d.body, d.store ? { store: true, extra: d.store } : { store: false });
  }

  // ---------- public message API ----------
  async sendText(id: ConversationId, text: string, o: { replyTo?: MessageIdHex; quote?: string } = {}): Promise<MessageIdHex> {
    await this.#ensurePeer(id);
    return (await this.#send(id, reduceText({ text, ...o })))!;
  }

  async react(id: ConversationId, target: MessageIdHex, emoji: string, action: 'add' | 'remove' = 'add'): Promise<void> {
    const me = this.c.need();
    await this.#send(id, reduceReaction(me.accountName, { target, emoji, action }));
  }

  async edit(id: ConversationId, target: MessageIdHex, text: string): Promise<void> {
    const me = this.c.need();
    const current = await this.getMessage(id, target);
    const facts = { me: me.accountName, current, now: this.c.now(), editWindowSeconds: this.c.settings.editWindowSeconds };
    await this.#send(id, reduceEdit(facts, { target, text }));
  }

  async deleteForEveryone(id: ConversationId, target: MessageIdHex): Promise<void> {
    const me = this.c.need();
    const current = await this.getMessage(id, target);
    await this.#send(id, reduceDelete({ me: me.accountName, current }, { target }));
  }

  async markRead(id: ConversationId, ids: MessageIdHex[]): Promise<void> {
    const { rec } = this.c.conv(id);
    await this.#send(id, reduceReadReceipt({ state: rec.state, ...this.c.settings }, ids));
  }

  async setTyping(id: ConversationId, typing: boolean): Promise<void> {
    const { rec } = this.c.conv(id);
    await this.#send(id, reduceTyping({ state: rec.state, ...this.c.settings }, typing));
  }

  async listMessages(id: ConversationId, o: { limit?: number; beforeSeq?: number; afterSeq?: number } = {}): Promise<StoredMessage[]> {
    // Remove what is due first, so that `limit` counts only messages that can still be shown.
    const now0 = this.c.now();
    if ([...this.c.expiry.values()].some((at) => at <= now0)) await this.c.upkeep.sweep();
    const entries = await this.c.store.listMessages(id, {
      ...(o.limit !== undefined ? { limit: o.limit, reverse: o.afterSeq === undefined } : {}),
      ...(o.beforeSeq !== undefined ? { beforeSeq: o.beforeSeq } : {}),
      ...(o.afterSeq !== undefined ? { afterSeq: o.afterSeq } : {}),
    });
    const now = this.c.now();
    const list = entries.map((e) => publicMessage(decodeMessage(e.data, id, e.seq))).filter((m) => !expired(m, now));
    return list.sort((a, b) => a.seq - b.seq);
  }

  async getMessage(id: ConversationId, messageId: MessageIdHex): Promise<StoredMessage | undefined> {
    const e = await this.c.store.getMessage(id, messageId);
    const m = e ? publicMessage(decodeMessage(e.data, id, e.seq)) : undefined;
    return m && !expired(m, this.c.now()) ? m : undefined;
  }

  // ---------- attachments ----------
  /**
   * Encrypt (fresh key, streamed), upload, and send an attachment message. `thumbnail` (a JPEG, PNG or WebP of at most
   * 16 KiB made on this device) and `dimensions` (of the original) travel inside the encrypted content only.
   */
  async sendAttachment(
    id: ConversationId,
    blob: Blob,
    o: { fileName: string; mimeType?: string } & AttachmentExtras,
  ): Promise<MessageIdHex> {
    const bad = attachmentExtrasRefusal(o);
    if (bad) throw new ClientError(bad.code, bad.message);
    await this.#ensurePeer(id);
    const { meta } = this.c.conv(id);
    const key = this.c.rng(32);
    const hash = await encryptedHash(blob, key);
    const size = encryptedSize(blob.size);
    const encrypted = encryptedStream(blob, key);
    const body = this.c.bufferUploads ? await new Response(encrypted).blob() : encrypted;
    await this.c.a.putBlob(hash, size, body, meta.timerSeconds || undefined);
    const mimeType = o.mimeType ?? (blob.type || 'application/octet-stream');
    const extras = { ...(o.thumbnail ? { thumbnail: o.thumbnail } : {}), ...(o.dimensions ? { dimensions: o.dimensions } : {}) };
    return (await this.#send(id, reduceAttachment({ hash, key, size: blob.size, mimeType, fileName: o.fileName, ...extras })))!;
  }

  /** Download, check and decrypt an attachment of a stored message into `sink`, chunk by chunk. */
  async downloadAttachment(
    id: ConversationId,
    messageId: MessageIdHex,
    sink: (chunk: Uint8Array) => void | Promise<void>,
  ): Promise<AttachmentInfo> {
    const e = await this.c.store.getMessage(id, messageId);
    const m = e ? decodeMessage(e.data, id, e.seq) : undefined;
    if (!m || expired(m, this.c.now())) throw new ClientError('UNKNOWN_MESSAGE', `no message ${messageId} in conversation ${id}`);
    if (!m.attachment || !m.contentKey) throw new ClientError('UNKNOWN_MESSAGE', 'the message has no attachment');
    const stream = await this.c.a.getBlob(m.attachment.hash);
    await decryptStream(stream, fromHex(m.contentKey), m.attachment.hash, m.attachment.size, sink);
    return m.attachment;
  }

  async listContacts(): Promise<ContactInfo[]> {
    return (await this.c.store.list(NS.contact)).map(({ value }) => {
      const c = parse<ContactRecord>(value);
      return {
        account: c.account,
        accountKey: c.accountKey,
        verified: c.verified,
        blocked: c.blocked,
        accepted: c.accepted,
        ...(c.pendingKey !== undefined ? { pendingKey: c.pendingKey } : {}),
        ...(c.keyChangedAt !== undefined ? { keyChangedAt: c.keyChangedAt } : {}),
      };
    });
  }

  /**
   * The safety number between this account and `account` (compare it in person or scan its QR payload). When a
   * verified contact's key changed, it is the number of the new key: the one to look at before accepting it.
   */
  async safetyNumber(account: string): Promise<SafetyNumber> {
    const me = this.c.need();
    const key = await this.#safetyKey(account);
    return computeSafetyNumber({ accountKey: me.accountKey, name: me.accountName }, { accountKey: fromHex(key), name: account });
  }

  async #safetyKey(account: string): Promise<string> {
    let c = await this.c.contacts.contact(account);
    if (!c?.accountKey) {
      await this.c.contacts.refreshContact(account);
      c = await this.c.contacts.contact(account);
    }
    if (!c?.accountKey) throw new ClientError('INVALID_ARGUMENT', 'unknown account');
    return c.pendingKey ?? c.accountKey;
  }

  /**
   * The user compared the safety number `safetyNumber` shows and it matched (or un-marks it). When a verified
   * contact's key changed, that number is the new key's: marking it verified pins the new key (accepting the change).
   */
  async markVerified(account: string, verified = true): Promise<void> {
    const c = await this.c.contacts.contact(account);
    const key = c?.pendingKey ?? c?.accountKey;
    if (verified && key) await this.c.contacts.verified(account, key);
    else await this.c.contacts.setContact(account, { verified });
  }

  /**
   * Compare what the user typed (60 digits) or scanned (the other device's QR payload) with our safety number for
   * `account`; on a match that key becomes the verified pin (a waiting key change is accepted). Returns the comparison.
   */
  async verifySafetyNumber(account: string, input: string | Uint8Array): Promise<SafetyComparison> {
    const key = await this.#safetyKey(account);
    const mine = await this.safetyNumber(account);
    const r = typeof input === 'string' ? compareTypedSafetyNumber(input, mine) : compareScannedSafetyNumber(input, mine);
    if (r === 'match') await this.c.contacts.verified(account, key);
    return r;
  }

  /**
   * Accept a verified contact's new account key after looking at the new safety number (`safetyNumber`): it becomes
   * the pin, unverified, and sending to that contact resumes. The notice stays until the new number is verified.
   */
  async acceptKeyChange(account: string): Promise<void> {
    await this.c.contacts.acceptKeyChange(account);
  }

  // ---------- reports (docs/moderation.md) ----------
  /**
   * The operator's notices to this account that this device has received (warnings after a report), oldest first.
   * `refresh` asks the server for new ones first (done by itself on every connection).
   */
  async operatorNotices(o: { refresh?: boolean } = {}): Promise<OperatorNotice[]> {
    if (o.refresh) await fetchOperatorNotices(this.c, (n) => this.emit('operator-notice', n));
    return listOperatorNotices(this.c);
  }

  /**
   * What a report of `messageId` would send, for the reporter to read before sending: the reported message (and its
   * edit), the chosen earlier messages of the same conversation, and the exact request. Nothing is sent.
   */
  async reportDraft(id: ConversationId, messageId: MessageIdHex, o: ReportOptions = {}): Promise<ReportDraft> {
    this.c.conv(id);
    const load = async (mid: MessageIdHex) => {
      const e = await this.c.store.getMessage(id, mid);
      const rec = e ? decodeMessage(e.data, id, e.seq) : undefined;
      return { id: mid, record: rec && !expired(rec, this.c.now()) ? rec : undefined, seq: e?.seq ?? -1 };
    };
    const target = await load(messageId);
    const previous = await Promise.all([...new Set(o.previous ?? [])].map(load));
    return buildReportDraft(id, target, previous, target.seq, o);
  }

  /** The `n` messages before `messageId` that a report can carry (received ones), oldest first: the CLI's --with-previous. */
  async reportablePrevious(id: ConversationId, messageId: MessageIdHex, n: number): Promise<MessageIdHex[]> {
    const e = await this.c.store.getMessage(id, messageId);
    if (!e) throw new ClientError('UNKNOWN_MESSAGE', 'no such message in this conversation');
    const out: MessageIdHex[] = [];
    let before = e.seq;
    while (out.length < n) {
      const page = await this.c.store.listMessages(id, { limit: 50, reverse: true, beforeSeq: before });
      if (page.length === 0) break;
      for (const p of page) {
        const m = decodeMessage(p.data, id, p.seq);
        if (!m.outgoing && m.franking && !expired(m, this.c.now()) && out.length < n) out.push(m.id);
        before = Math.min(before, p.seq);
      }
    }
    return out.reverse();
  }

  /** Send the report a draft describes; with `block`, the reported account is blocked too (report and block). */
  async report(draft: ReportDraft, o: { block?: boolean } = {}): Promise<ReportResult> {
    const r = await this.c.a.report(draft.request);
    if (o.block) await this.block(draft.reportedAccount);
    return r;
  }

  async block(account: string): Promise<void> {
    // Blocking a message request tells the server (a count against the sender's account, docs/abuse-signals.md); the
    // block itself is local and holds even if the server cannot be told now.
    const request = this.listConversations().some((c) => c.state === 'request' && (c.addedBy ?? c.owner) === account);
    await this.c.contacts.setContact(account, { blocked: true, accepted: false });
    if (request) await this.c.a.declineRequest(account).catch((e: unknown) => this.c.warnErr('DECLINE', e));
    await this.c.contacts.setConvStates((info) => (info.addedBy ?? info.owner) === account && info.state !== 'removed', 'blocked');
  }

  /** Unblock an account: its conversations come back as requests (accept one to talk again); new messages arrive. */
  async unblock(account: string): Promise<void> {
    await this.c.contacts.setContact(account, { blocked: false });
    await this.c.contacts.setConvStates((info) => (info.addedBy ?? info.owner) === account && info.state === 'blocked', 'request');
  }

  async acceptRequest(id: ConversationId): Promise<ConversationInfo> {
    const info = this.getConversation(id);
    if (!info) throw new ClientError('UNKNOWN_CONVERSATION', `no conversation ${id}`);
    await this.c.contacts.setContact(info.addedBy ?? info.owner, { accepted: true, blocked: false });
    await this.c.contacts.setConvStates((i) => i.id === id, 'active');
    return this.getConversation(id)!;
  }

  async deleteRequest(id: ConversationId): Promise<void> {
    await this.c.contacts.setConvStates((i) => i.id === id, 'deleted');
    const msgs = await this.c.store.listMessages(id);
    await this.c.store.transaction(async (tx) => {
      for (const m of msgs) await tx.deleteMessage(id, m.messageId);
    });
  }
}

/** An engine refusal, thrown as the SDK's error with the same code and message. */
function refused(r: IntentRefusal): ClientError {
  return new ClientError(r.code, r.message);
}

/** A disappearing message past its time: never shown, even before the sweep removes it. */
function expired(m: { expiresAt?: number }, now: number): boolean {
  return m.expiresAt !== undefined && m.expiresAt <= now;
}

// The client holds every key of this device (through its core): it prints as "[SottoClient redacted]".
redactOnPrototype(SottoClient.prototype, 'SottoClient');
