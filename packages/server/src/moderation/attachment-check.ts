// Checks a reported attachment against the blob the server still holds (docs/moderation.md): the blob's SHA-256 must
// be the committed contentHash (check R4), and it must decrypt under the committed contentKey with the client's own
// attachment cipher (R5). The decrypted bytes go to the report's directory (mode 0600).
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { type AttachmentBody, AttachmentError, decryptStream } from '@sotto/client/content';
import { equalBytes, type VerifyFailure } from '@sotto/protocol';
import type { StoredAttachment } from './moderation-store.js';
import type { ReportFiles } from './report-files.js';

/** The blobs the server holds: undefined when the blob has expired or was deleted. */
export interface BlobSource {
  open(hash: string): Promise<{ stream: Readable } | undefined>;
}

/** Where decrypted bytes go: the report's file, or nowhere when they are checked but not kept. */
interface Sink {
  write(chunk: Uint8Array, cb: (e?: Error | null) => void): unknown;
  close(cb: () => void): void;
}
const NULL_SINK: Sink = { write: (_chunk, cb) => cb(null), close: (cb) => cb() };

export interface AttachmentOutcome {
  attachment: StoredAttachment;
  failure: VerifyFailure | null;
}

async function sha256Of(stream: Readable): Promise<Uint8Array> {
  const h = createHash('sha256');
  for await (const chunk of stream) h.update(chunk as Buffer);
  return new Uint8Array(h.digest());
}

export async function checkAttachment(
  body: AttachmentBody,
  blobs: BlobSource,
  files: ReportFiles,
  reportId: string,
  name: string,
  /** Whether its decrypted bytes may be kept (the report's attachment budget); checked either way. */
  keep = true,
): Promise<AttachmentOutcome> {
  const hash = Buffer.from(body.contentHash).toString('hex');
  const base: StoredAttachment = { fileName: body.fileName, mimeType: body.mimeType, size: body.size, sha256: null, file: null };
  const first = await blobs.open(hash);
  if (!first) return { attachment: base, failure: null }; // the bytes are no longer held: nothing to check or keep
  // R4: the held ciphertext is the one the sender committed to.
  if (!equalBytes(await sha256Of(first.stream), body.contentHash)) return { attachment: base, failure: 'attachment-hash' };
  const second = await blobs.open(hash);
  if (!second) return { attachment: base, failure: null };
  // R5: it decrypts under the committed key (into the report's directory, or nowhere past the report's budget).
  const out: Sink = keep ? files.create(reportId, name) : NULL_SINK;
  const plain = createHash('sha256');
  try {
    await decryptStream(Readable.toWeb(second.stream) as ReadableStream<Uint8Array>, body.contentKey.expose(), hash, body.size, (chunk) => {
      plain.update(chunk);
      return new Promise<void>((resolve, reject) => out.write(chunk, (e) => (e ? reject(e) : resolve())));
    });
    await new Promise<void>((resolve) => out.close(() => resolve()));
  } catch (e) {
    await new Promise<void>((resolve) => out.close(() => resolve()));
    if (keep) await files.remove(reportId, name);
    if (e instanceof AttachmentError)
      return { attachment: base, failure: e.code === 'HASH_MISMATCH' ? 'attachment-hash' : 'attachment-decrypt' };
    throw e;
  }
  return { attachment: { ...base, sha256: plain.digest('hex'), file: keep ? name : null }, failure: null };
}
