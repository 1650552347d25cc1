// The moderation rules (docs/moderation.md): the queue of reports and signal flags, the operator's actions on them
// (dismiss, warn, suspend), evidence export, notices to accounts, retention of resolved reports' content, and the
// moderation log every action writes. Storage only stores (ModerationStore); intake is report-intake.ts.
import type {
  AdminReportDetail,
  AdminReportMessage,
  AdminReportSummary,
  AdminResolveResponse,
  AdminSignal,
  EvidencePackage,
  ModerationAction,
  Notice,
  ReportStatus,
  ServerKeyResponse,
} from '@sotto/protocol';
import type { AdminService } from '../admin/admin-service.js';
import { SottoError } from '../errors.js';
import { buildEvidence } from './evidence.js';
import type { ModerationLog } from './moderation-log.js';
import { type ModerationStore, openItem, type ReportMessageRecord, type ReportRecord } from './moderation-store.js';
import type { ReportFiles } from './report-files.js';
import type { SigningKey } from './signing-key.js';

const DAY_MS = 86400_000;
/** The acting "admin" of automatic entries in the moderation log. */
export const SIGNALS_ACTOR = 'system:signals';
export const RETENTION_ACTOR = 'system:retention';

export interface ModerationDeps {
  store: ModerationStore;
  log: ModerationLog;
  admin: Pick<AdminService, 'setAccountStatus'>;
  files: ReportFiles;
  /** The evidence-signing key, loaded (or created) on first use. */
  signingKey: () => SigningKey;
  domain: string;
  /** moderation.resolvedRetentionDays */
  resolvedRetentionDays: number;
  newId: () => string;
}

export function warningText(domain: string): string {
  return `The operator of ${domain} reviewed messages from your account that were reported to them, and warns you: further reports may lead to suspension.`;
}

export class ModerationService {
  constructor(private readonly d: ModerationDeps) {}

  async list(status: ReportStatus | 'all'): Promise<AdminReportSummary[]> {
    return (await this.d.store.listReports(status)).map(summaryOf);
  }

  async detail(id: string): Promise<AdminReportDetail> {
    const r = await this.get(id);
    const messages = await this.d.store.reportMessages(id);
    return {
      ...summaryOf(r),
      groupId: r.groupId === null ? null : Buffer.from(r.groupId).toString('base64'),
      reason: r.reason,
      messages: messages.map(messageView),
      signals: r.signals ?? [],
      resolution:
        r.resolution === null
          ? null
          : { action: r.resolution, note: r.resolutionNote ?? '', admin: r.resolvedBy ?? '', at: r.resolvedAt ?? 0 },
      contentDeletedAt: r.contentDeletedAt,
    };
  }

  /** Acts on an open item and closes it: warn leaves a notice for the account, suspend suspends it (sockets close). */
  async resolve(id: string, action: ModerationAction, note: string, admin: string, now: number): Promise<AdminResolveResponse> {
    const r = await this.get(id);
    if (r.status !== 'open') throw new SottoError('CONFLICT', `report ${id} is already resolved`);
    if (action === 'suspend') await this.d.admin.setAccountStatus(r.reportedAccount, 'suspended');
    if (!(await this.d.store.resolveReport(id, action, admin, note, now)))
      throw new SottoError('CONFLICT', `report ${id} is already resolved`);
    if (action === 'warn')
      await this.d.store.addNotice({
        id: this.d.newId(),
        account: r.reportedAccount,
        kind: 'warning',
        text: warningText(this.d.domain),
        createdAt: now,
        readAt: null,
      });
    await this.d.log.append(now, admin, `resolve:${action}`, { reportId: id, account: r.reportedAccount }, { note });
    return { id, status: 'resolved', action };
  }

  /** The signed evidence package of a report's verified messages. */
  async evidence(id: string, admin: string, now: number): Promise<EvidencePackage> {
    const r = await this.get(id);
    if (r.kind !== 'report') throw new SottoError('CONFLICT', `${id} is a signals item: it holds no messages`);
    if (r.contentDeletedAt !== null) throw new SottoError('CONFLICT', `the content of report ${id} was deleted by retention`);
    const messages = await this.d.store.reportMessages(id);
    const attachments = new Map<number, Uint8Array>();
    for (const m of messages) if (m.verified && m.attachment?.file) attachments.set(m.idx, await this.d.files.read(id, m.attachment.file));
    const pkg = buildEvidence({ report: r, messages, attachments, domain: this.d.domain, key: this.d.signingKey(), now });
    await this.d.log.append(now, admin, 'evidence-export', { reportId: id, account: r.reportedAccount }, { manifest: pkg.manifest.report });
    return pkg;
  }

  /**
   * Puts a "flagged by metadata signals" item in the queue (called by the abuse-signals detector): one open item per
   * account, which a new flag updates with the signals that tripped.
   */
  async flagAccount(account: string, signals: Array<{ signal: string; value: number; threshold: number }>, now: number): Promise<void> {
    const list: AdminSignal[] = signals.map((s) => ({ signal: s.signal, value: s.value, threshold: s.threshold }));
    const open = await this.d.store.openSignalsItem(account);
    let id = open?.id;
    if (open) await this.d.store.updateSignals(open.id, list, now);
    else {
      id = this.d.newId();
      await this.d.store.insertReport(
        {
          id,
          kind: 'signals',
          reportedAccount: account,
          reporterAccount: null,
          reporterDevice: null,
          groupId: null,
          category: null,
          reason: '',
          signals: list,
          verified: false,
          ...openItem(now),
        },
        [],
      );
    }
    await this.d.log.append(now, SIGNALS_ACTOR, 'flag', { reportId: id, account }, { signals: list });
  }

  /**
   * Retention: deletes the reported content (content, text, keys, stamps, attachment files) of reports resolved more
   * than moderation.resolvedRetentionDays ago; the row stays with its verdict and hashes. Returns how many.
   */
  async deleteExpiredContent(now: number): Promise<number> {
    const due = await this.d.store.resolvedWithContentBefore(now - this.d.resolvedRetentionDays * DAY_MS);
    for (const r of due) {
      await this.d.files.removeReport(r.id);
      await this.d.store.deleteReportContent(r.id, now);
      await this.d.log.append(now, RETENTION_ACTOR, 'content-deleted', { reportId: r.id, account: r.reportedAccount }, {});
    }
    return due.length;
  }

  /** The account's unread notices, marked read by this call. */
  async takeNotices(account: string, now: number): Promise<Notice[]> {
    return (await this.d.store.takeNotices(account, now)).map((n) => ({ id: n.id, kind: n.kind, text: n.text, at: n.createdAt }));
  }

  serverKey(): ServerKeyResponse {
    return { domain: this.d.domain, publicKey: this.d.signingKey().publicKeyBase64 };
  }

  /** The moderation log's head (seq and hash), which commits to every entry before it. */
  logHead(): Promise<{ seq: number; hash: string }> {
    return this.d.log.head();
  }

  private async get(id: string): Promise<ReportRecord> {
    const r = await this.d.store.getReport(id);
    if (!r) throw new SottoError('NOT_FOUND', `no report ${id}`);
    return r;
  }
}

function summaryOf(r: ReportRecord): AdminReportSummary {
  return {
    id: r.id,
    kind: r.kind,
    reportedAccount: r.reportedAccount,
    reporterAccount: r.reporterAccount,
    category: r.category,
    verified: r.verified,
    createdAt: r.createdAt,
    status: r.status,
  };
}

function messageView(m: ReportMessageRecord): AdminReportMessage {
  const a = m.attachment;
  return {
    senderDevice: m.senderDevice,
    senderAccount: m.senderAccount,
    receivedAt: m.receivedAt,
    verified: m.verified,
    failure: m.failure,
    contentType: m.content === null ? null : m.contentType,
    text: m.text,
    attachment:
      a === null ? null : { fileName: a.fileName ?? '', mimeType: a.mimeType ?? '', size: a.size, held: a.file !== null, sha256: a.sha256 },
  };
}
