// StorageKey: the device storage key; seals values with XChaCha20-Poly1305 and MACs names with HMAC-SHA256.

import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js';
import { concatBytes, lengthPrefixed, utf8 } from '../util/bytes.js';
import { pooledRandom } from '../util/random-pool.js';
import { type RandomBytes, redactOnPrototype, SecretBytes } from '../util/secret-bytes.js';
import { StoreError } from './store-error.js';

export const STORAGE_KEY_BYTES = 32;
const SEALED_VERSION = 1;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const HKDF_SALT = utf8('sotto/store/v1');
/** Names whose MAC is kept (namespaces, conversations, counters come back on nearly every operation). */
const MAC_CACHE_ENTRIES = 4096;

/** XChaCha20-Poly1305 under one fixed key: `seal` returns ciphertext || tag(16); `open` throws on any failure. */
export interface XAead {
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  open(nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array;
}

/** Makes the XAead for a 32-byte key. The platform picks it: Node passes a native one (node/native-store-crypto.ts). */
export type XAeadFactory = (key: Uint8Array) => XAead;

/** HMAC-SHA256 under one fixed key. */
export type Mac = (data: Uint8Array) => Uint8Array;
export type MacFactory = (key: Uint8Array) => Mac;

/** The portable HMAC-SHA256 (@noble/hashes). */
export const portableMac: MacFactory = (key) => (data) => hmac(sha256, key, data);

/** The portable XChaCha20-Poly1305 (@noble/ciphers), for browsers and as the reference. */
export const portableXAead: XAeadFactory = (key) => ({
  seal: (nonce, aad, plaintext) => xchacha20poly1305(key, nonce, aad).encrypt(plaintext),
  open: (nonce, aad, sealed) => xchacha20poly1305(key, nonce, aad).decrypt(sealed),
});

export interface StorageKeyOptions {
  /** Draws the sealing nonces; by default the system CSPRNG, through a pool (one call per 4 KiB). */
  randomBytes?: RandomBytes;
  /** The sealing cipher; by default the portable one. Same format whichever is used. */
  aead?: XAeadFactory;
  /** The HMAC of names; by default the portable one. */
  mac?: MacFactory;
}

/** The platform's primitives for the store: Node passes native ones (node/native-store-crypto.ts). */
export type StoreCrypto = Required<Pick<StorageKeyOptions, 'aead' | 'mac'>>;

/**
 * Holds the 32-byte device storage key and the two subkeys derived from it (RFC 5869 HKDF-SHA256):
 * `enc` for XChaCha20-Poly1305 sealing, `mac` for HMAC-SHA256 of queryable names.
 */
export class StorageKey {
  readonly #root: SecretBytes;
  readonly #enc: Uint8Array;
  readonly #aead: XAead;
  readonly #hmac: Mac;
  readonly #mac: Uint8Array;
  readonly #random: RandomBytes;
  readonly #macs = new Map<string, Uint8Array>();

  constructor(key: Uint8Array, options: StorageKeyOptions = {}) {
    if (!(key instanceof Uint8Array) || key.length !== STORAGE_KEY_BYTES) throw new RangeError('storage key must be 32 bytes');
    this.#root = new SecretBytes(key);
    this.#enc = hkdf(sha256, key, HKDF_SALT, utf8('enc'), 32);
    this.#mac = hkdf(sha256, key, HKDF_SALT, utf8('mac'), 32);
    this.#aead = (options.aead ?? portableXAead)(this.#enc);
    this.#hmac = (options.mac ?? portableMac)(this.#mac);
    this.#random = options.randomBytes ?? pooledRandom(nobleRandomBytes);
  }

  static generate(options: StorageKeyOptions = {}): StorageKey {
    return new StorageKey((options.randomBytes ?? nobleRandomBytes)(STORAGE_KEY_BYTES), options);
  }

  /** The same key on other implementations of its primitives (the format does not change). */
  withCrypto(crypto: StoreCrypto): StorageKey {
    const raw = this.#root.expose();
    try {
      return new StorageKey(raw, { randomBytes: this.#random, ...crypto });
    } finally {
      raw.fill(0);
    }
  }

  /** The raw key, for writing a key file or wrapping under a passphrase. */
  expose(): Uint8Array {
    return this.#root.expose();
  }

  /** HMAC-SHA256 over a domain label and a name: the stored, queryable stand-in for the name. */
  mac(label: string, name: string): Uint8Array {
    const id = `${label.length}:${label}/${name}`;
    const known = this.#macs.get(id);
    if (known) return known.slice();
    const m = this.#hmac(concatBytes(lengthPrefixed(utf8(label)), utf8(name)));
    if (this.#macs.size >= MAC_CACHE_ENTRIES) this.#macs.clear();
    this.#macs.set(id, m);
    return m.slice();
  }

  /** version(1) || nonce(24) || ciphertext || tag(16); `aad` binds the value to where it is stored. */
  seal(aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const nonce = this.#random(NONCE_BYTES);
    const ct = this.#aead.seal(nonce, aad, plaintext);
    return concatBytes(Uint8Array.of(SEALED_VERSION), nonce, ct);
  }

  /** Inverse of seal; any failure (tamper, wrong key, truncation, moved row) is StoreError CORRUPT. */
  open(aad: Uint8Array, sealed: Uint8Array): Uint8Array {
    if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== SEALED_VERSION) {
      throw new StoreError('CORRUPT', 'sealed value malformed');
    }
    try {
      return this.#aead.open(sealed.subarray(1, 1 + NONCE_BYTES), aad, sealed.subarray(1 + NONCE_BYTES));
    } catch {
      throw new StoreError('CORRUPT', 'sealed value failed authentication');
    }
  }

  wipe(): void {
    this.#macs.clear();
    this.#root.wipe();
    this.#enc.fill(0);
    this.#mac.fill(0);
  }
}
redactOnPrototype(StorageKey.prototype, 'StorageKey');
