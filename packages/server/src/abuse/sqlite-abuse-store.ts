// SQLite implementation of the abuse signals' store (abuse-store.ts), on the server's database (tables of migration 9).
import type Database from 'better-sqlite3';
import {
  type AbuseStore,
  COUNTED_SIGNALS,
  type ConversationRecord,
  type CountDelta,
  type CountedSignal,
  type PruneBefore,
  type ThrottleRecord,
  type TrippedSignal,
  zeroCounts,
} from './abuse-store.js';

type Row = Record<string, unknown>;

export class SqliteAbuseStore implements AbuseStore {
  readonly #s;
  readonly #add: (deltas: readonly CountDelta[]) => void;
  readonly #prune: (b: PruneBefore) => number;
  readonly #deleteAccount: (account: string) => void;

  constructor(db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      addCount: p(
        'INSERT INTO abuse_counts (account, signal, bucket, n) VALUES (?, ?, ?, ?) ON CONFLICT (account, signal, bucket) DO UPDATE SET n = n + excluded.n',
      ),
      counts: p('SELECT signal, SUM(n) AS n FROM abuse_counts WHERE account = ? AND bucket >= ? GROUP BY signal'),
      clearCounts: p('DELETE FROM abuse_counts WHERE account = ?'),
      putRequest: p(
        'INSERT INTO abuse_requests (requester, recipient, at, declined_at) VALUES (?, ?, ?, NULL) ON CONFLICT (requester, recipient) DO UPDATE SET at = excluded.at, declined_at = NULL',
      ),
      declineRequest: p(
        'UPDATE abuse_requests SET declined_at = ? WHERE requester = ? AND recipient = ? AND at >= ? AND declined_at IS NULL',
      ),
      getConversation: p('SELECT first_sender, answered, at FROM abuse_conversations WHERE group_id = ?'),
      putConversation: p('INSERT OR REPLACE INTO abuse_conversations (group_id, first_sender, answered, at) VALUES (?, ?, ?, ?)'),
      getThrottle: p('SELECT * FROM abuse_throttles WHERE account = ?'),
      putThrottle: p('INSERT OR REPLACE INTO abuse_throttles (account, since, until, signals) VALUES (?, ?, ?, ?)'),
      deleteThrottle: p('DELETE FROM abuse_throttles WHERE account = ?'),
      delRequests: p('DELETE FROM abuse_requests WHERE requester = ? OR recipient = ?'),
      delConversations: p('DELETE FROM abuse_conversations WHERE first_sender = ?'),
      pruneCounts: p('DELETE FROM abuse_counts WHERE bucket < ?'),
      pruneRequests: p('DELETE FROM abuse_requests WHERE at < ?'),
      pruneConversations: p('DELETE FROM abuse_conversations WHERE at < ?'),
      pruneThrottles: p('DELETE FROM abuse_throttles WHERE until < ?'),
    };
    this.#add = db.transaction((deltas: readonly CountDelta[]) => {
      for (const d of deltas) this.#s.addCount.run(d.account, d.signal, d.bucket, d.n);
    });
    this.#deleteAccount = db.transaction((account: string) => {
      this.#s.clearCounts.run(account);
      this.#s.delRequests.run(account, account);
      this.#s.delConversations.run(account);
      this.#s.deleteThrottle.run(account);
    });
    this.#prune = db.transaction(
      (b: PruneBefore) =>
        this.#s.pruneCounts.run(b.counts).changes +
        this.#s.pruneRequests.run(b.requests).changes +
        this.#s.pruneConversations.run(b.conversations).changes +
        this.#s.pruneThrottles.run(b.throttles).changes,
    );
  }

  async addCounts(deltas: readonly CountDelta[]): Promise<void> {
    if (deltas.length > 0) this.#add(deltas);
  }

  async counts(account: string, since: number): Promise<Record<CountedSignal, number>> {
    const out = zeroCounts();
    for (const r of this.#s.counts.all(account, since) as Row[]) {
      const signal = r.signal as CountedSignal;
      if ((COUNTED_SIGNALS as readonly string[]).includes(signal)) out[signal] = Number(r.n);
    }
    return out;
  }

  async clearCounts(account: string): Promise<void> {
    this.#s.clearCounts.run(account);
  }

  async recordRequest(requester: string, recipient: string, at: number): Promise<void> {
    this.#s.putRequest.run(requester, recipient, at);
  }

  async declineRequest(requester: string, recipient: string, since: number, at: number): Promise<boolean> {
    return this.#s.declineRequest.run(at, requester, recipient, since).changes === 1;
  }

  async getConversation(groupId: Uint8Array): Promise<ConversationRecord | undefined> {
    const r = this.#s.getConversation.get(groupId) as Row | undefined;
    return r && { firstSender: r.first_sender as string, answered: r.answered === 1, at: r.at as number };
  }

  async putConversation(groupId: Uint8Array, c: ConversationRecord): Promise<void> {
    this.#s.putConversation.run(groupId, c.firstSender, c.answered ? 1 : 0, c.at);
  }

  async getThrottle(account: string): Promise<ThrottleRecord | undefined> {
    const r = this.#s.getThrottle.get(account) as Row | undefined;
    return (
      r && {
        account: r.account as string,
        since: r.since as number,
        until: r.until as number,
        signals: JSON.parse(r.signals as string) as TrippedSignal[],
      }
    );
  }

  async putThrottle(t: ThrottleRecord): Promise<void> {
    const signals = t.signals.map((s) => ({ signal: s.signal, value: s.value, threshold: s.threshold }));
    this.#s.putThrottle.run(t.account, t.since, t.until, JSON.stringify(signals));
  }

  async deleteThrottle(account: string): Promise<boolean> {
    return this.#s.deleteThrottle.run(account).changes > 0;
  }

  async deleteAccount(account: string): Promise<void> {
    this.#deleteAccount(account);
  }

  async prune(before: PruneBefore): Promise<number> {
    return this.#prune(before);
  }
}
