// The LocalStore and RawBackend contract every storage backend meets (memory, SQLite in Node; IndexedDB in Chromium).
// Portable: no node:* import, assertions through ContractAssert, so the same cases run in Node and in the browser.

import type { LocalStore, StoreWriter } from '../../src/store/local-store.js';
import { applyRange, type RawBackend, type RawRange, type RawRow } from '../../src/store/raw-backend.js';
import { StoreError } from '../../src/store/store-error.js';
import { utf8 } from '../../src/util/bytes.js';
import type { ContractAssert, ContractCase } from './assert.js';

/** Opens a fresh, empty store; `reopen` opens a new store object on the same storage after `store` was closed. */
export type StoreFactory = () => Promise<{ store: LocalStore; reopen: () => Promise<LocalStore> }>;

/** Opens a fresh, empty raw backend. */
export type BackendFactory = () => Promise<RawBackend>;

const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

const isStoreError = (code: string) => (e: unknown) => e instanceof StoreError && e.code === code;

const outboxBase = { payload: utf8('p'), state: 'pending' as const, attempts: 0, nextAttemptAt: 0, leaseUntil: 0, enqueuedAt: 1 };

/** The LocalStore cases, named as in the test report. */
export function storeContract(open: StoreFactory, assert: ContractAssert): ContractCase[] {
  const rejectsWith = (p: Promise<unknown>, code: string) => assert.rejects(p, isStoreError(code), `expected StoreError ${code}`);
  const cases: ContractCase[] = [];
  const it = (name: string, run: () => Promise<void>) => cases.push({ name, run });

  it('round-trips key-value entries and lists a namespace', async () => {
    const { store } = await open();
    await store.put('contacts', 'alice', utf8('A'));
    await store.put('contacts', 'bob', utf8('B'));
    await store.put('other', 'alice', utf8('X'));
    assert.equal(text(await store.get('contacts', 'alice')), 'A');
    assert.equal(await store.get('contacts', 'carol'), undefined);
    const listed = (await store.list('contacts')).map((e) => `${e.key}=${text(e.value)}`).sort();
    assert.deepEqual(listed, ['alice=A', 'bob=B']);
    await store.delete('contacts', 'alice');
    assert.equal(await store.get('contacts', 'alice'), undefined);
    await store.close();
  });

  it('keeps an ordered message log with update, delete and paging', async () => {
    const { store } = await open();
    for (let i = 1; i <= 5; i++) await store.appendMessage('conv', `m${i}`, utf8(`msg ${i}`));
    await rejectsWith(store.appendMessage('conv', 'm3', utf8('dup')), 'DUPLICATE');
    await store.updateMessage('conv', 'm2', utf8('edited'));
    await rejectsWith(store.updateMessage('conv', 'nope', utf8('x')), 'NOT_FOUND');
    assert.equal(await store.deleteMessage('conv', 'm4'), true);
    assert.equal(await store.deleteMessage('conv', 'm4'), false);
    const all = await store.listMessages('conv');
    assert.deepEqual(
      all.map((e) => [e.seq, e.messageId, text(e.data)]),
      [
        [1, 'm1', 'msg 1'],
        [2, 'm2', 'edited'],
        [3, 'm3', 'msg 3'],
        [5, 'm5', 'msg 5'],
      ],
    );
    assert.deepEqual(
      (await store.listMessages('conv', { afterSeq: 1, limit: 2 })).map((e) => e.seq),
      [2, 3],
    );
    assert.deepEqual(
      (await store.listMessages('conv', { reverse: true, limit: 2 })).map((e) => e.seq),
      [5, 3],
    );
    assert.deepEqual(
      (await store.listMessages('conv', { beforeSeq: 3 })).map((e) => e.seq),
      [1, 2],
    );
    assert.equal((await store.getMessage('conv', 'm5'))?.seq, 5);
    // sequence numbers are never reused after deleting the newest entry
    await store.deleteMessage('conv', 'm5');
    assert.equal((await store.appendMessage('conv', 'm6', utf8('6'))).seq, 6);
    assert.deepEqual(await store.listMessages('other'), []);
    await store.close();
  });

  it('pages a message log by seq from both ends, and an empty window is empty', async () => {
    const { store } = await open();
    for (let i = 1; i <= 300; i++) await store.appendMessage('long', `m${i}`, utf8(String(i)));
    const seqs = async (o: Parameters<LocalStore['listMessages']>[1]) => (await store.listMessages('long', o)).map((e) => e.seq);
    assert.deepEqual(await seqs({ afterSeq: 254, limit: 4 }), [255, 256, 257, 258]); // crosses a byte boundary
    assert.deepEqual(await seqs({ beforeSeq: 258, reverse: true, limit: 3 }), [257, 256, 255]);
    assert.deepEqual(await seqs({ afterSeq: 10, beforeSeq: 14 }), [11, 12, 13]);
    assert.deepEqual(await seqs({ afterSeq: 10, beforeSeq: 11 }), []);
    assert.deepEqual(await seqs({ afterSeq: 12, beforeSeq: 12 }), []);
    assert.deepEqual(await seqs({ afterSeq: 20, beforeSeq: 10 }), []);
    assert.deepEqual(await seqs({ afterSeq: 300 }), []);
    assert.equal((await seqs({})).length, 300);
    await store.close();
  });

  it('records processed ids exactly once', async () => {
    const { store } = await open();
    assert.equal(await store.isProcessed('srv-1'), false);
    assert.equal(await store.markProcessed('srv-1'), true);
    assert.equal(await store.markProcessed('srv-1'), false);
    assert.equal(await store.isProcessed('srv-1'), true);
    await store.close();
  });

  it('commits a transaction atomically and sees its own writes', async () => {
    const { store } = await open();
    await store.appendMessage('g', 'before', utf8('0'));
    const seen = await store.transaction(async (tx) => {
      await tx.put('mls', 'group-g', utf8('epoch 2'));
      await tx.appendMessage('g', 'm1', utf8('hello'));
      await tx.markProcessed('srv-9');
      return {
        state: text(await tx.get('mls', 'group-g')),
        log: (await tx.listMessages('g')).map((e) => e.messageId),
        processed: await tx.isProcessed('srv-9'),
      };
    });
    assert.deepEqual(seen, { state: 'epoch 2', log: ['before', 'm1'], processed: true });
    assert.equal(text(await store.get('mls', 'group-g')), 'epoch 2');
    await store.close();
  });

  it('rolls back a failed transaction completely', async () => {
    const { store } = await open();
    await store.put('mls', 'group-g', utf8('epoch 1'));
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.put('mls', 'group-g', utf8('epoch 2'));
        await tx.appendMessage('g', 'm1', utf8('hello'));
        await tx.markProcessed('srv-9');
        await tx.outboxPut({ ...outboxBase, id: 'o1', conversationId: 'g', enqueuedAt: 0 });
        throw new Error('MLS validation failed');
      }),
      (e) => e instanceof Error && e.message === 'MLS validation failed',
    );
    assert.equal(text(await store.get('mls', 'group-g')), 'epoch 1');
    assert.deepEqual(await store.listMessages('g'), []);
    assert.equal(await store.isProcessed('srv-9'), false);
    assert.deepEqual(await store.outboxList(), []);
    // the counter did not advance either
    assert.equal((await store.appendMessage('g', 'm1', utf8('x'))).seq, 1);
    await store.close();
  });

  it('rejects use of a transaction after it finished', async () => {
    const { store } = await open();
    let leaked: StoreWriter | undefined;
    await store.transaction(async (tx) => {
      leaked = tx;
    });
    assert.ok(leaked);
    await rejectsWith(leaked!.get('a', 'b'), 'CLOSED');
    await store.close();
    await rejectsWith(store.get('a', 'b'), 'CLOSED');
  });

  it('keeps outbox records in enqueue order', async () => {
    const { store } = await open();
    await store.outboxPut({ ...outboxBase, id: 'a', conversationId: 'c1' });
    await store.outboxPut({ ...outboxBase, id: 'b', conversationId: 'c2' });
    await store.outboxPut({ ...outboxBase, id: 'a', conversationId: 'c1', attempts: 3, lastError: 'E_NET' });
    const list = await store.outboxList();
    assert.deepEqual(
      list.map((r) => [r.id, r.seq, r.attempts, r.lastError]),
      [
        ['a', 1, 3, 'E_NET'],
        ['b', 2, 0, undefined],
      ],
    );
    assert.equal(await store.outboxDelete('a'), true);
    assert.equal(await store.outboxGet('a'), undefined);
    await store.close();
  });

  it('reads the outbox a page at a time, in order, across deleted entries', async () => {
    const { store } = await open();
    for (let i = 0; i < 7; i++) await store.outboxPut({ ...outboxBase, id: `e${i}`, conversationId: 'c' });
    await store.outboxDelete('e2');
    const first = await store.outboxList({ limit: 3 });
    assert.deepEqual(
      first.map((r) => r.id),
      ['e0', 'e1', 'e3'],
    );
    const second = await store.outboxList({ afterSeq: first.at(-1)!.seq, limit: 3 });
    assert.deepEqual(
      second.map((r) => r.id),
      ['e4', 'e5', 'e6'],
    );
    assert.deepEqual(await store.outboxList({ afterSeq: second.at(-1)!.seq, limit: 3 }), []);
    // A page sees the writes of its own transaction.
    await store.transaction(async (tx) => {
      await tx.outboxPut({ ...outboxBase, id: 'e7', conversationId: 'c' });
      await tx.outboxDelete('e0');
      assert.deepEqual(
        (await tx.outboxList({ limit: 2 })).map((r) => r.id),
        ['e1', 'e3'],
      );
      assert.deepEqual(
        (await tx.outboxList({ afterSeq: second.at(-1)!.seq })).map((r) => r.id),
        ['e7'],
      );
    });
    await rejectsWith(store.outboxList({ limit: 0 }), 'INVALID_ARGUMENT');
    await store.close();
  });

  it('serialises concurrent transactions', async () => {
    const { store } = await open();
    const entries = await Promise.all(Array.from({ length: 10 }, (_, i) => store.appendMessage('c', `m${i}`, utf8(String(i)))));
    assert.deepEqual(
      entries.map((e) => e.seq).sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    await store.close();
  });

  it('a relaxed (not durable) transaction is written, and later writes are durable again', async () => {
    const { store, reopen } = await open();
    await store.transaction(async (tx) => tx.put('n', 'relaxed', utf8('a')), { durable: false });
    await store.put('n', 'durable', utf8('b'));
    await store.close();
    const again = await reopen();
    assert.deepEqual(await again.get('n', 'relaxed'), utf8('a'));
    assert.deepEqual(await again.get('n', 'durable'), utf8('b'));
    await again.close();
  });

  it('survives close and reopen', async () => {
    const { store, reopen } = await open();
    await store.put('ns', 'k', utf8('persisted'));
    await store.appendMessage('c', 'm', utf8('logged'));
    await store.close();
    const again = await reopen();
    assert.equal(text(await again.get('ns', 'k')), 'persisted');
    assert.equal(text((await again.getMessage('c', 'm'))?.data), 'logged');
    await again.close();
  });

  return cases;
}

const b = (...xs: number[]) => Uint8Array.from(xs);
const hexOf = (u: Uint8Array) => Array.from(u, (x) => x.toString(16).padStart(2, '0')).join('');

/** Keys chosen to catch a wrong order: empty, prefixes, 0x00 and 0xff bytes, lengths across 8 bytes. */
const ORDER_KEYS: Uint8Array[] = [
  b(),
  b(0),
  b(0, 0),
  b(0, 1),
  b(1),
  b(1, 0),
  b(1, 0, 0, 0, 0, 0, 0, 0, 0),
  b(1, 255),
  b(2),
  b(127),
  b(128),
  b(128, 0),
  b(255),
  b(255, 255),
  b(255, 255, 255, 255, 255, 255, 255, 255, 255),
];

/** The RawBackend cases: bytewise key order, range bounds, partitions, atomic batches. */
export function rawBackendContract(open: BackendFactory, assert: ContractAssert): ContractCase[] {
  const cases: ContractCase[] = [];
  const it = (name: string, run: () => Promise<void>) => cases.push({ name, run });
  const keys = (rows: RawRow[]) => rows.map((r) => hexOf(r.key));

  it('raw: get, overwrite and delete a row; spaces and partitions do not mix', async () => {
    const be = await open();
    const p = b(7);
    await be.apply([
      { space: 's', part: p, key: b(1), value: b(10) },
      { space: 't', part: p, key: b(1), value: b(20) },
      { space: 's', part: b(7, 0), key: b(1), value: b(30) },
      { space: 's', part: b(), key: b(1), value: b(40) },
    ]);
    assert.deepEqual(await be.get('s', p, b(1)), b(10));
    assert.deepEqual(await be.get('t', p, b(1)), b(20));
    assert.deepEqual(await be.get('s', b(7, 0), b(1)), b(30));
    assert.deepEqual(await be.get('s', b(), b(1)), b(40));
    assert.equal(await be.get('s', p, b(2)), undefined);
    assert.deepEqual(keys(await be.range('s', p, {})), ['01']);
    await be.apply([{ space: 's', part: p, key: b(1), value: b(11) }]);
    assert.deepEqual(await be.get('s', p, b(1)), b(11));
    await be.apply([{ space: 's', part: p, key: b(1), value: null }], { durable: false });
    assert.equal(await be.get('s', p, b(1)), undefined);
    assert.deepEqual(await be.get('t', p, b(1)), b(20));
    await be.close();
  });

  it('raw: ranges follow bytewise key order with every bound, limit and direction', async () => {
    const be = await open();
    const part = b(1, 2, 3);
    const rows: RawRow[] = ORDER_KEYS.map((key, i) => ({ space: 'o', part, key, value: b(i) }));
    // written in a shuffled order, with a neighbour partition on each side
    await be.apply([...rows].reverse());
    await be.apply([
      { space: 'o', part: b(1, 2), key: b(5), value: b(0) },
      { space: 'o', part: b(1, 2, 3, 0), key: b(5), value: b(0) },
      { space: 'n', part, key: b(5), value: b(0) },
    ]);
    const bounds: (Uint8Array | undefined)[] = [undefined, b(), b(0), b(1), b(1, 0, 0), b(128), b(255, 255), b(9, 9)];
    let checked = 0;
    for (const gt of bounds) {
      for (const lt of bounds) {
        for (const limit of [undefined, 0, 1, 3]) {
          for (const reverse of [false, true]) {
            const r: RawRange = { reverse };
            if (gt) r.gt = gt;
            if (lt) r.lt = lt;
            if (limit !== undefined) r.limit = limit;
            const want = applyRange(rows, r);
            const got = await be.range('o', part, r);
            const at = `range gt=${gt && hexOf(gt)} lt=${lt && hexOf(lt)} limit=${limit} reverse=${reverse}`;
            assert.deepEqual(keys(got), keys(want), at);
            assert.deepEqual(
              got.map((x) => [x.space, hexOf(x.part), hexOf(x.value)]),
              want.map((x) => [x.space, hexOf(x.part), hexOf(x.value)]),
              at,
            );
            checked++;
          }
        }
      }
    }
    assert.equal(checked, bounds.length * bounds.length * 8);
    await be.close();
  });

  it('raw: a batch applies deletes and puts together, in order', async () => {
    const be = await open();
    const p = b(1);
    await be.apply([
      { space: 's', part: p, key: b(1), value: b(1) },
      { space: 's', part: p, key: b(2), value: b(2) },
    ]);
    await be.apply([
      { space: 's', part: p, key: b(1), value: null },
      { space: 's', part: p, key: b(3), value: b(3) },
      { space: 's', part: p, key: b(3), value: b(4) },
    ]);
    assert.deepEqual(
      (await be.range('s', p, {})).map((r) => [hexOf(r.key), hexOf(r.value)]),
      [
        ['02', '02'],
        ['03', '04'],
      ],
    );
    await be.apply([]);
    await be.close();
  });

  return cases;
}

/** Plaintext markers written into a store by writePlaintextMarkers: none may appear in what the backend keeps. */
export const PLAINTEXT_MARKERS = [
  'NAMESPACE_MARKER_1',
  'KEY_MARKER_2',
  'VALUE_MARKER_3',
  'CONV_MARKER_4',
  'MSGID_MARKER_5',
  'BODY_MARKER_6',
  'PROCESSED_MARKER_7',
  'OUTBOX_MARKER_8',
] as const;

/** Writes each marker where a name, an id or a value goes (key-value, log, processed set, outbox). */
export async function writePlaintextMarkers(store: LocalStore): Promise<void> {
  const [ns, key, value, conv, msgId, body, processed, outbox] = PLAINTEXT_MARKERS;
  await store.put(ns, key, utf8(value));
  await store.appendMessage(conv, msgId, utf8(body));
  await store.markProcessed(processed);
  await store.outboxPut({
    id: outbox,
    conversationId: conv,
    payload: utf8(body),
    state: 'pending',
    attempts: 0,
    nextAttemptAt: 0,
    leaseUntil: 0,
    enqueuedAt: 0,
  });
}
