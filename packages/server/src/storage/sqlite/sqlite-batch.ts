// Group commit: many submits and acks applied in one SQLite transaction (one fsync for the lot).
// Each op validates before it writes, so a refused op leaves nothing behind. RFC 9420 §14: the
// Delivery Service orders handshake messages; here one commit per epoch wins by compare-and-set.
import type Database from 'better-sqlite3';
import { SottoError } from '../../errors.js';
import type { AckOp, BatchOp, BatchResult, Delivery, SubmitOp, SubmitResult } from '../storage.js';

const KIND_MESSAGE = 1;
const KIND_WELCOME = 2;

export class BatchApplier {
  private readonly s;
  private readonly run: (ops: BatchOp[]) => BatchResult[];

  constructor(
    readonly db: Database.Database,
    private readonly maxGroupMembers: number,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      group: p('SELECT epoch, state_version FROM groups WHERE group_id = ?'),
      members: p('SELECT device_id FROM group_members WHERE group_id = ?').pluck(),
      cas: p(
        'UPDATE groups SET epoch = ?, state_version = state_version + 1, updated_at = ? WHERE group_id = ? AND epoch = ? AND state_version = ?',
      ),
      // The new state: a whole snapshot (and the log it replaces goes), or the message appended to the log.
      snapshot: p('UPDATE group_states SET state = ?, snapshot_version = ? WHERE group_id = ?'),
      clearLog: p('DELETE FROM group_log WHERE group_id = ?'),
      appendLog: p('INSERT INTO group_log (group_id, version, message, at) VALUES (?, ?, ?, ?)'),
      insMsg: p(
        'INSERT INTO messages (group_id, kind, payload, created_at, expires_at, pending, sender_account, sender_device, commitment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insDelivery: p('INSERT INTO deliveries (device_id, message_id) VALUES (?, ?)'),
      setGroupInfo: p('UPDATE groups SET group_info = ? WHERE group_id = ?'),
      addMember: p('INSERT OR IGNORE INTO group_members (group_id, device_id) VALUES (?, ?)'),
      delMember: p('DELETE FROM group_members WHERE group_id = ? AND device_id = ?'),
      delDelivery: p('DELETE FROM deliveries WHERE device_id = ? AND message_id = ?'),
      decPending: p('UPDATE messages SET pending = pending - 1 WHERE id = ?'),
      delLastAcked: p('DELETE FROM messages WHERE id = ? AND pending <= 1'),
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
      // The last delivery of a message (every 1:1 message) takes one statement, the others two.
      if (this.s.delLastAcked.run(id).changes === 0) this.s.decPending.run(id);
    }
    return { ok: true, acked };
  }

  private submit(op: SubmitOp): SubmitResult {
    const row = this.s.group.get(op.groupId) as { epoch: number; state_version: number } | undefined;
    if (row === undefined) throw new SottoError('UNKNOWN_GROUP', 'the server routes no group with this id');
    const current = BigInt(row.epoch);
    const members = this.s.members.all(op.groupId) as string[];
    const h = op.handshake;
    if (!h) {
      // Application message: routed to the current list if members can still decrypt it (past-epoch window).
      if (!members.includes(op.senderDevice))
        throw new SottoError('NOT_MEMBER', 'the sending device is not on the delivery list of this group');
      if (op.epoch > current || op.epoch < current - BigInt(op.epochWindow)) {
        const why = op.epoch > current ? 'ahead of the group' : `older than the ${op.epochWindow} past epochs members keep`;
        throw new SottoError('STALE_EPOCH', `the group is at epoch ${current}; this message was made in epoch ${op.epoch} (${why})`, {
          currentEpoch: current.toString(),
        });
      }
      const recipients = members.filter((d) => d !== op.senderDevice);
      const delivery = this.enqueue(op, KIND_MESSAGE, op.payload, recipients);
      return { ok: true, messageId: delivery.message.id, epoch: current, deliveries: [delivery] };
    }
    // Handshake verified against (epoch, version): apply only if nothing moved since (compare-and-set).
    if (op.epoch !== current || h.version !== row.state_version) {
      throw new SottoError('STALE_EPOCH', `the group is at epoch ${current}; this message was made in epoch ${op.epoch}`, {
        currentEpoch: current.toString(),
      });
    }
    const before = new Set(members);
    const removing = new Set(h.removeMembers.filter((d) => before.has(d)));
    const adding = [...new Set(h.addMembers)].filter((d) => !before.has(d) || removing.has(d));
    if (members.length - removing.size + adding.filter((d) => !removing.has(d)).length > this.maxGroupMembers) {
      throw new SottoError('LIMIT_EXCEEDED', `a group may have at most ${this.maxGroupMembers} devices`);
    }
    if (this.s.cas.run(h.nextEpoch, op.now, op.groupId, current, h.version).changes !== 1) {
      throw new Error('group compare-and-set failed inside a transaction');
    }
    if (h.nextState) {
      this.s.snapshot.run(h.nextState, h.version + 1, op.groupId);
      this.s.clearLog.run(op.groupId);
    } else this.s.appendLog.run(op.groupId, h.version + 1, op.payload, op.now);
    if (h.groupInfo !== undefined) this.s.setGroupInfo.run(h.groupInfo, op.groupId);
    // The old list minus the sender receives the message: removed devices learn of their removal, then get nothing.
    const deliveries: Delivery[] = [
      this.enqueue(
        op,
        KIND_MESSAGE,
        op.payload,
        members.filter((d) => d !== op.senderDevice),
      ),
    ];
    for (const d of removing) this.s.delMember.run(op.groupId, d);
    for (const d of adding) this.s.addMember.run(op.groupId, d);
    if (h.welcome && h.welcome.recipients.length > 0)
      deliveries.push(this.enqueue(op, KIND_WELCOME, h.welcome.payload, h.welcome.recipients));
    return { ok: true, messageId: deliveries[0]!.message.id, epoch: h.nextEpoch, deliveries };
  }

  private enqueue(op: SubmitOp, kind: number, payload: Uint8Array, recipients: string[]): Delivery {
    // The sending device is kept only with a franked application message, for the stamps of its deliveries.
    const franked = kind !== KIND_WELCOME && op.commitment !== undefined && op.senderAccount !== undefined;
    const info = this.s.insMsg.run(
      op.groupId,
      kind,
      payload,
      op.now,
      op.expiresAt,
      recipients.length,
      op.senderAccount ?? null,
      franked ? op.senderDevice : null,
      franked ? op.commitment : null,
    );
    const id = Number(info.lastInsertRowid);
    for (const d of recipients) this.s.insDelivery.run(d, id);
    if (recipients.length === 0) this.s.delMsg.run(id); // keeps the id (ordering), stores nothing
    return {
      recipients,
      message: {
        id,
        groupId: op.groupId,
        kind: kind === KIND_WELCOME ? 'welcome' : 'message',
        payload,
        createdAt: op.now,
        ...(franked ? { franking: { senderDevice: op.senderDevice, senderAccount: op.senderAccount!, commitment: op.commitment! } } : {}),
      },
    };
  }
}
