// The in-memory twin of SqliteLawfulStore, for tests: the same contract (test/server-lawful-store.test.ts runs both).
import type { LogHead } from '@sotto/protocol';
import type { NoticeRecord } from '../moderation/moderation-store.js';
import type { HoldRecord, LawfulChange, LawfulRecord, LawfulStore, StoredLogEntry } from './lawful-store.js';
import { chainEntries } from './request-log.js';

const copy = <T>(v: T): T => structuredClone(v);

export class MemoryLawfulStore implements LawfulStore {
  readonly #requests = new Map<string, LawfulRecord>();
  readonly #holds = new Map<string, HoldRecord>();
  readonly #log: StoredLogEntry[] = [];
  /** The notices written (the SQLite store writes them to the moderation store's notices table). */
  readonly notices: NoticeRecord[] = [];

  async apply(c: LawfulChange): Promise<'ok' | 'conflict'> {
    if (c.updateRequest && this.#requests.get(c.updateRequest.next.id)?.version !== c.updateRequest.expectVersion) return 'conflict';
    if (c.insertRequest && this.#requests.has(c.insertRequest.id)) throw new Error(`request ${c.insertRequest.id} exists`);
    if (c.insertHold && this.#holds.has(c.insertHold.id)) throw new Error(`hold ${c.insertHold.id} exists`);
    for (const r of [c.insertRequest, c.updateRequest?.next]) if (r) this.#requests.set(r.id, copy(r));
    for (const h of [c.insertHold, c.updateHold]) if (h) this.#holds.set(h.id, copy(h));
    this.notices.push(...(c.notices ?? []).map(copy));
    const last = this.#log.at(-1);
    this.#log.push(...chainEntries(last && { seq: last.seq, hash: last.hash }, c.log));
    return 'ok';
  }

  async getRequest(id: string): Promise<LawfulRecord | undefined> {
    const r = this.#requests.get(id);
    return r && copy(r);
  }

  async listRequests(): Promise<LawfulRecord[]> {
    return [...this.#requests.values()].sort((a, b) => b.receivedAt - a.receivedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map(copy);
  }

  async getHold(id: string): Promise<HoldRecord | undefined> {
    const h = this.#holds.get(id);
    return h && copy(h);
  }

  async holdsOf(requestId: string): Promise<HoldRecord[]> {
    return [...this.#holds.values()]
      .filter((h) => h.requestId === requestId)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
      .map(copy);
  }

  async expiredHolds(now: number): Promise<HoldRecord[]> {
    return [...this.#holds.values()]
      .filter((h) => h.deletedAt === null && h.expiresAt <= now)
      .sort((a, b) => a.expiresAt - b.expiresAt)
      .map(copy);
  }

  async noticesDue(now: number): Promise<LawfulRecord[]> {
    return [...this.#requests.values()]
      .filter((r) => r.noticeDueAt !== null && r.noticeDueAt <= now && r.noticeGivenAt === null)
      .sort((a, b) => (a.noticeDueAt ?? 0) - (b.noticeDueAt ?? 0))
      .map(copy);
  }

  async unapprovedEmergencies(now: number): Promise<LawfulRecord[]> {
    return [...this.#requests.values()]
      .filter(
        (r) =>
          r.instrument === 'emergency' &&
          (r.decision === 'disclose' || r.decision === 'partial') &&
          r.secondApproval === null &&
          r.flaggedAt === null &&
          r.secondApprovalDueAt !== null &&
          r.secondApprovalDueAt < now,
      )
      .map(copy);
  }

  async logEntries(): Promise<StoredLogEntry[]> {
    return this.#log.map(copy);
  }

  async logHead(): Promise<LogHead | undefined> {
    const last = this.#log.at(-1);
    return last && { seq: last.seq, hash: last.hash };
  }
}
