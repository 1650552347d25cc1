// openSqliteStore: the encrypted LocalStore on a SQLite file, keyed by a passphrase, a key file or a raw StorageKey. Node only.

import { EncryptedStore } from '../store/encrypted-store.js';
import { StorageKey } from '../store/storage-key.js';
import { StoreError } from '../store/store-error.js';
import { EMPTY, META, SPACE } from '../store/store-layout.js';
import { readKeyFile } from './key-file.js';
import { nativeStoreCrypto } from './native-store-crypto.js';
import { DEFAULT_SCRYPT, type ScryptParams, unwrapStorageKey, wrapStorageKey } from './passphrase.js';
import { SqliteBackend } from './sqlite-backend.js';

export type SqliteKeySource =
  /** The storage key is wrapped under this passphrase in the database itself; created on first open. */
  | { passphrase: string; scrypt?: ScryptParams }
  /** The storage key is read from a 0600 key file (see createKeyFile). */
  | { keyFile: string }
  | { storageKey: StorageKey };

export interface SqliteStoreOptions {
  path: string;
  key: SqliteKeySource;
}

async function resolveKey(backend: SqliteBackend, source: SqliteKeySource): Promise<StorageKey> {
  if ('storageKey' in source) return source.storageKey;
  if ('keyFile' in source) return readKeyFile(source.keyFile);
  const wrapped = await backend.get(SPACE.meta, EMPTY, META.wrappedKey);
  if (wrapped !== undefined) return unwrapStorageKey(wrapped, source.passphrase);
  if ((await backend.get(SPACE.meta, EMPTY, META.format)) !== undefined) {
    throw new StoreError('WRONG_KEY', 'this store is not protected by a passphrase');
  }
  const key = StorageKey.generate();
  const record = await wrapStorageKey(key, source.passphrase, source.scrypt ?? DEFAULT_SCRYPT);
  await backend.apply([{ space: SPACE.meta, part: EMPTY, key: META.wrappedKey, value: record }]);
  return key;
}

/** Open (creating if needed) the encrypted store in the SQLite file at `path`. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<EncryptedStore> {
  const backend = new SqliteBackend(options.path);
  try {
    const resolved = await resolveKey(backend, options.key);
    // Same key and format, on OpenSSL's ChaCha20-Poly1305 and HMAC instead of the portable JS ones (several times faster).
    const key = resolved.withCrypto(nativeStoreCrypto);
    if (!('storageKey' in options.key)) resolved.wipe();
    return await EncryptedStore.open(backend, key);
  } catch (e) {
    await backend.close();
    throw e;
  }
}
