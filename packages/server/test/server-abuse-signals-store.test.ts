// The abuse signals' store contract (src/abuse/abuse-store.ts), run against the SQLite store (the real migrations)
// and its in-memory twin: counters by bucket, requests and declines, conversations, throttles, pruning.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { AbuseStore } from '../src/abuse/abuse-store.js';
import { MemoryAbuseStore } from '../src/abuse/memory-abuse-store.js';
import { SqliteAbuseStore } from '../src/abuse/sqlite-abuse-store.js';
import { migrate } from '../src/storage/sqlite/migrations.js';

const stores: Array<[string, () => AbuseStore]> = [
  [
    'sqlite',
    () => {
      const db = new Database(':memory:');
      migrate(db);
      return new SqliteAbuseStore(db);
    },
  ],
  ['memory', () => new MemoryAbuseStore()],
];

const gid = (n: number) => Uint8Array.from([1, 2, 3, n]);

for (const [name, make] of stores) {
  test(`abuse store (${name}): counters add up by bucket and are summed from a start`, async () => {
    const s = make();
    await s.addCounts([
      { account: 'a', signal: 'firstContacts', bucket: 1000, n: 2 },
      { account: 'a', signal: 'firstContacts', bucket: 1000, n: 3 },
      { account: 'a', signal: 'firstContacts', bucket: 2000, n: 1 },
      { account: 'a', signal: 'reports', bucket: 2000, n: 1 },
      { account: 'b', signal: 'firstContacts', bucket: 2000, n: 7 },
    ]);
    const all = await s.counts('a', 0);
    assert.equal(all.firstContacts, 6);
    assert.equal(all.reports, 1);
    assert.equal(all.groupsCreated, 0);
    assert.equal((await s.counts('a', 1500)).firstContacts, 1);
    assert.equal((await s.counts('nobody', 0)).firstContacts, 0);
    await s.clearCounts('a');
    assert.equal((await s.counts('a', 0)).firstContacts, 0);
    assert.equal((await s.counts('b', 0)).firstContacts, 7);
  });

  test(`abuse store (${name}): a request is declined once, only if made since the given time`, async () => {
    const s = make();
    assert.equal(await s.declineRequest('a', 'b', 0, 10), false, 'no request');
    await s.recordRequest('a', 'b', 100);
    assert.equal(await s.declineRequest('b', 'a', 0, 110), false, 'the other direction is another pair');
    assert.equal(await s.declineRequest('a', 'b', 101, 110), false, 'too old');
    assert.equal(await s.declineRequest('a', 'b', 100, 110), true);
    assert.equal(await s.declineRequest('a', 'b', 100, 120), false, 'idempotent');
    await s.recordRequest('a', 'b', 200);
    assert.equal(await s.declineRequest('a', 'b', 100, 210), true, 'a new request can be declined again');
  });

  test(`abuse store (${name}): conversations and throttles round-trip`, async () => {
    const s = make();
    assert.equal(await s.getConversation(gid(1)), undefined);
    await s.putConversation(gid(1), { firstSender: 'a', answered: false, at: 5 });
    assert.deepEqual(await s.getConversation(gid(1)), { firstSender: 'a', answered: false, at: 5 });
    await s.putConversation(gid(1), { firstSender: 'a', answered: true, at: 5 });
    assert.deepEqual(await s.getConversation(gid(1)), { firstSender: 'a', answered: true, at: 5 });
    assert.equal(await s.getThrottle('a'), undefined);
    const t = { account: 'a', since: 1, until: 9, signals: [{ signal: 'firstContacts', value: 21, threshold: 20 }] };
    await s.putThrottle(t);
    assert.deepEqual(await s.getThrottle('a'), t);
    assert.equal(await s.deleteThrottle('a'), true);
    assert.equal(await s.deleteThrottle('a'), false);
    assert.equal(await s.getThrottle('a'), undefined);
  });

  test(`abuse store (${name}): deleting an account deletes every row naming it, and only those`, async () => {
    const s = make();
    await s.addCounts([
      { account: 'a', signal: 'reports', bucket: 1, n: 1 },
      { account: 'b', signal: 'reports', bucket: 1, n: 1 },
    ]);
    await s.recordRequest('a', 'b', 1);
    await s.recordRequest('c', 'a', 1);
    await s.recordRequest('b', 'c', 1);
    await s.putConversation(gid(1), { firstSender: 'a', answered: false, at: 1 });
    await s.putConversation(gid(2), { firstSender: 'b', answered: false, at: 1 });
    await s.putThrottle({ account: 'a', since: 0, until: 9, signals: [] });
    await s.deleteAccount('a');
    assert.equal((await s.counts('a', 0)).reports, 0);
    assert.equal((await s.counts('b', 0)).reports, 1);
    assert.equal(await s.declineRequest('a', 'b', 0, 2), false);
    assert.equal(await s.declineRequest('c', 'a', 0, 2), false);
    assert.equal(await s.declineRequest('b', 'c', 0, 2), true);
    assert.equal(await s.getConversation(gid(1)), undefined);
    assert.notEqual(await s.getConversation(gid(2)), undefined);
    assert.equal(await s.getThrottle('a'), undefined);
  });

  test(`abuse store (${name}): prune deletes what is older than each limit, and nothing else`, async () => {
    const s = make();
    await s.addCounts([
      { account: 'a', signal: 'groupsCreated', bucket: 100, n: 1 },
      { account: 'a', signal: 'groupsCreated', bucket: 200, n: 1 },
    ]);
    await s.recordRequest('a', 'b', 100);
    await s.recordRequest('a', 'c', 300);
    await s.putConversation(gid(1), { firstSender: 'a', answered: false, at: 100 });
    await s.putConversation(gid(2), { firstSender: 'a', answered: true, at: 300 });
    await s.putThrottle({ account: 'a', since: 0, until: 150, signals: [] });
    await s.putThrottle({ account: 'b', since: 0, until: 500, signals: [] });
    const n = await s.prune({ counts: 200, requests: 200, conversations: 200, throttles: 200 });
    assert.equal(n, 4);
    assert.equal((await s.counts('a', 0)).groupsCreated, 1);
    assert.equal(await s.declineRequest('a', 'b', 0, 400), false);
    assert.equal(await s.declineRequest('a', 'c', 0, 400), true);
    assert.equal(await s.getConversation(gid(1)), undefined);
    assert.notEqual(await s.getConversation(gid(2)), undefined);
    assert.equal(await s.getThrottle('a'), undefined);
    assert.notEqual(await s.getThrottle('b'), undefined);
  });
}
