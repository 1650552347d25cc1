// Offline verification of an evidence package (`sotto-server verify-evidence`, docs/moderation.md): the signature under
// the embedded (or a given) Ed25519 key, every manifest hash, every file's hash, and every message's commitment opening
// to its content under its franking key. Stamps are HMACs under the server's secret key: only the server can check
// them, so the package states that it did, and the signature attests it.
import { verify } from 'node:crypto';
import {
  canonicalJson,
  commitmentOpens,
  decodeEvidencePackage,
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

export function verifyEvidence(text: string, keyOverride?: string): { ok: boolean; checks: EvidenceCheck[] } {
  const checks: EvidenceCheck[] = [];
  const add = (check: string, ok: boolean, detail?: string) => checks.push({ check, ok, ...(detail ? { detail } : {}) });
  let raw: Record<string, unknown>;
  let pkg: EvidencePackage;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
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
  let sigOk = false;
  try {
    sigOk = verify(
      null,
      evidenceSigningInput(raw.format as string, raw.generatedAt as number, raw.manifest),
      ed25519PublicKey(strictB64(key)),
      strictB64(pkg.signature),
    );
  } catch {
    sigOk = false;
  }
  add('signature by the server key', sigOk);

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

/** What the verifier cannot check itself, printed with every result. */
export const STAMP_NOTE =
  "Stamps are HMACs under the server's secret stamp key: only the server can check them. The package states that the " +
  "server verified each stamp (verification.stamp), and the server's signature attests that statement.";
