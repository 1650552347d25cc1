// Offline verification of a transparency report (`sotto-server admin transparency-report verify`): its signature, the
// request log's hash chain recomputed from genesis to the committed head, the request counts recounted from the
// entries, and each published head (from /.well-known/sotto/transparency) found in the log. Given the moderation log
// (operator or auditor mode), its chain, its committed head and its counts too. Contract: @sotto/protocol lawful.ts.
import { verify } from 'node:crypto';
import {
  canonicalJson,
  countRequests,
  decodeTransparencyReport,
  GENESIS_HEX,
  type LogHead,
  type RequestLogEntry,
  TRANSPARENCY_REPORT_FORMAT,
  type TransparencyHead,
  transparencyHeadSigningInput,
  type TransparencyReport,
  transparencyReportSigningInput,
  verifyRequestLog,
} from '@sotto/protocol';
import { type EvidenceCheck, strictB64 } from '../moderation/evidence-verify.js';
import { verifyModerationLog } from '../moderation/moderation-log.js';
import type { LogEntry } from '../moderation/moderation-store.js';
import { ed25519PublicKey } from '../moderation/signing-key.js';
import { countModeration } from './moderation-counts.js';

export type TransparencyCheck = EvidenceCheck;

export interface TransparencyVerifyOptions {
  /** The server's public key (base64, from GET /v1/server-key); default: the key embedded in the report. */
  key?: string;
  /** Heads fetched from /.well-known/sotto/transparency before (or after) the report. */
  heads?: readonly TransparencyHead[];
  /** The moderation log's entries (operator or auditor mode): its chain, head and counts are checked too. */
  moderationLog?: readonly LogEntry[];
}

export interface TransparencyVerification {
  ok: boolean;
  checks: TransparencyCheck[];
  /** What was not checked, and why (never a failure). */
  notes: string[];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const iso = (t: number) => new Date(t).toISOString();

/** Ed25519 (RFC 8032) under a base64 raw public key; false for anything malformed. */
function signedBy(data: Uint8Array, publicKey: string, signature: string): boolean {
  try {
    return verify(null, data, ed25519PublicKey(strictB64(publicKey)), strictB64(signature));
  } catch {
    return false;
  }
}

/** The hash of entry `seq` of a log (the genesis for seq 0), or undefined when the log is shorter. */
function hashAt<T>(entries: readonly T[], seq: number, hashOf: (e: T) => string): string | undefined {
  if (seq === 0) return GENESIS_HEX;
  const e = entries[seq - 1];
  return e === undefined ? undefined : hashOf(e);
}

export function verifyTransparencyReport(text: string, opts: TransparencyVerifyOptions = {}): TransparencyVerification {
  const checks: TransparencyCheck[] = [];
  const notes: string[] = [];
  const add = (check: string, ok: boolean, detail?: string) => checks.push({ check, ok, ...(detail ? { detail } : {}) });
  let raw: Record<string, unknown>;
  let report: TransparencyReport;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
    report = decodeTransparencyReport(raw);
  } catch (e) {
    add(`the file is a ${TRANSPARENCY_REPORT_FORMAT} report`, false, (e as Error).message);
    return { ok: false, checks, notes };
  }
  add(`the file is a ${TRANSPARENCY_REPORT_FORMAT} report`, true);

  // The signature covers every field but itself, as the file holds it.
  const key = opts.key ?? report.server.publicKey;
  if (opts.key !== undefined) add('the embedded server key is the given --key', opts.key === report.server.publicKey);
  else
    notes.push('checked against the key embedded in the report; pass --key with the key from GET /v1/server-key to tie it to the server.');
  add('signature by the server key', signedBy(transparencyReportSigningInput(raw), key, report.signature));
  add('period: its bounds and months follow from its id', canonicalJson(raw.period) === canonicalJson(report.period));

  // The request log: the chain from genesis, its head, and the counts recounted from the entries.
  const entries = report.requestLog.entries;
  const chain = verifyRequestLog(entries);
  const head = report.requestLog.head;
  add(
    `request log: the hash chain recomputes from genesis to the committed head (entry ${head.seq})`,
    chain.ok && chain.head.seq === head.seq && chain.head.hash === head.hash,
    chain.ok
      ? chain.head.hash === head.hash
        ? undefined
        : `the entries end at entry ${chain.head.seq}, hash ${chain.head.hash}`
      : `entry ${chain.seq}: ${chain.problem}`,
  );
  let counted = '';
  try {
    counted = canonicalJson(countRequests(entries, report.period));
  } catch {
    counted = '';
  }
  add('request counts: recounted from the entries', counted !== '' && counted === canonicalJson(raw.requests));

  for (const h of opts.heads ?? []) checkHead(h, report, entries, add, notes);
  if (opts.moderationLog) checkModeration(opts.moderationLog, report, raw, opts.heads ?? [], add, notes);
  else
    notes.push(
      "the moderation counts and the moderation log's head were not checked: the moderation log stays with the operator (operator or auditor mode: --with-moderation-log).",
    );
  return { ok: checks.every((c) => c.ok), checks, notes };
}

type Add = (check: string, ok: boolean, detail?: string) => void;

/** A published head: its own signature, the same server, and its request-log head an entry of the report's log. */
function checkHead(h: TransparencyHead, r: TransparencyReport, entries: readonly RequestLogEntry[], add: Add, notes: string[]): void {
  const name = `published head of ${iso(h.at)}`;
  add(`${name}: signature by its key`, signedBy(transparencyHeadSigningInput(h), h.publicKey, h.signature));
  add(`${name}: same server and key as the report`, h.publicKey === r.server.publicKey && h.domain === r.server.domain);
  const seq = h.requestLog.seq;
  if (seq > r.requestLog.head.seq) {
    notes.push(
      `${name}: request log entry ${seq} is later than the report's head (entry ${r.requestLog.head.seq}): not covered by this report.`,
    );
    return;
  }
  const found = hashAt(entries, seq, (e) => e.hash);
  add(
    `${name}: request log entry ${seq} of the report has the published hash`,
    found === h.requestLog.hash,
    found === h.requestLog.hash ? undefined : 'the log was rewritten after this head was published',
  );
}

/** Operator or auditor mode: the moderation log's chain, the report's head in it, the counts, and published heads. */
function checkModeration(
  log: readonly LogEntry[],
  r: TransparencyReport,
  raw: Record<string, unknown>,
  heads: readonly TransparencyHead[],
  add: Add,
  notes: string[],
): void {
  const chain = verifyModerationLog(log);
  add('moderation log: the hash chain recomputes from genesis', chain.ok, chain.ok ? undefined : `entry ${chain.seq}: ${chain.problem}`);
  const head: LogHead = r.moderationLog.head;
  const found = hashAt(log, head.seq, (e) => hex(e.hash));
  add(`moderation log: entry ${head.seq} has the hash the report commits to`, found === head.hash);
  const upToHead = log.filter((e) => e.seq <= head.seq);
  add(
    'moderation counts: recounted from the log up to the committed head',
    canonicalJson(countModeration(upToHead, r.period)) === canonicalJson(raw.moderation),
  );
  for (const h of heads) {
    const name = `published head of ${iso(h.at)}`;
    const seq = h.moderationLog.seq;
    if (seq > head.seq) {
      notes.push(`${name}: moderation log entry ${seq} is later than the report's head (entry ${head.seq}): not covered by this report.`);
      continue;
    }
    add(`${name}: moderation log entry ${seq} has the published hash`, hashAt(log, seq, (e) => hex(e.hash)) === h.moderationLog.hash);
  }
}
