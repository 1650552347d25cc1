// Sender: content goes into the local log and the outbox in one transaction; then it is encrypted, submitted in
// order (pipelined over the socket), marked sent; failures are retried with backoff, across restarts.

import { encryptMessage, epoch as epochOf } from '@sotto/mls';
import { FRANKING_KEY_BYTES, frank } from '@sotto/protocol';
import { encodeContent, newMessageId } from '../content/content-codec.js';
import type { Content, ContentBody } from '../content/content-types.js';
import { leavesOf, metaOf } from '../mls/mls-adapter.js';
import type { OutboxRecord, StoreWriter } from '../store/local-store.js';
import { ApiError } from '../transport/api-error.js';
import { toHex } from '../util/bytes.js';
import { envelope, outboxMaySend, reduceSend } from '../engine/index.js';
import { ClientError } from './client-error.js';
import type { Core } from './ports.js';
import { decodeMessage, decodeOutbox, encodeMessage, encodeOutbox, type MessageRecord, NS, publicMessage } from './records.js';
import type { MessageIdHex, StoredMessage } from './types.js';

/** Outbox entries read per page when looking for the next batches to send. */
const OUTBOX_PAGE = 256;

export class Sender {
  /** The outbox pump: one run at a time; a kick during a run asks for another pass. */
  #pumping = false;
  #pumpAgain = false;
  /** Wakes the outbox when its next entry is due. */
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly c: Core) {}

  /** Stop the wake-up timer (the client stops). */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  // =====================================================================================================
  // Sending: content -> local log + outbox (one transaction) -> encrypt -> submit, in order, with retries
  // =====================================================================================================
  /** The envelope of a body: a fresh message id, the clock, and the conversation's timer (docs/content-format.md §3). */
  contentFor(id: string, body: ContentBody): { content: Content; ttl: number } {
    const group = this.c.groups.get(id);
    return envelope(body, group ? metaOf(group).timerSeconds : 0, newMessageId(this.c.rng), this.c.now());
  }

  /** Queue a content body inside the caller's transaction (e.g. a receipt for a message being stored). */
  async enqueueBody(tx: StoreWriter, id: string, body: ContentBody): Promise<string> {
    const { content, ttl } = this.contentFor(id, body);
    const mid = toHex(content.messageId);
    await this.c.outbox.enqueue(id, mid, encodeOutbox({ content: encodeContent(content), ...(ttl ? { ttlSeconds: ttl } : {}) }), tx);
    return mid;
  }

  /** Queue a content body; `store` also keeps it in the local log as our outgoing message. The engine decides. */
  async sendBody(id: string, body: ContentBody, o: { store: boolean; extra?: Partial<MessageRecord> }): Promise<MessageIdHex> {
    const me = this.c.need();
    const { rec, group, meta } = this.c.conv(id);
    const leafAccounts = leavesOf(group).map((l) => l.account);
    const accounts = [...leafAccounts, ...meta.admins];
    const unacceptedKeys = new Set(accounts.filter((a) => this.c.contacts.unaccepted([a]) !== undefined));
    const d = reduceSend(
      { conversationId: id, record: rec, meta, me: { account: me.accountName, deviceId: me.deviceId }, leafAccounts, unacceptedKeys },
      { body, store: o.store, ...(o.extra ? { extra: o.extra } : {}), messageId: newMessageId(this.c.rng), now: this.c.now() },
    );
    if (d.kind === 'refuse') throw new ClientError(d.refusal.code, d.refusal.message);
    let stored: StoredMessage | undefined;
    const work = this.c.newWork();
    await this.c.store.transaction(async (tx) => {
      for (const fx of d.effects) {
        switch (fx.kind) {
          case 'put-message': {
            const entry = await tx.appendMessage(id, fx.messageId, encodeMessage(fx.record));
            stored = decodeMessage(entry.data, id, entry.seq);
            break;
          }
          case 'set-expiry':
            await this.c.setExpiry(tx, id, fx.messageId, fx.at, work);
            break;
          case 'mark-processed':
            await tx.markProcessed(fx.key);
            break;
          case 'queue-outbox': {
            const payload = encodeOutbox({ content: encodeContent(fx.content), ...(fx.ttlSeconds ? { ttlSeconds: fx.ttlSeconds } : {}) });
            await this.c.outbox.enqueue(id, fx.messageId, payload, tx);
            break;
          }
        }
      }
    });
    this.c.finish(work);
    if (stored) this.c.events.emit('message', publicMessage(stored));
    this.kickOutbox();
    return d.messageId;
  }

  /** Whether the outbox may send now: started, caught up since the connection opened, and no catch-up running. */
  get canSend(): boolean {
    return this.c.connection.canSend;
  }

  kickOutbox(): void {
    // Held while a catch-up runs or before the first one since the connection: the sync kicks again when it is done.
    if (!this.canSend) return;
    void this.pumpOutbox().catch((e) => this.c.warnErr('OUTBOX', e));
  }

  async pumpOutbox(): Promise<void> {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        for (;;) {
          if (!this.canSend) return;
          const batches = await this.nextBatches();
          if (batches.length === 0) break;
          for (const b of batches) await this.sendBatch(b);
        }
      } while (this.#pumpAgain);
    } finally {
      this.#pumping = false;
    }
    if (!this.canSend) return;
    const wake = await this.c.outbox.nextWakeAt();
    if (this.#timer) clearTimeout(this.#timer);
    if (wake !== undefined) this.#timer = setTimeout(() => this.kickOutbox(), Math.max(10, wake - this.c.now()));
  }

  /**
   * The next batches to send: the outbox is read a page at a time, in order, until a page gives at least one batch (a
   * long queue is not read and decrypted whole before every batch). A conversation blocked on one page stays blocked
   * on the next ones.
   */
  async nextBatches(): Promise<OutboxRecord[][]> {
    const blocked = new Set<string>();
    let after: number | undefined;
    for (;;) {
      const page = await this.c.outbox.page(after, OUTBOX_PAGE);
      const batches = this.dueBatches(page, blocked);
      if (batches.length > 0 || page.length < OUTBOX_PAGE) return batches;
      after = page[page.length - 1]!.seq;
    }
  }

  /** Per conversation, the due entries at the head of its queue (in order; stops at the first one not due). */
  dueBatches(all: OutboxRecord[], blocked = new Set<string>()): OutboxRecord[][] {
    const now = this.c.now();
    const byConv = new Map<string, OutboxRecord[]>();
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
  async sendBatch(batch: OutboxRecord[]): Promise<void> {
    const id = batch[0]!.conversationId;
    const lease = this.c.now() + 60_000;
    const prepared = await this.c.lock.run(async () => {
      let group = this.c.groups.get(id);
      const conv = this.c.convs.get(id);
      if (!group || !outboxMaySend(conv)) return undefined;
      const e = epochOf(group).toString();
      const out: Array<{ rec: OutboxRecord; ct: Uint8Array; ttl?: number }> = [];
      for (const rec of batch) {
        const p = decodeOutbox(rec.payload);
        let ct = p.ciphertext && p.epoch === e ? p.ciphertext : undefined;
        if (!ct) {
          // Franked (docs/franking.md): a fresh key inside the encryption, the commitment in the clear authenticated data.
          const f = frank(this.c.rng(FRANKING_KEY_BYTES), p.content);
          const r = encryptMessage(this.c.m.deps, group, f.applicationData, f.authenticatedData);
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
      await this.c.store.transaction(async (tx) => {
        await tx.put(NS.group, id, this.c.m.serialize(g));
        for (const w of out) await tx.outboxPut(w.rec);
      });
      this.c.cache.putGroup(id, g);
      return out;
    });
    if (!prepared) {
      for (const rec of batch) await this.failSend(rec, 'NOT_MEMBER', true);
      return;
    }
    const sent: OutboxRecord[] = [];
    let failure: { rec: OutboxRecord; code: string; permanent: boolean; behind: bigint | undefined } | undefined;
    const localEpoch = epochOf(this.c.groups.get(id)!);
    const classify = (rec: OutboxRecord, e: unknown) => {
      const code = e instanceof ApiError ? e.code : 'NETWORK';
      const permanent = e instanceof ApiError && !e.retryable && e.code !== 'STALE_EPOCH' && e.code !== 'UNAUTHORIZED';
      // STALE_EPOCH naming an epoch before ours: the server lost epochs (restored from a backup); we must rejoin.
      const behind =
        e instanceof ApiError && e.code === 'STALE_EPOCH' && e.currentEpoch !== undefined && e.currentEpoch < localEpoch
          ? e.currentEpoch
          : undefined;
      return { rec, code, permanent, behind };
    };
    const socket = this.c.socket;
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
          await this.c.a.submit(ct, ttl ? { ttlSeconds: ttl } : {});
          sent.push(rec);
        } catch (e) {
          failure = classify(rec, e);
          break;
        }
      }
    }
    const updated: StoredMessage[] = [];
    // Not durable on its own: lost in a power failure, the entries are still in flight with their ciphertexts and go out
    // again as the same messages, which receivers drop as duplicates. The next durable transaction carries it.
    await this.c.store.transaction(
      async (tx) => {
        for (const rec of sent) {
          await this.c.outbox.markSent(rec.id, tx);
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
          for (const { rec } of prepared)
            if (!done.has(rec.id)) await tx.outboxPut({ ...rec, state: 'pending', attempts: rec.attempts - 1, leaseUntil: 0 });
        }
      },
      { durable: false },
    );
    for (const u of updated) this.c.events.emit('message-updated', publicMessage(u));
    if (failure?.behind !== undefined) await this.c.commits.recover(id, failure.behind).catch((e: unknown) => this.c.warnErr('RECOVER', e));
    if (failure?.code === 'NETWORK') {
      // The server is gone: hold the outbox until a sync has caught up again (the group may move on meanwhile).
      this.c.connection.lost();
      this.c.sync.schedule();
    }
    if (failure) await this.failSend(failure.rec, failure.code, failure.permanent);
  }

  async failSend(rec: OutboxRecord, code: string, permanent: boolean): Promise<void> {
    const r = await this.c.outbox.markFailed(rec.id, code, { permanent });
    if (r.state !== 'failed') return;
    this.c.events.emit('send-failed', { conversationId: rec.conversationId, id: rec.id, code });
    let updated: StoredMessage | undefined;
    await this.c.store.transaction(async (tx) => {
      const entry = await tx.getMessage(rec.conversationId, rec.id);
      if (!entry) return;
      const { seq: _s, conversationId: _c, ...cur } = decodeMessage(entry.data, rec.conversationId, entry.seq);
      const u = await tx.updateMessage(rec.conversationId, rec.id, encodeMessage({ ...cur, status: 'failed' }));
      updated = decodeMessage(u.data, rec.conversationId, u.seq);
    });
    if (updated) this.c.events.emit('message-updated', publicMessage(updated));
  }

  async localUpdate(
    id: string,
    target: string,
    change: (t: StoredMessage & { contentKey?: string }) => StoredMessage & { contentKey?: string },
  ): Promise<void> {
    const work = this.c.newWork();
    await this.c.store.transaction((tx) => this.c.receiver.updateTarget(tx, id, target, work, change));
    this.c.finish(work);
  }
}
