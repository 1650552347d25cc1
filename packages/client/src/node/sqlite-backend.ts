// SqliteBackend: a RawBackend on one SQLite file (better-sqlite3, WAL, synchronous=FULL, versioned migrations). Node only.

import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { ApplyOptions, RawBackend, RawOp, RawRange, RawRow } from '../store/raw-backend.js';
import { StoreError } from '../store/store-error.js';

/** Schema migrations, applied in order; the index + 1 is the PRAGMA user_version after it ran. Only ever append. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE rows (
     space TEXT NOT NULL,
     part  BLOB NOT NULL,
     key   BLOB NOT NULL,
     value BLOB NOT NULL,
     PRIMARY KEY (space, part, key)
   ) WITHOUT ROWID`,
];

type Row = { space: string; part: Buffer; key: Buffer; value: Buffer };

/** A plain Uint8Array over a Buffer's bytes (better-sqlite3 gives each value its own memory: no copy needed). */
const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export class SqliteBackend implements RawBackend {
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string, Uint8Array, Uint8Array], { value: Buffer }>;
  readonly #put: Database.Statement<[string, Uint8Array, Uint8Array, Uint8Array]>;
  readonly #del: Database.Statement<[string, Uint8Array, Uint8Array]>;
  readonly #applyAll: (ops: RawOp[]) => void;
  readonly #ranges = new Map<string, Database.Statement<Array<string | Uint8Array | number>, Row>>();

  /** Open (creating with mode 0600 if absent) and migrate the database file at `path`. */
  constructor(path: string) {
    if (path !== ':memory:') closeSync(openSync(path, 'a', 0o600));
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.pragma('foreign_keys = ON');
    this.#migrate();
    this.#get = this.#db.prepare('SELECT value FROM rows WHERE space = ? AND part = ? AND key = ?');
    this.#put = this.#db.prepare('INSERT OR REPLACE INTO rows (space, part, key, value) VALUES (?, ?, ?, ?)');
    this.#del = this.#db.prepare('DELETE FROM rows WHERE space = ? AND part = ? AND key = ?');
    this.#applyAll = this.#db.transaction((ops: RawOp[]) => {
      for (const op of ops) {
        if (op.value === null) this.#del.run(op.space, op.part, op.key);
        else this.#put.run(op.space, op.part, op.key, op.value);
      }
    });
  }

  #migrate(): void {
    const version = this.#db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      this.#db.close();
      throw new StoreError('UNSUPPORTED_FORMAT', `database schema ${version} is newer than this client`);
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.#db.transaction(() => {
        this.#db.exec(MIGRATIONS[v]!);
        this.#db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  #open(): void {
    if (!this.#db.open) throw new StoreError('CLOSED', 'database is closed');
  }

  async get(space: string, part: Uint8Array, key: Uint8Array): Promise<Uint8Array | undefined> {
    this.#open();
    const row = this.#get.get(space, part, key);
    return row ? bytes(row.value) : undefined;
  }

  async range(space: string, part: Uint8Array, range: RawRange): Promise<RawRow[]> {
    this.#open();
    // BLOB comparison in SQLite is memcmp with shorter-prefix-first: the order RawBackend requires.
    let sql = 'SELECT space, part, key, value FROM rows WHERE space = ? AND part = ?';
    const params: Array<string | Uint8Array | number> = [space, part];
    if (range.gt) {
      sql += ' AND key > ?';
      params.push(range.gt);
    }
    if (range.lt) {
      sql += ' AND key < ?';
      params.push(range.lt);
    }
    sql += range.reverse ? ' ORDER BY key DESC' : ' ORDER BY key ASC';
    if (range.limit !== undefined) {
      sql += ' LIMIT ?';
      params.push(range.limit);
    }
    let statement = this.#ranges.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#ranges.set(sql, statement);
    }
    const rows = statement.all(...params);
    return rows.map((r) => ({ space: r.space, part: bytes(r.part), key: bytes(r.key), value: bytes(r.value) }));
  }

  async apply(ops: RawOp[], options: ApplyOptions = {}): Promise<void> {
    this.#open();
    // In WAL mode, synchronous=NORMAL appends the commit without an fsync: the next FULL commit's fsync carries it.
    const relaxed = options.durable === false;
    try {
      if (relaxed) this.#db.pragma('synchronous = NORMAL');
      this.#applyAll(ops);
    } catch (e) {
      // SQLite's own words (disk full, I/O error, read-only): they name no row and hold no data.
      throw new StoreError('IO', `database write failed (${e instanceof Error ? e.message : 'unknown error'})`, { cause: e });
    } finally {
      if (relaxed && this.#db.open) this.#db.pragma('synchronous = FULL');
    }
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
