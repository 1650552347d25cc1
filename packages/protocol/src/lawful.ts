// Lawful requests (docs/for-law-enforcement.md): the register's admin API bodies, the public request log and its hash
// chain, the signed head at /.well-known/sotto/transparency, and the transparency report with the counts computed from
// the log. Defined once here for the server that writes them, the offline verifier and the web app's /admin pages.
import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalJson, sha256Hex } from './evidence.js';
import { INVENTORY_CATEGORIES, type InventoryCategory } from './inventory.js';
import { array, boolean, count, type JsonObject, object, oneOf, string, strings } from './read.js';
import { WireError } from './wire-error.js';

const B = 'body';
const nullable = <T>(o: JsonObject, key: string, read: () => T): T | null => (o[key] === null ? null : read());

/**
 * The legal instrument a request arrives under. mlat: mutual legal assistance (a foreign authority, through the
 * operator's own authorities); domestic-order: a court order or warrant of the operator's jurisdiction; direct-request:
 * a foreign authority writing directly (answered only where the law allows it); emergency: disclosure to prevent an
 * imminent threat to life; preservation: keep what exists until an order arrives (nothing is disclosed).
 */
export const LAWFUL_INSTRUMENTS = ['mlat', 'domestic-order', 'direct-request', 'emergency', 'preservation'] as const;
export type LawfulInstrument = (typeof LAWFUL_INSTRUMENTS)[number];

/** Data a request may ask for that the server does not hold; the answer says so in so many words. */
export const NOT_HELD_CATEGORIES = [
  'message-content',
  'attachment-content',
  'private-keys',
  'group-names',
  'contact-lists',
  'ip-addresses',
  'phone-email',
] as const;
export type NotHeldCategory = (typeof NOT_HELD_CATEGORIES)[number];

/** What a request may ask for: the inventory's categories (held) and the categories the server does not hold. */
export const REQUEST_CATEGORIES = [...INVENTORY_CATEGORIES, ...NOT_HELD_CATEGORIES] as const;
export type RequestCategory = InventoryCategory | NotHeldCategory;

/** disclose: all the data asked for that exists; partial: some of it (the reason says what and why); reject: none. */
export const LAWFUL_DECISIONS = ['disclose', 'partial', 'reject'] as const;
export type LawfulDecision = (typeof LAWFUL_DECISIONS)[number];

/** received: logged, not decided; decided: a decision (or a preservation hold) awaits its signed answer; answered. */
export const LAWFUL_STATUSES = ['received', 'decided', 'answered'] as const;
export type LawfulStatus = (typeof LAWFUL_STATUSES)[number];

/**
 * What needs attention, computed from the record and the clock. second-approval-overdue: an emergency disclosure without
 * a second approver within lawful.emergencyApprovalHours; review-pending: an answered emergency disclosure not yet
 * reviewed; overdue: past its due date unanswered.
 */
export const LAWFUL_FLAGS = ['second-approval-overdue', 'review-pending', 'overdue'] as const;
export type LawfulFlag = (typeof LAWFUL_FLAGS)[number];

export const COUNTRY_CODE = /^[A-Z]{2}$/;
export const MAX_REQUEST_ACCOUNTS = 50;
export const MAX_LAWFUL_TEXT = 2000;
/** Authority, reference and custodian names. */
export const MAX_LAWFUL_NAME = 200;

/** POST /v1/admin/requests. Times are ms since the epoch. */
export interface LawfulIntake {
  instrument: LawfulInstrument;
  authority: string;
  /** ISO 3166-1 alpha-2 of the requesting authority. */
  country: string;
  /** The authority's own reference (case number). */
  reference: string;
  /** When the request arrived (default: now). */
  receivedAt?: number;
  /** When the authority wants an answer. */
  dueAt?: number | null;
  accounts: string[];
  categories: RequestCategory[];
  /** A court-ordered delay of the user notice, with its expiry: no notice before then. */
  noticeDelayUntil?: number | null;
  /** The preservation request this one follows up (its hold is opened for the answer, then deleted). */
  follows?: string | null;
  note?: string;
}

export interface LawfulSignoff {
  admin: string;
  at: number;
  note: string;
}

/** One row of GET /v1/admin/requests. */
export interface LawfulRequestSummary {
  id: string;
  instrument: LawfulInstrument;
  authority: string;
  country: string;
  reference: string;
  receivedAt: number;
  dueAt: number | null;
  accounts: string[];
  status: LawfulStatus;
  decision: LawfulDecision | null;
  flags: LawfulFlag[];
}

export interface LawfulHoldSummary {
  id: string;
  requestId: string;
  accounts: string[];
  custodians: string[];
  threshold: number;
  createdAt: number;
  expiresAt: number;
  /** A hold may be extended once, by the same period. */
  extended: boolean;
  /** When it was deleted (expired, released or opened for an answer); null while held. */
  deletedAt: number | null;
  deletedWhy: 'expired' | 'released' | 'answered' | null;
}

/** GET /v1/admin/requests/:id */
export interface LawfulRequestDetail extends LawfulRequestSummary {
  categories: RequestCategory[];
  noticeDelayUntil: number | null;
  follows: string | null;
  note: string;
  receivedBy: string;
  decisionBy: LawfulSignoff | null;
  /** The decision's reason (required for every decision). */
  reason: string;
  /** Emergency only: the second approver, and by when one is needed. */
  secondApproval: LawfulSignoff | null;
  secondApprovalDueAt: number | null;
  /** Emergency only: the review after the fact; `justified` is the reviewer's verdict. */
  review: (LawfulSignoff & { justified: boolean }) | null;
  answeredAt: number | null;
  /** SHA-256 (hex) of the signed answer package, as it was handed over. */
  answerSha256: string | null;
  /** When the named accounts are told (null: not scheduled yet, i.e. not answered). */
  noticeDueAt: number | null;
  noticeGivenAt: number | null;
  holds: LawfulHoldSummary[];
}

export interface LawfulRequestList {
  requests: LawfulRequestSummary[];
}

/** POST /v1/admin/requests/:id/decide */
export interface LawfulDecideRequest {
  decision: LawfulDecision;
  reason: string;
  /** For `partial`: the categories disclosed, among those asked for. */
  categories?: RequestCategory[];
}

/** POST /v1/admin/requests/:id/approve (emergency) and /review (emergency, after the answer). */
export interface LawfulApproveRequest {
  note: string;
}
export interface LawfulReviewRequest {
  note: string;
  justified: boolean;
}

/** POST /v1/admin/requests/:id/preserve: the custodians' names and how many of them are needed to open the snapshot. */
export interface LawfulPreserveRequest {
  custodians: string[];
  threshold: number;
}

/** A custodian's share of a hold's key, shown once: `sotto-share/v1:<hold id>:<x>:<base64>`. */
export interface CustodianShare {
  custodian: string;
  share: string;
}

export interface LawfulPreserveResponse {
  hold: LawfulHoldSummary;
  shares: CustodianShare[];
}

/** POST /v1/admin/requests/:id/answer: custodian shares, when the answer opens a preservation hold. */
export interface LawfulAnswerRequest {
  shares?: string[];
}

export const MIN_CUSTODIANS = 2;
export const MAX_CUSTODIANS = 10;
export const SHARE_PREFIX = 'sotto-share/v1';

// ---------------------------------------------------------------------------------------------------------------------
// The request log. Each register event appends an entry. Its public part (month, request id, event, and the public
// fields below) is what a transparency report publishes; the private part (exact time, acting admin, authority,
// reference, accounts, reasons) stays with the operator and enters the chain as a salted SHA-256 digest. Entry n's hash
// is SHA-256(hash of entry n-1 || UTF-8 of canonicalJson({seq, month, request, event, public, privateDigest})); the
// first entry chains from 32 zero bytes.

export const REQUEST_LOG_EVENTS = [
  'received',
  'decided',
  'second-approval',
  'flagged',
  'reviewed',
  'answered',
  'preserved',
  'hold-extended',
  'hold-deleted',
  'notice-given',
] as const;
export type RequestLogEvent = (typeof REQUEST_LOG_EVENTS)[number];

/** The public fields of an entry: counts and classes only, never a name, reference or account. */
export interface RequestLogPublic {
  instrument: LawfulInstrument;
  country: string;
  /** received: accounts named; answered: accounts whose data was disclosed; notice-given: accounts told. */
  accounts?: number;
  decision?: LawfulDecision;
  /** second-approval: whether it came within lawful.emergencyApprovalHours. */
  inTime?: boolean;
  /** flagged: which flag. */
  flag?: LawfulFlag;
  /** reviewed: the reviewer's verdict. */
  justified?: boolean;
  /** hold-deleted: why. */
  why?: 'expired' | 'released' | 'answered';
}

export interface RequestLogEntry {
  seq: number;
  /** UTC month of the event, YYYY-MM: the finest time a published entry shows. */
  month: string;
  /** The request's id (random, assigned by the register). */
  request: string;
  event: RequestLogEvent;
  public: RequestLogPublic;
  /** SHA-256 (hex) of the private part with its salt. */
  privateDigest: string;
  /** SHA-256 (hex) of the entry before (64 zeros for the first). */
  prevHash: string;
  hash: string;
}

export const GENESIS_HEX = '0'.repeat(64);

const hexBytes = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
const HEX64 = /^[0-9a-f]{64}$/;

/** The chained fields of an entry, in a fixed shape. */
export function requestLogFields(e: Omit<RequestLogEntry, 'prevHash' | 'hash'>): Omit<RequestLogEntry, 'prevHash' | 'hash'> {
  return { seq: e.seq, month: e.month, request: e.request, event: e.event, public: e.public, privateDigest: e.privateDigest };
}

/** SHA-256(prev hash bytes || canonical entry), hex. */
export function requestLogHash(prevHash: string, e: Omit<RequestLogEntry, 'prevHash' | 'hash'>): string {
  if (!HEX64.test(prevHash)) throw new TypeError('prevHash must be 64 lowercase hex digits');
  const body = new TextEncoder().encode(canonicalJson(requestLogFields(e)));
  const input = new Uint8Array(32 + body.length);
  input.set(hexBytes(prevHash), 0);
  input.set(body, 32);
  return Array.from(sha256(input), (x) => x.toString(16).padStart(2, '0')).join('');
}

/** SHA-256 (hex) of salt (hex) || canonicalJson(private part): the digest that ties the private part into the chain. */
export function privateDigest(saltHex: string, priv: unknown): string {
  return sha256Hex(`${saltHex}:${canonicalJson(priv)}`);
}

export type ChainCheck = { ok: true; head: LogHead } | { ok: false; seq: number; problem: string };

/** Checks a log from its first entry: consecutive seq from 1, each prevHash the hash before, each hash recomputed. */
export function verifyRequestLog(entries: readonly RequestLogEntry[]): ChainCheck {
  let prev = GENESIS_HEX;
  for (const [i, e] of entries.entries()) {
    if (e.seq !== i + 1) return { ok: false, seq: e.seq, problem: `expected seq ${i + 1}` };
    if (e.prevHash !== prev) return { ok: false, seq: e.seq, problem: 'prevHash is not the hash of the entry before' };
    let h: string;
    try {
      h = requestLogHash(prev, e);
    } catch (err) {
      return { ok: false, seq: e.seq, problem: (err as Error).message };
    }
    if (e.hash !== h) return { ok: false, seq: e.seq, problem: 'hash does not match the entry' };
    prev = h;
  }
  return { ok: true, head: { seq: entries.length, hash: prev } };
}

export interface LogHead {
  seq: number;
  /** Hex; the genesis (64 zeros) for an empty log. */
  hash: string;
}

// ---------------------------------------------------------------------------------------------------------------------
// The signed head at GET /.well-known/sotto/transparency (public): the request log's head and the moderation log's
// head, signed with the server's Ed25519 key (GET /v1/server-key). Anyone who fetches it now and then holds heads that a
// later report must extend.

export const TRANSPARENCY_HEAD_FORMAT = 'sotto-transparency-head/v1';

export interface TransparencyHead {
  format: typeof TRANSPARENCY_HEAD_FORMAT;
  domain: string;
  publicKey: string;
  /** When these heads were signed. */
  at: number;
  requestLog: LogHead;
  moderationLog: LogHead;
  /** Ed25519 over transparencyHeadSigningInput(head). */
  signature: string;
}

export function transparencyHeadSigningInput(h: Omit<TransparencyHead, 'signature'>): Uint8Array {
  const { format, domain, publicKey, at, requestLog, moderationLog } = h;
  return new TextEncoder().encode(`${format}\n${canonicalJson({ domain, publicKey, at, requestLog, moderationLog })}`);
}

function head(o: JsonObject, key: string, p: string): LogHead {
  const x = object(o[key], `${p}.${key}`);
  const hash = string(x, 'hash', `${p}.${key}`);
  if (!HEX64.test(hash)) throw new WireError(`${p}.${key}.hash`, '64 hex digits');
  return { seq: count(x, 'seq', `${p}.${key}`), hash };
}

export function decodeTransparencyHead(v: unknown): TransparencyHead {
  const o = object(v, B);
  if (o.format !== TRANSPARENCY_HEAD_FORMAT) throw new WireError(`${B}.format`, TRANSPARENCY_HEAD_FORMAT);
  return {
    format: TRANSPARENCY_HEAD_FORMAT,
    domain: string(o, 'domain', B),
    publicKey: string(o, 'publicKey', B),
    at: count(o, 'at', B),
    requestLog: head(o, 'requestLog', B),
    moderationLog: head(o, 'moderationLog', B),
    signature: string(o, 'signature', B),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The transparency report (`sotto-server admin transparency-report --period 2026H2`). Its request counts are computed
// from the public log entries it carries (countRequests, below), so anyone can recount them and recompute the chain up
// to the head it commits to; the moderation counts come from the moderation log, whose head it also commits to.

export const TRANSPARENCY_REPORT_FORMAT = 'sotto-transparency-report/v1';

/** A half-year (2026H1, 2026H2) or a quarter (2026Q3). Bounds in UTC ms, `to` exclusive. */
export interface ReportPeriod {
  id: string;
  from: number;
  to: number;
  /** The months it spans, YYYY-MM. */
  months: string[];
}

export function parsePeriod(id: string): ReportPeriod {
  const m = /^(\d{4})(H[12]|Q[1-4])$/.exec(id);
  if (!m) throw new RangeError(`a period is YYYYH1, YYYYH2 or YYYYQ1..4 (got ${JSON.stringify(id)})`);
  const year = Number(m[1]);
  const part = m[2] as string;
  const firstMonth = part[0] === 'H' ? (Number(part[1]) - 1) * 6 : (Number(part[1]) - 1) * 3;
  const n = part[0] === 'H' ? 6 : 3;
  const months = Array.from({ length: n }, (_, i) => `${year}-${String(firstMonth + i + 1).padStart(2, '0')}`);
  return { id, from: Date.UTC(year, firstMonth, 1), to: Date.UTC(year, firstMonth + n, 1), months };
}

export function monthOf(t: number): string {
  return new Date(t).toISOString().slice(0, 7);
}

export interface CountRow {
  country: string;
  instrument: LawfulInstrument;
  /** The request's last decision; `pending` when none yet, `preserved` for a preservation request with a hold. */
  outcome: LawfulDecision | 'pending' | 'preserved';
  requests: number;
}

export interface RequestCounts {
  /** Requests received in the period. */
  received: number;
  /** By country, instrument and outcome (the outcome as of the report's head). */
  rows: CountRow[];
  /** Accounts named in the requests received in the period (a person named twice counts twice). */
  accountsNamed: number;
  /** Accounts whose data was disclosed in answers given in the period. */
  accountsDisclosed: number;
  holds: { placed: number; extended: number; expired: number; released: number; openedForAnswer: number };
  emergency: {
    disclosures: number;
    secondApprovalInTime: number;
    secondApprovalLate: number;
    flaggedWithoutSecondApproval: number;
    reviewed: number;
    reviewedNotJustified: number;
  };
  /** Accounts told of a request in the period. */
  noticesGiven: number;
}

export interface ModerationCounts {
  reportsReceived: number;
  reportsVerified: number;
  signalItems: number;
  resolved: { dismiss: number; warn: number; suspend: number };
  evidenceExports: number;
}

/** The request counts of a period, from the public log entries alone (the generator and every verifier use this). */
export function countRequests(entries: readonly RequestLogEntry[], period: ReportPeriod): RequestCounts {
  const inPeriod = (e: RequestLogEntry) => period.months.includes(e.month);
  const received = new Map<string, RequestLogPublic>();
  const outcome = new Map<string, CountRow['outcome']>();
  const c: RequestCounts = {
    received: 0,
    rows: [],
    accountsNamed: 0,
    accountsDisclosed: 0,
    holds: { placed: 0, extended: 0, expired: 0, released: 0, openedForAnswer: 0 },
    emergency: {
      disclosures: 0,
      secondApprovalInTime: 0,
      secondApprovalLate: 0,
      flaggedWithoutSecondApproval: 0,
      reviewed: 0,
      reviewedNotJustified: 0,
    },
    noticesGiven: 0,
  };
  for (const e of entries) {
    // Outcomes are followed to the head for requests received in the period, whenever they were decided.
    if (e.event === 'decided' && e.public.decision) outcome.set(e.request, e.public.decision);
    if (e.event === 'preserved' && !outcome.has(e.request)) outcome.set(e.request, 'preserved');
    if (!inPeriod(e)) continue;
    const p = e.public;
    switch (e.event) {
      case 'received':
        c.received++;
        c.accountsNamed += p.accounts ?? 0;
        received.set(e.request, p);
        break;
      case 'answered':
        c.accountsDisclosed += p.accounts ?? 0;
        if (p.instrument === 'emergency' && (p.decision === 'disclose' || p.decision === 'partial')) c.emergency.disclosures++;
        break;
      case 'second-approval':
        if (p.inTime) c.emergency.secondApprovalInTime++;
        else c.emergency.secondApprovalLate++;
        break;
      case 'flagged':
        if (p.flag === 'second-approval-overdue') c.emergency.flaggedWithoutSecondApproval++;
        break;
      case 'reviewed':
        c.emergency.reviewed++;
        if (p.justified === false) c.emergency.reviewedNotJustified++;
        break;
      case 'preserved':
        c.holds.placed++;
        break;
      case 'hold-extended':
        c.holds.extended++;
        break;
      case 'hold-deleted':
        if (p.why === 'expired') c.holds.expired++;
        else if (p.why === 'released') c.holds.released++;
        else if (p.why === 'answered') c.holds.openedForAnswer++;
        break;
      case 'notice-given':
        c.noticesGiven += p.accounts ?? 0;
        break;
      case 'decided':
        break;
    }
  }
  const rows = new Map<string, CountRow>();
  for (const [id, p] of received) {
    const o = outcome.get(id) ?? 'pending';
    const key = `${p.country}|${p.instrument}|${o}`;
    const row = rows.get(key) ?? { country: p.country, instrument: p.instrument, outcome: o, requests: 0 };
    row.requests++;
    rows.set(key, row);
  }
  c.rows = [...rows.values()].sort(
    (a, b) => a.country.localeCompare(b.country) || a.instrument.localeCompare(b.instrument) || a.outcome.localeCompare(b.outcome),
  );
  return c;
}

export interface TransparencyReport {
  format: typeof TRANSPARENCY_REPORT_FORMAT;
  server: { domain: string; publicKey: string };
  period: ReportPeriod;
  generatedAt: number;
  /** The whole public request log up to its head at generation time. */
  requestLog: { head: LogHead; entries: RequestLogEntry[] };
  /** The moderation log's head at generation time (its entries name accounts and stay with the operator). */
  moderationLog: { head: LogHead };
  requests: RequestCounts;
  moderation: ModerationCounts;
  /** Ed25519 over transparencyReportSigningInput(report without signature). */
  signature: string;
}

export function transparencyReportSigningInput(r: Omit<TransparencyReport, 'signature'> | JsonObject): Uint8Array {
  const { signature: _s, ...rest } = r as Record<string, unknown>;
  return new TextEncoder().encode(`${TRANSPARENCY_REPORT_FORMAT}\n${canonicalJson(rest)}`);
}

function logPublic(o: JsonObject, p: string): RequestLogPublic {
  const out: RequestLogPublic = {
    instrument: oneOf(o, 'instrument', p, LAWFUL_INSTRUMENTS),
    country: string(o, 'country', p),
  };
  if (o.accounts !== undefined) out.accounts = count(o, 'accounts', p);
  if (o.decision !== undefined) out.decision = oneOf(o, 'decision', p, LAWFUL_DECISIONS);
  if (o.inTime !== undefined) out.inTime = boolean(o, 'inTime', p);
  if (o.flag !== undefined) out.flag = oneOf(o, 'flag', p, LAWFUL_FLAGS);
  if (o.justified !== undefined) out.justified = boolean(o, 'justified', p);
  if (o.why !== undefined) out.why = oneOf(o, 'why', p, ['expired', 'released', 'answered'] as const);
  return out;
}

export function decodeRequestLogEntry(v: unknown, p: string): RequestLogEntry {
  const o = object(v, p);
  return {
    seq: count(o, 'seq', p),
    month: string(o, 'month', p),
    request: string(o, 'request', p),
    event: oneOf(o, 'event', p, REQUEST_LOG_EVENTS),
    public: logPublic(object(o.public, `${p}.public`), `${p}.public`),
    privateDigest: string(o, 'privateDigest', p),
    prevHash: string(o, 'prevHash', p),
    hash: string(o, 'hash', p),
  };
}

/** Decodes a report's shape; the verifier then recomputes the chain, the counts and the signature. */
export function decodeTransparencyReport(v: unknown): TransparencyReport {
  const o = object(v, B);
  if (o.format !== TRANSPARENCY_REPORT_FORMAT) throw new WireError(`${B}.format`, TRANSPARENCY_REPORT_FORMAT);
  const server = object(o.server, `${B}.server`);
  const period = parsePeriod(string(object(o.period, `${B}.period`), 'id', `${B}.period`));
  const rl = object(o.requestLog, `${B}.requestLog`);
  const ml = object(o.moderationLog, `${B}.moderationLog`);
  return {
    format: TRANSPARENCY_REPORT_FORMAT,
    server: { domain: string(server, 'domain', `${B}.server`), publicKey: string(server, 'publicKey', `${B}.server`) },
    period,
    generatedAt: count(o, 'generatedAt', B),
    requestLog: {
      head: head(o.requestLog as JsonObject, 'head', `${B}.requestLog`),
      entries: array(rl, 'entries', `${B}.requestLog`).map((e, i) => decodeRequestLogEntry(e, `${B}.requestLog.entries[${i}]`)),
    },
    moderationLog: { head: head(ml, 'head', `${B}.moderationLog`) },
    requests: object(o.requests, `${B}.requests`) as unknown as RequestCounts,
    moderation: object(o.moderation, `${B}.moderation`) as unknown as ModerationCounts,
    signature: string(o, 'signature', B),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Decoders of the admin API bodies (the web app's /admin and tests read them).

function signoff(o: JsonObject, key: string, p: string): LawfulSignoff | null {
  return nullable(o, key, () => {
    const x = object(o[key], `${p}.${key}`);
    return { admin: string(x, 'admin', `${p}.${key}`), at: count(x, 'at', `${p}.${key}`), note: string(x, 'note', `${p}.${key}`) };
  });
}
const nCount = (o: JsonObject, key: string, p: string) => nullable(o, key, () => count(o, key, p));

function decodeSummary(o: JsonObject, p: string): LawfulRequestSummary {
  return {
    id: string(o, 'id', p),
    instrument: oneOf(o, 'instrument', p, LAWFUL_INSTRUMENTS),
    authority: string(o, 'authority', p),
    country: string(o, 'country', p),
    reference: string(o, 'reference', p),
    receivedAt: count(o, 'receivedAt', p),
    dueAt: nCount(o, 'dueAt', p),
    accounts: strings(o, 'accounts', p),
    status: oneOf(o, 'status', p, LAWFUL_STATUSES),
    decision: nullable(o, 'decision', () => oneOf(o, 'decision', p, LAWFUL_DECISIONS)),
    flags: array(o, 'flags', p).map((_, i) => oneOf(o.flags as unknown as JsonObject, String(i), `${p}.flags`, LAWFUL_FLAGS)),
  };
}

export function decodeLawfulHold(v: unknown, p: string): LawfulHoldSummary {
  const o = object(v, p);
  return {
    id: string(o, 'id', p),
    requestId: string(o, 'requestId', p),
    accounts: strings(o, 'accounts', p),
    custodians: strings(o, 'custodians', p),
    threshold: count(o, 'threshold', p),
    createdAt: count(o, 'createdAt', p),
    expiresAt: count(o, 'expiresAt', p),
    extended: boolean(o, 'extended', p),
    deletedAt: nCount(o, 'deletedAt', p),
    deletedWhy: nullable(o, 'deletedWhy', () => oneOf(o, 'deletedWhy', p, ['expired', 'released', 'answered'] as const)),
  };
}

export function decodeLawfulRequestList(v: unknown): LawfulRequestList {
  const o = object(v, B);
  return { requests: array(o, 'requests', B).map((r, i) => decodeSummary(object(r, `${B}.requests[${i}]`), `${B}.requests[${i}]`)) };
}

export function decodeLawfulRequestDetail(v: unknown): LawfulRequestDetail {
  const o = object(v, B);
  const review = nullable(o, 'review', () => {
    const x = object(o.review, `${B}.review`);
    return { ...(signoff(o, 'review', B) as LawfulSignoff), justified: boolean(x, 'justified', `${B}.review`) };
  });
  return {
    ...decodeSummary(o, B),
    categories: array(o, 'categories', B).map((_, i) =>
      oneOf(o.categories as unknown as JsonObject, String(i), `${B}.categories`, REQUEST_CATEGORIES),
    ),
    noticeDelayUntil: nCount(o, 'noticeDelayUntil', B),
    follows: nullable(o, 'follows', () => string(o, 'follows', B)),
    note: string(o, 'note', B),
    receivedBy: string(o, 'receivedBy', B),
    decisionBy: signoff(o, 'decisionBy', B),
    reason: string(o, 'reason', B),
    secondApproval: signoff(o, 'secondApproval', B),
    secondApprovalDueAt: nCount(o, 'secondApprovalDueAt', B),
    review,
    answeredAt: nCount(o, 'answeredAt', B),
    answerSha256: nullable(o, 'answerSha256', () => string(o, 'answerSha256', B)),
    noticeDueAt: nCount(o, 'noticeDueAt', B),
    noticeGivenAt: nCount(o, 'noticeGivenAt', B),
    holds: array(o, 'holds', B).map((h, i) => decodeLawfulHold(h, `${B}.holds[${i}]`)),
  };
}

export function decodeLawfulPreserveResponse(v: unknown): LawfulPreserveResponse {
  const o = object(v, B);
  return {
    hold: decodeLawfulHold(o.hold, `${B}.hold`),
    shares: array(o, 'shares', B).map((s, i) => {
      const x = object(s, `${B}.shares[${i}]`);
      return { custodian: string(x, 'custodian', `${B}.shares[${i}]`), share: string(x, 'share', `${B}.shares[${i}]`) };
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The signed answer to a request (POST /v1/admin/requests/:id/answer, `sotto-server admin requests answer`): what the
// register decided and the data the inventory yields for the named accounts, with a SHA-256 manifest of its parts and
// the server's Ed25519 signature over evidenceSigningInput(format, generatedAt, manifest), like an evidence package;
// `sotto-server verify-evidence` checks both.

export const DISCLOSURE_FORMAT = 'sotto-disclosure/v1';

/** A disclosed value: text, a number, base64 of bytes, or null. */
export type DisclosedValue = string | number | null;

export interface DisclosureTable {
  table: string;
  what: string;
  /** Column name -> what it is (from the data inventory). */
  columns: Record<string, string>;
  rows: Array<Record<string, DisclosedValue>>;
}

export interface DisclosureAccount {
  account: string;
  /** false: no such account on this server (nothing else is said about it). */
  found: boolean;
  tables: DisclosureTable[];
}

export interface DisclosureAnswer {
  /** The decision the answer carries out; `preserved` for a preservation request (nothing disclosed). */
  decision: LawfulDecision | 'preserved';
  reason: string;
  /** The data found, per account (empty when rejected or preserved). */
  accounts: DisclosureAccount[];
  /** The data preserved by the hold this request follows, as it was when the hold was placed. */
  preserved: { hold: string; at: number; accounts: DisclosureAccount[] } | null;
  /** For a preservation request: the hold placed, and how many rows it holds per table. */
  hold: { id: string; expiresAt: number; custodians: string[]; threshold: number; rows: Record<string, number> } | null;
  /** The categories asked for that the server does not hold, each with the statement why. */
  notHeld: Array<{ category: string; statement: string }>;
  /** What the server holds outside its database (its request log and the like): not searched by this answer. */
  elsewhere: string[];
}

export interface DisclosurePackage {
  format: typeof DISCLOSURE_FORMAT;
  server: { domain: string; publicKey: string };
  generatedAt: number;
  request: {
    id: string;
    instrument: LawfulInstrument;
    authority: string;
    country: string;
    reference: string;
    receivedAt: number;
    accounts: string[];
    categories: string[];
  };
  answer: DisclosureAnswer;
  /** SHA-256 (hex) of canonicalJson of each part. */
  manifest: { server: string; request: string; answer: string };
  signature: string;
}

export function decodeDisclosurePackage(v: unknown): DisclosurePackage {
  const o = object(v, B);
  if (o.format !== DISCLOSURE_FORMAT) throw new WireError(`${B}.format`, DISCLOSURE_FORMAT);
  const server = object(o.server, `${B}.server`);
  const req = object(o.request, `${B}.request`);
  const ans = object(o.answer, `${B}.answer`);
  const man = object(o.manifest, `${B}.manifest`);
  const rp = `${B}.request`;
  return {
    format: DISCLOSURE_FORMAT,
    server: { domain: string(server, 'domain', `${B}.server`), publicKey: string(server, 'publicKey', `${B}.server`) },
    generatedAt: count(o, 'generatedAt', B),
    request: {
      id: string(req, 'id', rp),
      instrument: oneOf(req, 'instrument', rp, LAWFUL_INSTRUMENTS),
      authority: string(req, 'authority', rp),
      country: string(req, 'country', rp),
      reference: string(req, 'reference', rp),
      receivedAt: count(req, 'receivedAt', rp),
      accounts: strings(req, 'accounts', rp),
      categories: strings(req, 'categories', rp),
    },
    // The answer's inside is checked by its manifest hash and the signature, not field by field.
    answer: ans as unknown as DisclosureAnswer,
    manifest: {
      server: string(man, 'server', `${B}.manifest`),
      request: string(man, 'request', `${B}.manifest`),
      answer: string(man, 'answer', `${B}.manifest`),
    },
    signature: string(o, 'signature', B),
  };
}
