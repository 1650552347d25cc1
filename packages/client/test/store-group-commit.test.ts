// Tests for the store's group commit: transactions queued together reach the backend as one batch, each sees the
// writes before it, a failing one is dropped alone, and one that waits on an earlier one does not wait forever.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EncryptedStore } from '../src/store/encrypted-store.js';
import { MemoryBackend } from '../src/store/memory-backend.js';
import type { RawBackend, RawOp } from '../src/store/raw-backend.js';
import { StorageKey } from '../src/store/storage-key.js';
import { utf8 } from '../src/util/bytes.js';

const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

/** A memory backend that counts the batches it applied, and can be told to fail the next one. */
async function counted(): Promise<{ store: EncryptedStore; batches: RawOp[][]; durable: boolean[]; failNext: () => void }> {
  const rows = new MemoryBackend();
  const batches: RawOp[][] = [];
  const durable: boolean[] = [];
  let fail = false;
  const backend: RawBackend = {
    get: (s, p, k) => rows.get(s, p, k),
    range: (s, p, r) => rows.range(s, p, r),
    apply: async (ops, options) => {
      if (fail) {
        fail = false;
        throw new Error('disk full');
      }
      batches.push(ops);
      durable.push(options?.durable !== false);
      await rows.apply(ops);
    },
    close: () => rows.close(),
  };
  const store = await EncryptedStore.open(backend, StorageKey.generate());
  batches.length = 0;
  durable.length = 0;
  return { store, batches, durable, failNext: () => (fail = true) };
}

describe('store group commit', () => {
  it('commits transactions queued together in one batch, each seeing the writes before it', async () => {
    const { store, batches } = await counted();
    const seen: Array<string | undefined> = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.transaction(async (tx) => {
          seen.push(text(await tx.get('ns', 'k')));
          await tx.put('ns', 'k', utf8(`v${i}`));
          await tx.appendMessage('c', `m${i}`, utf8(`t${i}`));
        }),
      ),
    );
    assert.deepEqual(seen, [undefined, ...Array.from({ length: 9 }, (_, i) => `v${i}`)]);
    assert.equal(batches.length, 1);
    assert.equal(text(await store.get('ns', 'k')), 'v9');
    const log = await store.listMessages('c');
    assert.deepEqual(
      log.map((e) => [e.seq, e.messageId]),
      Array.from({ length: 10 }, (_, i) => [i + 1, `m${i}`]),
    );
    await store.close();
  });

  it('drops a failing transaction alone; the others of its group commit', async () => {
    const { store } = await counted();
    const results = await Promise.allSettled([
      store.put('ns', 'a', utf8('1')),
      store.transaction(async (tx) => {
        await tx.put('ns', 'b', utf8('2'));
        throw new Error('refused');
      }),
      store.transaction(async (tx) => {
        assert.equal(await tx.get('ns', 'b'), undefined); // the failed one's write is not visible
        await tx.put('ns', 'c', utf8('3'));
      }),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal(text(await store.get('ns', 'a')), '1');
    assert.equal(await store.get('ns', 'b'), undefined);
    assert.equal(text(await store.get('ns', 'c')), '3');
    await store.close();
  });

  it('rejects every transaction of a group whose batch the backend refused, and keeps none of it', async () => {
    const { store, failNext } = await counted();
    failNext();
    const results = await Promise.allSettled([store.put('ns', 'a', utf8('1')), store.put('ns', 'b', utf8('2'))]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    assert.equal(await store.get('ns', 'a'), undefined);
    assert.equal(await store.get('ns', 'b'), undefined);
    await store.close();
  });

  it('resolves earlier transactions first when a later one waits on them', async () => {
    const { store, batches } = await counted();
    const first = store.put('ns', 'a', utf8('1'));
    const second = store.transaction(async (tx) => {
      await first; // resolves only once durable: the store must commit it without waiting for this one
      await tx.put('ns', 'b', utf8('2'));
    });
    await second;
    assert.equal(batches.length, 2);
    assert.equal(text(await store.get('ns', 'b')), '2');
    await store.close();
  });

  it('reads a limited range through writes not yet applied', async () => {
    const { store } = await counted();
    for (let i = 0; i < 5; i++) await store.appendMessage('c', `m${i}`, utf8(`t${i}`));
    const [, newest] = await Promise.all([
      store.transaction(async (tx) => {
        await tx.deleteMessage('c', 'm4');
        await tx.deleteMessage('c', 'm3');
      }),
      store.listMessages('c', { reverse: true, limit: 2 }),
    ]);
    assert.deepEqual(
      newest.map((e) => e.messageId),
      ['m2', 'm1'],
    );
    await store.close();
  });

  it('a batch of relaxed transactions is written without a sync; one durable transaction in it makes it durable', async () => {
    const { store, batches, durable } = await counted();
    await store.transaction(async (tx) => tx.put('ns', 'a', utf8('1')), { durable: false });
    assert.deepEqual(durable, [false]);
    await Promise.all([
      store.transaction(async (tx) => tx.put('ns', 'b', utf8('2')), { durable: false }),
      store.transaction(async (tx) => tx.put('ns', 'c', utf8('3'))),
    ]);
    assert.equal(batches.length, 2);
    assert.deepEqual(durable, [false, true]);
    await store.put('ns', 'd', utf8('4')); // single operations are durable
    assert.deepEqual(durable, [false, true, true]);
    assert.equal(text(await store.get('ns', 'b')), '2');
    await store.close();
  });
});
