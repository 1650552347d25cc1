// Passphrase key wrapping: the storage key sealed under an scrypt-derived key (node:crypto scrypt, XChaCha20-Poly1305). Node only.

import { randomBytes as nodeRandomBytes, scrypt } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { StorageKey } from '../store/storage-key.js';
import { StoreError } from '../store/store-error.js';
import { concatBytes } from '../util/bytes.js';
import type { RandomBytes } from '../util/secret-bytes.js';

/** scrypt cost. Default N = 2^17, r = 8, p = 1 (~128 MiB, a fraction of a second); tests lower logN. */
export interface ScryptParams {
  logN: number;
  r: number;
  p: number;
}
export const DEFAULT_SCRYPT: ScryptParams = { logN: 17, r: 8, p: 1 };

const WRAP_VERSION = 1;
const SALT_BYTES = 16;
const NONCE_BYTES = 24;
const HEADER_BYTES = 4 + SALT_BYTES;
const WRAPPED_BYTES = HEADER_BYTES + NONCE_BYTES + 32 + 16;

function deriveKek(passphrase: string, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  const N = 2 ** params.logN;
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, 32, { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(new Uint8Array(key)),
    );
  });
}

/**
 * Wrap a storage key: version(1) logN(1) r(1) p(1) salt(16) nonce(24) sealed-key(48). The 20-byte header is the AAD,
 * so the cost parameters cannot be lowered by someone editing the file.
 */
export async function wrapStorageKey(
  key: StorageKey,
  passphrase: string,
  params: ScryptParams = DEFAULT_SCRYPT,
  randomBytes: RandomBytes = (n) => new Uint8Array(nodeRandomBytes(n)),
): Promise<Uint8Array> {
  if (params.logN < 1 || params.logN > 30 || params.r < 1 || params.r > 255 || params.p < 1 || params.p > 255) {
    throw new RangeError('scrypt parameters out of range');
  }
  const salt = randomBytes(SALT_BYTES);
  const header = concatBytes(Uint8Array.of(WRAP_VERSION, params.logN, params.r, params.p), salt);
  const nonce = randomBytes(NONCE_BYTES);
  const kek = await deriveKek(passphrase, salt, params);
  const sealed = xchacha20poly1305(kek, nonce, header).encrypt(key.expose());
  kek.fill(0);
  return concatBytes(header, nonce, sealed);
}

/** Unwrap; a wrong passphrase (or a tampered record) is StoreError WRONG_PASSPHRASE. */
export async function unwrapStorageKey(wrapped: Uint8Array, passphrase: string): Promise<StorageKey> {
  if (wrapped.length !== WRAPPED_BYTES || wrapped[0] !== WRAP_VERSION) throw new StoreError('CORRUPT', 'wrapped key malformed');
  const params = { logN: wrapped[1]!, r: wrapped[2]!, p: wrapped[3]! };
  if (params.logN < 1 || params.logN > 30 || params.r < 1 || params.p < 1) throw new StoreError('CORRUPT', 'wrapped key parameters');
  const header = wrapped.subarray(0, HEADER_BYTES);
  const kek = await deriveKek(passphrase, wrapped.subarray(4, HEADER_BYTES), params);
  try {
    const raw = xchacha20poly1305(kek, wrapped.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES), header).decrypt(
      wrapped.subarray(HEADER_BYTES + NONCE_BYTES),
    );
    return new StorageKey(raw);
  } catch {
    throw new StoreError('WRONG_PASSPHRASE', 'passphrase does not unwrap the storage key');
  } finally {
    kek.fill(0);
  }
}
