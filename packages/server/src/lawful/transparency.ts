// The transparency side of the lawful-request register (docs/for-law-enforcement.md): the signed head of the request log
// and the moderation log served at /.well-known/sotto/transparency, and the signed transparency report of a period with
// its counts (contract: @sotto/protocol lawful.ts). Built from injected sources only: it reads no store and no clock.
import {
  countRequests,
  GENESIS_HEX,
  type LogHead,
  parsePeriod,
  type ReportPeriod,
  type RequestLogEntry,
  type RequestLogPublic,
  TRANSPARENCY_HEAD_FORMAT,
  TRANSPARENCY_REPORT_FORMAT,
  type TransparencyHead,
  transparencyHeadSigningInput,
  type TransparencyReport,
  transparencyReportSigningInput,
  verifyRequestLog,
} from '@sotto/protocol';
import { SottoError } from '../errors.js';
import { verifyModerationLog } from '../moderation/moderation-log.js';
import type { Moderation } from '../moderation/moderation.js';
import type { LogEntry } from '../moderation/moderation-store.js';
import type { SigningKey } from '../moderation/signing-key.js';
import { countModeration, moderationHeadOf } from './moderation-counts.js';

export { renderMarkdown } from './transparency-markdown.js';
export { verifyTransparencyReport } from './transparency-verify.js';

export interface TransparencyDeps {
  /** The whole public request log, in seq order. */
  requestLog: () => Promise<RequestLogEntry[]>;
  /** The whole moderation log, in seq order. */
  moderationLog: () => Promise<LogEntry[]>;
  /** The moderation log's head alone, read without the entries (default: the last of moderationLog()). */
  moderationHead?: () => Promise<LogHead>;
  /** The request log's head alone (default: the last of requestLog()). */
  requestHead?: () => Promise<LogHead>;
  /** The server's Ed25519 signing key (the one served at GET /v1/server-key). */
  key: () => SigningKey;
  domain: string;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const sameHead = (a: LogHead, b: LogHead) => a.seq === b.seq && a.hash === b.hash;
const tipOf = (entries: readonly RequestLogEntry[]): LogHead => {
  const last = entries[entries.length - 1];
  return last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS_HEX };
};
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

/** The period of an id, or VALIDATION (the message names the accepted forms). */
export function periodOf(id: string): ReportPeriod {
  try {
    return parsePeriod(id);
  } catch (e) {
    throw new SottoError('VALIDATION', (e as Error).message);
  }
}

/** Only the public fields of an entry, copied: whatever else a source attaches never reaches a report. */
function publicEntry(e: RequestLogEntry): RequestLogEntry {
  const p = e.public;
  const pub: RequestLogPublic = { instrument: p.instrument, country: p.country };
  if (p.accounts !== undefined) pub.accounts = p.accounts;
  if (p.decision !== undefined) pub.decision = p.decision;
  if (p.inTime !== undefined) pub.inTime = p.inTime;
  if (p.flag !== undefined) pub.flag = p.flag;
  if (p.justified !== undefined) pub.justified = p.justified;
  if (p.why !== undefined) pub.why = p.why;
  return {
    seq: e.seq,
    month: e.month,
    request: e.request,
    event: e.event,
    public: pub,
    privateDigest: e.privateDigest,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

export class Transparency {
  #head: TransparencyHead | undefined;

  constructor(private readonly d: TransparencyDeps) {}

  /**
   * The signed head of both logs, signed at `now`. The last signed head is served again while neither log has grown,
   * so the public endpoint does not sign on every request; both chains are verified before anything new is signed.
   */
  async head(now: number): Promise<TransparencyHead> {
    // Only the two heads are read while the cached signature still covers them: the public endpoint stays cheap.
    const requestTip = this.d.requestHead ? await this.d.requestHead() : tipOf(await this.d.requestLog());
    const moderationTip = this.d.moderationHead ? await this.d.moderationHead() : moderationHeadOf(await this.d.moderationLog());
    const cached = this.#head;
    if (cached && sameHead(cached.requestLog, requestTip) && sameHead(cached.moderationLog, moderationTip)) return cached;

    const requestLog = verifiedRequestHead(await this.d.requestLog());
    const moderationLog = verifiedModerationHead(await this.d.moderationLog());
    const key = this.d.key();
    const body: Omit<TransparencyHead, 'signature'> = {
      format: TRANSPARENCY_HEAD_FORMAT,
      domain: this.d.domain,
      publicKey: key.publicKeyBase64,
      at: now,
      requestLog,
      moderationLog,
    };
    const head: TransparencyHead = { ...body, signature: b64(key.sign(transparencyHeadSigningInput(body))) };
    this.#head = head;
    return head;
  }

  /**
   * The signed report of a period (2026H2, 2026Q3): the whole public request log with its head, the request counts of
   * the period recomputable from those entries, the moderation counts of the period and the moderation log's head. A
   * period that has not started is refused; one still running is counted up to `now`.
   */
  async report(periodId: string, now: number): Promise<TransparencyReport> {
    const period = periodOf(periodId);
    if (period.from > now)
      throw new SottoError('VALIDATION', `the period ${period.id} has not started yet (it starts ${iso(period.from)})`);
    const entries = (await this.d.requestLog()).map(publicEntry);
    const requestHead = verifiedRequestHead(entries);
    const moderation = await this.d.moderationLog();
    const moderationHead = verifiedModerationHead(moderation);
    const key = this.d.key();
    const body: Omit<TransparencyReport, 'signature'> = {
      format: TRANSPARENCY_REPORT_FORMAT,
      server: { domain: this.d.domain, publicKey: key.publicKeyBase64 },
      period,
      generatedAt: now,
      requestLog: { head: requestHead, entries },
      moderationLog: { head: moderationHead },
      requests: countRequests(entries, period),
      moderation: countModeration(moderation, period),
    };
    return { ...body, signature: b64(key.sign(transparencyReportSigningInput(body))) };
  }
}

/** The request log's head, after its chain verified from genesis; a broken chain is never signed. */
function verifiedRequestHead(entries: readonly RequestLogEntry[]): LogHead {
  const check = verifyRequestLog(entries);
  if (!check.ok)
    throw new SottoError(
      'INTERNAL',
      `the request log's hash chain is broken at entry ${check.seq} (${check.problem}): refusing to sign its head`,
    );
  return check.head;
}

/** The moderation log's head, after its chain verified from genesis; a broken chain is never signed. */
function verifiedModerationHead(entries: readonly LogEntry[]): LogHead {
  const check = verifyModerationLog(entries);
  if (!check.ok)
    throw new SottoError(
      'INTERNAL',
      `the moderation log's hash chain is broken at entry ${check.seq} (${check.problem}): refusing to sign its head`,
    );
  return { seq: check.entries, hash: check.head };
}

/**
 * The Transparency of a server's moderation graph and a source of the public request log: the server (server.ts) and
 * the admin commands (cli.ts) build it the same way.
 */
export function transparencyFor(
  moderation: Pick<Moderation, 'log' | 'signingKey'>,
  domain: string,
  requestLog: () => Promise<RequestLogEntry[]>,
  requestHead?: () => Promise<LogHead>,
): Transparency {
  return new Transparency({
    requestLog,
    ...(requestHead ? { requestHead } : {}),
    moderationLog: () => moderation.log.entries(),
    moderationHead: () => moderation.log.head(),
    key: moderation.signingKey,
    domain,
  });
}
