// Group commit: many submits and acks applied in one SQLite transaction (one fsync for the lot).
// Each op validates before it writes, so a refused op leaves nothing behind. RFC 9420 §14: the
// Delivery Service orders handshake messages; here one commit per epoch wins by compare-and-set.
import type Database from 'better-sqlite3';
import { SottoError } from '../../errors.js';
import type { AckOp, BatchOp, BatchResult, Delivery, SubmitOp, SubmitResult } from '../storage.js';

const KIND_MESSAGE = 1;
const KIND_WELCOME = 2;
const CONTENT_COMMIT = 3;
const CONTENT_PROPOSAL = 2;

export class BatchApplier {
  private readonly s;
  private readonly run: (ops: BatchOp[]) => BatchResult[];

  constructor(
    readonly db: Database.Database,
    private readonly maxGroupMembers: number,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      group: p('SELECT epoch FROM groups WHERE group_id = ?').pluck(),
      members: p('SELECT device_id FROM group_members WHERE group_id = ?').pluck(),
      liveDevice: p('SELECT 1 FROM devices WHERE device_id = ? AND revoked_at IS NULL').pluck(),
      cas: p('UPDATE groups SET epoch = epoch + 1, updated_at = ? WHERE group_id = ? AND epoch = ?'),
      insMsg: p(
        'INSERT INTO messages (group_id, kind, payload, created_at, expires_at, pending, sender_account) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      insDelivery: p('INSERT INTO deliveries (device_id, message_id) VALUES (?, ?)'),
      addMember: p('INSERT OR IGNORE INTO group_members (group_id, device_id) VALUES (?, ?)'),
      delMember: p('DELETE FROM group_members WHERE group_id = ? AND device_id = ?'),
      delDelivery: p('DELETE FROM deliveries WHERE device_id = ? AND message_id = ?'),
      decPending: p('UPDATE messages SET pending = pending - 1 WHERE id = ? RETURNING pending').pluck(),
      delMsg: p('DELETE FROM messages WHERE id = ?'),
    };
    const run = db.transaction((ops: BatchOp[]) => ops.map((op) => this.one(op)));
    // BEGIN IMMEDIATE: a transaction that reads before writing would otherwise fail at once with SQLITE_BUSY,
    // without waiting, when another connection (an admin command) writes at the same moment.
    this.run = (ops) => run.immediate(ops);
  }

  apply(ops: BatchOp[]): BatchResult[] {
    return this.run(ops);
  }

  private one(op: BatchOp): BatchResult {
    try {
      return op.type === 'ack' ? this.ack(op) : this.submit(op);
    } catch (e) {
      if (e instanceof SottoError) return { ok: false, error: e };
      throw e;
    }
  }

  private ack(op: AckOp): BatchResult {
    let acked = 0;
    for (const id of op.ids) {
      if (this.s.delDelivery.run(op.deviceId, id).changes !== 1) continue;
      acked++;
      const left = this.s.decPending.get(id) as number | undefined;
      if (left !== undefined && left <= 0) this.s.delMsg.run(id);
    }
    return { ok: true, acked };
  }

  private submit(op: SubmitOp): SubmitResult {
    const epochRow = this.s.group.get(op.groupId) as number | bigint | undefined;
    if (epochRow === undefined) throw new SottoError('UNKNOWN_GROUP', 'the server routes no group with this id');
    const current = BigInt(epochRow);
    const members = this.s.members.all(op.groupId) as string[];
    if (!members.includes(op.senderDevice))
      throw new SottoError('NOT_MEMBER', 'the sending device is not on the delivery list of this group');
    const isCommit = op.contentType === CONTENT_COMMIT;
    if (!isCommit && (op.addDevices.length > 0 || op.removeDevices.length > 0 || op.welcome)) {
      throw new SottoError('VALIDATION', 'addDevices, removeDevices and welcome go only with a commit');
    }
    if (isCommit || op.contentType === CONTENT_PROPOSAL ? op.epoch !== current : op.epoch > current) {
      throw new SottoError('STALE_EPOCH', `the group is at epoch ${current}; this message was made in epoch ${op.epoch}`, {
        currentEpoch: current.toString(),
      });
    }
    if (isCommit) this.checkMembershipChange(op, members);
    // Writes start here; every check above has passed.
    let epoch = current;
    if (isCommit) {
      if (this.s.cas.run(op.now, op.groupId, current).changes !== 1) throw new Error('epoch compare-and-set failed inside a transaction');
      epoch = current + 1n;
    }
    const recipients = members.filter((d) => d !== op.senderDevice);
    const deliveries: Delivery[] = [this.enqueue(op, KIND_MESSAGE, op.payload, recipients)];
    const messageId = deliveries[0]!.message.id;
    if (isCommit) {
      for (const d of op.removeDevices) this.s.delMember.run(op.groupId, d);
      for (const d of op.addDevices) this.s.addMember.run(op.groupId, d);
      if (op.welcome && op.addDevices.length > 0) deliveries.push(this.enqueue(op, KIND_WELCOME, op.welcome, op.addDevices));
    }
    return { ok: true, messageId, epoch, deliveries };
  }

  private checkMembershipChange(op: SubmitOp, members: string[]): void {
    const set = new Set(members);
    for (const d of op.removeDevices) if (!set.has(d)) throw new SottoError('VALIDATION', `device ${d} is not on the delivery list`);
    for (const d of op.addDevices) {
      if (set.has(d)) throw new SottoError('VALIDATION', `device ${d} is already on the delivery list`);
      if (!this.s.liveDevice.get(d)) throw new SottoError('VALIDATION', `device ${d} is unknown or revoked`);
    }
    if (members.length - op.removeDevices.length + op.addDevices.length > this.maxGroupMembers) {
      throw new SottoError('LIMIT_EXCEEDED', `a group may have at most ${this.maxGroupMembers} devices`);
    }
    if (op.welcome && op.addDevices.length === 0) throw new SottoError('VALIDATION', 'a welcome needs addDevices');
  }

  private enqueue(op: SubmitOp, kind: number, payload: Uint8Array, recipients: string[]): Delivery {
    const info = this.s.insMsg.run(op.groupId, kind, payload, op.now, op.expiresAt, recipients.length, op.senderAccount ?? null);
    const id = Number(info.lastInsertRowid);
    for (const d of recipients) this.s.insDelivery.run(d, id);
    if (recipients.length === 0) this.s.delMsg.run(id); // keeps the id (ordering), stores nothing
    return {
      recipients,
      message: { id, groupId: op.groupId, kind: kind === KIND_WELCOME ? 'welcome' : 'message', payload, createdAt: op.now },
    };
  }
}
