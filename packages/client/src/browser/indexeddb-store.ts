/// <reference lib="dom" />
// IndexedDbBackend: a RawBackend on one IndexedDB object store, for the browser (tested in Chromium by packages/web).

import { EncryptedStore } from '../store/encrypted-store.js';
import { type ApplyOptions, compareBytes, type RawBackend, type RawOp, type RawRange, type RawRow } from '../store/raw-backend.js';
import type { StorageKey } from '../store/storage-key.js';
import { StoreError } from '../store/store-error.js';

const OBJECT_STORE = 'rows';
const DB_VERSION = 1;

/**
 * Keys are arrays [space, part, key]. IndexedDB compares arrays element by element, binary keys bytewise with a
 * shorter prefix first (the RawBackend order), and any array above any binary: [space, part, []] is an upper bound
 * above every key of the partition.
 */
type IdbKey = [string, ArrayBuffer, ArrayBuffer | []];
type IdbRow = { k: IdbKey; v: ArrayBuffer };

const buf = (b: Uint8Array): ArrayBuffer => b.slice().buffer as ArrayBuffer;

/** The error a failed IndexedDB request or transaction becomes: a store that is gone is CLOSED, anything else IO. */
function storeError(what: string, error: DOMException | null | undefined | unknown): StoreError {
  const name = error instanceof DOMException ? error.name : undefined;
  if (name === 'InvalidStateError') return new StoreError('CLOSED', `${what}: database connection is closed`, { cause: error });
  if (name === 'VersionError') return new StoreError('UNSUPPORTED_FORMAT', `${what}: database is newer than this client`, { cause: error });
  return new StoreError('IO', `${what} (${name ?? 'unknown error'})`, { cause: error });
}

function request<T>(req: IDBRequest<T>, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(storeError(what, req.error));
  });
}

/** A stored row must be what apply() wrote; anything else is corruption, never a crash further up. */
function checkRow(row: unknown): IdbRow {
  const r = row as Partial<IdbRow> | null;
  if (!r || !Array.isArray(r.k) || !(r.k[2] instanceof ArrayBuffer) || !(r.v instanceof ArrayBuffer)) {
    throw new StoreError('CORRUPT', 'IndexedDB row malformed');
  }
  return r as IdbRow;
}

export class IndexedDbBackend implements RawBackend {
  readonly #db: IDBDatabase;
  #closed = false;

  private constructor(db: IDBDatabase) {
    this.#db = db;
    // Another tab upgrading or deleting the database (deleteBrowserProfile) must not wait on this connection forever.
    db.onversionchange = () => {
      this.#closed = true;
      db.close();
    };
  }

  static async open(name: string, factory: IDBFactory = indexedDB): Promise<IndexedDbBackend> {
    let req: IDBOpenDBRequest;
    try {
      req = factory.open(name, DB_VERSION);
    } catch (e) {
      throw storeError('opening the IndexedDB database failed', e);
    }
    req.onupgradeneeded = () => {
      // Migrations by version: only ever append steps.
      if (!req.result.objectStoreNames.contains(OBJECT_STORE)) req.result.createObjectStore(OBJECT_STORE, { keyPath: 'k' });
    };
    return new IndexedDbBackend(await request(req, 'opening the IndexedDB database failed'));
  }

  #transaction(mode: IDBTransactionMode, options?: IDBTransactionOptions): IDBTransaction {
    if (this.#closed) throw new StoreError('CLOSED', 'IndexedDB backend is closed');
    try {
      return this.#db.transaction(OBJECT_STORE, mode, options);
    } catch (e) {
      throw storeError('starting an IndexedDB transaction failed', e);
    }
  }

  async get(space: string, part: Uint8Array, key: Uint8Array): Promise<Uint8Array | undefined> {
    const store = this.#transaction('readonly').objectStore(OBJECT_STORE);
    const row = await request(store.get([space, buf(part), buf(key)]), 'IndexedDB read failed');
    return row === undefined ? undefined : new Uint8Array(checkRow(row).v);
  }

  async range(space: string, part: Uint8Array, range: RawRange): Promise<RawRow[]> {
    const { gt, lt, limit } = range;
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) throw new StoreError('INVALID_ARGUMENT', 'bad range limit');
    // IDBKeyRange.bound throws on an empty interval (lower above upper, or equal with an open end): nothing to read.
    // Without gt the lower bound is the empty key, so lt = empty is such an interval too.
    if (limit === 0 || lt?.length === 0 || (gt !== undefined && lt !== undefined && compareBytes(gt, lt) >= 0)) return [];
    const p = buf(part);
    const lower: IdbKey = [space, p, gt === undefined ? new ArrayBuffer(0) : buf(gt)];
    const upper: IdbKey = [space, p, lt === undefined ? [] : buf(lt)];
    const keyRange = IDBKeyRange.bound(lower, upper, gt !== undefined, true);
    const store = this.#transaction('readonly').objectStore(OBJECT_STORE);
    const rows: RawRow[] = [];
    await new Promise<void>((resolve, reject) => {
      const cursor = store.openCursor(keyRange, range.reverse ? 'prev' : 'next');
      cursor.onerror = () => reject(storeError('IndexedDB cursor failed', cursor.error));
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (!c) return resolve();
        try {
          const row = checkRow(c.value);
          rows.push({ space, part: part.slice(), key: new Uint8Array(row.k[2] as ArrayBuffer), value: new Uint8Array(row.v) });
        } catch (e) {
          return reject(e);
        }
        if (limit !== undefined && rows.length >= limit) return resolve();
        c.continue();
      };
    });
    return rows;
  }

  /**
   * One readwrite transaction: IndexedDB commits all of it or, on any error, none of it. `durable: false` asks for
   * 'relaxed' durability (written, flushed to disk later), the default is 'strict' (flushed before completion).
   */
  async apply(ops: RawOp[], options: ApplyOptions = {}): Promise<void> {
    const tx = this.#transaction('readwrite', { durability: options.durable === false ? 'relaxed' : 'strict' });
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      // A failed request aborts the transaction (quota exceeded, disk error): the store refused the write.
      tx.onabort = () => reject(storeError('IndexedDB refused the write; nothing of it was kept', tx.error));
    });
    try {
      const store = tx.objectStore(OBJECT_STORE);
      for (const op of ops) {
        const k: IdbKey = [op.space, buf(op.part), buf(op.key)];
        if (op.value === null) store.delete(k);
        else store.put({ k, v: buf(op.value) } satisfies IdbRow);
      }
    } catch (e) {
      // A request that throws synchronously does not abort the transaction: abort it, or the ops before it commit.
      tx.abort();
      await done.catch(() => undefined);
      throw storeError('IndexedDB refused the write; nothing of it was kept', e);
    }
    await done;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#db.close();
  }
}

/** Open the encrypted store in the IndexedDB database `name` (its key e.g. from openBrowserStorageKey in browser-key.ts). */
export async function openIndexedDbStore(name: string, key: StorageKey, factory: IDBFactory = indexedDB): Promise<EncryptedStore> {
  const backend = await IndexedDbBackend.open(name, factory);
  try {
    return await EncryptedStore.open(backend, key);
  } catch (e) {
    await backend.close();
    throw e;
  }
}
