// Deleting for real in SQLite: secure_delete zeroes the bytes a change frees (an old copy of a row that moved, overflow
// pages), and a truncating checkpoint empties the WAL, which still holds the pages as they were before.
import type Database from 'better-sqlite3';

/** Runs `fn` in a transaction with secure_delete on. */
export function scrubbing<T>(db: Database.Database, fn: () => T): T {
  db.pragma('secure_delete = ON');
  try {
    return db.transaction(fn)();
  } finally {
    db.pragma('secure_delete = OFF');
  }
}

/** Empties the WAL if no reader holds it (otherwise the next checkpoint overwrites it). */
export function truncateWal(db: Database.Database): void {
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch {
    // a reader holds the WAL: the next checkpoint overwrites it
  }
}
