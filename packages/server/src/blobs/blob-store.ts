// Attachment blobs on disk, content-addressed by SHA-256. The server only ever sees ciphertext: the
// client encrypts, uploads, and sends the key and hash inside an MLS message.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SottoError } from '../errors.js';

export const BLOB_HASH = /^[0-9a-f]{64}$/;

export class BlobStore {
  constructor(private readonly dir: string) {
    mkdirSync(join(dir, 'tmp'), { recursive: true, mode: 0o700 });
  }

  private path(hash: string): string {
    return join(this.dir, hash.slice(0, 2), hash);
  }

  /**
   * Streams `body` to disk; keeps it only if its SHA-256 is `hash` and it is at most `maxBytes`. With `minRate`, an
   * upload that delivers fewer than `bytesPerSecond` over a window of `windowSeconds` fails with REQUEST_TIMEOUT.
   */
  async put(hash: string, body: Readable, maxBytes: number, minRate?: { bytesPerSecond: number; windowSeconds: number }): Promise<number> {
    if (!BLOB_HASH.test(hash)) throw new SottoError('VALIDATION', 'blob id must be a lower-case hex SHA-256');
    const tmp = join(this.dir, 'tmp', randomBytes(12).toString('hex'));
    const h = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > maxBytes) return cb(new SottoError('PAYLOAD_TOO_LARGE', `blobs are limited to ${maxBytes} bytes`));
        h.update(chunk);
        cb(null, chunk);
      },
    });
    let lastSize = 0;
    const watchdog =
      minRate &&
      setInterval(() => {
        if (size - lastSize < minRate.bytesPerSecond * minRate.windowSeconds) {
          meter.destroy(new SottoError('REQUEST_TIMEOUT', `uploads must deliver at least ${minRate.bytesPerSecond} bytes per second`));
        }
        lastSize = size;
      }, minRate.windowSeconds * 1000);
    try {
      await pipeline(body, meter, createWriteStream(tmp, { mode: 0o600 }));
      if (h.digest('hex') !== hash) throw new SottoError('HASH_MISMATCH', 'the uploaded bytes do not hash to the blob id');
      const dest = this.path(hash);
      mkdirSync(join(this.dir, hash.slice(0, 2)), { recursive: true, mode: 0o700 });
      await rename(tmp, dest);
      return size;
    } catch (e) {
      await rm(tmp, { force: true });
      if (e instanceof SottoError) throw e;
      throw new SottoError('VALIDATION', 'the upload was interrupted or malformed');
    } finally {
      clearInterval(watchdog);
    }
  }

  async open(hash: string): Promise<{ stream: Readable; size: number } | undefined> {
    if (!BLOB_HASH.test(hash)) return undefined;
    try {
      const s = await stat(this.path(hash));
      return { stream: createReadStream(this.path(hash)), size: s.size };
    } catch {
      return undefined;
    }
  }

  async delete(hash: string): Promise<void> {
    if (BLOB_HASH.test(hash)) await rm(this.path(hash), { force: true });
  }
}
