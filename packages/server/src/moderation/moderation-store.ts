// The moderation store port (docs/moderation.md): the report queue, reported messages, reported-stamp hashes, admin
// tokens, notices and the moderation log. It only stores: the rules live in the moderation services. Implemented by
// SqliteModerationStore and by MemoryModerationStore (its in-memory twin for tests); one contract test runs both.
import type { AdminScope, AdminSignal, ModerationAction, NoticeKind, QueueItemKind, ReportStatus, VerifyFailure } from '@sotto/protocol';

/** What the server keeps of a reported attachment. `file` names the decrypted bytes under the report's directory. */
export interface StoredAttachment {
  /** null once retention deleted the report's content. */
  fileName: string | null;
  mimeType: string | null;
  size: number;
  /** SHA-256 (hex) of the decrypted bytes, when they were held. */
  sha256: string | null;
  file: string | null;
}

export interface ReportMessageRecord {
  idx: number;
  senderDevice: string;
  senderAccount: string;
  receivedAt: number;
  /** The reported franking key, content, stamp and decoded text: null once retention deleted them. */
  frankingKey: Uint8Array | null;
  content: Uint8Array | null;
  contentSha256: Uint8Array;
  commitment: Uint8Array;
  stamp: Uint8Array | null;
  stampSha256: Uint8Array;
  verified: boolean;
  failure: VerifyFailure | null;
  contentType: string | null;
  text: string | null;
  attachment: StoredAttachment | null;
}

export interface ReportRecord {
  id: string;
  kind: QueueItemKind;
  reportedAccount: string;
  reporterAccount: string | null;
  reporterDevice: string | null;
  groupId: Uint8Array | null;
  category: string | null;
  reason: string;
  signals: AdminSignal[] | null;
  verified: boolean;
  status: ReportStatus;
  createdAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  resolution: ModerationAction | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
  contentDeletedAt: number | null;
}

/** The fields every new queue item starts with: open, unresolved, its content in place. */
export function openItem(
  now: number,
): Pick<
  ReportRecord,
  'status' | 'createdAt' | 'updatedAt' | 'resolvedAt' | 'resolution' | 'resolvedBy' | 'resolutionNote' | 'contentDeletedAt'
> {
  return {
    status: 'open',
    createdAt: now,
    updatedAt: now,
    resolvedAt: null,
    resolution: null,
    resolvedBy: null,
    resolutionNote: null,
    contentDeletedAt: null,
  };
}

export interface AdminTokenRecord {
  id: string;
  name: string;
  /** SHA-256 of the whole token; the token itself is never stored. */
  tokenHash: Uint8Array;
  scopes: AdminScope[];
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface NoticeRecord {
  id: string;
  account: string;
  kind: NoticeKind;
  text: string;
  createdAt: number;
  readAt: number | null;
}

/** One moderation log entry; `hash` chains it to the entry before (moderation-log.ts). */
export interface LogEntry {
  seq: number;
  at: number;
  admin: string;
  action: string;
  reportId: string | null;
  account: string | null;
  /** Canonical JSON of the action's details (never reported content). */
  detail: string;
  prevHash: Uint8Array;
  hash: Uint8Array;
}

export interface ModerationStore {
  /**
   * Stores a report with its messages and the hashes of its stamps, atomically; 'replay' (and nothing stored) when the
   * reporting device already reported one of these stamps.
   */
  insertReport(report: ReportRecord, messages: ReportMessageRecord[]): Promise<'ok' | 'replay'>;
  getReport(id: string): Promise<ReportRecord | undefined>;
  reportMessages(id: string): Promise<ReportMessageRecord[]>;
  /** Newest first. */
  listReports(status: ReportStatus | 'all'): Promise<ReportRecord[]>;
  /** Reports filed by an account at or after `since` (the per-account rate limit). */
  countReportsSince(reporterAccount: string, since: number): Promise<number>;
  /** The open signals item of an account, if it has one. */
  openSignalsItem(account: string): Promise<ReportRecord | undefined>;
  updateSignals(id: string, signals: AdminSignal[], at: number): Promise<void>;
  /** Resolves an open item; false when it is not open (or does not exist). */
  resolveReport(id: string, action: ModerationAction, admin: string, note: string, at: number): Promise<boolean>;
  /** Resolved reports (kind 'report') resolved before `cutoff` whose content is still held. */
  resolvedWithContentBefore(cutoff: number): Promise<ReportRecord[]>;
  /** Deletes a report's content, text, keys, stamps and file names; keeps the verdict and the hashes. */
  deleteReportContent(id: string, at: number): Promise<void>;

  insertAdminToken(t: AdminTokenRecord): Promise<void>;
  getAdminToken(id: string): Promise<AdminTokenRecord | undefined>;
  listAdminTokens(): Promise<AdminTokenRecord[]>;
  /** False when there is no such token; revoking twice keeps the first time. */
  revokeAdminToken(id: string, at: number): Promise<boolean>;

  addNotice(n: NoticeRecord): Promise<void>;
  /** The account's unread notices, oldest first, marked read at `at` in the same step. */
  takeNotices(account: string, at: number): Promise<NoticeRecord[]>;

  /** Appends the entry `make` builds from the current head (undefined: empty log), atomically with reading the head. */
  appendLog(make: (head: LogEntry | undefined) => LogEntry): Promise<LogEntry>;
  logEntries(): Promise<LogEntry[]>;
  logHead(): Promise<LogEntry | undefined>;
}
