// The server's franking stamp key and the stamper (docs/franking.md): each delivery of an application message carries
// HMAC-SHA256(stamp key, stampInput(...)) for its recipient device. The key never leaves the data directory; the stamp
// is computed when a message is delivered and is not stored.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { STAMP_BYTES, type StampFields, stampInput, type WireFranking } from '@sotto/protocol';
import { SottoError } from '../errors.js';
import type { QueuedMessage } from '../storage/storage.js';
import { FILE_MODE, makePrivateDir } from '../storage/file-modes.js';

export const STAMP_KEY_FILE = 'franking-stamp.key';
const KEY_BYTES = 32;

/** The stamp key of `dataDir`, created (32 random bytes, mode 0600) on first use. */
export function loadOrCreateStampKey(dataDir: string): Uint8Array {
  const file = join(dataDir, STAMP_KEY_FILE);
  if (!existsSync(file)) {
    makePrivateDir(dataDir);
    try {
      const fd = openSync(file, 'wx', FILE_MODE);
      try {
        writeSync(fd, randomBytes(KEY_BYTES));
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      // Another process (an admin command) created it meanwhile: read theirs.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const key = readFileSync(file);
  if (key.length !== KEY_BYTES) throw new SottoError('INTERNAL', `${file} is not a ${KEY_BYTES}-byte franking stamp key`);
  return new Uint8Array(key);
}

export class Stamper {
  readonly #key: Buffer;
  readonly #enabled: boolean;

  /** `enabled: false` stamps nothing (the benchmark's franking-off row only). */
  constructor(key: Uint8Array, o: { enabled?: boolean } = {}) {
    this.#key = Buffer.from(key);
    this.#enabled = o.enabled !== false;
  }

  stamp(f: StampFields): Uint8Array {
    return createHmac('sha256', this.#key).update(stampInput(f)).digest();
  }

  /** The stamp of a queued application message for one recipient device; undefined for anything unfranked. */
  forDelivery(m: QueuedMessage, recipientDevice: string): Uint8Array | undefined {
    if (!m.franking || !this.#enabled) return undefined;
    return this.stamp({
      commitment: m.franking.commitment,
      groupId: m.groupId,
      senderDevice: m.franking.senderDevice,
      senderAccount: m.franking.senderAccount,
      recipientDevice,
      receivedAt: m.createdAt,
    });
  }

  /** The franking fields of a delivery as the wire carries them (GET /v1/messages and the WebSocket frame). */
  wireFor(m: QueuedMessage, recipientDevice: string): WireFranking | undefined {
    const stamp = this.forDelivery(m, recipientDevice);
    if (!stamp || !m.franking) return undefined;
    return { device: m.franking.senderDevice, account: m.franking.senderAccount, stamp: Buffer.from(stamp).toString('base64') };
  }

  matches(f: StampFields, stamp: Uint8Array): boolean {
    return stamp.length === STAMP_BYTES && timingSafeEqual(this.stamp(f), stamp);
  }

  toString(): string {
    return 'Stamper([redacted])';
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
