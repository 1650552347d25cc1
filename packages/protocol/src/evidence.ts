// The signed evidence package (docs/moderation.md "Evidence package"): a report's verified messages, the decrypted
// attachments, a SHA-256 manifest of every part and the server's Ed25519 signature (RFC 8032) over the canonical
// signing input defined here once, for the server that signs and the offline verifier that checks.
import { sha256 } from '@noble/hashes/sha2.js';
import { type VerifyFailure, VERIFY_FAILURES } from './admin.js';
import { array, base64, boolean, count, type JsonObject, object, oneOf, string } from './read.js';
import { WireError } from './wire-error.js';

const B = 'body';
const nullable = <T>(o: JsonObject, key: string, read: () => T): T | null => (o[key] === null ? null : read());

export const EVIDENCE_FORMAT = 'sotto-evidence/v1';

/** One reported message as the server verified it. Byte strings are standard base64. */
export interface EvidenceMessage {
  senderDevice: string;
  senderAccount: string;
  /** The reporting device: the stamp's recipient. */
  recipientDevice: string;
  receivedAt: number;
  groupId: string;
  content: string;
  /** The decoded text, when the content has one. */
  text: string | null;
  frankingKey: string;
  commitment: string;
  stamp: string;
  /** What the server checked on arrival: the stamp is an HMAC only the server can check, attested by the signature. */
  verification: { commitment: boolean; stamp: boolean; verified: boolean; failure: VerifyFailure | null };
}

/** An attachment's decrypted bytes. */
export interface EvidenceFile {
  name: string;
  /** Index in report.messages of the message that carried it. */
  message: number;
  mimeType: string;
  /** SHA-256 (hex) of the decoded `data`. */
  sha256: string;
  data: string;
}

export interface EvidenceReport {
  id: string;
  category: string;
  reason: string;
  reportedAccount: string;
  reporterAccount: string;
  createdAt: number;
  /** Only the messages the server verified; this many others of the report were left out (the queue shows them). */
  omitted: number;
  messages: EvidenceMessage[];
}

export interface EvidenceManifest {
  /** SHA-256 (hex) of canonicalJson(server). */
  server: string;
  /** SHA-256 (hex) of canonicalJson(report). */
  report: string;
  /** SHA-256 (hex) of canonicalJson(files with each entry's `data` left out): names, messages, types, hashes. */
  fileIndex: string;
  /** Name and SHA-256 (hex) of each file's decoded bytes, in the order of `files`. */
  files: Array<{ name: string; sha256: string }>;
}

export interface EvidencePackage {
  format: typeof EVIDENCE_FORMAT;
  server: { domain: string; publicKey: string };
  generatedAt: number;
  report: EvidenceReport;
  files: EvidenceFile[];
  manifest: EvidenceManifest;
  /** Ed25519 (RFC 8032) signature, base64, over evidenceSigningInput(format, generatedAt, manifest). */
  signature: string;
}

/**
 * Deterministic JSON: objects with their keys sorted by UTF-16 code unit, no whitespace, strings and numbers as
 * JSON.stringify writes them. Only plain objects, arrays, strings, finite numbers, booleans and null.
 */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError('canonicalJson: a number must be finite');
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  throw new TypeError('canonicalJson: unsupported value');
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
/** SHA-256 (hex) of a string's UTF-8 bytes or of raw bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return hex(sha256(typeof data === 'string' ? new TextEncoder().encode(data) : data));
}

/**
 * The bytes the server signs: UTF-8 of `format "\n" generatedAt "\n" canonicalJson(manifest)`. The manifest hashes the
 * server block, the report block and every file, so one signature covers every byte of the package but the signature.
 */
export function evidenceSigningInput(format: string, generatedAt: number, manifest: EvidenceManifest | unknown): Uint8Array {
  return new TextEncoder().encode(`${format}\n${generatedAt}\n${canonicalJson(manifest)}`);
}

/** Decodes the outer shape of an evidence package (the verifier checks the contents). */
export function decodeEvidencePackage(v: unknown): EvidencePackage {
  const o = object(v, B);
  if (o.format !== EVIDENCE_FORMAT) throw new WireError(`${B}.format`, EVIDENCE_FORMAT);
  const server = object(o.server, `${B}.server`);
  const report = object(o.report, `${B}.report`);
  const manifest = object(o.manifest, `${B}.manifest`);
  const rp = `${B}.report`;
  return {
    format: EVIDENCE_FORMAT,
    server: { domain: string(server, 'domain', `${B}.server`), publicKey: base64(server, 'publicKey', `${B}.server`) },
    generatedAt: count(o, 'generatedAt', B),
    report: {
      id: string(report, 'id', rp),
      category: string(report, 'category', rp),
      reason: string(report, 'reason', rp),
      reportedAccount: string(report, 'reportedAccount', rp),
      reporterAccount: string(report, 'reporterAccount', rp),
      createdAt: count(report, 'createdAt', rp),
      omitted: count(report, 'omitted', rp),
      messages: array(report, 'messages', rp).map((m, i) =>
        decodeEvidenceMessage(object(m, `${rp}.messages[${i}]`), `${rp}.messages[${i}]`),
      ),
    },
    files: array(o, 'files', B).map((f, i) => {
      const p = `${B}.files[${i}]`;
      const x = object(f, p);
      return {
        name: string(x, 'name', p),
        message: count(x, 'message', p),
        mimeType: string(x, 'mimeType', p),
        sha256: string(x, 'sha256', p),
        data: base64(x, 'data', p),
      };
    }),
    manifest: {
      server: string(manifest, 'server', `${B}.manifest`),
      report: string(manifest, 'report', `${B}.manifest`),
      fileIndex: string(manifest, 'fileIndex', `${B}.manifest`),
      files: array(manifest, 'files', `${B}.manifest`).map((f, i) => {
        const p = `${B}.manifest.files[${i}]`;
        const x = object(f, p);
        return { name: string(x, 'name', p), sha256: string(x, 'sha256', p) };
      }),
    },
    signature: base64(o, 'signature', B),
  };
}

function decodeEvidenceMessage(o: JsonObject, p: string): EvidenceMessage {
  const v = object(o.verification, `${p}.verification`);
  const q = `${p}.verification`;
  return {
    senderDevice: string(o, 'senderDevice', p),
    senderAccount: string(o, 'senderAccount', p),
    recipientDevice: string(o, 'recipientDevice', p),
    receivedAt: count(o, 'receivedAt', p),
    groupId: base64(o, 'groupId', p),
    content: base64(o, 'content', p),
    text: nullable(o, 'text', () => string(o, 'text', p)),
    frankingKey: base64(o, 'frankingKey', p),
    commitment: base64(o, 'commitment', p),
    stamp: base64(o, 'stamp', p),
    verification: {
      commitment: boolean(v, 'commitment', q),
      stamp: boolean(v, 'stamp', q),
      verified: boolean(v, 'verified', q),
      failure: nullable(v, 'failure', () => oneOf(v, 'failure', q, VERIFY_FAILURES)),
    },
  };
}
