/// <reference lib="dom" />
// IndexedDbBackend: a RawBackend on one IndexedDB object store, for the browser. Untested under Node: gets a Chromium test later.

import { EncryptedStore } from '../store/encrypted-store.js';
import type { RawBackend, RawOp, RawRange, RawRow } from '../store/raw-backend.js';
import type { StorageKey } from '../store/storage-key.js';
import { StoreError } from '../store/store-error.js';

const OBJECT_STORE = 'rows';
const DB_VERSION = 1;

/** IndexedDB keys are arrays [space, part, key]; binary components compare bytewise, and any array sorts above any binary. */
type IdbKey = [string, ArrayBuffer, ArrayBuffer | []];
type IdbRow = { k: IdbKey; v: ArrayBuffer };

const buf = (b: Uint8Array): ArrayBuffer => b.slice().buffer as ArrayBuffer;

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new StoreError('CORRUPT', 'IndexedDB request failed', { cause: req.error }));
  });
}

export class IndexedDbBackend implements RawBackend {
  readonly #db: IDBDatabase;

  private constructor(db: IDBDatabase) {
    this.#db = db;
  }

  static async open(name: string, factory: IDBFactory = indexedDB): Promise<IndexedDbBackend> {
    const req = factory.open(name, DB_VERSION);
    req.onupgradeneeded = () => {
      // Migrations by version: only ever append steps.
      if (!req.result.objectStoreNames.contains(OBJECT_STORE)) req.result.createObjectStore(OBJECT_STORE, { keyPath: 'k' });
    };
    return new IndexedDbBackend(await request(req));
  }

  async get(space: string, part: Uint8Array, key: Uint8Array): Promise<Uint8Array | undefined> {
    const tx = this.#db.transaction(OBJECT_STORE, 'readonly');
    const row = (await request(tx.objectStore(OBJECT_STORE).get([space, buf(part), buf(key)]))) as IdbRow | undefined;
    return row ? new Uint8Array(row.v) : undefined;
  }

  async range(space: string, part: Uint8Array, range: RawRange): Promise<RawRow[]> {
    const lower: IdbKey = [space, buf(part), range.gt ? buf(range.gt) : new ArrayBuffer(0)];
    const upper: IdbKey = [space, buf(part), range.lt ? buf(range.lt) : []];
    const keyRange = IDBKeyRange.bound(lower, upper, range.gt !== undefined, true);
    const store = this.#db.transaction(OBJECT_STORE, 'readonly').objectStore(OBJECT_STORE);
    const rows: RawRow[] = [];
    await new Promise<void>((resolve, reject) => {
      const cursor = store.openCursor(keyRange, range.reverse ? 'prev' : 'next');
      cursor.onerror = () => reject(new StoreError('CORRUPT', 'IndexedDB cursor failed', { cause: cursor.error }));
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (!c || (range.limit !== undefined && rows.length >= range.limit)) return resolve();
        const row = c.value as IdbRow;
        rows.push({ space, part: part.slice(), key: new Uint8Array(row.k[2] as ArrayBuffer), value: new Uint8Array(row.v) });
        c.continue();
      };
    });
    return rows;
  }

  /** One readwrite transaction: IndexedDB commits all of it or, on any error, none of it. */
  async apply(ops: RawOp[]): Promise<void> {
    const tx = this.#db.transaction(OBJECT_STORE, 'readwrite', { durability: 'strict' });
    const store = tx.objectStore(OBJECT_STORE);
    for (const op of ops) {
      const k: IdbKey = [op.space, buf(op.part), buf(op.key)];
      if (op.value === null) store.delete(k);
      else store.put({ k, v: buf(op.value) } satisfies IdbRow);
    }
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = tx.onerror = () => reject(new StoreError('CORRUPT', 'IndexedDB transaction aborted', { cause: tx.error }));
    });
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}

/** Open the encrypted store in the IndexedDB database `name` (the storage key comes from the caller, e.g. a passphrase or WebAuthn PRF). */
export async function openIndexedDbStore(name: string, key: StorageKey): Promise<EncryptedStore> {
  const backend = await IndexedDbBackend.open(name);
  try {
    return await EncryptedStore.open(backend, key);
  } catch (e) {
    await backend.close();
    throw e;
  }
}
