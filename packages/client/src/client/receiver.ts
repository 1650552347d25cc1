// Receiver: the ordered, batched, exactly-once receive pipeline: for each server message, the new MLS state, the
// stored message and a processed marker go into one transaction; only then is it acknowledged (RFC 9420 §14-15).

import { epoch as epochOf, type Group, groupId as groupIdOf, joinFromWelcomeWithCommitter, processMessage } from '@sotto/mls';
import { decodeContent } from '../content/content-codec.js';
import { isAdmin, policyViolation } from '../conversation/group-meta.js';
import { GROUP_CONFIG, type LeafInfo, leavesOf, metaOf } from '../mls/mls-adapter.js';
import { parseMlsHeader } from '@sotto/mls';
import type { StoreWriter } from '../store/local-store.js';
import { ApiError } from '../transport/api-error.js';
import type { QueuedMessage } from '../transport/server-api.js';
import { toB64Url } from '../util/b64.js';
import { constantTimeEqual, toHex } from '../util/bytes.js';
import { ClientError } from './client-error.js';
import { ciphertextMarker, codeOf, transient } from './held.js';
import { BATCH, type ClientCore, leafOf, type Work } from './core.js';
import { type ConvRecord, decodeMessage, decodePending, encodeMessage, type MessageRecord, NS, publicMessage } from './records.js';
import type { KeyWarning, SecurityCode, SecurityNotice, StoredMessage } from './types.js';

export class Receiver {
  constructor(readonly c: ClientCore) {}

  // =====================================================================================================
  // Receive pipeline: ordered, batched, exactly once (state + message + marker in one transaction, then ack)
  // =====================================================================================================
  enqueue(ms: QueuedMessage[]): void {
    let unordered = false;
    for (const m of ms) {
      if (this.c.inboxIds.has(m.id)) continue;
      this.c.inboxIds.add(m.id);
      if (this.c.inbox.length > 0 && this.c.inbox[this.c.inbox.length - 1]!.id > m.id) unordered = true;
      this.c.inbox.push(m);
    }
    // A catch-up page can bring older messages than some pushed ones: process in the server's queue order.
    if (unordered) this.c.inbox.sort((a, b) => a.id - b.id);
    void this.drain().catch((e) => this.c.warnErr('RECEIVE', e));
  }

  /**
   * Pull everything queued for this device over HTTP and process it (start-up, reconnect, and after STALE_EPOCH). The
   * outbox waits meanwhile: a message encrypted now would be at an epoch the group may be far past.
   */
  async catchUp(): Promise<void> {
    this.c.catchingUp++;
    try {
      let after = 0;
      for (;;) {
        const page = await this.c.a.fetchMessages(after, 500);
        if (page.length === 0) break;
        after = page[page.length - 1]!.id;
        this.enqueue(page);
        await this.drain();
        if (page.length < 500) break;
      }
      await this.drain();
      // What could not be processed gets its retry now that this device has everything the server had queued.
      await this.c.held.retry((tx, m, work) => this.onGroupMessage(tx, m, work));
    } finally {
      this.c.catchingUp--;
    }
    this.c.connected = true;
    this.c.events.emit('synced', { processed: this.c.processedCount });
    this.c.sender.kickOutbox();
  }

  /** Process the inbox until it is empty and no run is in progress; concurrent callers share runs. */
  async drain(): Promise<void> {
    while ((this.c.inbox.length > 0 && !this.c.receiveHold) || this.c.draining) {
      if (!this.c.draining) {
        this.c.draining = this.drainOnce().finally(() => {
          this.c.draining = undefined;
        });
      }
      await this.c.draining;
    }
  }

  async drainOnce(): Promise<void> {
    while (this.c.inbox.length > 0 && !this.c.receiveHold) {
      const batch = this.c.inbox.splice(0, BATCH);
      let ids: number[] = [];
      try {
        ids = await this.c.lock.run(() => this.processBatch(batch));
      } catch (e) {
        if (!(e instanceof ApiError && e.retryable)) {
          for (const m of batch) this.c.inboxIds.delete(m.id);
          throw e;
        }
        // The directory could not be reached while checking leaves: nothing was stored or acknowledged. Keep the
        // batch at the head of the inbox (order matters) and try again shortly.
        this.c.inbox.unshift(...batch);
        this.#holdReceiving();
        this.c.warnErr('RECEIVE_RETRY', e);
        return;
      }
      for (const m of batch) this.c.inboxIds.delete(m.id);
      if (ids.length > 0 && !this.c.socket?.ack(ids)) await this.c.a.ack(ids).catch((e) => this.c.warnErr('ACK', e));
    }
  }

  #holdReceiving(): void {
    this.c.receiveHold = true;
    this.c.receiveRetryTimer = setTimeout(() => {
      this.c.receiveRetryTimer = undefined;
      this.c.receiveHold = false;
      if (!this.c.closed) void this.drain().catch((e) => this.c.warnErr('RECEIVE', e));
    }, 1000);
  }

  async processBatch(batch: QueuedMessage[]): Promise<number[]> {
    const work = this.c.newWork();
    await this.c.store.transaction(async (tx) => {
      for (const m of batch) {
        const marker = `srv:${m.id}`;
        if (await tx.isProcessed(marker)) continue;
        try {
          if (m.kind === 'welcome') await this.onWelcome(tx, m, work);
          else {
            await this.onGroupMessage(tx, m, work);
            await tx.markProcessed(ciphertextMarker(m.data));
          }
        } catch (e) {
          // A directory lookup that could not reach the server: leave the batch unacknowledged for a later catch-up.
          if (transient(e)) throw e;
          if (m.kind === 'welcome') {
            const conversationId = toB64Url(m.groupId);
            const code = codeOf(e);
            work.fx.push(() => this.c.events.emit('warning', { code, message: 'a Welcome could not be processed', conversationId }));
          } else {
            // Never marked processed and forgotten: kept for a retry after the next catch-up (held.ts).
            await this.c.held.hold(tx, m, e, work);
          }
        }
        await tx.markProcessed(marker);
        this.c.processedCount++;
      }
    });
    this.c.finish(work);
    if (work.groups.size > 0 || work.convs.size > 0) this.c.sender.kickOutbox();
    return batch.map((m) => m.id);
  }

  async onWelcome(tx: StoreWriter, m: QueuedMessage, work: Work): Promise<void> {
    const me = this.c.need();
    const owns = [...this.c.ownKps.values()];
    if (owns.length === 0) throw new ClientError('CONFLICT', 'a Welcome arrived but no KeyPackage is left');
    const { group, committer } = joinFromWelcomeWithCommitter(
      this.c.m.deps,
      m.data,
      owns.map((o) => o.own),
      { config: GROUP_CONFIG },
    );
    const id = toB64Url(groupIdOf(group));
    const meta = metaOf(group);
    // The identity rule on the whole tree: one leaf that fails refuses the Welcome (the group is not joined).
    const leaves = leavesOf(group);
    const verdict = await this.c.rule.check(tx, leaves, this.#told(work));
    if (!verdict.ok) return this.#refused(id, verdict, work);
    // Who added us is the leaf that signed the GroupInfo (RFC 9420 §12.4.3.1), not what the metadata says.
    const adder = leaves.find((l) => l.leafIndex === committer);
    if (!adder) throw new ClientError('FORBIDDEN', 'the Welcome is signed by no member');
    // A Welcome of the group's first commit comes from its creator: the owner the metadata names must be that account.
    if (epochOf(group) === 1n && meta.owner !== adder.account) {
      const reason = `the group's metadata names ${meta.owner} as owner, but ${adder.account} created it`;
      return this.#refused(id, { code: 'OWNER_MISMATCH', account: meta.owner, reason }, work);
    }
    // Which KeyPackage was used: the one whose leaf encryption key is now our leaf's.
    const ownLeaf = group.tree.leaf(group.ownLeaf);
    for (const [ref, o] of this.c.ownKps) {
      if (ownLeaf && constantTimeEqual(o.own.keyPackage.leafNode.encryptionKey, ownLeaf.encryptionKey) && !o.stored.lastResort) {
        await tx.delete(NS.kp, ref);
        work.fx.push(() => this.c.ownKps.delete(ref)); // only once the join is durable: a retried batch needs it
      }
    }
    // A request unless the account that verifiably added this device is ours or an accepted contact.
    const contact = adder.account === me.accountName ? undefined : await this.c.contacts.contact(adder.account, tx);
    let state: ConvRecord['state'] = adder.account === me.accountName || contact?.accepted ? 'active' : 'request';
    if (contact?.blocked) state = 'blocked';
    const rec: ConvRecord = { id, state, createdAt: this.c.now(), lastUpdateAt: this.c.now(), addedBy: adder.account };
    await this.c.commits.wipePast(tx, id); // states left from an earlier membership of the same group
    await tx.put(NS.group, id, this.c.m.serialize(group));
    work.groups.set(id, group);
    await this.c.putRec(tx, rec, work);
    work.fx.push(() => {
      const info = this.c.info(id);
      if (!info) return;
      this.c.events.emit('conversation', info);
      if (info.state === 'request') this.c.events.emit('request', info);
    });
    work.afterCommit.push(() => this.c.topUpKeyPackages(false));
  }

  async onGroupMessage(tx: StoreWriter, m: QueuedMessage, work: Work): Promise<void> {
    const id = toB64Url(m.groupId);
    let group = await this.c.groupFor(id, work);
    const rec = this.c.recFor(id, work);
    if (!group || !rec) throw new ClientError('UNKNOWN_CONVERSATION', 'message for a group this device is not in');
    if (rec.state === 'removed' || rec.policyViolation || rec.security) return;
    const h = parseMlsHeader(m.data);
    const pendingBytes = await tx.get(NS.pending, id);
    if (pendingBytes) {
      const p = decodePending(pendingBytes);
      if (BigInt(p.epoch) === epochOf(group)) {
        if (h.epoch === BigInt(p.epoch) && h.contentType === 3)
          await tx.delete(NS.pending, id); // another commit won
        else if (h.epoch > BigInt(p.epoch)) {
          const next = this.c.m.deserialize(p.state);
          await this.c.commits.adoptCommit(tx, id, group, next, work);
          await tx.delete(NS.pending, id);
          group = next;
        }
      }
    }
    const cur = epochOf(group);
    if (h.epoch < cur) {
      if (h.contentType !== 1) {
        // The server routes only the commit that won each epoch, so a commit of an epoch behind ours means our later
        // epochs never reached its line (it was restored from a backup). Follow it from that epoch if we kept it...
        const kept = h.contentType === 3 ? await tx.get(NS.groupPast, `${id}/${h.epoch}`) : undefined;
        if (kept) {
          const past = this.c.m.deserialize(kept);
          const r = processMessage(this.c.m.deps, past, m.data);
          if (r.kind === 'commit') {
            await tx.delete(NS.pending, id);
            await this.onCommit(tx, id, rec, past, r, work);
            return;
          }
        }
        // ...or see whether the server is behind us, and rejoin there.
        work.afterCommit.push(() => this.c.commits.recoverIfBehind(id));
        return;
      }
      const key = `${id}/${h.epoch}`;
      const pastBytes = await tx.get(NS.groupPast, key);
      if (!pastBytes) throw new ClientError('CONFLICT', 'message from an epoch no longer kept');
      const r = processMessage(this.c.m.deps, this.c.m.deserialize(pastBytes), m.data);
      if (r.kind !== 'application') return;
      await tx.put(NS.groupPast, key, this.c.m.serialize(r.group));
      await this.onContent(tx, id, leafOf(r.sender), r.data, work);
      return;
    }
    if (h.epoch > cur) throw new ClientError('CONFLICT', `message from epoch ${h.epoch}, this device is at ${cur}`);
    const r = processMessage(this.c.m.deps, group, m.data);
    if (r.kind === 'application') {
      await tx.put(NS.group, id, this.c.m.serialize(r.group));
      work.groups.set(id, r.group);
      await this.onContent(tx, id, leafOf(r.sender), r.data, work);
      return;
    }
    if (r.kind === 'proposal') {
      await tx.put(NS.group, id, this.c.m.serialize(r.group));
      work.groups.set(id, r.group);
      return;
    }
    await this.onCommit(tx, id, rec, group, r, work);
  }

  async onCommit(
    tx: StoreWriter,
    id: string,
    rec: ConvRecord,
    old: Group,
    r: Extract<ReturnType<typeof processMessage>, { kind: 'commit' }>,
    work: Work,
  ): Promise<void> {
    const before = metaOf(old);
    const oldLeaves = leavesOf(old);
    const added = r.added.map((x) => leafOf(x));
    // A member commits as its leaf; an external commit (resync) must add a device of an account already in the group.
    const committer =
      r.sender.senderType === 1
        ? oldLeaves.find((l) => l.leafIndex === (r.sender as { leafIndex: number }).leafIndex)
        : r.sender.senderType === 4
          ? added.find((l) => oldLeaves.some((o) => o.account === l.account))
          : undefined;
    if (!committer) throw new ClientError('FORBIDDEN', 'commit from a non-member');
    const removed = r.removed.map((x) => leafOf(x));
    // The identity rule: no leaf changes identity in an Update or UpdatePath, and every new leaf is checked. A failure
    // refuses the commit and freezes the conversation at its last good epoch, with a notice naming the account.
    const { verdict: kept, fresh } = this.c.rule.changed(oldLeaves, leavesOf(r.group), new Set(r.removed.map((x) => x.leafIndex)));
    const verdict = kept.ok ? await this.c.rule.check(tx, fresh, this.#told(work)) : kept;
    if (!verdict.ok) {
      const security: SecurityNotice = { code: verdict.code, account: verdict.account };
      await this.c.putRec(tx, { ...rec, security }, work);
      return this.#refused(id, verdict, work);
    }
    if (r.removedSelf) {
      await this.c.putRec(tx, { ...rec, state: 'removed' }, work);
      await tx.delete(NS.pending, id);
      // Past-epoch states would still decrypt late messages of epochs this device has been removed from.
      await this.c.commits.wipePast(tx, id);
      work.fx.push(() => {
        const info = this.c.info(id);
        if (info) this.c.events.emit('conversation', info);
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
      await this.c.putRec(tx, { ...rec, policyViolation: violation }, work);
      work.fx.push(() =>
        this.c.events.emit('warning', {
          code: 'POLICY_VIOLATION',
          message: `refused a commit by ${committer.account}: ${violation}`,
          conversationId: id,
        }),
      );
      return;
    }
    await this.c.commits.adoptCommit(tx, id, old, r.group, work);
    const addedAccounts = [...new Set(added.map((l) => l.account))];
    const removedAccounts = [...new Set(removed.map((l) => l.account))].filter((a) => !leavesOf(r.group).some((l) => l.account === a));
    // Devices of existing contacts that came or went: check the account's device list and warn.
    const me = this.c.identity?.accountName;
    const changed = [...new Set([...added, ...removed].map((l) => l.account))].filter((a) => a !== me);
    for (const a of changed) work.afterCommit.push(async () => void (await this.c.contacts.refreshContact(a)));
    work.fx.push(() => {
      if (added.length || removed.length)
        this.c.events.emit('membership', { conversationId: id, by: committer.account, added: addedAccounts, removed: removedAccounts });
      const info = this.c.info(id);
      if (info) this.c.events.emit('conversation', info);
    });
  }

  /** Key warnings found while checking leaves, told once the transaction is durable. */
  #told(work: Work): (w: KeyWarning) => void {
    return (w) => work.fx.push(() => this.c.events.emit('key-change', w));
  }

  /** A Welcome or commit the identity rule refused: the user is told which account, and why (no key bytes). */
  #refused(conversationId: string, v: { code: SecurityCode; account: string; reason: string }, work: Work): void {
    work.fx.push(() => {
      this.c.events.emit('security', { code: v.code, account: v.account, conversationId, message: v.reason });
      const info = this.c.info(conversationId);
      if (info) this.c.events.emit('conversation', info);
    });
  }

  async onContent(tx: StoreWriter, id: string, sender: LeafInfo, data: Uint8Array, work: Work): Promise<void> {
    const me = this.c.need();
    const rec = this.c.recFor(id, work)!;
    const content = decodeContent(data);
    const mid = toHex(content.messageId);
    if (rec.state === 'blocked' || rec.state === 'deleted') return;
    const contact = sender.account === me.accountName ? undefined : await this.c.contacts.contact(sender.account, tx);
    if (contact?.blocked) return;
    if (!(await tx.markProcessed(`msg:${mid}`))) return; // the same content again (a resend after a crash)
    const outgoing = sender.account === me.accountName;
    const now = this.c.now();
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
      if (r.expiresAt) await this.c.setExpiry(tx, id, mid, r.expiresAt, work);
      const msg = decodeMessage(entry.data, id, entry.seq);
      work.fx.push(() => this.c.events.emit('message', publicMessage(msg)));
      if (!outgoing && rec.state === 'active' && this.c.settings.sendDeliveryReceipts) {
        await this.c.sender.enqueueBody(tx, id, { type: 'delivery-receipt', messageIds: [content.messageId] });
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
        return this.updateTarget(tx, id, toHex(b.target), work, (t) => {
          const list = new Set(t.reactions[b.emoji] ?? []);
          if (b.action === 'add') list.add(sender.account);
          else list.delete(sender.account);
          const reactions = { ...t.reactions, [b.emoji]: [...list] };
          if (list.size === 0) delete reactions[b.emoji];
          return { ...t, reactions };
        });
      case 'edit':
        return this.updateTarget(tx, id, toHex(b.target), work, (t) => {
          if (t.sender !== sender.account || t.deleted || t.kind !== 'text') return undefined;
          if (content.sentAt - t.sentAt > this.c.settings.editWindowSeconds * 1000) return undefined;
          return { ...t, text: b.text, editedAt: content.sentAt };
        });
      case 'delete':
        return this.updateTarget(tx, id, toHex(b.target), work, (t) => {
          if (t.sender !== sender.account) return undefined;
          const { text: _t, attachment: _a, contentKey: _k, quote: _q, ...rest } = t;
          return { ...rest, deleted: true, reactions: {} };
        });
      case 'delivery-receipt':
      case 'read-receipt': {
        if (sender.account === me.accountName) return;
        const kind = b.type === 'read-receipt' ? 'read' : 'delivered';
        for (const target of b.messageIds) {
          await this.updateTarget(tx, id, toHex(target), work, (t) => {
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
            this.c.events.emit('typing', {
              conversationId: id,
              account: sender.account,
              deviceId: sender.deviceId,
              typing: b.state === 'start',
            }),
          );
        }
        return;
      case 'device-link': {
        const target = new TextDecoder().decode(b.deviceId);
        if (sender.account === me.accountName && target === me.deviceId && rec.state === 'request') {
          await this.c.putRec(tx, { ...rec, state: 'active' }, work);
          work.fx.push(() => {
            const info = this.c.info(id);
            if (info) this.c.events.emit('conversation', info);
          });
        }
        return;
      }
      case 'group-rename': {
        // The name is content, so the server never sees it. An admin sets it; a device that has none yet (it just
        // joined) also takes it from a device of its own account (a newly linked device learns it that way).
        const group = await this.c.groupFor(id, work);
        if (!group) return;
        const meta = metaOf(group);
        const fromAdmin = meta.kind === 'group' && isAdmin(meta, sender.account);
        const firstFromOwn = meta.kind === 'group' && rec.name === undefined && sender.account === me.accountName;
        if ((!fromAdmin && !firstFromOwn) || rec.name === b.name) return;
        await this.c.putRec(tx, { ...rec, name: b.name }, work);
        work.fx.push(() => {
          const info = this.c.info(id);
          if (info) this.c.events.emit('conversation', info);
        });
        return;
      }
      default:
        return; // roles and timers travel in the MLS group context; unknown types are ignored
    }
  }

  async updateTarget(
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
    work.fx.push(() => this.c.events.emit('message-updated', publicMessage(msg)));
  }
}
