// Outbox: a persistent send queue over LocalStore; idempotent enqueue, in-order claims per conversation, retries with backoff and jitter.

import type { LocalStore, OutboxRecord, StoreWriter } from '../store/local-store.js';
import { StoreError } from '../store/store-error.js';
import { u64be } from '../util/bytes.js';

export interface OutboxOptions {
  /** Clock in milliseconds (injected: no Date.now() in here). */
  now: () => number;
  /** Uniform random in [0, 1), for jitter. */
  random: () => number;
  /** First retry delay; doubles per attempt. Default 1 s. */
  baseDelayMs?: number;
  /** Cap on the retry delay. Default 5 min. */
  maxDelayMs?: number;
  /** How long a claim lasts before the entry may be claimed again. Default 60 s. */
  leaseMs?: number;
  /** After this many failed attempts an entry is parked as 'failed'. Default 20. */
  maxAttempts?: number;
  /**
   * Keep the id of every sent entry (a row each, never pruned), so that enqueueing that id again is reported as
   * `already-sent`. Default true. Off for callers whose ids are fresh and enqueued once, in the transaction that makes
   * them (the client's message ids): for them the rows would only grow the store.
   */
  rememberSent?: boolean;
}

export type EnqueueResult = { status: 'queued' | 'duplicate'; record: OutboxRecord } | { status: 'already-sent' };

/** Ids that were sent, kept so a re-enqueue with the same idempotency id is a no-op. */
const SENT_NAMESPACE = 'outbox-sent';

/**
 * Entries of one conversation go out strictly in enqueue order: only the oldest unsent, non-failed entry of
 * a conversation can be claimed. A 'failed' entry (permanent error or too many attempts) no longer blocks the
 * ones behind it; `retry` puts it back. Every method takes an optional `tx` to join a larger transaction.
 */
export class Outbox {
  readonly #store: LocalStore;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #base: number;
  readonly #max: number;
  readonly #lease: number;
  readonly #maxAttempts: number;
  readonly #rememberSent: boolean;

  constructor(store: LocalStore, options: OutboxOptions) {
    this.#store = store;
    this.#now = options.now;
    this.#random = options.random;
    this.#base = options.baseDelayMs ?? 1000;
    this.#max = options.maxDelayMs ?? 5 * 60_000;
    this.#lease = options.leaseMs ?? 60_000;
    this.#maxAttempts = options.maxAttempts ?? 20;
    this.#rememberSent = options.rememberSent ?? true;
  }

  #run<T>(tx: StoreWriter | undefined, fn: (w: StoreWriter) => Promise<T>): Promise<T> {
    return tx ? fn(tx) : this.#store.transaction(fn);
  }

  async #require(w: StoreWriter, id: string): Promise<OutboxRecord> {
    const r = await w.outboxGet(id);
    if (!r) throw new StoreError('NOT_FOUND', 'no such outbox entry');
    return r;
  }

  /** Queue a payload under an idempotency id; the same id again is reported, not queued twice. */
  enqueue(conversationId: string, id: string, payload: Uint8Array, tx?: StoreWriter): Promise<EnqueueResult> {
    return this.#run(tx, async (w) => {
      if (this.#rememberSent && (await w.get(SENT_NAMESPACE, id)) !== undefined) return { status: 'already-sent' as const };
      const existing = await w.outboxGet(id);
      if (existing) return { status: 'duplicate' as const, record: existing };
      const now = this.#now();
      const record = await w.outboxPut({
        id,
        conversationId,
        payload,
        state: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        leaseUntil: 0,
        enqueuedAt: now,
      });
      return { status: 'queued' as const, record };
    });
  }

  /** The head (oldest non-failed entry) of each conversation, in order of the heads' enqueue order. */
  #heads(all: OutboxRecord[]): OutboxRecord[] {
    const heads = new Map<string, OutboxRecord>();
    for (const r of all) if (r.state !== 'failed' && !heads.has(r.conversationId)) heads.set(r.conversationId, r);
    return [...heads.values()];
  }

  #ready(r: OutboxRecord, now: number): boolean {
    return r.state === 'inflight' ? r.leaseUntil <= now : r.nextAttemptAt <= now;
  }

  /** Claim the next entry that is due, optionally only in one conversation; undefined if none is. */
  claimNext(conversationId?: string, tx?: StoreWriter): Promise<OutboxRecord | undefined> {
    return this.#run(tx, async (w) => {
      const now = this.#now();
      const head = this.#heads(await w.outboxList()).find(
        (r) => (conversationId === undefined || r.conversationId === conversationId) && this.#ready(r, now),
      );
      if (!head) return undefined;
      return w.outboxPut({ ...head, state: 'inflight', attempts: head.attempts + 1, leaseUntil: now + this.#lease });
    });
  }

  /** The server accepted the entry: remove it and remember its id. */
  markSent(id: string, tx?: StoreWriter): Promise<void> {
    return this.#run(tx, async (w) => {
      if (!(await w.outboxDelete(id))) throw new StoreError('NOT_FOUND', 'no such outbox entry');
      if (this.#rememberSent) await w.put(SENT_NAMESPACE, id, u64be(this.#now()));
    });
  }

  /** Exponential backoff with jitter: base * 2^(attempts-1), capped, then scaled into [1/2, 1) of that. */
  backoffMs(attempts: number): number {
    const exp = Math.min(this.#max, this.#base * 2 ** Math.max(0, Math.min(attempts - 1, 52)));
    return Math.floor(exp / 2 + (this.#random() * exp) / 2);
  }

  /** A send attempt failed. `errorCode` must be log-safe. `permanent` parks the entry at once. */
  markFailed(id: string, errorCode: string, options: { permanent?: boolean } = {}, tx?: StoreWriter): Promise<OutboxRecord> {
    return this.#run(tx, async (w) => {
      const r = await this.#require(w, id);
      const now = this.#now();
      const give = options.permanent === true || r.attempts >= this.#maxAttempts;
      return w.outboxPut({
        ...r,
        state: give ? 'failed' : 'pending',
        nextAttemptAt: give ? r.nextAttemptAt : now + this.backoffMs(r.attempts),
        leaseUntil: 0,
        lastError: errorCode,
      });
    });
  }

  /** Put a failed (or waiting) entry back in line, due now, with its attempt count reset. */
  retry(id: string, tx?: StoreWriter): Promise<OutboxRecord> {
    return this.#run(tx, async (w) => {
      const r = await this.#require(w, id);
      return w.outboxPut({ ...r, state: 'pending', attempts: 0, nextAttemptAt: this.#now(), leaseUntil: 0 });
    });
  }

  /** Give up on an entry without sending it. */
  drop(id: string, tx?: StoreWriter): Promise<boolean> {
    return this.#run(tx, (w) => w.outboxDelete(id));
  }

  /** Call once at start-up: claims held by the previous process are released (that process is gone). */
  recoverAfterRestart(tx?: StoreWriter): Promise<number> {
    return this.#run(tx, async (w) => {
      let n = 0;
      for (const r of await w.outboxList()) {
        if (r.state !== 'inflight') continue;
        await w.outboxPut({ ...r, state: 'pending', leaseUntil: 0, nextAttemptAt: Math.min(r.nextAttemptAt, this.#now()) });
        n++;
      }
      return n;
    });
  }

  /** When the sender loop should next wake: the earliest due time among conversation heads; undefined if idle. */
  nextWakeAt(tx?: StoreWriter): Promise<number | undefined> {
    return this.#run(tx, async (w) => {
      const times = this.#heads(await w.outboxList()).map((r) => (r.state === 'inflight' ? r.leaseUntil : r.nextAttemptAt));
      return times.length === 0 ? undefined : Math.min(...times);
    });
  }

  /** A page of queued entries (including failed ones) in enqueue order: those after seq `afterSeq`, at most `limit`. */
  page(afterSeq: number | undefined, limit: number, tx?: StoreWriter): Promise<OutboxRecord[]> {
    return this.#run(tx, (w) => w.outboxList(afterSeq === undefined ? { limit } : { afterSeq, limit }));
  }

  /** Every queued entry (including failed ones), in enqueue order; optionally of one conversation. */
  list(conversationId?: string, tx?: StoreWriter): Promise<OutboxRecord[]> {
    return this.#run(tx, async (w) =>
      (await w.outboxList()).filter((r) => conversationId === undefined || r.conversationId === conversationId),
    );
  }
}
