// Key file: keeps the device storage key in a 0600 file and refuses to read one that group/others can access. Node only.

import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { closeSync, constants as fsConstants, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { StorageKey } from '../store/storage-key.js';
import { StoreError } from '../store/store-error.js';
import { fromHex, toHex } from '../util/bytes.js';
import type { RandomBytes } from '../util/secret-bytes.js';

const PREFIX = 'sotto-storage-key-v1:';
const defaultRandom: RandomBytes = (n) => new Uint8Array(nodeRandomBytes(n));

/** Create a new key file with a fresh random storage key. Fails if the file exists (never overwrites a key). */
export function createKeyFile(path: string, randomBytes: RandomBytes = defaultRandom): StorageKey {
  const key = StorageKey.generate({ randomBytes });
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | (fsConstants.O_NOFOLLOW ?? 0), 0o600);
  } catch (e) {
    throw new StoreError('KEY_FILE_INVALID', 'cannot create key file (does it already exist?)', { cause: e });
  }
  try {
    writeSync(fd, `${PREFIX}${toHex(key.expose())}\n`);
  } finally {
    closeSync(fd);
  }
  return key;
}

/** Read a key file; refuses symlinks, non-regular files, files of another user and any group/other permission bit. */
export function readKeyFile(path: string): StorageKey {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new StoreError('KEY_FILE_INSECURE', 'key file is a symbolic link', { cause: e });
    throw new StoreError('KEY_FILE_INVALID', 'cannot open key file', { cause: e });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new StoreError('KEY_FILE_INSECURE', 'key file is not a regular file');
    if ((st.mode & 0o077) !== 0)
      throw new StoreError('KEY_FILE_INSECURE', `key file mode ${(st.mode & 0o777).toString(8)} allows group/other access; chmod 600 it`);
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
      throw new StoreError('KEY_FILE_INSECURE', 'key file is owned by another user');
    }
    const text = readFileSync(fd, 'utf8').trim();
    if (!text.startsWith(PREFIX)) throw new StoreError('KEY_FILE_INVALID', 'key file has no sotto key header');
    let raw: Uint8Array;
    try {
      raw = fromHex(text.slice(PREFIX.length));
    } catch {
      throw new StoreError('KEY_FILE_INVALID', 'key file is not hex');
    }
    if (raw.length !== 32) throw new StoreError('KEY_FILE_INVALID', 'key file holds a key of the wrong length');
    return new StorageKey(raw);
  } finally {
    closeSync(fd);
  }
}
