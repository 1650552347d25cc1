// Tests for the encrypted LocalStore on the memory and SQLite backends: the shared store contract
// (contracts/store-contract.ts, also run on IndexedDB in Chromium by packages/web), plus Node-only cases: encryption at
// rest in the SQLite file, key files, redaction.

import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inspect } from 'node:util';
import Database from 'better-sqlite3';
import { createKeyFile, readKeyFile } from '../src/node/key-file.js';
import { SqliteBackend } from '../src/node/sqlite-backend.js';
import { openSqliteStore } from '../src/node/sqlite-store.js';
import { EncryptedStore, openMemoryStore } from '../src/store/encrypted-store.js';
import { MemoryBackend } from '../src/store/memory-backend.js';
import type { RawBackend } from '../src/store/raw-backend.js';
import { StorageKey } from '../src/store/storage-key.js';
import { StoreError } from '../src/store/store-error.js';
import { utf8 } from '../src/util/bytes.js';
import {
  type BackendFactory,
  PLAINTEXT_MARKERS,
  rawBackendContract,
  storeContract,
  type StoreFactory,
  writePlaintextMarkers,
} from './contracts/store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'sotto-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const freshPath = () => join(dir, `store-${++counter}.sqlite`);
const FAST = { logN: 10, r: 8, p: 1 };
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof StoreError && e.code === code);
}

type Factory = { name: string; open: StoreFactory };

const factories: Factory[] = [
  {
    name: 'memory',
    open: async () => {
      const rows = new MemoryBackend();
      // a backend whose close() leaves the rows in place, so a store can be closed and reopened on them
      const backend: RawBackend = {
        get: (s, p, k) => rows.get(s, p, k),
        range: (s, p, r) => rows.range(s, p, r),
        apply: (ops) => rows.apply(ops),
        close: async () => undefined,
      };
      const raw = StorageKey.generate().expose();
      const store = await EncryptedStore.open(backend, new StorageKey(raw));
      // a memory backend survives the store object, so "reopen" builds a new store on the same rows
      return { store, reopen: () => EncryptedStore.open(backend, new StorageKey(raw)) };
    },
  },
  {
    name: 'sqlite',
    open: async () => {
      const path = freshPath();
      const store = await openSqliteStore({ path, key: { passphrase: 'correct horse', scrypt: FAST } });
      return { store, reopen: () => openSqliteStore({ path, key: { passphrase: 'correct horse' } }) };
    },
  },
];

for (const f of factories) {
  describe(`LocalStore (${f.name})`, () => {
    for (const c of storeContract(f.open, assert)) it(c.name, () => c.run());

    it('prints itself redacted', async () => {
      const { store } = await f.open();
      assert.equal(inspect(store).includes('redacted'), true);
      await store.close();
    });
  });
}

const backends: Array<{ name: string; open: BackendFactory }> = [
  { name: 'memory', open: async () => new MemoryBackend() },
  { name: 'sqlite', open: async () => new SqliteBackend(freshPath()) },
];

for (const b of backends) {
  describe(`RawBackend (${b.name})`, () => {
    for (const c of rawBackendContract(b.open, assert)) it(c.name, () => c.run());
  });
}

describe('LocalStore encryption at rest', () => {
  it('writes none of the plaintext markers to the SQLite file or its WAL', async () => {
    const path = freshPath();
    const store = await openSqliteStore({ path, key: { passphrase: 'pw', scrypt: FAST } });
    const markers = PLAINTEXT_MARKERS;
    await writePlaintextMarkers(store);
    const check = () => {
      for (const file of [path, `${path}-wal`]) {
        if (!existsSync(file)) continue;
        const raw = readFileSync(file);
        for (const m of markers) {
          assert.equal(raw.includes(m), false, `${m} found in ${file}`);
          assert.equal(raw.includes(Buffer.from(m, 'utf16le')), false);
        }
      }
    };
    check(); // while open (data in the WAL)
    assert.equal(statSync(path).mode & 0o777, 0o600);
    await store.close();
    check(); // after checkpoint
  });

  it('fails with WRONG_PASSPHRASE on a wrong passphrase, and works again with the right one', async () => {
    const path = freshPath();
    const store = await openSqliteStore({ path, key: { passphrase: 'right', scrypt: FAST } });
    await store.put('n', 'k', utf8('v'));
    await store.close();
    await rejectsWith(openSqliteStore({ path, key: { passphrase: 'wrong' } }), 'WRONG_PASSPHRASE');
    const again = await openSqliteStore({ path, key: { passphrase: 'right' } });
    assert.equal(text(await again.get('n', 'k')), 'v');
    await again.close();
  });

  it('fails with WRONG_KEY on a wrong storage key', async () => {
    const backend = new MemoryBackend();
    await (await EncryptedStore.open(backend, StorageKey.generate())).put('n', 'k', utf8('v'));
    await rejectsWith(EncryptedStore.open(backend, StorageKey.generate()), 'WRONG_KEY');
  });

  it('detects tampered, truncated and swapped ciphertext', async () => {
    const backend = new MemoryBackend();
    const store = await openMemoryStore(StorageKey.generate(), backend);
    await store.put('n', 'a', utf8('value a'));
    await store.put('n', 'b', utf8('value b'));
    const rows = backend.dump().filter((r) => r.space === 'kv');
    const [ra, rb] = rows as [(typeof rows)[0], (typeof rows)[0]];
    const flipped = ra.value.slice();
    flipped[flipped.length - 1]! ^= 1;
    backend.tamper({ ...ra, value: flipped });
    await rejectsWith(store.list('n'), 'CORRUPT');
    backend.tamper({ ...ra, value: ra.value.slice(0, 20) });
    await rejectsWith(store.list('n'), 'CORRUPT');
    backend.tamper({ ...ra, value: rb.value }); // a valid ciphertext moved to another row
    await rejectsWith(store.list('n'), 'CORRUPT');
  });

  it('stores names only as MACs', async () => {
    const backend = new MemoryBackend();
    const store = await openMemoryStore(StorageKey.generate(), backend);
    await store.put('secret-namespace', 'secret-key', utf8('secret-value'));
    const blob = Buffer.concat(
      backend.dump().flatMap((r) => [Buffer.from(r.space), Buffer.from(r.part), Buffer.from(r.key), Buffer.from(r.value)]),
    );
    for (const m of ['secret-namespace', 'secret-key', 'secret-value']) assert.equal(blob.includes(m), false);
  });

  it('a relaxed (not durable) transaction on SQLite is written, and later writes are durable again', async () => {
    const path = freshPath();
    const raw = StorageKey.generate().expose();
    const store = await openSqliteStore({ path, key: { storageKey: new StorageKey(raw) } });
    await store.transaction(async (tx) => tx.put('n', 'relaxed', utf8('a')), { durable: false });
    await store.put('n', 'durable', utf8('b'));
    await store.close();
    const reopened = await openSqliteStore({ path, key: { storageKey: new StorageKey(raw) } });
    assert.deepEqual(await reopened.get('n', 'relaxed'), utf8('a'));
    assert.deepEqual(await reopened.get('n', 'durable'), utf8('b'));
    await reopened.close();
    const db = new Database(path);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
  });

  it('a write the disk refuses is StoreError IO, keeps nothing of that transaction, and the store goes on', async () => {
    const path = freshPath();
    const store = await openSqliteStore({ path, key: { storageKey: StorageKey.generate() } });
    await store.put('n', 'before', utf8('kept'));
    // Another connection makes SQLite refuse any new row from now on (the writer thread's inserts fail).
    const other = new Database(path);
    other.exec("CREATE TRIGGER refuse BEFORE INSERT ON rows BEGIN SELECT RAISE(ABORT, 'disk refused'); END");
    const refused = store.transaction(async (tx) => {
      await tx.put('n', 'during', utf8('lost'));
      await tx.appendMessage('c', 'm1', utf8('lost too'));
    });
    await rejectsWith(refused, 'IO');
    other.exec('DROP TRIGGER refuse');
    other.close();
    assert.equal(await store.get('n', 'during'), undefined);
    assert.deepEqual(await store.listMessages('c'), []);
    assert.deepEqual(await store.get('n', 'before'), utf8('kept'));
    await store.put('n', 'after', utf8('written'));
    assert.deepEqual(await store.get('n', 'after'), utf8('written'));
    await store.close();
  });

  it('refuses a database from a newer schema', async () => {
    const path = freshPath();
    const b = new SqliteBackend(path);
    await b.close();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    assert.throws(
      () => new SqliteBackend(path),
      (e: unknown) => e instanceof StoreError && e.code === 'UNSUPPORTED_FORMAT',
    );
  });
});

describe('key file', () => {
  it('creates a 0600 key file that opens the store after a restart', async () => {
    const keyPath = join(dir, 'device.key');
    const path = freshPath();
    createKeyFile(keyPath);
    const store = await openSqliteStore({ path, key: { keyFile: keyPath } });
    await store.put('n', 'k', utf8('v'));
    await store.close();
    const again = await openSqliteStore({ path, key: { keyFile: keyPath } });
    assert.equal(text(await again.get('n', 'k')), 'v');
    await again.close();
    assert.throws(
      () => createKeyFile(keyPath),
      (e: unknown) => e instanceof StoreError && e.code === 'KEY_FILE_INVALID',
    );
  });

  it('refuses a key file readable by group or others', () => {
    const keyPath = join(dir, 'loose.key');
    createKeyFile(keyPath);
    for (const mode of [0o640, 0o604, 0o660]) {
      chmodSync(keyPath, mode);
      assert.throws(
        () => readKeyFile(keyPath),
        (e: unknown) => e instanceof StoreError && e.code === 'KEY_FILE_INSECURE',
      );
    }
    chmodSync(keyPath, 0o600);
    assert.ok(readKeyFile(keyPath) instanceof StorageKey);
  });

  it('refuses a symlinked, missing or malformed key file', () => {
    const target = join(dir, 'target.key');
    createKeyFile(target);
    const link = join(dir, 'link.key');
    symlinkSync(target, link);
    assert.throws(
      () => readKeyFile(link),
      (e: unknown) => e instanceof StoreError && e.code === 'KEY_FILE_INSECURE',
    );
    assert.throws(
      () => readKeyFile(join(dir, 'absent.key')),
      (e: unknown) => e instanceof StoreError && e.code === 'KEY_FILE_INVALID',
    );
    const bad = join(dir, 'bad.key');
    writeFileSync(bad, 'sotto-storage-key-v1:abcd\n', { mode: 0o600 });
    assert.throws(
      () => readKeyFile(bad),
      (e: unknown) => e instanceof StoreError && e.code === 'KEY_FILE_INVALID',
    );
  });

  it('a storage key never prints itself', () => {
    const key = new StorageKey(new Uint8Array(32).fill(0xab));
    const shown = `${String(key)} ${JSON.stringify({ key })} ${inspect(key)} ${inspect({ nested: key }, { depth: 5 })}`;
    assert.ok(!shown.includes('ab') && !shown.includes('171'), shown);
    assert.match(shown, /StorageKey redacted/);
  });
});
