// Builds and signs an evidence package (docs/moderation.md "Evidence package"): the report's verified messages with
// their franking keys, commitments and stamps, the decrypted attachments, a SHA-256 manifest of every part, and the
// server's Ed25519 signature over evidenceSigningInput(format, generatedAt, manifest) (@sotto/protocol).
import {
  canonicalJson,
  EVIDENCE_FORMAT,
  type EvidenceFile,
  type EvidenceManifest,
  type EvidenceMessage,
  type EvidencePackage,
  type EvidenceReport,
  evidenceSigningInput,
  sha256Hex,
} from '@sotto/protocol';
import type { ReportMessageRecord, ReportRecord } from './moderation-store.js';
import type { SigningKey } from './signing-key.js';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** The manifest of a package's parts (also recomputed by the offline verifier). */
export function evidenceManifest(server: unknown, report: unknown, files: ReadonlyArray<EvidenceFile>): EvidenceManifest {
  return {
    server: sha256Hex(canonicalJson(server)),
    report: sha256Hex(canonicalJson(report)),
    fileIndex: sha256Hex(canonicalJson(files.map(({ data: _data, ...rest }) => rest))),
    files: files.map((f) => ({ name: f.name, sha256: sha256Hex(Buffer.from(f.data, 'base64')) })),
  };
}

/** `name` is safe as a file name: letters, digits, dot, dash and underscore. */
function safeName(idx: number, fileName: string | null): string {
  const base = (fileName ?? 'attachment').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100);
  return `message-${idx}-${base}`;
}

export interface EvidenceInput {
  report: ReportRecord;
  messages: ReportMessageRecord[];
  /** The decrypted bytes of each held attachment, by message index. */
  attachments: Map<number, Uint8Array>;
  domain: string;
  key: SigningKey;
  now: number;
}

export function buildEvidence(i: EvidenceInput): EvidencePackage {
  const { report: r } = i;
  const groupId = b64(r.groupId ?? new Uint8Array());
  const kept = i.messages.filter((m) => m.verified && m.content && m.frankingKey && m.stamp);
  const messages: EvidenceMessage[] = kept.map((m) => ({
    senderDevice: m.senderDevice,
    senderAccount: m.senderAccount,
    recipientDevice: r.reporterDevice ?? '',
    receivedAt: m.receivedAt,
    groupId,
    content: b64(m.content ?? new Uint8Array()),
    text: m.text,
    frankingKey: b64(m.frankingKey ?? new Uint8Array()),
    commitment: b64(m.commitment),
    stamp: b64(m.stamp ?? new Uint8Array()),
    verification: { commitment: true, stamp: true, verified: true, failure: null },
  }));
  const report: EvidenceReport = {
    id: r.id,
    category: r.category ?? '',
    reason: r.reason,
    reportedAccount: r.reportedAccount,
    reporterAccount: r.reporterAccount ?? '',
    createdAt: r.createdAt,
    omitted: i.messages.length - kept.length,
    messages,
  };
  const files: EvidenceFile[] = [];
  for (const [n, m] of kept.entries()) {
    const bytes = i.attachments.get(m.idx);
    if (!bytes || !m.attachment) continue;
    files.push({
      name: safeName(m.idx, m.attachment.fileName),
      message: n,
      mimeType: m.attachment.mimeType ?? 'application/octet-stream',
      sha256: sha256Hex(bytes),
      data: b64(bytes),
    });
  }
  const server = { domain: i.domain, publicKey: i.key.publicKeyBase64 };
  const manifest = evidenceManifest(server, report, files);
  const signature = b64(i.key.sign(evidenceSigningInput(EVIDENCE_FORMAT, i.now, manifest)));
  return { format: EVIDENCE_FORMAT, server, generatedAt: i.now, report, files, manifest, signature };
}
