// Offline verification of a signed package (`sotto-server verify-evidence`): an evidence package (docs/moderation.md):
// the signature under the embedded (or a given) Ed25519 key, every manifest hash, every file's hash, and every
// message's commitment opening to its content under its franking key (stamps are HMACs under the server's secret key:
// only the server can check them, so the package states that it did, and the signature attests it); or the answer to a
// lawful request (docs/for-law-enforcement.md): the signature and the manifest hash of each part.
import { verify } from 'node:crypto';
import {
  canonicalJson,
  commitmentOpens,
  decodeDisclosurePackage,
  decodeEvidencePackage,
  DISCLOSURE_FORMAT,
  EVIDENCE_FORMAT,
  type EvidencePackage,
  evidenceSigningInput,
  sha256Hex,
} from '@sotto/protocol';
import { ed25519PublicKey } from './signing-key.js';

export interface EvidenceCheck {
  check: string;
  ok: boolean;
  detail?: string;
}

/** Standard base64 decoded strictly: re-encoding must give back the same text (no ignored bits or characters). */
export function strictB64(s: string): Uint8Array {
  const b = Buffer.from(s, 'base64');
  if (b.toString('base64') !== s) throw new TypeError('not canonical base64');
  return new Uint8Array(b);
}

/** The signature of a package under `key` (base64 of the raw Ed25519 key); false for anything unreadable. */
function signatureOk(raw: Record<string, unknown>, key: string, signature: string): boolean {
  try {
    return verify(
      null,
      evidenceSigningInput(raw.format as string, raw.generatedAt as number, raw.manifest),
      ed25519PublicKey(strictB64(key)),
      strictB64(signature),
    );
  } catch {
    return false;
  }
}

export function verifyEvidence(text: string, keyOverride?: string): { ok: boolean; checks: EvidenceCheck[] } {
  const checks: EvidenceCheck[] = [];
  const add = (check: string, ok: boolean, detail?: string) => checks.push({ check, ok, ...(detail ? { detail } : {}) });
  let raw: Record<string, unknown>;
  let pkg: EvidencePackage;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
    if (raw !== null && typeof raw === 'object' && raw.format === DISCLOSURE_FORMAT) return verifyDisclosure(raw, keyOverride);
    pkg = decodeEvidencePackage(raw);
  } catch (e) {
    add(`the file is a ${EVIDENCE_FORMAT} package`, false, (e as Error).message);
    return { ok: false, checks };
  }
  add(`the file is a ${EVIDENCE_FORMAT} package`, true);
  const key = keyOverride ?? pkg.server.publicKey;
  if (keyOverride !== undefined) add('the embedded server key is the given --key', keyOverride === pkg.server.publicKey);

  // Manifest: every part hashes to its entry.
  add('manifest: server block', sha256Hex(canonicalJson(raw.server)) === pkg.manifest.server);
  add('manifest: report', sha256Hex(canonicalJson(raw.report)) === pkg.manifest.report);
  const rawFiles = (raw.files as Array<Record<string, unknown>>).map(({ data: _data, ...rest }) => rest);
  add('manifest: file index', sha256Hex(canonicalJson(rawFiles)) === pkg.manifest.fileIndex);
  add('manifest: one entry per file', pkg.manifest.files.length === pkg.files.length);
  for (const [n, f] of pkg.files.entries()) {
    let hash = '';
    try {
      hash = sha256Hex(strictB64(f.data));
    } catch {
      // an unreadable file fails both checks below
    }
    const m = pkg.manifest.files[n];
    add(`file ${f.name}: bytes match its sha256`, hash !== '' && hash === f.sha256);
    add(`file ${f.name}: bytes match the manifest`, hash !== '' && m !== undefined && m.name === f.name && m.sha256 === hash);
  }

  // Signature over the manifest (Ed25519, RFC 8032).
  add('signature by the server key', signatureOk(raw, key, pkg.signature));

  // Every message's commitment opens to its content under its franking key.
  for (const [n, m] of pkg.report.messages.entries()) {
    let opens = false;
    try {
      opens = commitmentOpens(strictB64(m.frankingKey), strictB64(m.content), strictB64(m.commitment));
      strictB64(m.stamp);
      strictB64(m.groupId);
    } catch {
      opens = false;
    }
    add(`message ${n} (from ${m.senderAccount}): commitment opens to the content`, opens);
  }
  return { ok: checks.every((c) => c.ok), checks };
}

/** A lawful request's answer: the manifest hash of the server block, the request and the answer, and the signature. */
function verifyDisclosure(raw: Record<string, unknown>, keyOverride?: string): { ok: boolean; checks: EvidenceCheck[] } {
  const checks: EvidenceCheck[] = [];
  const add = (check: string, ok: boolean, detail?: string) => checks.push({ check, ok, ...(detail ? { detail } : {}) });
  let pkg;
  try {
    pkg = decodeDisclosurePackage(raw);
  } catch (e) {
    add(`the file is a ${DISCLOSURE_FORMAT} package`, false, (e as Error).message);
    return { ok: false, checks };
  }
  add(`the file is a ${DISCLOSURE_FORMAT} package`, true);
  const key = keyOverride ?? pkg.server.publicKey;
  if (keyOverride !== undefined) add('the embedded server key is the given --key', keyOverride === pkg.server.publicKey);
  for (const part of ['server', 'request', 'answer'] as const)
    add(`manifest: ${part}`, sha256Hex(canonicalJson(raw[part])) === pkg.manifest[part]);
  add('signature by the server key', signatureOk(raw, key, pkg.signature));
  return { ok: checks.every((c) => c.ok), checks };
}

/** What the verifier cannot check itself, printed with every result. */
export const STAMP_NOTE =
  "Stamps are HMACs under the server's secret stamp key: only the server can check them. The package states that the " +
  "server verified each stamp (verification.stamp), and the server's signature attests that statement.";
