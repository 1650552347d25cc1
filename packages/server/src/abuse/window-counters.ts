// The sliding window of the abuse signals, in 24 time buckets: which bucket a moment falls in, where the window
// starts, and the counters held in memory between flushes (application messages are counted without a write each).
import type { AbuseStore, CountDelta, CountedSignal } from './abuse-store.js';

export const WINDOW_BUCKETS = 24;

/** Pending counters past this many (account, signal, bucket) keys are flushed at once. */
const MAX_PENDING = 1024;

export class WindowCounters {
  readonly bucketMs: number;
  readonly #pending = new Map<string, CountDelta>();

  constructor(
    private readonly store: AbuseStore,
    readonly windowMs: number,
  ) {
    this.bucketMs = Math.max(1, Math.floor(windowMs / WINDOW_BUCKETS));
  }

  bucketOf(now: number): number {
    return Math.floor(now / this.bucketMs) * this.bucketMs;
  }

  /** The first bucket of the window that ends at `now` (the window covers the last 24 buckets, this one included). */
  windowStart(now: number): number {
    return this.bucketOf(now) - (WINDOW_BUCKETS - 1) * this.bucketMs;
  }

  /** Counts now, in the store. */
  async add(account: string, signal: CountedSignal, n: number, now: number): Promise<void> {
    await this.store.addCounts([{ account, signal, bucket: this.bucketOf(now), n }]);
  }

  /** Counts in memory until the next flush (the sweep, shutdown, or when too many keys wait). */
  async addLater(account: string, signal: CountedSignal, n: number, now: number): Promise<void> {
    const bucket = this.bucketOf(now);
    const key = `${account}\u0000${signal}\u0000${bucket}`;
    const d = this.#pending.get(key);
    if (d) d.n += n;
    else this.#pending.set(key, { account, signal, bucket, n });
    if (this.#pending.size >= MAX_PENDING) await this.flush();
  }

  /** The account's counts over the window ending at `now`, pending ones included. */
  async counts(account: string, now: number): Promise<Record<CountedSignal, number>> {
    const since = this.windowStart(now);
    const out = await this.store.counts(account, since);
    for (const d of this.#pending.values()) if (d.account === account && d.bucket >= since) out[d.signal] += d.n;
    return out;
  }

  /** Forgets the pending counts of one account (its stored ones are cleared by the caller). */
  forget(account: string): void {
    for (const [k, d] of this.#pending) if (d.account === account) this.#pending.delete(k);
  }

  async flush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const deltas = [...this.#pending.values()];
    this.#pending.clear();
    await this.store.addCounts(deltas);
  }
}
