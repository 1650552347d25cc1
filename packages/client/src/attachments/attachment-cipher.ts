// Attachment encryption: a fresh 256-bit key per file, AES-256-GCM over fixed-size chunks (streamed), SHA-256 of the
// ciphertext as the blob id. Chunk i uses nonce = 0^4 || u64be(i) and AAD = label || final-flag, so chunks cannot be
// reordered, dropped or truncated at a chunk boundary without an authentication failure.

import { sha256 } from '@noble/hashes/sha2.js';
import { SottoClientError } from '../errors.js';
import { concatBytes, toHex, utf8 } from '../util/bytes.js';

export const ATTACHMENT_CHUNK = 256 * 1024;
const TAG = 16;
const LABEL = utf8('sotto/attachment/v1');

export type AttachmentErrorCode = 'HASH_MISMATCH' | 'DECRYPT_FAILED' | 'TRUNCATED';

export class AttachmentError extends SottoClientError<AttachmentErrorCode> {
  constructor(code: AttachmentErrorCode, message: string) {
    super(code, message);
    this.name = 'AttachmentError';
  }
}

export function encryptedSize(plainSize: number): number {
  const chunks = Math.max(1, Math.ceil(plainSize / ATTACHMENT_CHUNK));
  return plainSize + chunks * TAG;
}

function nonce(i: number): Uint8Array {
  const n = new Uint8Array(12);
  new DataView(n.buffer).setBigUint64(4, BigInt(i));
  return n;
}

const aad = (final: boolean) => concatBytes(LABEL, Uint8Array.of(final ? 1 : 0));

/** WebCrypto's key type, named without the DOM library so the server (Node types only) compiles this file too. */
type AesKey = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;

async function importKey(key: Uint8Array, usage: 'encrypt' | 'decrypt'): Promise<AesKey> {
  return globalThis.crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, 'AES-GCM', false, [usage]);
}

/** Re-chunk a byte stream into pieces of exactly `size` bytes (the last may be shorter). */
async function* rechunk(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let buf = new Uint8Array(size);
  let fill = 0;
  for await (const part of source) {
    let off = 0;
    while (off < part.length) {
      const n = Math.min(size - fill, part.length - off);
      buf.set(part.subarray(off, off + n), fill);
      fill += n;
      off += n;
      if (fill === size) {
        yield buf;
        buf = new Uint8Array(size);
        fill = 0;
      }
    }
  }
  if (fill > 0) yield buf.subarray(0, fill);
}

async function* iterate(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value) yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Encrypted chunks of a Blob, one plaintext chunk at a time (never the whole file in memory). */
export async function* encryptBlob(blob: Blob, key: Uint8Array): AsyncGenerator<Uint8Array> {
  const k = await importKey(key, 'encrypt');
  const total = Math.max(1, Math.ceil(blob.size / ATTACHMENT_CHUNK));
  let i = 0;
  const chunks =
    blob.size === 0
      ? (async function* () {
          yield new Uint8Array(0);
        })()
      : rechunk(iterate(blob.stream()), ATTACHMENT_CHUNK);
  for await (const chunk of chunks) {
    const final = i === total - 1;
    const ct = await globalThis.crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: nonce(i) as Uint8Array<ArrayBuffer>, additionalData: aad(final) as Uint8Array<ArrayBuffer>, tagLength: 128 },
      k,
      chunk as Uint8Array<ArrayBuffer>,
    );
    yield new Uint8Array(ct);
    i++;
  }
}

/** SHA-256 (hex) of the encrypted form, computed in one streaming pass. */
export async function encryptedHash(blob: Blob, key: Uint8Array): Promise<string> {
  const h = sha256.create();
  for await (const c of encryptBlob(blob, key)) h.update(c);
  return toHex(h.digest());
}

/** A ReadableStream of the encrypted form, for a streamed upload. */
export function encryptedStream(blob: Blob, key: Uint8Array): ReadableStream<Uint8Array> {
  const it = encryptBlob(blob, key);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await it.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      await it.return(undefined);
    },
  });
}

/**
 * Decrypt a downloaded stream chunk by chunk into `sink`; checks every GCM tag, the final-chunk marker and, at the
 * end, the SHA-256 of all the ciphertext against `expectedHash`. Throws AttachmentError on any mismatch.
 */
export async function decryptStream(
  stream: ReadableStream<Uint8Array>,
  key: Uint8Array,
  expectedHash: string,
  expectedPlainSize: number,
  sink: (chunk: Uint8Array) => void | Promise<void>,
): Promise<void> {
  const k = await importKey(key, 'decrypt');
  const total = Math.max(1, Math.ceil(expectedPlainSize / ATTACHMENT_CHUNK));
  const h = sha256.create();
  let i = 0;
  for await (const ct of rechunk(iterate(stream), ATTACHMENT_CHUNK + TAG)) {
    h.update(ct);
    if (i >= total) throw new AttachmentError('TRUNCATED', 'attachment has more chunks than announced');
    let pt: ArrayBuffer;
    try {
      pt = await globalThis.crypto.subtle.decrypt(
        {
          name: 'AES-GCM',
          iv: nonce(i) as Uint8Array<ArrayBuffer>,
          additionalData: aad(i === total - 1) as Uint8Array<ArrayBuffer>,
          tagLength: 128,
        },
        k,
        ct as Uint8Array<ArrayBuffer>,
      );
    } catch {
      throw new AttachmentError('DECRYPT_FAILED', 'attachment chunk failed authentication');
    }
    await sink(new Uint8Array(pt));
    i++;
  }
  if (i !== total) throw new AttachmentError('TRUNCATED', 'attachment is shorter than announced');
  if (toHex(h.digest()) !== expectedHash) throw new AttachmentError('HASH_MISMATCH', 'attachment does not match its hash');
}
