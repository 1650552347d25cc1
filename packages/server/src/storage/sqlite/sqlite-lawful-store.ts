// SQLite implementation of the lawful-request store (lawful/lawful-store.ts) on the server's database (migration 10).
import type Database from 'better-sqlite3';
import type { LogHead, RequestLogPublic } from '@sotto/protocol';
import type { HoldRecord, LawfulChange, LawfulRecord, LawfulStore, StoredLogEntry } from '../../lawful/lawful-store.js';
import { chainEntries } from '../../lawful/request-log.js';
import { scrubbing, truncateWal } from './scrub.js';

type Row = Record<string, unknown>;

const json = (v: unknown): string | null => (v === null ? null : JSON.stringify(v));
const parsed = <T>(v: unknown): T | null => (v === null || v === undefined ? null : (JSON.parse(v as string) as T));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : (v as number));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string));

function toRequest(r: Row): LawfulRecord {
  return {
    id: r.id as string,
    instrument: r.instrument as LawfulRecord['instrument'],
    authority: r.authority as string,
    country: r.country as string,
    reference: r.reference as string,
    receivedAt: r.received_at as number,
    dueAt: num(r.due_at),
    accounts: JSON.parse(r.accounts as string) as string[],
    categories: JSON.parse(r.categories as string) as LawfulRecord['categories'],
    noticeDelayUntil: num(r.notice_delay_until),
    follows: str(r.follows),
    note: r.note as string,
    receivedBy: r.received_by as string,
    status: r.status as LawfulRecord['status'],
    decision: str(r.decision) as LawfulRecord['decision'],
    disclosed: parsed(r.disclosed),
    reason: r.reason as string,
    decidedBy: parsed(r.decided_by),
    secondApproval: parsed(r.second_approval),
    secondApprovalDueAt: num(r.second_approval_due_at),
    flaggedAt: num(r.flagged_at),
    review: parsed(r.review),
    answeredAt: num(r.answered_at),
    answerSha256: str(r.answer_sha256),
    noticeDueAt: num(r.notice_due_at),
    noticeGivenAt: num(r.notice_given_at),
    version: r.version as number,
  };
}

function requestParams(r: LawfulRecord): Row {
  return {
    ...r,
    accounts: JSON.stringify(r.accounts),
    categories: JSON.stringify(r.categories),
    disclosed: json(r.disclosed),
    decidedBy: json(r.decidedBy),
    secondApproval: json(r.secondApproval),
    review: json(r.review),
  };
}

function toHold(r: Row): HoldRecord {
  const sealed = r.sealed as Buffer | null;
  return {
    id: r.id as string,
    requestId: r.request_id as string,
    accounts: JSON.parse(r.accounts as string) as string[],
    custodians: JSON.parse(r.custodians as string) as string[],
    threshold: r.threshold as number,
    createdAt: r.created_at as number,
    expiresAt: r.expires_at as number,
    extended: r.extended === 1,
    sealed: sealed === null ? null : new Uint8Array(sealed),
    shareHashes: parsed(r.share_hashes),
    rows: JSON.parse(r.row_counts as string) as Record<string, number>,
    deletedAt: num(r.deleted_at),
    deletedWhy: str(r.deleted_why) as HoldRecord['deletedWhy'],
  };
}

function holdParams(h: HoldRecord): Row {
  return {
    ...h,
    accounts: JSON.stringify(h.accounts),
    custodians: JSON.stringify(h.custodians),
    extended: h.extended ? 1 : 0,
    sealed: h.sealed === null ? null : Buffer.from(h.sealed),
    shareHashes: json(h.shareHashes),
    rows: JSON.stringify(h.rows),
  };
}

function toLog(r: Row): StoredLogEntry {
  return {
    seq: r.seq as number,
    month: r.month as string,
    request: r.request as string,
    event: r.event as StoredLogEntry['event'],
    public: JSON.parse(r.public as string) as RequestLogPublic,
    privateDigest: r.detail_digest as string,
    prevHash: r.prev_hash as string,
    hash: r.hash as string,
    private: r.detail as string,
    salt: r.salt as string,
  };
}

const REQUEST_COLUMNS = `id, instrument, authority, country, reference, received_at, due_at, accounts, categories,
  notice_delay_until, follows, note, received_by, status, decision, disclosed, reason, decided_by, second_approval,
  second_approval_due_at, flagged_at, review, answered_at, answer_sha256, notice_due_at, notice_given_at, version`;
const REQUEST_VALUES = `@id, @instrument, @authority, @country, @reference, @receivedAt, @dueAt, @accounts, @categories,
  @noticeDelayUntil, @follows, @note, @receivedBy, @status, @decision, @disclosed, @reason, @decidedBy, @secondApproval,
  @secondApprovalDueAt, @flaggedAt, @review, @answeredAt, @answerSha256, @noticeDueAt, @noticeGivenAt, @version`;
const HOLD_COLUMNS = `id, request_id, accounts, custodians, threshold, created_at, expires_at, extended, sealed, share_hashes,
  row_counts, deleted_at, deleted_why`;
const HOLD_VALUES = `@id, @requestId, @accounts, @custodians, @threshold, @createdAt, @expiresAt, @extended, @sealed, @shareHashes,
  @rows, @deletedAt, @deletedWhy`;

export class SqliteLawfulStore implements LawfulStore {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insRequest: p(`INSERT INTO lawful_requests (${REQUEST_COLUMNS}) VALUES (${REQUEST_VALUES})`),
      updRequest: p(`UPDATE lawful_requests SET (${REQUEST_COLUMNS}) = (${REQUEST_VALUES}) WHERE id = @id AND version = @expectVersion`),
      getRequest: p('SELECT * FROM lawful_requests WHERE id = ?'),
      listRequests: p('SELECT * FROM lawful_requests ORDER BY received_at DESC, id DESC'),
      noticesDue: p(
        'SELECT * FROM lawful_requests WHERE notice_due_at IS NOT NULL AND notice_due_at <= ? AND notice_given_at IS NULL ORDER BY notice_due_at',
      ),
      unapproved: p(
        `SELECT * FROM lawful_requests WHERE instrument = 'emergency' AND decision IN ('disclose', 'partial')
         AND second_approval IS NULL AND flagged_at IS NULL AND second_approval_due_at < ?`,
      ),
      insHold: p(`INSERT INTO preservation_holds (${HOLD_COLUMNS}) VALUES (${HOLD_VALUES})`),
      updHold: p(`UPDATE preservation_holds SET (${HOLD_COLUMNS}) = (${HOLD_VALUES}) WHERE id = @id`),
      getHold: p('SELECT * FROM preservation_holds WHERE id = ?'),
      holdsOf: p('SELECT * FROM preservation_holds WHERE request_id = ? ORDER BY created_at, id'),
      expired: p('SELECT * FROM preservation_holds WHERE deleted_at IS NULL AND expires_at <= ? ORDER BY expires_at'),
      insNotice: p('INSERT INTO notices (id, account, kind, text, created_at, read_at) VALUES (?, ?, ?, ?, ?, ?)'),
      head: p('SELECT seq, hash FROM request_log ORDER BY seq DESC LIMIT 1'),
      insLog: p(
        `INSERT INTO request_log (seq, month, request, event, public, detail_digest, prev_hash, hash, detail, salt)
         VALUES (@seq, @month, @request, @event, @public, @privateDigest, @prevHash, @hash, @private, @salt)`,
      ),
      log: p('SELECT * FROM request_log ORDER BY seq'),
    };
  }

  async apply(c: LawfulChange): Promise<'ok' | 'conflict'> {
    // A hold whose snapshot goes is written with secure_delete on, and the WAL truncated after.
    const deletesSnapshot = c.updateHold !== undefined && c.updateHold.sealed === null;
    const run = () => {
      if (c.updateRequest) {
        const params = { ...requestParams(c.updateRequest.next), expectVersion: c.updateRequest.expectVersion };
        if (this.s.updRequest.run(params).changes !== 1) return 'conflict' as const;
      }
      if (c.insertRequest) this.s.insRequest.run(requestParams(c.insertRequest));
      if (c.insertHold) this.s.insHold.run(holdParams(c.insertHold));
      if (c.updateHold) this.s.updHold.run(holdParams(c.updateHold));
      for (const n of c.notices ?? []) this.s.insNotice.run(n.id, n.account, n.kind, n.text, n.createdAt, n.readAt);
      const head = this.s.head.get() as { seq: number; hash: string } | undefined;
      for (const e of chainEntries(head, c.log)) this.s.insLog.run({ ...e, public: JSON.stringify(e.public) });
      return 'ok' as const;
    };
    if (!deletesSnapshot) return this.db.transaction(run).immediate();
    const r = scrubbing(this.db, run);
    truncateWal(this.db);
    return r;
  }

  async getRequest(id: string): Promise<LawfulRecord | undefined> {
    const r = this.s.getRequest.get(id) as Row | undefined;
    return r && toRequest(r);
  }

  async listRequests(): Promise<LawfulRecord[]> {
    return (this.s.listRequests.all() as Row[]).map(toRequest);
  }

  async getHold(id: string): Promise<HoldRecord | undefined> {
    const r = this.s.getHold.get(id) as Row | undefined;
    return r && toHold(r);
  }

  async holdsOf(requestId: string): Promise<HoldRecord[]> {
    return (this.s.holdsOf.all(requestId) as Row[]).map(toHold);
  }

  async expiredHolds(now: number): Promise<HoldRecord[]> {
    return (this.s.expired.all(now) as Row[]).map(toHold);
  }

  async noticesDue(now: number): Promise<LawfulRecord[]> {
    return (this.s.noticesDue.all(now) as Row[]).map(toRequest);
  }

  async unapprovedEmergencies(now: number): Promise<LawfulRecord[]> {
    return (this.s.unapproved.all(now) as Row[]).map(toRequest);
  }

  async logEntries(): Promise<StoredLogEntry[]> {
    return (this.s.log.all() as Row[]).map(toLog);
  }

  async logHead(): Promise<LogHead | undefined> {
    return this.s.head.get() as LogHead | undefined;
  }
}
