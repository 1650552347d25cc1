// Tests for the outbox: idempotency, per-conversation order, backoff with jitter, leases, restart on SQLite.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openSqliteStore } from '../src/node/sqlite-store.js';
import type { Core } from '../src/client/ports.js';
import { Sender } from '../src/client/sender.js';
import { Outbox } from '../src/outbox/outbox.js';
import { openMemoryStore } from '../src/store/encrypted-store.js';
import { StorageKey } from '../src/store/storage-key.js';
import { StoreError } from '../src/store/store-error.js';
import { utf8 } from '../src/util/bytes.js';

const dir = mkdtempSync(join(tmpdir(), 'sotto-outbox-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

async function setup(options: { random?: () => number; maxAttempts?: number } = {}) {
  const store = await openMemoryStore();
  const c = clock();
  const outbox = new Outbox(store, {
    now: c.now,
    random: options.random ?? (() => 0.5),
    baseDelayMs: 1000,
    maxDelayMs: 60_000,
    leaseMs: 30_000,
    maxAttempts: options.maxAttempts ?? 5,
  });
  return { store, c, outbox };
}

describe('outbox', () => {
  it('enqueues idempotently, also after the entry was sent', async () => {
    const { outbox } = await setup();
    assert.equal((await outbox.enqueue('c1', 'id-1', utf8('a'))).status, 'queued');
    assert.equal((await outbox.enqueue('c1', 'id-1', utf8('a'))).status, 'duplicate');
    const claimed = await outbox.claimNext();
    assert.equal(claimed?.id, 'id-1');
    await outbox.markSent('id-1');
    assert.equal((await outbox.enqueue('c1', 'id-1', utf8('a'))).status, 'already-sent');
    assert.deepEqual(await outbox.list(), []);
  });

  it('claims in order within a conversation and lets conversations proceed independently', async () => {
    const { outbox } = await setup();
    await outbox.enqueue('c1', 'a1', utf8('1'));
    await outbox.enqueue('c1', 'a2', utf8('2'));
    await outbox.enqueue('c2', 'b1', utf8('3'));
    assert.equal((await outbox.claimNext())?.id, 'a1');
    // a2 waits behind the inflight a1; c2 is independent
    assert.equal((await outbox.claimNext())?.id, 'b1');
    assert.equal(await outbox.claimNext(), undefined);
    assert.equal(await outbox.claimNext('c1'), undefined);
    await outbox.markSent('a1');
    assert.equal((await outbox.claimNext('c1'))?.id, 'a2');
  });

  it('retries with exponential backoff and jitter from the injected clock and random', async () => {
    const randoms = [0, 0.999, 0.5];
    const { outbox, c } = await setup({ random: () => randoms.shift() ?? 0 });
    await outbox.enqueue('c', 'x', utf8('x'));
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await outbox.claimNext();
      assert.equal(r?.attempts, i + 1);
      const failed = await outbox.markFailed('x', 'E_NETWORK');
      delays.push(failed.nextAttemptAt - c.t);
      assert.equal(await outbox.claimNext(), undefined, 'not due yet');
      assert.equal(await outbox.nextWakeAt(), failed.nextAttemptAt);
      c.t = failed.nextAttemptAt;
    }
    // attempt 1: 1000 ms scaled by [0.5, 1) -> 500; attempt 2: 2000 -> 1999; attempt 3: 4000 -> 3000
    assert.deepEqual(delays, [500, 1999, 3000]);
  });

  it('caps the delay', async () => {
    const { outbox } = await setup({ random: () => 0.999999 });
    assert.ok(outbox.backoffMs(40) < 60_000);
    assert.ok(outbox.backoffMs(40) >= 59_000);
    assert.ok(outbox.backoffMs(10_000) < 60_000);
  });

  it('parks an entry after maxAttempts or a permanent error, without blocking the next one', async () => {
    const { outbox, c } = await setup({ maxAttempts: 2 });
    await outbox.enqueue('c', 'x', utf8('x'));
    await outbox.enqueue('c', 'y', utf8('y'));
    await outbox.claimNext();
    c.t = (await outbox.markFailed('x', 'E_NET')).nextAttemptAt;
    await outbox.claimNext();
    assert.equal((await outbox.markFailed('x', 'E_NET')).state, 'failed');
    assert.equal((await outbox.claimNext())?.id, 'y');
    assert.equal((await outbox.markFailed('y', 'E_REJECTED', { permanent: true })).state, 'failed');
    assert.equal(await outbox.claimNext(), undefined);
    await outbox.retry('x');
    const again = await outbox.claimNext();
    assert.equal(again?.id, 'x');
    assert.equal(again?.attempts, 1);
    assert.equal(await outbox.drop('y'), true);
    await assert.rejects(outbox.markSent('nope'), (e: unknown) => e instanceof StoreError && e.code === 'NOT_FOUND');
  });

  it('reclaims an entry whose lease expired (sender died mid-send)', async () => {
    const { outbox, c } = await setup();
    await outbox.enqueue('c', 'x', utf8('x'));
    await outbox.claimNext();
    assert.equal(await outbox.claimNext(), undefined);
    c.t += 30_000;
    assert.equal((await outbox.claimNext())?.attempts, 2);
  });

  it('joins a caller transaction, and rolls back with it', async () => {
    const { outbox, store } = await setup();
    await assert.rejects(
      store.transaction(async (tx) => {
        await outbox.enqueue('c', 'x', utf8('x'), tx);
        await tx.put('mls', 'g', utf8('state'));
        throw new Error('abort');
      }),
    );
    assert.deepEqual(await outbox.list(), []);
  });

  it('survives a restart on SQLite', async () => {
    const path = join(dir, 'outbox.sqlite');
    const raw = StorageKey.generate().expose();
    const c = clock();
    const opts = { now: c.now, random: () => 0.5 };
    let store = await openSqliteStore({ path, key: { storageKey: new StorageKey(raw) } });
    let outbox = new Outbox(store, opts);
    await outbox.enqueue('c', 'x', utf8('payload x'));
    await outbox.enqueue('c', 'y', utf8('payload y'));
    assert.equal((await outbox.claimNext())?.id, 'x'); // then the process dies mid-send
    await store.close();

    store = await openSqliteStore({ path, key: { storageKey: new StorageKey(raw) } });
    outbox = new Outbox(store, opts);
    assert.equal(await outbox.claimNext(), undefined, 'the old claim still holds');
    assert.equal(await outbox.recoverAfterRestart(), 1);
    const r = await outbox.claimNext();
    assert.equal(r?.id, 'x');
    assert.equal(new TextDecoder().decode(r?.payload), 'payload x');
    assert.equal(r?.attempts, 2);
    await outbox.markSent('x');
    assert.equal((await outbox.claimNext())?.id, 'y');
    await store.close();
  });

  it('the sender reads a long outbox a page at a time and still finds conversations behind failed or waiting ones', async () => {
    const { store, c, outbox } = await setup();
    const base = { payload: utf8('p'), attempts: 0, nextAttemptAt: 0, leaseUntil: 0, enqueuedAt: 1 };
    // More than a page of failed entries (they never block), then more than a page of a conversation whose head waits
    // for its retry: what comes after them must still be found, and the waiting conversation must stay in order.
    for (let i = 0; i < 300; i++) await store.outboxPut({ ...base, id: `x${i}`, conversationId: 'x', state: 'failed' });
    await store.outboxPut({ ...base, id: 'z0', conversationId: 'z', state: 'pending', nextAttemptAt: c.t + 60_000 });
    for (let i = 1; i < 300; i++) await store.outboxPut({ ...base, id: `z${i}`, conversationId: 'z', state: 'pending' });
    await store.outboxPut({ ...base, id: 'w0', conversationId: 'w', state: 'pending' });
    await store.outboxPut({ ...base, id: 'z300', conversationId: 'z', state: 'pending' });
    await store.outboxPut({ ...base, id: 'w1', conversationId: 'w', state: 'pending' });
    const sender = new Sender({ outbox, now: c.now } as unknown as Core);
    const batches = await sender.nextBatches();
    assert.deepEqual(
      batches.map((b) => b.map((r) => r.id)),
      [['w0', 'w1']],
    );
    c.t += 60_000; // z's head is due: z goes first, in order, at most 100 in one batch
    const next = await sender.nextBatches();
    assert.equal(next[0]![0]!.id, 'z0');
    assert.equal(next[0]!.length, 100);
    await store.close();
  });

  it('without rememberSent, a sent entry leaves no row behind (the client: a store does not grow by a row per message)', async () => {
    const store = await openMemoryStore();
    const c = clock();
    const outbox = new Outbox(store, { now: c.now, random: () => 0.5, rememberSent: false });
    for (let i = 0; i < 5; i++) await outbox.enqueue('c1', `m${i}`, utf8('x'));
    for (let i = 0; i < 5; i++) await outbox.markSent(`m${i}`);
    assert.deepEqual(await outbox.list(), []);
    assert.deepEqual(await store.list('outbox-sent'), []);
    const remembering = new Outbox(store, { now: c.now, random: () => 0.5 });
    await remembering.enqueue('c1', 'r1', utf8('x'));
    await remembering.markSent('r1');
    assert.equal((await store.list('outbox-sent')).length, 1);
    await store.close();
  });
});
