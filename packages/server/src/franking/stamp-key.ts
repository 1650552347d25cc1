// The server's franking stamp key (docs/franking.md) and the Stamper that MACs and checks stamps with it: HMAC-SHA256
// over @sotto/protocol's stampInput. The key lives in <dataDir>/franking-stamp.key (32 random bytes, mode 0600).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STAMP_BYTES, type StampFields, stampInput } from '@sotto/protocol';
import { makePrivateDir } from '../storage/file-modes.js';

export const STAMP_KEY_FILE = 'franking-stamp.key';
const KEY_BYTES = 32;

/** Reads the stamp key, creating it (mode 0600) on first use. */
export function loadOrCreateStampKey(dataDir: string): Uint8Array {
  const file = join(dataDir, STAMP_KEY_FILE);
  if (!existsSync(file)) {
    makePrivateDir(dataDir);
    writeFileSync(file, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
  }
  const key = new Uint8Array(readFileSync(file));
  if (key.length !== KEY_BYTES) throw new Error(`${STAMP_KEY_FILE} is not ${KEY_BYTES} bytes`);
  return key;
}

export class Stamper {
  readonly #key: Uint8Array;
  constructor(key: Uint8Array) {
    this.#key = Uint8Array.from(key);
  }

  stamp(f: StampFields): Uint8Array {
    return new Uint8Array(createHmac('sha256', this.#key).update(stampInput(f)).digest());
  }

  /** Constant-time comparison with the stamp the server would compute. */
  matches(f: StampFields, stamp: Uint8Array): boolean {
    if (stamp.length !== STAMP_BYTES) return false;
    return timingSafeEqual(this.stamp(f), stamp);
  }

  toString(): string {
    return '[Stamper redacted]';
  }
  toJSON(): string {
    return '[Stamper redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[Stamper redacted]';
  }
}
