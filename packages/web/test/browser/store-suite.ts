// Browser suite: the shared LocalStore/RawBackend contract on IndexedDbBackend, IndexedDB-specific cases, and the
// WebCrypto-wrapped browser storage key (browser-key.ts). Bundled and run in Chromium by test/browser-suites.test.ts.
import {
  browserKeyDatabaseName,
  browserKeyState,
  DEFAULT_PBKDF2_ITERATIONS,
  deleteBrowserProfile,
  IndexedDbBackend,
  openBrowserStorageKey,
  openIndexedDbStore,
} from '@sotto/client/browser';
import { StorageKey, StoreError } from '@sotto/client';
// The client package's own test contract, shared with its Node test; not a package API, so imported by path.
/* eslint-disable sotto/no-cross-package-import -- shared test contract (test code, not a package contract) */
import {
  PLAINTEXT_MARKERS,
  rawBackendContract,
  storeContract,
  type StoreFactory,
  writePlaintextMarkers,
} from '../../../client/test/contracts/store-contract.js';
/* eslint-enable sotto/no-cross-package-import */
import { browserAssert as assert } from './browser-assert.js';
import { type NamedCase, runCases, type SuiteResult } from './harness.js';

const enc = new TextEncoder();
const utf8 = (s: string) => enc.encode(s);
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));
const isStoreError = (code: string) => (e: unknown) => e instanceof StoreError && e.code === code;
const rejectsWith = (p: Promise<unknown>, code: string) => assert.rejects(p, isStoreError(code), `expected StoreError ${code}`);

/** A fresh database name per case (the page's origin keeps them until the browser profile is removed). */
let serial = 0;
const fresh = (what: string) => `sotto-${what}-${++serial}-${crypto.randomUUID()}`;

/** Wrapped blobs of format v1 (see the frozen-vector case), computed once with node:crypto AES-256-GCM and PBKDF2. */
const FROZEN_DEVICE_ONLY =
  '22222222222222222222222224c4347af3fcac6cd60ced0f7b95dae62ca0fed159b29f78617c39db3ad2563082e380fa2a94e79abf18b4fb2c80aa5a';
const FROZEN_PASSPHRASE =
  '22222222222222222222222242a2521c959aca0ab06a8b699a5e7fb922a89b8d21cb88f32e978ecba4b997488c01c4b987fe67666fc12dc63465213d9e364508b58e1767a653a004f930aa1de29a33ec00b4aaad174dde3e';
const fromHex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

/** Low PBKDF2 cost for tests that do not check the cost itself. */
const FAST = 1000;

function idb<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/** The key database's raw record (format documented in browser-key.ts). */
async function keyRecord(name: string): Promise<Record<string, unknown>> {
  const db = await idb(indexedDB.open(browserKeyDatabaseName(name)));
  try {
    return (await idb(db.transaction('keys').objectStore('keys').get('profile'))) as Record<string, unknown>;
  } finally {
    db.close();
  }
}

async function putKeyRecord(name: string, record: Record<string, unknown>): Promise<void> {
  const db = await idb(indexedDB.open(browserKeyDatabaseName(name)));
  try {
    await idb(db.transaction('keys', 'readwrite').objectStore('keys').put(record, 'profile'));
  } finally {
    db.close();
  }
}

/** Every byte IndexedDB holds for the store `name`: keys and values of every row. */
async function rawBytes(name: string): Promise<Uint8Array[]> {
  const db = await idb(indexedDB.open(name));
  try {
    const rows = (await idb(db.transaction('rows').objectStore('rows').getAll())) as {
      k: [string, ArrayBuffer, ArrayBuffer];
      v: ArrayBuffer;
    }[];
    return rows.flatMap((r) => [utf8(r.k[0]), new Uint8Array(r.k[1]), new Uint8Array(r.k[2]), new Uint8Array(r.v)]);
  } finally {
    db.close();
  }
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

const openStore: StoreFactory = async () => {
  const name = fresh('store');
  const raw = StorageKey.generate().expose();
  const store = await openIndexedDbStore(name, new StorageKey(raw));
  return { store, reopen: () => openIndexedDbStore(name, new StorageKey(raw)) };
};

function indexedDbCases(): NamedCase[] {
  return [
    {
      name: 'IndexedDB: holds none of the plaintext (names, ids, values) in its keys or values',
      run: async () => {
        const name = fresh('plain');
        const store = await openIndexedDbStore(name, StorageKey.generate());
        const markers = PLAINTEXT_MARKERS;
        await writePlaintextMarkers(store);
        await store.close();
        const bytes = await rawBytes(name);
        assert.ok(bytes.length >= 8 * 4, `expected rows, got ${bytes.length / 4}`);
        for (const m of markers) for (const b of bytes) assert.ok(!contains(b, utf8(m)), `${m} stored in clear`);
      },
    },
    {
      name: 'IndexedDB: a batch IndexedDB refuses midway is StoreError IO and keeps nothing of it',
      run: async () => {
        const backend = await IndexedDbBackend.open(fresh('refuse'));
        const p = Uint8Array.of(1);
        await backend.apply([{ space: 's', part: p, key: Uint8Array.of(1), value: Uint8Array.of(1) }]);
        const bad = { space: {} as unknown as string, part: p, key: Uint8Array.of(3), value: Uint8Array.of(3) }; // not a valid IndexedDB key
        await rejectsWith(
          backend.apply([
            { space: 's', part: p, key: Uint8Array.of(1), value: null },
            { space: 's', part: p, key: Uint8Array.of(2), value: Uint8Array.of(2) },
            bad,
          ]),
          'IO',
        );
        assert.deepEqual(await backend.get('s', p, Uint8Array.of(1)), Uint8Array.of(1));
        assert.equal(await backend.get('s', p, Uint8Array.of(2)), undefined);
        await backend.apply([{ space: 's', part: p, key: Uint8Array.of(4), value: Uint8Array.of(4) }]);
        assert.deepEqual(await backend.get('s', p, Uint8Array.of(4)), Uint8Array.of(4));
        await backend.close();
      },
    },
    {
      name: 'IndexedDB: a database of a newer version is UNSUPPORTED_FORMAT; a closed backend is CLOSED',
      run: async () => {
        const name = fresh('newer');
        (await idb(indexedDB.open(name, 7))).close();
        await rejectsWith(IndexedDbBackend.open(name), 'UNSUPPORTED_FORMAT');
        const backend = await IndexedDbBackend.open(fresh('closed'));
        await backend.close();
        await rejectsWith(backend.get('s', Uint8Array.of(), Uint8Array.of()), 'CLOSED');
        await rejectsWith(backend.apply([]), 'CLOSED');
      },
    },
  ];
}

function browserKeyCases(): NamedCase[] {
  return [
    {
      name: 'browser key: a new profile is created once and reopens its store with the same key',
      run: async () => {
        const name = fresh('profile');
        assert.equal(await browserKeyState(name), 'none');
        const dbs = (await indexedDB.databases()).map((d) => d.name);
        assert.ok(!dbs.includes(browserKeyDatabaseName(name)), 'browserKeyState must not create the key database');
        const key = await openBrowserStorageKey({ name });
        assert.equal(await browserKeyState(name), 'device-key');
        const store = await openIndexedDbStore(name, key);
        await store.put('n', 'k', utf8('kept'));
        await store.close();
        const again = await openIndexedDbStore(name, await openBrowserStorageKey({ name }));
        assert.equal(text(await again.get('n', 'k')), 'kept');
        await again.close();
        await rejectsWith(openBrowserStorageKey({ name, passphrase: 'not set' }), 'INVALID_ARGUMENT');
      },
    },
    {
      name: 'browser key: the device key is a non-extractable AES-GCM-256 CryptoKey; exportKey rejects; the blob is not the key',
      run: async () => {
        const name = fresh('extract');
        const key = await openBrowserStorageKey({ name });
        const record = await keyRecord(name);
        assert.equal(record.version, 1);
        const deviceKey = record.deviceKey as CryptoKey;
        assert.ok(deviceKey instanceof CryptoKey);
        assert.equal(deviceKey.extractable, false);
        assert.deepEqual(deviceKey.algorithm, { name: 'AES-GCM', length: 256 });
        await assert.rejects(
          crypto.subtle.exportKey('raw', deviceKey),
          (e) => e instanceof DOMException && e.name === 'InvalidAccessError',
        );
        await assert.rejects(
          crypto.subtle.exportKey('jwk', deviceKey),
          (e) => e instanceof DOMException && e.name === 'InvalidAccessError',
        );
        const wrapped = new Uint8Array(record.wrapped as ArrayBuffer);
        assert.equal(wrapped.length, 12 + 32 + 16);
        assert.ok(!contains(wrapped, key.expose()), 'the wrapped blob holds the storage key in clear');
      },
    },
    {
      name: 'browser key: a passphrase profile needs device key and passphrase; a wrong or missing one is WRONG_PASSPHRASE',
      run: async () => {
        const name = fresh('pass');
        const key = await openBrowserStorageKey({ name, passphrase: 'correct horse', pbkdf2Iterations: FAST });
        assert.equal(await browserKeyState(name), 'passphrase');
        const record = await keyRecord(name);
        assert.deepEqual((record.passphrase as { iterations: number }).iterations, FAST);
        assert.equal(new Uint8Array(record.wrapped as ArrayBuffer).length, 12 + 12 + 32 + 16 + 16);
        const store = await openIndexedDbStore(name, key);
        await store.put('n', 'k', utf8('secret'));
        await store.close();
        await rejectsWith(openBrowserStorageKey({ name, passphrase: 'wrong horse' }), 'WRONG_PASSPHRASE');
        await rejectsWith(openBrowserStorageKey({ name }), 'WRONG_PASSPHRASE');
        const again = await openIndexedDbStore(name, await openBrowserStorageKey({ name, passphrase: 'correct horse' }));
        assert.equal(text(await again.get('n', 'k')), 'secret');
        await again.close();
      },
    },
    {
      name: `browser key: a passphrase costs ${DEFAULT_PBKDF2_ITERATIONS} PBKDF2-SHA-256 iterations by default (>= 600,000)`,
      run: async () => {
        assert.ok(DEFAULT_PBKDF2_ITERATIONS >= 600_000);
        const name = fresh('cost');
        await openBrowserStorageKey({ name, passphrase: 'slow' });
        assert.equal((((await keyRecord(name)).passphrase as { iterations: number }) ?? {}).iterations, DEFAULT_PBKDF2_ITERATIONS);
        await rejectsWith(openBrowserStorageKey({ name: fresh('cost'), passphrase: 'x', pbkdf2Iterations: 0 }), 'INVALID_ARGUMENT');
      },
    },
    {
      name: 'browser key: without its device key the data is unreadable (another device key: CORRUPT; a new profile key: WRONG_KEY)',
      run: async () => {
        const name = fresh('nodevice');
        const store = await openIndexedDbStore(name, await openBrowserStorageKey({ name }));
        await store.put('n', 'k', utf8('v'));
        await store.close();
        // The wrapped blob and the store copied elsewhere, next to another non-extractable device key.
        const record = await keyRecord(name);
        const other = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
        await putKeyRecord(name, { ...record, deviceKey: other });
        await rejectsWith(openBrowserStorageKey({ name }), 'CORRUPT');
        // The key database lost: a new profile key does not open the old store.
        await idb(indexedDB.deleteDatabase(browserKeyDatabaseName(name)));
        assert.equal(await browserKeyState(name), 'none');
        await rejectsWith(openIndexedDbStore(name, await openBrowserStorageKey({ name })), 'WRONG_KEY');
      },
    },
    {
      name: 'browser key: format v1 frozen vectors (computed with node:crypto from the documented layout) still open',
      run: async () => {
        // device key 0x11 x32, iv 0x22 x12, storage key 0x33 x32; passphrase layer: salt 0x44 x16, 1000 iterations, iv 0x55 x12.
        const name = 'frozen-v1';
        await deleteBrowserProfile(name);
        await openBrowserStorageKey({ name }); // creates the key database; its record is replaced below
        const deviceKey = await crypto.subtle.importKey('raw', new Uint8Array(32).fill(0x11), 'AES-GCM', false, ['encrypt', 'decrypt']);
        const expected = new Uint8Array(32).fill(0x33);
        await putKeyRecord(name, { version: 1, deviceKey, wrapped: fromHex(FROZEN_DEVICE_ONLY).buffer });
        assert.deepEqual((await openBrowserStorageKey({ name })).expose(), expected);
        const passphrase = { salt: new Uint8Array(16).fill(0x44).buffer, iterations: 1000 };
        await putKeyRecord(name, { version: 1, deviceKey, wrapped: fromHex(FROZEN_PASSPHRASE).buffer, passphrase });
        assert.deepEqual((await openBrowserStorageKey({ name, passphrase: 'frozen passphrase' })).expose(), expected);
        await rejectsWith(openBrowserStorageKey({ name, passphrase: 'frozen passphrasE' }), 'WRONG_PASSPHRASE');
        // Bound to its profile name: the same record under another name does not open.
        const other = fresh('frozen-moved');
        await openBrowserStorageKey({ name: other });
        await putKeyRecord(other, { version: 1, deviceKey, wrapped: fromHex(FROZEN_DEVICE_ONLY).buffer });
        await rejectsWith(openBrowserStorageKey({ name: other }), 'CORRUPT');
        await deleteBrowserProfile(name);
      },
    },
    {
      name: 'browser key: a record or key database of a newer format is UNSUPPORTED_FORMAT, a malformed record CORRUPT',
      run: async () => {
        const name = fresh('format');
        await openBrowserStorageKey({ name });
        const record = await keyRecord(name);
        await putKeyRecord(name, { ...record, version: 2 });
        await rejectsWith(openBrowserStorageKey({ name }), 'UNSUPPORTED_FORMAT');
        await putKeyRecord(name, { ...record, wrapped: 'not bytes' });
        await rejectsWith(openBrowserStorageKey({ name }), 'CORRUPT');
        // A key database upgraded by a newer client.
        const newer = fresh('newer-key-db');
        (await idb(indexedDB.open(browserKeyDatabaseName(newer), 3))).close();
        await rejectsWith(openBrowserStorageKey({ name: newer }), 'UNSUPPORTED_FORMAT');
        await rejectsWith(browserKeyState(newer), 'UNSUPPORTED_FORMAT');
      },
    },
    {
      name: 'browser key: deleteBrowserProfile removes the key and store databases, even with the store open',
      run: async () => {
        const name = fresh('delete');
        const store = await openIndexedDbStore(name, await openBrowserStorageKey({ name }));
        await store.put('n', 'k', utf8('v'));
        await deleteBrowserProfile(name);
        const dbs = (await indexedDB.databases()).map((d) => d.name);
        assert.ok(!dbs.includes(name) && !dbs.includes(browserKeyDatabaseName(name)), `still there: ${dbs.join(', ')}`);
        assert.equal(await browserKeyState(name), 'none');
        await rejectsWith(store.get('n', 'k'), 'CLOSED');
        await store.close();
        // A new profile of the same name starts empty.
        const fresh2 = await openIndexedDbStore(name, await openBrowserStorageKey({ name }));
        assert.equal(await fresh2.get('n', 'k'), undefined);
        await fresh2.close();
        await deleteBrowserProfile(name);
      },
    },
  ];
}

export async function run(): Promise<SuiteResult> {
  let rawSerial = 0;
  const contract = storeContract(openStore, assert).map((c) => ({ name: `store contract: ${c.name}`, run: () => c.run() }));
  const raw = rawBackendContract(() => IndexedDbBackend.open(`sotto-raw-${++rawSerial}-${crypto.randomUUID()}`), assert).map((c) => ({
    name: `raw backend contract: ${c.name}`,
    run: () => c.run(),
  }));
  const idbCases = indexedDbCases();
  const keyCases = browserKeyCases();
  const cases = await runCases([...contract, ...raw, ...idbCases, ...keyCases]);
  return {
    suite: 'store',
    cases,
    counts: { storeContract: contract.length, rawBackendContract: raw.length, indexedDb: idbCases.length, browserKey: keyCases.length },
  };
}
