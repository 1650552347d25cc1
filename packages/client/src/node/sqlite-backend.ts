// SqliteBackend: a RawBackend on one SQLite file (better-sqlite3, WAL, synchronous=FULL, versioned migrations). Node only.
//
// Reads run on the calling thread. Writes run on a worker thread with its own connection, so that a durable commit (an
// fsync) does not stop the event loop: the client goes on encrypting, sending and receiving while the disk works.
// `apply` resolves once the worker's transaction is committed; the store (EncryptedStore) never reads while one of its
// writes is in flight, so every read sees every write applied before it.

import { closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { RawBackend, RawOp, RawRange, RawRow } from '../store/raw-backend.js';
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

/** The writer thread: applies each batch of ops in one transaction and answers with its id. CommonJS, run from a string. */
const WRITER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
const put = db.prepare('INSERT OR REPLACE INTO rows (space, part, key, value) VALUES (?, ?, ?, ?)');
const del = db.prepare('DELETE FROM rows WHERE space = ? AND part = ? AND key = ?');
const applyAll = db.transaction((ops) => {
  for (const op of ops) {
    if (op.value === null) del.run(op.space, op.part, op.key);
    else put.run(op.space, op.part, op.key, op.value);
  }
});
parentPort.on('message', (m) => {
  if (m.close) {
    db.close();
    parentPort.postMessage({ id: m.id, ok: true });
    return;
  }
  try {
    applyAll(m.ops);
    parentPort.postMessage({ id: m.id, ok: true });
  } catch (e) {
    parentPort.postMessage({ id: m.id, ok: false, code: String(e && e.code), message: String(e && e.message) });
  }
});
`;

type WriterReply = { id: number; ok: true } | { id: number; ok: false; code: string; message: string };

/** The worker that commits writes; `ref`s itself only while a write is in flight, so an idle store never keeps Node up. */
class Writer {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: () => void; reject: (e: StoreError) => void }>();
  #next = 0;
  #dead: StoreError | undefined;

  constructor(path: string) {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(WRITER, { eval: true, workerData: { path, module } });
    this.#worker.unref();
    this.#worker.on('message', (r: WriterReply) => {
      const w = this.#waiting.get(r.id);
      if (!w) return;
      this.#waiting.delete(r.id);
      if (this.#waiting.size === 0) this.#worker.unref();
      if (r.ok) w.resolve();
      else w.reject(new StoreError('IO', `database write failed (${r.code}: ${r.message})`));
    });
    const fail = (e: StoreError) => {
      this.#dead ??= e;
      for (const w of this.#waiting.values()) w.reject(e);
      this.#waiting.clear();
    };
    this.#worker.on('error', (e) => fail(new StoreError('IO', 'database writer failed', { cause: e })));
    this.#worker.on('exit', () => fail(new StoreError('CLOSED', 'database writer stopped')));
  }

  send(message: { ops: RawOp[] } | { close: true }): Promise<void> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#next++;
    return new Promise<void>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.ref();
      this.#worker.postMessage({ id, ...message });
    });
  }

  async close(): Promise<void> {
    if (!this.#dead) await this.send({ close: true }).catch(() => {});
    await this.#worker.terminate();
  }
}

export class SqliteBackend implements RawBackend {
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string, Uint8Array, Uint8Array], { value: Buffer }>;
  readonly #put: Database.Statement<[string, Uint8Array, Uint8Array, Uint8Array]>;
  readonly #del: Database.Statement<[string, Uint8Array, Uint8Array]>;
  readonly #applyAll: (ops: RawOp[]) => void;
  readonly #ranges = new Map<string, Database.Statement<Array<string | Uint8Array | number>, Row>>();
  /** The writer thread; none for an in-memory database, which only this connection can see. */
  readonly #writer: Writer | undefined;

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
    this.#writer = path === ':memory:' ? undefined : new Writer(path);
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

  async apply(ops: RawOp[]): Promise<void> {
    this.#open();
    if (this.#writer) await this.#writer.send({ ops });
    else this.#applyAll(ops);
  }

  async close(): Promise<void> {
    await this.#writer?.close();
    if (this.#db.open) this.#db.close();
  }
}
