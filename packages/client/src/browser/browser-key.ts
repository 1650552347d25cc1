/// <reference lib="dom" />
// The browser's storage key: a random 32-byte StorageKey wrapped by a non-extractable WebCrypto AES-GCM-256 device key
// kept in IndexedDB, optionally also by a PBKDF2-SHA-256 passphrase key (NIST SP 800-132; RFC 8018 §5.2).
//
// Why WebCrypto here and @noble elsewhere: the MLS core's CryptoProvider and the store's StorageKey are synchronous by
// design (pure state transitions, no awaits inside a commit), and WebCrypto is async-only, so MLS and row sealing use
// @noble in the browser. WebCrypto is used where a key must never be readable by script: this device key (a
// CryptoKey with extractable=false, structured-cloned into IndexedDB, so an XSS or a copied profile folder cannot
// read its bytes through the API) and attachments.
//
// Record format (version 1), one object under key 'profile' in the database `<name>:key`:
//   { version: 1, deviceKey: CryptoKey, wrapped: ArrayBuffer, passphrase?: { salt: ArrayBuffer, iterations: number } }
// wrapped = iv(12) || AES-GCM(deviceKey, aad('device'), inner), where inner is the 32-byte storage key or, with a
// passphrase, iv(12) || AES-GCM(PBKDF2(passphrase, salt, iterations), aad('passphrase'), storage key).
// aad(label) = "sotto/browser-key/v1" || lp(label) || lp(database name) [|| lp(salt) || u32(iterations)], so a blob
// only opens in its own profile and layer.

import { StorageKey, type StorageKeyOptions, STORAGE_KEY_BYTES } from '../store/storage-key.js';
import { StoreError } from '../store/store-error.js';
import { concatBytes, lengthPrefixed, utf8 } from '../util/bytes.js';

export const BROWSER_KEY_FORMAT_VERSION = 1;
/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
export const DEFAULT_PBKDF2_ITERATIONS = 600_000;
const MAX_PBKDF2_ITERATIONS = 100_000_000;
const KEY_DB_VERSION = 1;
const KEY_STORE = 'keys';
const RECORD_KEY = 'profile';
const IV_BYTES = 12;
const SALT_BYTES = 16;
const AAD_LABEL = utf8('sotto/browser-key/v1');

export type BrowserKeyState = 'none' | 'device-key' | 'passphrase';

interface KeyRecord {
  version: number;
  deviceKey: CryptoKey;
  wrapped: ArrayBuffer;
  passphrase?: { salt: ArrayBuffer; iterations: number };
}

export interface BrowserKeyOptions {
  /** The profile: the store's IndexedDB database name (the key lives in `<name>:key`). */
  name: string;
  /** Required to open a profile created with one; given when creating a profile, adds the passphrase layer. */
  passphrase?: string;
  /** PBKDF2 iterations for a new profile (default 600,000; tests may lower it). An existing profile keeps its own. */
  pbkdf2Iterations?: number;
  /** Options of the returned StorageKey (its cipher, its nonce source). */
  storageKey?: StorageKeyOptions;
  /** The IndexedDB factory; the page's by default. */
  indexedDB?: IDBFactory;
}

/** The IndexedDB database that holds a profile's device key and wrapped storage key. */
export function browserKeyDatabaseName(name: string): string {
  return `${name}:key`;
}

const bytes = (b: Uint8Array): Uint8Array<ArrayBuffer> => Uint8Array.from(b);

function u32(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

function aad(label: string, name: string, extra: Uint8Array = new Uint8Array(0)): Uint8Array<ArrayBuffer> {
  return bytes(concatBytes(AAD_LABEL, lengthPrefixed(utf8(label)), lengthPrefixed(utf8(name)), extra));
}

function passphraseAad(name: string, salt: Uint8Array, iterations: number): Uint8Array<ArrayBuffer> {
  return aad('passphrase', name, concatBytes(lengthPrefixed(salt), u32(iterations)));
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > 256)
    throw new StoreError('INVALID_ARGUMENT', 'profile name must be 1-256 characters');
}

function checkIterations(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_PBKDF2_ITERATIONS)
    throw new StoreError('INVALID_ARGUMENT', 'PBKDF2 iterations out of range');
}

async function gcmSeal(key: CryptoKey, ad: Uint8Array<ArrayBuffer>, plain: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: ad }, key, plain);
  return concatBytes(iv, new Uint8Array(ct));
}

/** Throws (a DOMException) when the tag does not verify. */
async function gcmOpen(key: CryptoKey, ad: Uint8Array<ArrayBuffer>, sealed: Uint8Array): Promise<Uint8Array> {
  if (sealed.length < IV_BYTES + 16) throw new StoreError('CORRUPT', 'wrapped storage key malformed');
  const iv = bytes(sealed.subarray(0, IV_BYTES));
  const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: ad }, key, bytes(sealed.subarray(IV_BYTES)));
  return new Uint8Array(pt);
}

async function passphraseKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', bytes(utf8(passphrase.normalize('NFC'))), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: bytes(salt), iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

// ---------- the key database ----------

/** A failed key-database operation: a database of a newer version is UNSUPPORTED_FORMAT, anything else IO. */
function keyDbError(error: unknown): StoreError {
  const name = error instanceof DOMException ? error.name : 'unknown error';
  if (name === 'VersionError') return new StoreError('UNSUPPORTED_FORMAT', 'key database is newer than this client', { cause: error });
  return new StoreError('IO', `key database request failed (${name})`, { cause: error });
}

function idbRequest<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(keyDbError(req.error));
  });
}

/** Opens the key database; `create: false` leaves a missing database missing and returns undefined. */
async function openKeyDb(factory: IDBFactory, name: string, create: boolean): Promise<IDBDatabase | undefined> {
  let req: IDBOpenDBRequest;
  try {
    req = factory.open(browserKeyDatabaseName(name), KEY_DB_VERSION);
  } catch (e) {
    throw keyDbError(e); // e.g. SecurityError: no IndexedDB for this origin
  }
  let absent = false;
  req.onupgradeneeded = (event) => {
    if (event.oldVersion === 0 && !create) {
      absent = true;
      req.transaction?.abort(); // nothing is created
      return;
    }
    req.result.createObjectStore(KEY_STORE);
  };
  try {
    const db = await idbRequest(req);
    db.onversionchange = () => db.close();
    return db;
  } catch (e) {
    if (absent) return undefined;
    throw e;
  }
}

async function readRecord(factory: IDBFactory, name: string): Promise<unknown> {
  const db = await openKeyDb(factory, name, false);
  if (!db) return undefined;
  try {
    return await idbRequest(db.transaction(KEY_STORE, 'readonly').objectStore(KEY_STORE).get(RECORD_KEY));
  } finally {
    db.close();
  }
}

/** Writes the record only if none is there (two tabs creating a profile at once: the first one wins). */
async function addRecord(factory: IDBFactory, name: string, record: KeyRecord): Promise<boolean> {
  const db = (await openKeyDb(factory, name, true)) as IDBDatabase;
  try {
    const tx = db.transaction(KEY_STORE, 'readwrite', { durability: 'strict' });
    const done = new Promise<boolean>((resolve, reject) => {
      tx.oncomplete = () => resolve(true);
      tx.onabort = () =>
        tx.error?.name === 'ConstraintError'
          ? resolve(false)
          : reject(new StoreError('IO', `key database refused the write (${tx.error?.name ?? 'aborted'})`, { cause: tx.error }));
    });
    tx.objectStore(KEY_STORE).add(record, RECORD_KEY);
    return await done;
  } finally {
    db.close();
  }
}

function parseRecord(raw: unknown): KeyRecord {
  const r = raw as Partial<KeyRecord> | null;
  if (!r || typeof r !== 'object' || typeof r.version !== 'number') throw new StoreError('CORRUPT', 'browser key record malformed');
  if (r.version !== BROWSER_KEY_FORMAT_VERSION) throw new StoreError('UNSUPPORTED_FORMAT', 'browser key record from a newer client');
  if (!(r.deviceKey instanceof CryptoKey) || !(r.wrapped instanceof ArrayBuffer))
    throw new StoreError('CORRUPT', 'browser key record malformed');
  const p = r.passphrase;
  if (
    p !== undefined &&
    (!(p.salt instanceof ArrayBuffer) || !Number.isSafeInteger(p.iterations) || p.iterations < 1 || p.iterations > MAX_PBKDF2_ITERATIONS)
  ) {
    throw new StoreError('CORRUPT', 'browser key record malformed');
  }
  return r as KeyRecord;
}

// ---------- the API ----------

/** Whether a profile exists, and whether opening it needs a passphrase. */
export async function browserKeyState(name: string, factory: IDBFactory = indexedDB): Promise<BrowserKeyState> {
  checkName(name);
  const raw = await readRecord(factory, name);
  if (raw === undefined) return 'none';
  return parseRecord(raw).passphrase ? 'passphrase' : 'device-key';
}

/**
 * The storage key of the profile `name`, created on first use (a new non-extractable device key and a random storage
 * key; with `passphrase`, both are needed from then on). Errors are StoreError: WRONG_PASSPHRASE (a wrong one, or
 * none for a profile that has one), INVALID_ARGUMENT (a passphrase for a profile without one),
 * CORRUPT (the device key does not open the wrapped key), UNSUPPORTED_FORMAT, IO.
 */
export async function openBrowserStorageKey(options: BrowserKeyOptions): Promise<StorageKey> {
  const { name, passphrase } = options;
  const factory = options.indexedDB ?? indexedDB;
  checkName(name);
  if (passphrase !== undefined && (typeof passphrase !== 'string' || passphrase.length === 0)) {
    throw new StoreError('INVALID_ARGUMENT', 'passphrase must be a non-empty string');
  }
  const raw = await readRecord(factory, name);
  if (raw !== undefined) return unwrap(parseRecord(raw), options);
  const created = await createRecord(options);
  try {
    if (await addRecord(factory, name, created.record)) return new StorageKey(created.key, options.storageKey);
  } finally {
    created.key.fill(0);
  }
  // Another tab created the profile first: use that one.
  return unwrap(parseRecord(await readRecord(factory, name)), options);
}

async function createRecord(options: BrowserKeyOptions): Promise<{ record: KeyRecord; key: Uint8Array }> {
  const { name, passphrase } = options;
  const deviceKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const key = crypto.getRandomValues(new Uint8Array(STORAGE_KEY_BYTES));
  let inner: Uint8Array = key;
  let layer: KeyRecord['passphrase'];
  if (passphrase !== undefined) {
    const iterations = options.pbkdf2Iterations ?? DEFAULT_PBKDF2_ITERATIONS;
    checkIterations(iterations);
    const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
    inner = await gcmSeal(await passphraseKey(passphrase, salt, iterations), passphraseAad(name, salt, iterations), key);
    layer = { salt: salt.buffer, iterations };
  }
  const wrapped = await gcmSeal(deviceKey, aad('device', name), bytes(inner));
  const record: KeyRecord = { version: BROWSER_KEY_FORMAT_VERSION, deviceKey, wrapped: bytes(wrapped).buffer };
  if (layer) record.passphrase = layer;
  return { record, key };
}

async function unwrap(record: KeyRecord, options: BrowserKeyOptions): Promise<StorageKey> {
  const { name, passphrase } = options;
  // A missing passphrase is a wrong one (browserKeyState tells a UI beforehand whether to ask for one).
  if (record.passphrase && passphrase === undefined) throw new StoreError('WRONG_PASSPHRASE', 'this profile needs its passphrase');
  if (!record.passphrase && passphrase !== undefined) throw new StoreError('INVALID_ARGUMENT', 'this profile has no passphrase');
  let inner: Uint8Array;
  try {
    inner = await gcmOpen(record.deviceKey, aad('device', name), new Uint8Array(record.wrapped));
  } catch (e) {
    throw new StoreError('CORRUPT', 'the device key does not open this profile', { cause: e });
  }
  let key = inner;
  if (record.passphrase && passphrase !== undefined) {
    const salt = new Uint8Array(record.passphrase.salt);
    const { iterations } = record.passphrase;
    try {
      key = await gcmOpen(await passphraseKey(passphrase, salt, iterations), passphraseAad(name, salt, iterations), inner);
    } catch {
      throw new StoreError('WRONG_PASSPHRASE', 'the passphrase does not open this profile');
    } finally {
      inner.fill(0);
    }
  }
  if (key.length !== STORAGE_KEY_BYTES) throw new StoreError('CORRUPT', 'wrapped storage key has the wrong length');
  try {
    return new StorageKey(key, options.storageKey);
  } finally {
    key.fill(0);
  }
}

function deleteDatabase(factory: IDBFactory, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = factory.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () =>
      reject(new StoreError('IO', `deleting a database failed (${req.error?.name ?? 'unknown error'})`, { cause: req.error }));
    // 'blocked': an open connection that does not close on versionchange; the request completes once it closes.
  });
}

/** Deletes a profile: its key database first (the data is unreadable from then on), then its store database. */
export async function deleteBrowserProfile(name: string, factory: IDBFactory = indexedDB): Promise<void> {
  checkName(name);
  await deleteDatabase(factory, browserKeyDatabaseName(name));
  await deleteDatabase(factory, name);
}
