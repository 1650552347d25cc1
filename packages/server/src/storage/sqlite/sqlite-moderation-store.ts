// SQLite implementation of the moderation store (moderation/moderation-store.ts) on the server's database (migration 8).
import type Database from 'better-sqlite3';
import type { AdminScope, AdminSignal, ModerationAction, ReportStatus, VerifyFailure } from '@sotto/protocol';
import type {
  AdminTokenRecord,
  LogEntry,
  ModerationStore,
  NoticeRecord,
  ReportMessageRecord,
  ReportRecord,
  StoredAttachment,
} from '../../moderation/moderation-store.js';
import { scrubbing, truncateWal } from './scrub.js';

type Row = Record<string, unknown>;

const u8 = (b: unknown): Uint8Array => {
  const buf = b as Buffer;
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength).slice();
};
const u8n = (b: unknown): Uint8Array | null => (b === null || b === undefined ? null : u8(b));
const buf = (b: Uint8Array | null): Buffer | null => (b === null ? null : Buffer.from(b));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : (v as number));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string));

function toReport(r: Row): ReportRecord {
  return {
    id: r.id as string,
    kind: r.kind as ReportRecord['kind'],
    reportedAccount: r.reported_account as string,
    reporterAccount: str(r.reporter_account),
    reporterDevice: str(r.reporter_device),
    groupId: u8n(r.group_id),
    category: str(r.category),
    reason: r.reason as string,
    signals: r.signals === null ? null : (JSON.parse(r.signals as string) as AdminSignal[]),
    verified: r.verified === 1,
    status: r.status as ReportStatus,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    resolvedAt: num(r.resolved_at),
    resolution: str(r.resolution) as ModerationAction | null,
    resolvedBy: str(r.resolved_by),
    resolutionNote: str(r.resolution_note),
    contentDeletedAt: num(r.content_deleted_at),
  };
}

function toMessage(r: Row): ReportMessageRecord {
  return {
    idx: r.idx as number,
    senderDevice: r.sender_device as string,
    senderAccount: r.sender_account as string,
    receivedAt: r.received_at as number,
    frankingKey: u8n(r.franking_key),
    content: u8n(r.content),
    contentSha256: u8(r.content_sha256),
    commitment: u8(r.commitment),
    stamp: u8n(r.stamp),
    stampSha256: u8(r.stamp_sha256),
    verified: r.verified === 1,
    failure: str(r.failure) as VerifyFailure | null,
    contentType: str(r.content_type),
    text: str(r.text),
    attachment: r.attachment === null ? null : (JSON.parse(r.attachment as string) as StoredAttachment),
  };
}

function toToken(r: Row): AdminTokenRecord {
  return {
    id: r.id as string,
    name: r.name as string,
    tokenHash: u8(r.token_hash),
    scopes: (r.scopes as string).split(',').filter((s) => s !== '') as AdminScope[],
    createdAt: r.created_at as number,
    expiresAt: num(r.expires_at),
    revokedAt: num(r.revoked_at),
  };
}

function toEntry(r: Row): LogEntry {
  return {
    seq: r.seq as number,
    at: r.at as number,
    admin: r.admin as string,
    action: r.action as string,
    reportId: str(r.report_id),
    account: str(r.account),
    detail: r.detail as string,
    prevHash: u8(r.prev_hash),
    hash: u8(r.hash),
  };
}

export class SqliteModerationStore implements ModerationStore {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insReport: p(
        `INSERT INTO reports (id, kind, reported_account, reporter_account, reporter_device, group_id, category, reason, signals,
         verified, status, created_at, updated_at, resolved_at, resolution, resolved_by, resolution_note, content_deleted_at)
         VALUES (@id, @kind, @reportedAccount, @reporterAccount, @reporterDevice, @groupId, @category, @reason, @signals,
         @verified, @status, @createdAt, @updatedAt, @resolvedAt, @resolution, @resolvedBy, @resolutionNote, @contentDeletedAt)`,
      ),
      insMessage: p(
        `INSERT INTO report_messages (report_id, idx, sender_device, sender_account, received_at, franking_key, content,
         content_sha256, commitment, stamp, stamp_sha256, verified, failure, content_type, text, attachment)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      hasStamp: p('SELECT 1 FROM reported_stamps WHERE device_id = ? AND stamp_sha256 = ?'),
      insStamp: p('INSERT OR IGNORE INTO reported_stamps (device_id, stamp_sha256, report_id) VALUES (?, ?, ?)'),
      getReport: p('SELECT * FROM reports WHERE id = ?'),
      messages: p('SELECT * FROM report_messages WHERE report_id = ? ORDER BY idx'),
      listAll: p('SELECT * FROM reports ORDER BY created_at DESC, id DESC'),
      listStatus: p('SELECT * FROM reports WHERE status = ? ORDER BY created_at DESC, id DESC'),
      countSince: p('SELECT COUNT(*) FROM reports WHERE reporter_account = ? AND created_at >= ?'),
      openSignals: p("SELECT * FROM reports WHERE kind = 'signals' AND status = 'open' AND reported_account = ?"),
      updSignals: p('UPDATE reports SET signals = ?, updated_at = ? WHERE id = ?'),
      resolve: p(
        "UPDATE reports SET status = 'resolved', resolution = ?, resolved_by = ?, resolution_note = ?, resolved_at = ?, updated_at = ? WHERE id = ? AND status = 'open'",
      ),
      resolvedBefore: p(
        "SELECT * FROM reports WHERE kind = 'report' AND status = 'resolved' AND resolved_at < ? AND content_deleted_at IS NULL ORDER BY resolved_at",
      ),
      clearReport: p("UPDATE reports SET reason = '', content_deleted_at = ?, updated_at = ? WHERE id = ?"),
      clearMessages: p(
        `UPDATE report_messages SET franking_key = NULL, content = NULL, stamp = NULL, text = NULL,
         attachment = CASE WHEN attachment IS NULL THEN NULL
           ELSE json_set(attachment, '$.fileName', NULL, '$.mimeType', NULL, '$.file', NULL) END
         WHERE report_id = ?`,
      ),
      insToken: p(
        'INSERT INTO admin_tokens (id, name, token_hash, scopes, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      getToken: p('SELECT * FROM admin_tokens WHERE id = ?'),
      listTokens: p('SELECT * FROM admin_tokens ORDER BY created_at, id'),
      revokeToken: p('UPDATE admin_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?'),
      insNotice: p('INSERT INTO notices (id, account, kind, text, created_at, read_at) VALUES (?, ?, ?, ?, ?, ?)'),
      unread: p('SELECT * FROM notices WHERE account = ? AND read_at IS NULL ORDER BY created_at, id'),
      markRead: p('UPDATE notices SET read_at = ? WHERE id = ?'),
      head: p('SELECT * FROM moderation_log ORDER BY seq DESC LIMIT 1'),
      insLog: p(
        'INSERT INTO moderation_log (seq, at, admin, action, report_id, account, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      log: p('SELECT * FROM moderation_log ORDER BY seq'),
    };
  }

  async insertReport(report: ReportRecord, messages: ReportMessageRecord[]): Promise<'ok' | 'replay'> {
    return this.db
      .transaction((): 'ok' | 'replay' => {
        const device = report.reporterDevice ?? '';
        if (report.kind === 'report' && messages.some((m) => this.s.hasStamp.get(device, buf(m.stampSha256)))) return 'replay';
        this.s.insReport.run({
          ...report,
          groupId: buf(report.groupId),
          signals: report.signals === null ? null : JSON.stringify(report.signals),
          verified: report.verified ? 1 : 0,
        });
        for (const m of messages) {
          this.s.insMessage.run(
            report.id,
            m.idx,
            m.senderDevice,
            m.senderAccount,
            m.receivedAt,
            buf(m.frankingKey),
            buf(m.content),
            buf(m.contentSha256),
            buf(m.commitment),
            buf(m.stamp),
            buf(m.stampSha256),
            m.verified ? 1 : 0,
            m.failure,
            m.contentType,
            m.text,
            m.attachment === null ? null : JSON.stringify(m.attachment),
          );
          if (report.kind === 'report') this.s.insStamp.run(device, buf(m.stampSha256), report.id);
        }
        return 'ok';
      })
      .immediate();
  }

  async getReport(id: string): Promise<ReportRecord | undefined> {
    const r = this.s.getReport.get(id) as Row | undefined;
    return r && toReport(r);
  }

  async reportMessages(id: string): Promise<ReportMessageRecord[]> {
    return (this.s.messages.all(id) as Row[]).map(toMessage);
  }

  async listReports(status: ReportStatus | 'all'): Promise<ReportRecord[]> {
    const rows = (status === 'all' ? this.s.listAll.all() : this.s.listStatus.all(status)) as Row[];
    return rows.map(toReport);
  }

  async countReportsSince(reporterAccount: string, since: number): Promise<number> {
    return this.s.countSince.pluck().get(reporterAccount, since) as number;
  }

  async openSignalsItem(account: string): Promise<ReportRecord | undefined> {
    const r = this.s.openSignals.get(account) as Row | undefined;
    return r && toReport(r);
  }

  async updateSignals(id: string, signals: AdminSignal[], at: number): Promise<void> {
    this.s.updSignals.run(JSON.stringify(signals), at, id);
  }

  async resolveReport(id: string, action: ModerationAction, admin: string, note: string, at: number): Promise<boolean> {
    // The row moves when it grows: scrubbing zeroes the old copy, which still holds the reporter's reason.
    return scrubbing(this.db, () => this.s.resolve.run(action, admin, note, at, at, id).changes === 1);
  }

  async resolvedWithContentBefore(cutoff: number): Promise<ReportRecord[]> {
    return (this.s.resolvedBefore.all(cutoff) as Row[]).map(toReport);
  }

  async deleteReportContent(id: string, at: number): Promise<void> {
    // No copy of reported content stays behind in the database file or its WAL.
    scrubbing(this.db, () => {
      this.s.clearReport.run(at, at, id);
      this.s.clearMessages.run(id);
    });
    truncateWal(this.db);
  }

  async insertAdminToken(t: AdminTokenRecord): Promise<void> {
    this.s.insToken.run(t.id, t.name, buf(t.tokenHash), t.scopes.join(','), t.createdAt, t.expiresAt, t.revokedAt);
  }

  async getAdminToken(id: string): Promise<AdminTokenRecord | undefined> {
    const r = this.s.getToken.get(id) as Row | undefined;
    return r && toToken(r);
  }

  async listAdminTokens(): Promise<AdminTokenRecord[]> {
    return (this.s.listTokens.all() as Row[]).map(toToken);
  }

  async revokeAdminToken(id: string, at: number): Promise<boolean> {
    return this.s.revokeToken.run(at, id).changes === 1;
  }

  async addNotice(n: NoticeRecord): Promise<void> {
    this.s.insNotice.run(n.id, n.account, n.kind, n.text, n.createdAt, n.readAt);
  }

  async takeNotices(account: string, at: number): Promise<NoticeRecord[]> {
    return this.db.transaction(() => {
      const rows = this.s.unread.all(account) as Row[];
      for (const r of rows) this.s.markRead.run(at, r.id);
      return rows.map((r): NoticeRecord => ({
        id: r.id as string,
        account: r.account as string,
        kind: r.kind as NoticeRecord['kind'],
        text: r.text as string,
        createdAt: r.created_at as number,
        readAt: null,
      }));
    })();
  }

  async appendLog(make: (head: LogEntry | undefined) => LogEntry): Promise<LogEntry> {
    return this.db
      .transaction(() => {
        const h = this.s.head.get() as Row | undefined;
        const e = make(h && toEntry(h));
        this.s.insLog.run(e.seq, e.at, e.admin, e.action, e.reportId, e.account, e.detail, buf(e.prevHash), buf(e.hash));
        return e;
      })
      .immediate();
  }

  async logEntries(): Promise<LogEntry[]> {
    return (this.s.log.all() as Row[]).map(toEntry);
  }

  async logHead(): Promise<LogEntry | undefined> {
    const h = this.s.head.get() as Row | undefined;
    return h && toEntry(h);
  }
}
