// StoreError: the one error type of the encrypted local store, with a stable machine-readable code.

import { SottoClientError } from '../errors.js';

export type StoreErrorCode =
  /** The storage key does not open this store (its key-check value failed to decrypt). */
  | 'WRONG_KEY'
  /** The passphrase does not unwrap this store's storage key. */
  | 'WRONG_PASSPHRASE'
  /** A stored value failed authentication or did not parse: tampering or corruption. */
  | 'CORRUPT'
  /** The device's storage failed a write (disk full, I/O error, read-only file): nothing of that write was kept. */
  | 'IO'
  /** The store was used after close(). */
  | 'CLOSED'
  /** A key file is readable or writable by group/others, not owned by this user, or not a regular file. */
  | 'KEY_FILE_INSECURE'
  /** A key file is missing or does not hold a well-formed storage key. */
  | 'KEY_FILE_INVALID'
  /** A record named by the caller does not exist. */
  | 'NOT_FOUND'
  /** A record with the same identity already exists. */
  | 'DUPLICATE'
  /** The store was written by a newer, incompatible version. */
  | 'UNSUPPORTED_FORMAT'
  /** The caller passed an argument outside the API's bounds. */
  | 'INVALID_ARGUMENT';

/** Thrown by every LocalStore implementation. Messages never contain keys, values or names. */
export class StoreError extends SottoClientError<StoreErrorCode> {
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, `${code}: ${message}`, options);
    this.name = 'StoreError';
  }
}
