// The moderation admin API (docs/moderation.md): the bodies of /v1/admin/*, GET /v1/server-key and GET /v1/notices.
// Decoders check the fields a tool reads. The evidence package is evidence.ts.
import { array, base64, boolean, count, type JsonObject, object, oneOf, string } from './read.js';
import { WireError } from './wire-error.js';

export const ADMIN_SCOPES = ['reports:read', 'reports:act', 'evidence:export', 'requests:read', 'requests:act'] as const;
export type AdminScope = (typeof ADMIN_SCOPES)[number];
/** The prefix of every admin token (a user session token never has it). */
export const ADMIN_TOKEN_PREFIX = 'sat_';

export const REPORT_STATUSES = ['open', 'resolved'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];
/** A user's report, or an item raised by metadata signals (no content). */
export const QUEUE_ITEM_KINDS = ['report', 'signals'] as const;
export type QueueItemKind = (typeof QUEUE_ITEM_KINDS)[number];
export const MODERATION_ACTIONS = ['dismiss', 'warn', 'suspend'] as const;
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];

/**
 * Why a reported message did not verify. commitment: the franking key does not open the commitment to the content;
 * stamp: the server's stamp does not cover this commitment, sender, group, reporting device and time; content: the
 * content does not decode; attachment-hash: the held blob does not hash to the committed contentHash;
 * attachment-decrypt: the blob does not decrypt under the committed contentKey.
 */
export const VERIFY_FAILURES = ['commitment', 'stamp', 'content', 'attachment-hash', 'attachment-decrypt'] as const;
export type VerifyFailure = (typeof VERIFY_FAILURES)[number];

/** One row of GET /v1/admin/reports. */
export interface AdminReportSummary {
  id: string;
  kind: QueueItemKind;
  reportedAccount: string;
  /** null for a signals item. */
  reporterAccount: string | null;
  category: string | null;
  verified: boolean;
  createdAt: number;
  status: ReportStatus;
}

export interface AdminReportList {
  reports: AdminReportSummary[];
}

/** What the server knows of a reported attachment. */
export interface AdminAttachment {
  fileName: string;
  mimeType: string;
  size: number;
  /** Whether the decrypted bytes are kept with the report (false: the blob had expired, or retention deleted them). */
  held: boolean;
  /** SHA-256 (hex) of the decrypted bytes, when they were held. */
  sha256: string | null;
}

export interface AdminReportMessage {
  senderDevice: string;
  senderAccount: string;
  receivedAt: number;
  verified: boolean;
  failure: VerifyFailure | null;
  /** The content type (text, reply, attachment, ...), null when it did not decode or was deleted by retention. */
  contentType: string | null;
  /** The message's text, null when it has none or it was deleted by retention. */
  text: string | null;
  attachment: AdminAttachment | null;
}

export interface AdminSignal {
  signal: string;
  value: number;
  threshold: number;
}

export interface AdminResolution {
  action: ModerationAction;
  note: string;
  admin: string;
  at: number;
}

export interface AdminReportDetail extends AdminReportSummary {
  groupId: string | null;
  /** The reporter's own words. */
  reason: string;
  messages: AdminReportMessage[];
  signals: AdminSignal[];
  resolution: AdminResolution | null;
  /** When retention deleted the reported content (the verdict and the hashes stay). */
  contentDeletedAt: number | null;
}

export interface AdminResolveRequest {
  action: ModerationAction;
  note: string;
}

export interface AdminResolveResponse {
  id: string;
  status: 'resolved';
  action: ModerationAction;
}

/** GET /v1/server-key: the server's Ed25519 evidence-signing key, base64 of the raw 32 bytes. */
export interface ServerKeyResponse {
  domain: string;
  publicKey: string;
}

export const NOTICE_KINDS = ['warning', 'lawful-request'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** A notice from the operator to an account (GET /v1/notices): a warning on a report, or a lawful request about the
 * account told once its gag period (or court-ordered delay) ended. */
export interface Notice {
  id: string;
  kind: NoticeKind;
  text: string;
  at: number;
}

export interface NoticesResponse {
  notices: Notice[];
}

const B = 'body';
const nullable = <T>(o: JsonObject, key: string, read: () => T): T | null => (o[key] === null ? null : read());

function decodeSummary(o: JsonObject, p: string): AdminReportSummary {
  return {
    id: string(o, 'id', p),
    kind: oneOf(o, 'kind', p, QUEUE_ITEM_KINDS),
    reportedAccount: string(o, 'reportedAccount', p),
    reporterAccount: nullable(o, 'reporterAccount', () => string(o, 'reporterAccount', p)),
    category: nullable(o, 'category', () => string(o, 'category', p)),
    verified: boolean(o, 'verified', p),
    createdAt: count(o, 'createdAt', p),
    status: oneOf(o, 'status', p, REPORT_STATUSES),
  };
}

export function decodeAdminReportList(v: unknown): AdminReportList {
  const o = object(v, B);
  return { reports: array(o, 'reports', B).map((r, i) => decodeSummary(object(r, `${B}.reports[${i}]`), `${B}.reports[${i}]`)) };
}

function decodeMessage(o: JsonObject, p: string): AdminReportMessage {
  const a = o.attachment;
  let attachment: AdminAttachment | null = null;
  if (a !== null) {
    const x = object(a, `${p}.attachment`);
    const q = `${p}.attachment`;
    attachment = {
      fileName: string(x, 'fileName', q),
      mimeType: string(x, 'mimeType', q),
      size: count(x, 'size', q),
      held: boolean(x, 'held', q),
      sha256: nullable(x, 'sha256', () => string(x, 'sha256', q)),
    };
  }
  return {
    senderDevice: string(o, 'senderDevice', p),
    senderAccount: string(o, 'senderAccount', p),
    receivedAt: count(o, 'receivedAt', p),
    verified: boolean(o, 'verified', p),
    failure: nullable(o, 'failure', () => oneOf(o, 'failure', p, VERIFY_FAILURES)),
    contentType: nullable(o, 'contentType', () => string(o, 'contentType', p)),
    text: nullable(o, 'text', () => string(o, 'text', p)),
    attachment,
  };
}

export function decodeAdminReportDetail(v: unknown): AdminReportDetail {
  const o = object(v, B);
  const r = o.resolution;
  let resolution: AdminResolution | null = null;
  if (r !== null) {
    const x = object(r, `${B}.resolution`);
    const q = `${B}.resolution`;
    resolution = {
      action: oneOf(x, 'action', q, MODERATION_ACTIONS),
      note: string(x, 'note', q),
      admin: string(x, 'admin', q),
      at: count(x, 'at', q),
    };
  }
  return {
    ...decodeSummary(o, B),
    groupId: nullable(o, 'groupId', () => base64(o, 'groupId', B)),
    reason: string(o, 'reason', B),
    messages: array(o, 'messages', B).map((m, i) => decodeMessage(object(m, `${B}.messages[${i}]`), `${B}.messages[${i}]`)),
    signals: array(o, 'signals', B).map((s, i) => {
      const x = object(s, `${B}.signals[${i}]`);
      const q = `${B}.signals[${i}]`;
      const num = (k: string) => {
        if (typeof x[k] !== 'number' || !Number.isFinite(x[k])) throw new WireError(`${q}.${k}`, 'a number');
        return x[k] as number;
      };
      return { signal: string(x, 'signal', q), value: num('value'), threshold: num('threshold') };
    }),
    resolution,
    contentDeletedAt: nullable(o, 'contentDeletedAt', () => count(o, 'contentDeletedAt', B)),
  };
}

export function decodeAdminResolveResponse(v: unknown): AdminResolveResponse {
  const o = object(v, B);
  if (o.status !== 'resolved') throw new WireError(`${B}.status`, 'resolved');
  return { id: string(o, 'id', B), status: 'resolved', action: oneOf(o, 'action', B, MODERATION_ACTIONS) };
}

export function decodeServerKeyResponse(v: unknown): ServerKeyResponse {
  const o = object(v, B);
  return { domain: string(o, 'domain', B), publicKey: base64(o, 'publicKey', B) };
}

export function decodeNoticesResponse(v: unknown): NoticesResponse {
  const o = object(v, B);
  return {
    notices: array(o, 'notices', B).map((n, i) => {
      const p = `${B}.notices[${i}]`;
      const x = object(n, p);
      return { id: string(x, 'id', p), kind: oneOf(x, 'kind', p, NOTICE_KINDS), text: string(x, 'text', p), at: count(x, 'at', p) };
    }),
  };
}
