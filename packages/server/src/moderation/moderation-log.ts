// The moderation log (docs/moderation.md): append-only and hash-chained. Entry n's hash is
// SHA-256(prev_hash || canonical entry), where prev_hash is entry n-1's hash (32 zero bytes for the first entry) and
// the canonical entry is the UTF-8 of canonicalJson({seq, at, admin, action, reportId, account, detail}). Editing,
// removing or reordering any entry breaks every hash after it; the head hash commits to the whole log.
import { createHash, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '@sotto/protocol';
import type { LogEntry, ModerationStore } from './moderation-store.js';

export const GENESIS_HASH = new Uint8Array(32);

export type LogFields = Pick<LogEntry, 'seq' | 'at' | 'admin' | 'action' | 'reportId' | 'account' | 'detail'>;

/** The hash of an entry given the hash before it. */
/** The fields of an entry that its hash covers (and that `admin moderation-log` prints), in their fixed order. */
export function logFields(e: LogFields): LogFields {
  return { seq: e.seq, at: e.at, admin: e.admin, action: e.action, reportId: e.reportId, account: e.account, detail: e.detail };
}

export function entryHash(prevHash: Uint8Array, e: LogFields): Uint8Array {
  const canonical = canonicalJson(logFields(e));
  return new Uint8Array(createHash('sha256').update(prevHash).update(canonical, 'utf8').digest());
}

export type LogVerification = { ok: true; entries: number; head: string } | { ok: false; seq: number; problem: string };

/** Checks the chain from the first entry: consecutive seq from 1, each prev_hash the hash before, each hash recomputed. */
export function verifyModerationLog(entries: readonly LogEntry[]): LogVerification {
  let prev: Uint8Array = GENESIS_HASH;
  for (const [i, e] of entries.entries()) {
    if (e.seq !== i + 1) return { ok: false, seq: e.seq, problem: `expected seq ${i + 1}` };
    if (e.prevHash.length !== 32 || !timingSafeEqual(e.prevHash, prev))
      return { ok: false, seq: e.seq, problem: 'prev_hash is not the hash of the entry before' };
    const h = entryHash(prev, e);
    if (e.hash.length !== 32 || !timingSafeEqual(e.hash, h)) return { ok: false, seq: e.seq, problem: 'hash does not match the entry' };
    prev = h;
  }
  return { ok: true, entries: entries.length, head: Buffer.from(prev).toString('hex') };
}

/** Appends entries through the store, which reads the head and writes the new entry atomically. */
export class ModerationLog {
  constructor(private readonly store: ModerationStore) {}

  async append(
    at: number,
    admin: string,
    action: string,
    refs: { reportId?: string; account?: string },
    detail: Record<string, unknown>,
  ): Promise<LogEntry> {
    return this.store.appendLog((head) => {
      const fields: LogFields = {
        seq: (head?.seq ?? 0) + 1,
        at,
        admin,
        action,
        reportId: refs.reportId ?? null,
        account: refs.account ?? null,
        detail: canonicalJson(detail),
      };
      const prevHash = head?.hash ?? GENESIS_HASH;
      return { ...fields, prevHash, hash: entryHash(prevHash, fields) };
    });
  }

  entries(): Promise<LogEntry[]> {
    return this.store.logEntries();
  }

  /** The head: the last entry's seq and hash (hex), or seq 0 and the genesis hash for an empty log. */
  async head(): Promise<{ seq: number; hash: string }> {
    const h = await this.store.logHead();
    return { seq: h?.seq ?? 0, hash: Buffer.from(h?.hash ?? GENESIS_HASH).toString('hex') };
  }
}
