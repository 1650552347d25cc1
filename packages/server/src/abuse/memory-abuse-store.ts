// The in-memory twin of the abuse signals' store (abuse-store.ts), for fast tests; same contract as the SQLite one.
import {
  type AbuseStore,
  type ConversationRecord,
  type CountDelta,
  type CountedSignal,
  type PruneBefore,
  type ThrottleRecord,
  zeroCounts,
} from './abuse-store.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export class MemoryAbuseStore implements AbuseStore {
  readonly #counts = new Map<string, { account: string; signal: CountedSignal; bucket: number; n: number }>();
  readonly #requests = new Map<string, { at: number; declinedAt: number | null }>();
  readonly #conversations = new Map<string, ConversationRecord>();
  readonly #throttles = new Map<string, ThrottleRecord>();

  async addCounts(deltas: readonly CountDelta[]): Promise<void> {
    for (const d of deltas) {
      const key = JSON.stringify([d.account, d.signal, d.bucket]);
      const row = this.#counts.get(key) ?? { account: d.account, signal: d.signal, bucket: d.bucket, n: 0 };
      row.n += d.n;
      this.#counts.set(key, row);
    }
  }

  async counts(account: string, since: number): Promise<Record<CountedSignal, number>> {
    const out = zeroCounts();
    for (const r of this.#counts.values()) if (r.account === account && r.bucket >= since) out[r.signal] += r.n;
    return out;
  }

  async clearCounts(account: string): Promise<void> {
    for (const [k, r] of this.#counts) if (r.account === account) this.#counts.delete(k);
  }

  async recordRequest(requester: string, recipient: string, at: number): Promise<void> {
    this.#requests.set(JSON.stringify([requester, recipient]), { at, declinedAt: null });
  }

  async declineRequest(requester: string, recipient: string, since: number, at: number): Promise<boolean> {
    const r = this.#requests.get(JSON.stringify([requester, recipient]));
    if (!r || r.at < since || r.declinedAt !== null) return false;
    r.declinedAt = at;
    return true;
  }

  async getConversation(groupId: Uint8Array): Promise<ConversationRecord | undefined> {
    const c = this.#conversations.get(hex(groupId));
    return c && { ...c };
  }

  async putConversation(groupId: Uint8Array, c: ConversationRecord): Promise<void> {
    this.#conversations.set(hex(groupId), { ...c });
  }

  async getThrottle(account: string): Promise<ThrottleRecord | undefined> {
    const t = this.#throttles.get(account);
    return t && { ...t, signals: t.signals.map((s) => ({ ...s })) };
  }

  async putThrottle(t: ThrottleRecord): Promise<void> {
    this.#throttles.set(t.account, { ...t, signals: t.signals.map((s) => ({ ...s })) });
  }

  async deleteThrottle(account: string): Promise<boolean> {
    return this.#throttles.delete(account);
  }

  async deleteAccount(account: string): Promise<void> {
    await this.clearCounts(account);
    for (const k of this.#requests.keys()) if ((JSON.parse(k) as string[]).includes(account)) this.#requests.delete(k);
    for (const [k, c] of this.#conversations) if (c.firstSender === account) this.#conversations.delete(k);
    this.#throttles.delete(account);
  }

  async prune(before: PruneBefore): Promise<number> {
    let n = 0;
    const drop = <V>(m: Map<string, V>, old: (v: V) => boolean) => {
      for (const [k, v] of m)
        if (old(v)) {
          m.delete(k);
          n++;
        }
    };
    drop(this.#counts, (r) => r.bucket < before.counts);
    drop(this.#requests, (r) => r.at < before.requests);
    drop(this.#conversations, (c) => c.at < before.conversations);
    drop(this.#throttles, (t) => t.until < before.throttles);
    return n;
  }
}
