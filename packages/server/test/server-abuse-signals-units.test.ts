// The abuse signals service (src/abuse/abuse-signals.ts) on its in-memory twins and on SQLite, without a server:
// what counts as unanswered, flagging once under concurrency, a failing moderation queue, counts that survive a
// restart once flushed, and a disabled configuration that does nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { AbuseSignals, type AbuseSignalsDeps } from '../src/abuse/abuse-signals.js';
import type { AbuseStore } from '../src/abuse/abuse-store.js';
import { MemoryAbuseStore } from '../src/abuse/memory-abuse-store.js';
import { MemoryGroupFacts } from '../src/abuse/memory-group-facts.js';
import { SqliteAbuseStore } from '../src/abuse/sqlite-abuse-store.js';
import { loadConfig } from '../src/config/config.js';
import { migrate } from '../src/storage/sqlite/migrations.js';

const T0 = 1_800_000_000_000;
const DAY = 86_400_000;
const gid = (n: number) => Uint8Array.from([7, n]);

function make(o: { store?: AbuseStore; env?: Record<string, string>; flags?: Array<[string, number]>; failFlags?: boolean } = {}) {
  const facts = new MemoryGroupFacts();
  const config = loadConfig({ env: { SOTTO_ABUSE_YOUNG_MAX_UNANSWERED_MESSAGES: '3', ...o.env } });
  const flags = o.flags ?? [];
  const errors: string[] = [];
  const deps: AbuseSignalsDeps = {
    store: o.store ?? new MemoryAbuseStore(),
    facts,
    accounts: { getAccount: async (name) => (name.startsWith('ghost') ? undefined : { createdAt: T0 }) },
    config: config.abuse,
    youngSeconds: config.newAccounts.ageSeconds,
    moderation: {
      flagAccount: async (account, signals) => {
        if (o.failFlags) throw new Error('queue down');
        flags.push([account, signals.length]);
      },
    },
    onError: (e) => errors.push(e.message),
  };
  return { abuse: new AbuseSignals(deps), facts, flags, errors };
}

test('abuse units: unanswered means another account is in the group and none but the sender has written there', async () => {
  const { abuse, facts } = make();
  facts.setGroup(gid(1), ['a'], T0); // a alone (notes to self)
  facts.setGroup(gid(2), ['a', 'b'], T0);
  facts.setGroup(gid(3), ['a', 'b'], T0 - 2 * DAY); // created before the window: an established conversation
  await abuse.onApplicationMessage('a', gid(1), T0);
  await abuse.onApplicationMessage('a', gid(2), T0);
  await abuse.onApplicationMessage('a', gid(2), T0);
  await abuse.onApplicationMessage('a', gid(3), T0);
  assert.equal((await abuse.signals('a', T0)).counts.unansweredMessages, 2);
  await abuse.onApplicationMessage('b', gid(2), T0); // b answers
  await abuse.onApplicationMessage('a', gid(2), T0);
  assert.equal((await abuse.signals('a', T0)).counts.unansweredMessages, 2, 'nothing counts once answered');
  assert.equal((await abuse.signals('b', T0)).counts.unansweredMessages, 0, 'a reply is not unanswered');
  // A member joins a group where a wrote alone: messages from then on count (its accounts are read again).
  await abuse.afterCommit(gid(1), undefined, T0);
  facts.setGroup(gid(1), ['a', 'c'], T0);
  await abuse.afterCommit(gid(1), undefined, T0);
  await abuse.onApplicationMessage('a', gid(1), T0);
  assert.equal((await abuse.signals('a', T0)).counts.unansweredMessages, 3);
  // At most 3 per conversation: many messages to one person who has not replied are not many people contacted.
  facts.setGroup(gid(4), ['a', 'd'], T0);
  for (let i = 0; i < 10; i++) await abuse.onApplicationMessage('a', gid(4), T0);
  assert.equal((await abuse.signals('a', T0)).counts.unansweredMessages, 6);
});

test('abuse units: concurrent events past a threshold throttle and flag once; the window moves on', async () => {
  const flags: Array<[string, number]> = [];
  const { abuse, facts } = make({ flags });
  for (let i = 0; i < 10; i++) facts.setGroup(gid(i), ['a', `x${i}`], T0);
  await Promise.all(Array.from({ length: 10 }, (_, i) => abuse.onApplicationMessage('a', gid(i), T0)));
  assert.deepEqual(flags, [['a', 1]]);
  const s = await abuse.signals('a', T0);
  assert.equal(s.throttle?.signals.length, 1);
  assert.equal(s.throttle.signals[0]!.signal, 'unansweredMessages');
  assert.ok(s.throttle.signals[0]!.value > 3, 'the count when it was evaluated');
  await assert.rejects(abuse.beforeGroupCreated('a', T0), { code: 'LIMIT_EXCEEDED' });
  await abuse.beforeGroupCreated('a', T0 + DAY + 1); // the throttle ended
  assert.equal((await abuse.signals('a', T0 + DAY + 3_600_000)).counts.unansweredMessages, 0, 'out of the window');
});

test('abuse units: a failing moderation queue does not fail the message; the account is still throttled', async () => {
  const { abuse, facts, errors } = make({ failFlags: true });
  for (let i = 0; i < 5; i++) facts.setGroup(gid(i), ['a', `x${i}`], T0);
  for (let i = 0; i < 5; i++) await abuse.onApplicationMessage('a', gid(i), T0);
  assert.deepEqual(errors, ['queue down']);
  assert.notEqual((await abuse.signals('a', T0)).throttle, null);
});

test('abuse units: counts held in memory survive a restart once flushed (the sweep and shutdown flush)', async () => {
  const db = new Database(':memory:');
  migrate(db);
  const first = make({ store: new SqliteAbuseStore(db) });
  first.facts.setGroup(gid(1), ['a', 'b'], T0);
  await first.abuse.onApplicationMessage('a', gid(1), T0);
  assert.equal((await new SqliteAbuseStore(db).counts('a', 0)).unansweredMessages, 0, 'not written per message');
  await first.abuse.flush();
  const second = make({ store: new SqliteAbuseStore(db) });
  second.facts.setGroup(gid(1), ['a', 'b'], T0);
  assert.equal((await second.abuse.signals('a', T0)).counts.unansweredMessages, 1);
  await second.abuse.onApplicationMessage('b', gid(1), T0); // the answered state was stored too
  await second.abuse.onApplicationMessage('a', gid(1), T0);
  await second.abuse.flush();
  assert.equal((await second.abuse.signals('a', T0)).counts.unansweredMessages, 1);
});

test('abuse units: disabled, nothing is counted or refused', async () => {
  const { abuse, facts } = make({ env: { SOTTO_ABUSE_ENABLED: 'false' } });
  facts.setGroup(gid(1), ['a', 'b'], T0);
  for (let i = 0; i < 10; i++) await abuse.onApplicationMessage('a', gid(1), T0);
  await abuse.onGroupCreated('a', T0);
  assert.equal(await abuse.onDeclined('b', 'a', T0), false);
  const s = await abuse.signals('a', T0);
  assert.equal(s.counts.unansweredMessages + s.counts.groupsCreated, 0);
  assert.equal(s.throttle, null);
  await assert.rejects(abuse.signals('ghost', T0), { code: 'NOT_FOUND' });
});
