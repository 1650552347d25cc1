// SQLite implementation of Storage (better-sqlite3, WAL). Synchronous underneath: each call is atomic
// with respect to every other, which makes KeyPackage claims and epoch compare-and-set race-free.
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SottoError } from '../../errors.js';
import type {
  AccountRecord,
  AdminEvent,
  BatchOp,
  BatchResult,
  ClaimedKeyPackage,
  DeviceRecord,
  GroupRecord,
  GroupStateRecord,
  InviteRecord,
  QueuedMessage,
  Storage,
  StorageStats,
  TokenRecord,
} from '../storage.js';
import { makePrivateDir, touchPrivateFile } from '../file-modes.js';
import { Checkpointer } from './checkpointer.js';
import { migrate } from './migrations.js';
import { BatchApplier } from './sqlite-batch.js';

type Row = Record<string, unknown>;

const u8 = (b: unknown): Uint8Array => {
  const buf = b as Buffer;
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
};

function toInvite(r: Row): InviteRecord {
  return {
    id: r.id as string,
    secretHash: u8(r.secret_hash),
    createdAt: r.created_at as number,
    expiresAt: r.expires_at as number,
    maxUses: r.max_uses as number,
    uses: r.uses as number,
    note: r.note as string,
    revokedAt: (r.revoked_at as number | null) ?? null,
  };
}
function toAccount(r: Row): AccountRecord {
  return {
    name: r.name as string,
    accountKey: u8(r.account_key),
    status: r.status as AccountRecord['status'],
    createdAt: r.created_at as number,
  };
}
function toDevice(r: Row): DeviceRecord {
  return {
    deviceId: r.device_id as string,
    account: r.account as string,
    certificate: u8(r.certificate),
    signatureKey: u8(r.signature_key),
    cipherSuite: r.cipher_suite as number,
    createdAt: r.created_at as number,
    revokedAt: (r.revoked_at as number | null) ?? null,
  };
}

export interface SqliteOptions {
  file: string;
  synchronous?: 'full' | 'normal';
  maxGroupMembers?: number;
  /** Checkpoint the WAL on a worker thread instead of inside commits (the server does; CLI commands do not). */
  backgroundCheckpoints?: boolean;
}

/** How far message ids jump in a backup copy (more messages than any server sends between a backup and a restore). */
export const RESTORE_ID_GAP = 1_000_000_000_000;

export class SqliteStorage implements Storage {
  readonly db: Database.Database;
  private readonly batch: BatchApplier;
  private readonly s;
  private readonly checkpointer: Checkpointer | undefined;

  constructor(opts: SqliteOptions) {
    makePrivateDir(dirname(opts.file));
    touchPrivateFile(opts.file);
    this.db = new Database(opts.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = OFF');
    migrate(this.db);
    if (opts.backgroundCheckpoints) {
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new Checkpointer(opts.file);
    }
    const p = (sql: string) => this.db.prepare(sql);
    this.s = {
      insInvite: p('INSERT INTO invites (id, secret_hash, created_at, expires_at, max_uses, uses, note) VALUES (?, ?, ?, ?, ?, 0, ?)'),
      listInvites: p('SELECT * FROM invites ORDER BY created_at'),
      getInvite: p('SELECT * FROM invites WHERE id = ?'),
      useInvite: p('UPDATE invites SET uses = uses + 1 WHERE id = ? AND uses < max_uses AND expires_at > ? AND revoked_at IS NULL'),
      revokeInvite: p('UPDATE invites SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?'),
      insAdminEvent: p('INSERT INTO admin_events (kind, account, devices, at) VALUES (?, ?, ?, ?)'),
      adminEvents: p('SELECT * FROM admin_events WHERE id > ? ORDER BY id LIMIT 1000'),
      pruneAdminEvents: p('DELETE FROM admin_events WHERE at < ?'),
      insAccount: p('INSERT INTO accounts (name, account_key, status, created_at) VALUES (?, ?, ?, ?)'),
      getAccount: p('SELECT * FROM accounts WHERE name = ?'),
      listAccounts: p(
        'SELECT a.*, (SELECT COUNT(*) FROM devices d WHERE d.account = a.name AND d.revoked_at IS NULL) AS n FROM accounts a ORDER BY a.name',
      ),
      setStatus: p('UPDATE accounts SET status = ? WHERE name = ?'),
      delAccount: p('DELETE FROM accounts WHERE name = ?'),
      insDevice: p(
        'INSERT INTO devices (device_id, account, certificate, signature_key, cipher_suite, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, NULL)',
      ),
      getDevice: p('SELECT * FROM devices WHERE device_id = ?'),
      listDevices: p('SELECT * FROM devices WHERE account = ? ORDER BY created_at, device_id'),
      deviceNames: p(
        'SELECT device_id, name, created_at FROM devices WHERE account = ? AND revoked_at IS NULL ORDER BY created_at, device_id',
      ),
      setDeviceName: p('UPDATE devices SET name = ? WHERE account = ? AND device_id = ? AND revoked_at IS NULL'),
      liveDeviceIds: p('SELECT device_id FROM devices WHERE account = ? AND revoked_at IS NULL ORDER BY device_id'),
      countLiveDevices: p('SELECT COUNT(*) AS n FROM devices WHERE account = ? AND revoked_at IS NULL'),
      revoke: p("UPDATE devices SET revoked_at = ?, revocation = ?, name = '' WHERE device_id = ? AND revoked_at IS NULL"),
      delDevices: p('DELETE FROM devices WHERE account = ?'),
      purgeDeliveries: p('DELETE FROM deliveries WHERE device_id = ?'),
      purgeMembership: p('DELETE FROM group_members WHERE device_id = ?'),
      purgeKps: p('DELETE FROM key_packages WHERE device_id = ?'),
      purgeTokens: p('DELETE FROM tokens WHERE device_id = ?'),
      insToken: p('INSERT INTO tokens (id, secret_hash, device_id, account, expires_at) VALUES (?, ?, ?, ?, ?)'),
      getToken: p('SELECT * FROM tokens WHERE id = ?'),
      insKp: p('INSERT INTO key_packages (device_id, data, last_resort) VALUES (?, ?, ?)'),
      delLastResort: p('DELETE FROM key_packages WHERE device_id = ? AND last_resort = 1'),
      countKp: p('SELECT COUNT(*) AS n FROM key_packages WHERE device_id = ? AND last_resort = 0'),
      countLr: p('SELECT COUNT(*) AS n FROM key_packages WHERE device_id = ? AND last_resort = 1'),
      firstKp: p('SELECT id, data FROM key_packages WHERE device_id = ? AND last_resort = 0 ORDER BY id LIMIT 1'),
      lastResortKp: p('SELECT id, data FROM key_packages WHERE device_id = ? AND last_resort = 1 ORDER BY id DESC LIMIT 1'),
      delKp: p('DELETE FROM key_packages WHERE id = ?'),
      insGroup: p('INSERT INTO groups (group_id, epoch, created_at, updated_at, state_version) VALUES (?, ?, ?, ?, 0)'),
      insGroupState: p('INSERT INTO group_states (group_id, snapshot_version, state) VALUES (?, 0, ?)'),
      getGroup: p('SELECT epoch, state_version FROM groups WHERE group_id = ?'),
      getGroupState: p(
        'SELECT g.epoch, g.state_version, s.state, s.snapshot_version FROM groups g LEFT JOIN group_states s USING (group_id) WHERE g.group_id = ?',
      ),
      getGroupLog: p('SELECT version, message, at FROM group_log WHERE group_id = ? AND version > ? ORDER BY version'),
      getGroupInfo: p(
        'SELECT epoch, group_info, EXISTS (SELECT 1 FROM group_states s WHERE s.group_id = g.group_id) AS verified FROM groups g WHERE group_id = ?',
      ),
      members: p('SELECT device_id FROM group_members WHERE group_id = ?').pluck(),
      delGroup: p('DELETE FROM groups WHERE group_id = ? AND state_version = ?'),
      delGroupState: p('DELETE FROM group_states WHERE group_id = ?'),
      delGroupLog: p('DELETE FROM group_log WHERE group_id = ?'),
      // messages has no index by group: these scan the queue (unacknowledged messages only), as the sweep does.
      delGroupDeliveries: p('DELETE FROM deliveries WHERE message_id IN (SELECT id FROM messages WHERE group_id = ?)'),
      delGroupMessages: p('DELETE FROM messages WHERE group_id = ?'),
      delGroupMembers: p('DELETE FROM group_members WHERE group_id = ?'),
      insMember: p('INSERT OR IGNORE INTO group_members (group_id, device_id) VALUES (?, ?)'),
      fetch: p(
        `SELECT m.id, m.group_id, m.kind, m.payload, m.created_at, m.sender_account, m.sender_device, m.commitment FROM deliveries d JOIN messages m ON m.id = d.message_id
         WHERE d.device_id = ? AND d.message_id > ? AND m.expires_at > ? ORDER BY d.message_id LIMIT ?`,
      ),
      insBlob: p(
        `INSERT INTO blobs (hash, size, owner, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(hash) DO UPDATE SET expires_at = MAX(expires_at, excluded.expires_at)`,
      ),
      getBlob: p('SELECT size, expires_at FROM blobs WHERE hash = ? AND expires_at > ?'),
      queuedBytes: p('SELECT COALESCE(SUM(length(payload)), 0) FROM messages WHERE sender_account = ?').pluck(),
      blobBytes: p(
        `SELECT COALESCE(SUM(b.size), 0) FROM blobs b JOIN devices d ON d.device_id = b.owner
         WHERE d.account = ? AND b.expires_at > ?`,
      ).pluck(),
      expiredMsgs: p('DELETE FROM messages WHERE expires_at <= ?'),
      orphanDeliveries: p('DELETE FROM deliveries WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = deliveries.message_id)'),
      expiredTokens: p('DELETE FROM tokens WHERE expires_at <= ?'),
      expiredBlobs: p('SELECT hash FROM blobs WHERE expires_at <= ?').pluck(),
      delBlob: p('DELETE FROM blobs WHERE hash = ?'),
      inactive: p("SELECT name FROM accounts WHERE status != 'active'").pluck(),
    };
    this.batch = new BatchApplier(this.db, opts.maxGroupMembers ?? 1000);
  }

  async createInvite(i: Omit<InviteRecord, 'revokedAt'>): Promise<void> {
    this.s.insInvite.run(i.id, i.secretHash, i.createdAt, i.expiresAt, i.maxUses, i.note);
  }
  async listInvites(): Promise<InviteRecord[]> {
    return (this.s.listInvites.all() as Row[]).map(toInvite);
  }
  async getInvite(id: string): Promise<InviteRecord | undefined> {
    const r = this.s.getInvite.get(id) as Row | undefined;
    return r && toInvite(r);
  }

  async revokeInvite(id: string, now: number): Promise<boolean> {
    return this.s.revokeInvite.run(now, id).changes === 1;
  }
  async consumeInvite(id: string, now: number): Promise<boolean> {
    return this.s.useInvite.run(id, now).changes === 1;
  }

  async createAccount(a: AccountRecord, d: DeviceRecord, inviteId: string | undefined, now: number): Promise<void> {
    this.db
      .transaction(() => {
        if (this.s.getAccount.get(a.name)) throw new SottoError('CONFLICT', 'account name is taken');
        if (this.s.getDevice.get(d.deviceId)) throw new SottoError('CONFLICT', 'device id is taken');
        if (inviteId !== undefined && this.s.useInvite.run(inviteId, now).changes !== 1) {
          throw new SottoError('INVITE_INVALID', 'invite token is unknown, expired or used up');
        }
        this.s.insAccount.run(a.name, a.accountKey, a.status, a.createdAt);
        this.s.insDevice.run(d.deviceId, d.account, d.certificate, d.signatureKey, d.cipherSuite, d.createdAt);
      })
      .immediate();
  }
  async getAccount(name: string): Promise<AccountRecord | undefined> {
    const r = this.s.getAccount.get(name) as Row | undefined;
    return r && toAccount(r);
  }
  async listAccounts(): Promise<(AccountRecord & { devices: number })[]> {
    return (this.s.listAccounts.all() as Row[]).map((r) => ({ ...toAccount(r), devices: r.n as number }));
  }
  async setAccountStatus(name: string, status: AccountRecord['status']): Promise<boolean> {
    return this.s.setStatus.run(status, name).changes === 1;
  }
  async deleteAccount(name: string): Promise<boolean> {
    return this.db
      .transaction(() => {
        for (const r of this.s.listDevices.all(name) as Row[]) this.purgeDevice(r.device_id as string);
        this.s.delDevices.run(name);
        return this.s.delAccount.run(name).changes === 1;
      })
      .immediate();
  }
  private purgeDevice(deviceId: string): void {
    this.s.purgeDeliveries.run(deviceId);
    this.s.purgeMembership.run(deviceId);
    this.s.purgeKps.run(deviceId);
    this.s.purgeTokens.run(deviceId);
  }
  async addDevice(d: DeviceRecord, maxDevices: number): Promise<void> {
    this.db
      .transaction(() => {
        if (this.s.getDevice.get(d.deviceId)) throw new SottoError('CONFLICT', 'device id is taken');
        const n = (this.s.countLiveDevices.get(d.account) as { n: number }).n;
        if (n >= maxDevices) throw new SottoError('LIMIT_EXCEEDED', `an account may have at most ${maxDevices} devices`);
        this.s.insDevice.run(d.deviceId, d.account, d.certificate, d.signatureKey, d.cipherSuite, d.createdAt);
      })
      .immediate();
  }
  async getDevice(deviceId: string): Promise<DeviceRecord | undefined> {
    const r = this.s.getDevice.get(deviceId) as Row | undefined;
    return r && toDevice(r);
  }
  async listDevices(account: string): Promise<DeviceRecord[]> {
    return (this.s.listDevices.all(account) as Row[]).map(toDevice);
  }
  async listDeviceNames(account: string): Promise<Array<{ deviceId: string; name: string; createdAt: number }>> {
    return (this.s.deviceNames.all(account) as Row[]).map((r) => ({
      deviceId: r.device_id as string,
      name: r.name as string,
      createdAt: r.created_at as number,
    }));
  }
  async setDeviceName(account: string, deviceId: string, name: string): Promise<boolean> {
    return this.s.setDeviceName.run(name, account, deviceId).changes === 1;
  }
  async revokeDevice(deviceId: string, revocation: Uint8Array, now: number): Promise<void> {
    this.db
      .transaction(() => {
        this.s.revoke.run(now, revocation, deviceId);
        this.purgeDevice(deviceId);
      })
      .immediate();
  }

  async putToken(t: TokenRecord): Promise<void> {
    this.s.insToken.run(t.id, t.secretHash, t.deviceId, t.account, t.expiresAt);
  }
  async getToken(id: string): Promise<TokenRecord | undefined> {
    const r = this.s.getToken.get(id) as Row | undefined;
    if (!r) return undefined;
    return {
      id,
      secretHash: u8(r.secret_hash),
      deviceId: r.device_id as string,
      account: r.account as string,
      expiresAt: r.expires_at as number,
    };
  }

  async addKeyPackages(deviceId: string, kps: Uint8Array[], lastResort: Uint8Array | undefined, max: number): Promise<number> {
    return this.db
      .transaction(() => {
        const n = (this.s.countKp.get(deviceId) as { n: number }).n;
        if (n + kps.length > max) throw new SottoError('LIMIT_EXCEEDED', `a device may store at most ${max} KeyPackages (has ${n})`);
        for (const kp of kps) this.s.insKp.run(deviceId, kp, 0);
        if (lastResort) {
          this.s.delLastResort.run(deviceId);
          this.s.insKp.run(deviceId, lastResort, 1);
        }
        return n + kps.length;
      })
      .immediate();
  }
  async countKeyPackages(deviceId: string): Promise<{ count: number; lastResort: boolean }> {
    const count = (this.s.countKp.get(deviceId) as { n: number }).n;
    const lr = (this.s.countLr.get(deviceId) as { n: number }).n;
    return { count, lastResort: lr > 0 };
  }
  async claimKeyPackages(account: string, oneTime = true): Promise<ClaimedKeyPackage[]> {
    return this.db
      .transaction(() => {
        const out: ClaimedKeyPackage[] = [];
        for (const deviceId of this.s.liveDeviceIds.all(account).map((r) => (r as Row).device_id as string)) {
          const kp = oneTime ? (this.s.firstKp.get(deviceId) as Row | undefined) : undefined;
          if (kp) {
            this.s.delKp.run(kp.id);
            out.push({ deviceId, keyPackage: u8(kp.data), lastResort: false });
            continue;
          }
          const lr = this.s.lastResortKp.get(deviceId) as Row | undefined;
          if (lr) out.push({ deviceId, keyPackage: u8(lr.data), lastResort: true });
        }
        return out;
      })
      .immediate();
  }

  async createGroup(groupId: Uint8Array, epoch: bigint, creatorDevice: string, state: Uint8Array, now: number): Promise<void> {
    this.db
      .transaction(() => {
        if (this.s.getGroup.get(groupId)) throw new SottoError('CONFLICT', 'group already exists');
        this.s.insGroup.run(groupId, epoch, now, now);
        this.s.insGroupState.run(groupId, state);
        this.s.insMember.run(groupId, creatorDevice);
      })
      .immediate();
  }
  async getGroup(groupId: Uint8Array): Promise<GroupRecord | undefined> {
    const g = this.s.getGroup.get(groupId) as Row | undefined;
    if (!g) return undefined;
    return {
      epoch: BigInt(g.epoch as number),
      version: g.state_version as number,
      members: (this.s.members.all(groupId) as string[]).sort(),
    };
  }
  async deleteGroup(groupId: Uint8Array, version: number): Promise<boolean> {
    return this.db
      .transaction(() => {
        if (this.s.delGroup.run(groupId, version).changes !== 1) return false;
        this.s.delGroupState.run(groupId);
        this.s.delGroupLog.run(groupId);
        this.s.delGroupDeliveries.run(groupId);
        this.s.delGroupMessages.run(groupId);
        this.s.delGroupMembers.run(groupId);
        return true;
      })
      .immediate();
  }
  async getGroupState(groupId: Uint8Array): Promise<GroupStateRecord | undefined> {
    return this.db
      .transaction(() => {
        const g = this.s.getGroupState.get(groupId) as Row | undefined;
        if (!g) return undefined;
        const snapshotVersion = (g.snapshot_version as number | null) ?? 0;
        const log = (this.s.getGroupLog.all(groupId, snapshotVersion) as Row[]).map((r) => ({
          message: u8(r.message),
          at: r.at as number,
        }));
        return {
          epoch: BigInt(g.epoch as number),
          version: g.state_version as number,
          state: g.state === null ? null : u8(g.state),
          snapshotVersion,
          log,
        };
      })
      .deferred();
  }
  async getGroupVersion(groupId: Uint8Array): Promise<{ epoch: bigint; version: number } | undefined> {
    const g = this.s.getGroup.get(groupId) as Row | undefined;
    return g && { epoch: BigInt(g.epoch as number), version: g.state_version as number };
  }
  async getGroupInfo(groupId: Uint8Array): Promise<{ epoch: bigint; groupInfo: Uint8Array | null; verified: boolean } | undefined> {
    const g = this.s.getGroupInfo.get(groupId) as Row | undefined;
    if (!g) return undefined;
    return { epoch: BigInt(g.epoch as number), groupInfo: g.group_info === null ? null : u8(g.group_info), verified: g.verified === 1 };
  }
  async applyBatch(ops: BatchOp[]): Promise<BatchResult[]> {
    return this.batch.apply(ops);
  }
  async fetchQueue(deviceId: string, afterId: number, limit: number, now: number): Promise<QueuedMessage[]> {
    return (this.s.fetch.all(deviceId, afterId, now, limit) as Row[]).map((r) => ({
      id: r.id as number,
      groupId: u8(r.group_id),
      kind: r.kind === 2 ? 'welcome' : 'message',
      payload: u8(r.payload),
      createdAt: r.created_at as number,
      ...(r.commitment && r.sender_device && r.sender_account
        ? { franking: { senderDevice: r.sender_device as string, senderAccount: r.sender_account as string, commitment: u8(r.commitment) } }
        : {}),
    }));
  }

  async queuedBytesOf(account: string): Promise<number> {
    return Number(this.s.queuedBytes.get(account));
  }
  async blobBytesOf(account: string, now: number): Promise<number> {
    return Number(this.s.blobBytes.get(account, now));
  }

  async putBlob(hash: string, size: number, owner: string, now: number, expiresAt: number): Promise<void> {
    this.s.insBlob.run(hash, size, owner, now, expiresAt);
  }
  async getBlob(hash: string, now: number): Promise<{ size: number; expiresAt: number } | undefined> {
    const r = this.s.getBlob.get(hash, now) as Row | undefined;
    return r && { size: r.size as number, expiresAt: r.expires_at as number };
  }

  async sweep(now: number): Promise<{ messages: number; blobs: string[] }> {
    return this.db
      .transaction(() => {
        const messages = this.s.expiredMsgs.run(now).changes;
        if (messages > 0) this.s.orphanDeliveries.run();
        this.s.expiredTokens.run(now);
        const blobs = this.s.expiredBlobs.all(now) as string[];
        for (const h of blobs) this.s.delBlob.run(h);
        return { messages, blobs };
      })
      .immediate();
  }
  async inactiveAccounts(): Promise<string[]> {
    return this.s.inactive.all() as string[];
  }
  async addAdminEvent(e: Omit<AdminEvent, 'id'>): Promise<void> {
    this.s.insAdminEvent.run(e.kind, e.account, JSON.stringify(e.devices), e.at);
  }
  async adminEventsAfter(afterId: number): Promise<AdminEvent[]> {
    return (this.s.adminEvents.all(afterId) as Row[]).map((r) => ({
      id: r.id as number,
      kind: r.kind as AdminEvent['kind'],
      account: r.account as string,
      devices: JSON.parse(r.devices as string) as string[],
      at: r.at as number,
    }));
  }
  async pruneAdminEvents(before: number): Promise<void> {
    this.s.pruneAdminEvents.run(before);
  }
  async stats(): Promise<StorageStats> {
    const c = (t: string) => (this.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
    return {
      accounts: c('accounts'),
      devices: c('devices WHERE revoked_at IS NULL'),
      queuedDeliveries: c('deliveries'),
      queuedMessages: c('messages'),
      groups: c('groups'),
      blobs: c('blobs'),
    };
  }
  async backup(destination: string): Promise<void> {
    makePrivateDir(dirname(destination));
    touchPrivateFile(destination);
    await this.db.backup(destination);
    // Message ids in the copy resume far beyond any id the live server can hand out after this moment: once the
    // copy is restored, devices must not take a new message for one they already processed (they skip known ids).
    const copy = new Database(destination);
    try {
      copy.prepare("UPDATE sqlite_sequence SET seq = seq + ? WHERE name = 'messages'").run(RESTORE_ID_GAP);
    } finally {
      copy.close();
    }
  }
  async close(): Promise<void> {
    await this.checkpointer?.stop();
    if (!this.db.open) return;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // another connection is reading; the next open checkpoints
    }
    this.db.close();
  }
}
