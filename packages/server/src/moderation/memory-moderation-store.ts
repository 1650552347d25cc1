// The in-memory twin of the moderation store (ModerationStore), for fast tests; same contract as the SQLite one.
import type { AdminSignal, ModerationAction, ReportStatus } from '@sotto/protocol';
import type { AdminTokenRecord, LogEntry, ModerationStore, NoticeRecord, ReportMessageRecord, ReportRecord } from './moderation-store.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const copy = <T>(v: T): T => structuredClone(v);

export class MemoryModerationStore implements ModerationStore {
  private readonly reports = new Map<string, ReportRecord>();
  private readonly messages = new Map<string, ReportMessageRecord[]>();
  private readonly stamps = new Set<string>();
  private readonly tokens = new Map<string, AdminTokenRecord>();
  private readonly notices: NoticeRecord[] = [];
  private readonly log: LogEntry[] = [];

  async insertReport(report: ReportRecord, messages: ReportMessageRecord[]): Promise<'ok' | 'replay'> {
    const keys = messages.map((m) => `${report.reporterDevice ?? ''}/${hex(m.stampSha256)}`);
    if (report.kind === 'report' && keys.some((k) => this.stamps.has(k))) return 'replay';
    if (
      report.kind === 'signals' &&
      [...this.reports.values()].some((r) => r.kind === 'signals' && r.status === 'open' && r.reportedAccount === report.reportedAccount)
    )
      throw new Error('an open signals item exists for this account');
    this.reports.set(report.id, copy(report));
    this.messages.set(report.id, copy(messages));
    if (report.kind === 'report') for (const k of keys) this.stamps.add(k);
    return 'ok';
  }

  async getReport(id: string): Promise<ReportRecord | undefined> {
    const r = this.reports.get(id);
    return r && copy(r);
  }

  async reportMessages(id: string): Promise<ReportMessageRecord[]> {
    return copy(this.messages.get(id) ?? []);
  }

  async listReports(status: ReportStatus | 'all'): Promise<ReportRecord[]> {
    return [...this.reports.values()]
      .filter((r) => status === 'all' || r.status === status)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
      .map(copy);
  }

  async countReportsSince(reporterAccount: string, since: number): Promise<number> {
    return [...this.reports.values()].filter((r) => r.reporterAccount === reporterAccount && r.createdAt >= since).length;
  }

  async openSignalsItem(account: string): Promise<ReportRecord | undefined> {
    const r = [...this.reports.values()].find((x) => x.kind === 'signals' && x.status === 'open' && x.reportedAccount === account);
    return r && copy(r);
  }

  async updateSignals(id: string, signals: AdminSignal[], at: number): Promise<void> {
    const r = this.reports.get(id);
    if (r) Object.assign(r, { signals: copy(signals), updatedAt: at });
  }

  async resolveReport(id: string, action: ModerationAction, admin: string, note: string, at: number): Promise<boolean> {
    const r = this.reports.get(id);
    if (!r || r.status !== 'open') return false;
    Object.assign(r, { status: 'resolved', resolution: action, resolvedBy: admin, resolutionNote: note, resolvedAt: at, updatedAt: at });
    return true;
  }

  async resolvedWithContentBefore(cutoff: number): Promise<ReportRecord[]> {
    return [...this.reports.values()]
      .filter(
        (r) =>
          r.kind === 'report' && r.status === 'resolved' && r.resolvedAt !== null && r.resolvedAt < cutoff && r.contentDeletedAt === null,
      )
      .map(copy);
  }

  async deleteReportContent(id: string, at: number): Promise<void> {
    const r = this.reports.get(id);
    if (!r) return;
    Object.assign(r, { reason: '', contentDeletedAt: at, updatedAt: at });
    for (const m of this.messages.get(id) ?? []) {
      Object.assign(m, { frankingKey: null, content: null, stamp: null, text: null });
      if (m.attachment) Object.assign(m.attachment, { fileName: null, mimeType: null, file: null });
    }
  }

  async insertAdminToken(t: AdminTokenRecord): Promise<void> {
    if (this.tokens.has(t.id)) throw new Error('duplicate admin token id');
    this.tokens.set(t.id, copy(t));
  }

  async getAdminToken(id: string): Promise<AdminTokenRecord | undefined> {
    const t = this.tokens.get(id);
    return t && copy(t);
  }

  async listAdminTokens(): Promise<AdminTokenRecord[]> {
    return [...this.tokens.values()].sort((a, b) => a.createdAt - b.createdAt).map(copy);
  }

  async revokeAdminToken(id: string, at: number): Promise<boolean> {
    const t = this.tokens.get(id);
    if (!t) return false;
    t.revokedAt ??= at;
    return true;
  }

  async addNotice(n: NoticeRecord): Promise<void> {
    this.notices.push(copy(n));
  }

  async takeNotices(account: string, at: number): Promise<NoticeRecord[]> {
    const unread = this.notices.filter((n) => n.account === account && n.readAt === null).sort((a, b) => a.createdAt - b.createdAt);
    const out = unread.map(copy);
    for (const n of unread) n.readAt = at;
    return out;
  }

  async appendLog(make: (head: LogEntry | undefined) => LogEntry): Promise<LogEntry> {
    const e = make(this.log[this.log.length - 1]);
    this.log.push(copy(e));
    return copy(e);
  }

  async logEntries(): Promise<LogEntry[]> {
    return this.log.map(copy);
  }

  async logHead(): Promise<LogEntry | undefined> {
    const h = this.log[this.log.length - 1];
    return h && copy(h);
  }
}
