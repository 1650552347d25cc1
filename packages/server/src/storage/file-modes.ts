// File permissions of the data the server keeps: directories 0700, the database (with its WAL and SHM files)
// and attachment blobs 0600, so that no other local user can read ciphertext, metadata or token hashes.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** Creates `dir` (and missing parents) with mode 0700. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
}

/** Creates an empty file with mode 0600 unless it exists (SQLite gives its WAL and SHM the database file's mode). */
export function touchPrivateFile(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', FILE_MODE));
}

/** Removes group and other permissions from `path` if it has any; true when it did. */
function tighten(path: string, mode: number): boolean {
  let st;
  try {
    st = statSync(path);
  } catch {
    return false;
  }
  if ((st.mode & 0o077) === 0) return false;
  chmodSync(path, mode);
  return true;
}

/**
 * Makes the data directory, the database files, the blob directory and every blob private to the server's user;
 * returns the paths that were looser (to be logged as a warning).
 */
export function tightenDataModes(dataDir: string, databaseFile: string, blobsDir: string): string[] {
  const fixed: string[] = [];
  const dir = (p: string) => tighten(p, DIR_MODE) && fixed.push(p);
  const file = (p: string) => tighten(p, FILE_MODE) && fixed.push(p);
  dir(dataDir);
  for (const suffix of ['', '-wal', '-shm']) file(databaseFile + suffix);
  if (!existsSync(blobsDir)) return fixed;
  dir(blobsDir);
  for (const entry of readdirSync(blobsDir, { withFileTypes: true })) {
    const p = join(blobsDir, entry.name);
    if (!entry.isDirectory()) {
      file(p);
      continue;
    }
    dir(p);
    for (const blob of readdirSync(p, { withFileTypes: true })) if (blob.isFile()) file(join(p, blob.name));
  }
  return fixed;
}
