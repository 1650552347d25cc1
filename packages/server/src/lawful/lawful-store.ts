// The lawful-request store port (docs/for-law-enforcement.md): the register's requests, the preservation holds and the
// hash-chained request log. It only stores: the rules live in the register (register.ts). Every change is one call,
// applied atomically with the log entries it appends. Implemented by SqliteLawfulStore and MemoryLawfulStore (its
// in-memory twin for tests); one contract test runs both.
import type {
  LawfulDecision,
  LogHead,
  LawfulInstrument,
  LawfulStatus,
  RequestCategory,
  RequestLogEntry,
  RequestLogEvent,
  RequestLogPublic,
} from '@sotto/protocol';
import type { NoticeRecord } from '../moderation/moderation-store.js';

export interface Signoff {
  admin: string;
  at: number;
  note: string;
}

export interface LawfulRecord {
  id: string;
  instrument: LawfulInstrument;
  authority: string;
  country: string;
  reference: string;
  receivedAt: number;
  dueAt: number | null;
  accounts: string[];
  categories: RequestCategory[];
  noticeDelayUntil: number | null;
  follows: string | null;
  note: string;
  receivedBy: string;
  status: LawfulStatus;
  decision: LawfulDecision | null;
  /** For a partial decision: the categories disclosed. */
  disclosed: RequestCategory[] | null;
  reason: string;
  decidedBy: Signoff | null;
  secondApproval: Signoff | null;
  secondApprovalDueAt: number | null;
  /** When the missing second approval was flagged in the log (once). */
  flaggedAt: number | null;
  review: (Signoff & { justified: boolean }) | null;
  answeredAt: number | null;
  answerSha256: string | null;
  noticeDueAt: number | null;
  noticeGivenAt: number | null;
  /** Incremented by every change: the compare-and-set token of updateRequest. */
  version: number;
}

export type HoldDeletedWhy = 'expired' | 'released' | 'answered';

export interface HoldRecord {
  id: string;
  requestId: string;
  accounts: string[];
  custodians: string[];
  threshold: number;
  createdAt: number;
  expiresAt: number;
  extended: boolean;
  /** nonce || AES-256-GCM ciphertext || tag of the snapshot; null once the hold is deleted. */
  sealed: Uint8Array | null;
  /** SHA-256 (hex) of each custodian's share, in custodian order (to tell a share of another hold); null once deleted. */
  shareHashes: string[] | null;
  /** Rows preserved per table (counts only; kept after deletion for the record). */
  rows: Record<string, number>;
  deletedAt: number | null;
  deletedWhy: HoldDeletedWhy | null;
}

/** A request-log entry as stored: the public entry plus its private part (canonical JSON) and the salt of its digest. */
export interface StoredLogEntry extends RequestLogEntry {
  /** Canonical JSON of the private part: exact time, acting admin, and the names, references and reasons. */
  private: string;
  salt: string;
}

/** What the register asks the log to append; the store chains it under its current head. */
export interface LogInput {
  at: number;
  request: string;
  event: RequestLogEvent;
  public: RequestLogPublic;
  private: Record<string, unknown>;
  /** Hex of 16 random bytes (from the composition root's randomness). */
  salt: string;
}

export interface LawfulChange {
  insertRequest?: LawfulRecord;
  /** Written only if the stored record still has `expectVersion` (else the change is refused: 'conflict'). */
  updateRequest?: { next: LawfulRecord; expectVersion: number };
  insertHold?: HoldRecord;
  updateHold?: HoldRecord;
  /** Notices to the named accounts (the moderation store's notices table, read by GET /v1/notices). */
  notices?: NoticeRecord[];
  log: LogInput[];
}

export interface LawfulStore {
  /** Applies a change and appends its log entries atomically; 'conflict' (and nothing written) on a stale update. */
  apply(change: LawfulChange): Promise<'ok' | 'conflict'>;
  getRequest(id: string): Promise<LawfulRecord | undefined>;
  /** Newest first (by received time). */
  listRequests(): Promise<LawfulRecord[]>;
  getHold(id: string): Promise<HoldRecord | undefined>;
  holdsOf(requestId: string): Promise<HoldRecord[]>;
  /** Holds still held whose expiry is at or before `now`. */
  expiredHolds(now: number): Promise<HoldRecord[]>;
  /** Requests whose user notice is due (noticeDueAt <= now) and not given yet. */
  noticesDue(now: number): Promise<LawfulRecord[]>;
  /** Emergency requests decided for disclosure, without a second approval, past its due time, not flagged yet. */
  unapprovedEmergencies(now: number): Promise<LawfulRecord[]>;
  /** The whole request log, seq order, with the private parts. */
  logEntries(): Promise<StoredLogEntry[]>;
  /** The last entry's seq and hash, read alone (undefined: the log is empty). */
  logHead(): Promise<LogHead | undefined>;
}
