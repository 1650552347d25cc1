// End to end, separate processes: a 10-member group with adds, removes and role changes; a removed member cannot
// decrypt what follows (checked against the ciphertext on the server with the member's own last MLS state).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { deserializeGroup, processMessage } from '@sotto/mls';
import { createNativeProvider, nativeRandom } from '@sotto/mls/native';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../src/node/sqlite-store.js';
import { fromB64Url } from '../src/util/b64.js';
import { type Agent, spawnAgent, until } from './helpers/agents.js';
import { findPlaintext } from './helpers/plaintext.js';
import { e2eWorld } from './helpers/e2e-world.js';

const w = e2eWorld();
const { agents, markers, mark } = w;

type Info = { state: string; name: string; epoch: string; members: Array<{ account: string; role: string }> };
type Msg = { id: string; text?: string; sender: string };

test('10-member group: adds, removes, role changes; the removed member reads nothing after', async () => {
  const names = ['owner', ...Array.from({ length: 9 }, (_, i) => `m${i + 1}`)];
  const all = await Promise.all(
    names.map(async (n) => {
      const a = await spawnAgent(w.root, n);
      agents.push(a);
      await a.call('register', { serverUrl: w.server.url, account: `${n}@localhost` });
      await a.call('start');
      return a;
    }),
  );
  const [owner, ...m] = all as [Agent, ...Agent[]];
  const acct = (i: number) => `m${i}@localhost`;
  const at = (i: number) => m[i - 1]!;
  // Group names are markers too: the server reads the MLS group context (it verifies commits), never the name.
  const firstName = mark('group-name-ten');
  const renamed = mark('group-name-renamed');
  const g = await owner.call<{ id: string }>('createGroup', { name: firstName, members: [1, 2, 3, 4, 5].map(acct) });
  await owner.call('addMembers', { conv: g.id, accounts: [6, 7, 8, 9].map(acct) });
  for (const a of m) await until(() => a.call('conversation', { conv: g.id }), 20_000, `${a.name} joins`);
  for (const a of m) await a.call('accept', { conv: g.id });

  await owner.call('setRole', { conv: g.id, account: acct(1), role: 'admin' });
  await until(
    async () => (await at(1).call<Info>('conversation', { conv: g.id })).members.find((x) => x.account === acct(1))?.role === 'admin',
    15_000,
    'm1 admin',
  );
  for (const a of m) await until(async () => (await a.call<Info>('conversation', { conv: g.id })).name === firstName, 15_000, 'name');
  await at(1).call('rename', { conv: g.id, name: renamed });
  await assert.rejects(at(2).call('rename', { conv: g.id, name: 'mine' }), /FORBIDDEN/);
  await assert.rejects(at(2).call('removeMembers', { conv: g.id, accounts: [acct(3)] }), /only admins/);
  await at(1).call('removeMembers', { conv: g.id, accounts: [acct(9)] });
  await until(async () => (await at(9).call<Info>('conversation', { conv: g.id })).state === 'removed', 15_000, 'm9 sees its removal');
  await owner.call('setRole', { conv: g.id, account: acct(1), role: 'member' });
  await assert.rejects(
    until(
      async () => (await at(1).call<Info>('conversation', { conv: g.id })).members.find((x) => x.account === acct(1))?.role === 'member',
      15_000,
      'm1 demoted',
    ).then(() => at(1).call('rename', { conv: g.id, name: 'nope' })),
    /only admins/,
  );

  // m8 goes offline so the next message stays queued on the server; m9 exits so its store can be inspected
  await at(8).exit();
  await at(9).exit();
  const secret = mark('after-removal');
  await owner.call('sendText', { conv: g.id, text: secret });
  await owner.call('flush');
  for (const i of [1, 2, 3, 4, 5, 6, 7]) {
    await until(async () => (await at(i).call<Msg[]>('messages', { conv: g.id })).some((x) => x.text === secret), 15_000, `m${i} reads it`);
  }

  // The removed member's last MLS state cannot open the ciphertext the server holds.
  const db = new Database(join(w.server.dataDir, 'sotto.db'), { readonly: true, fileMustExist: true });
  const row = db.prepare('SELECT payload FROM messages WHERE group_id = ? AND kind = 1 ORDER BY id DESC LIMIT 1').get(fromB64Url(g.id)) as
    { payload: Buffer } | undefined;
  db.close();
  assert.ok(row, 'the ciphertext is queued for the offline member');
  const store = await openSqliteStore({ path: join(at(9).dir, 'sotto.db'), key: { keyFile: join(at(9).dir, 'storage.key') } });
  const stateBytes = await store.get('group', g.id);
  await store.close();
  assert.ok(stateBytes);
  const deps = { crypto: createNativeProvider(), rng: nativeRandom, now: () => BigInt(Math.floor(Date.now() / 1000)) };
  const removedState = deserializeGroup(deps, stateBytes);
  assert.throws(() => processMessage(deps, removedState, new Uint8Array(row.payload)));

  // m8 comes back and catches up
  const m8 = await spawnAgent(w.root, 'm8-again', at(8).dir);
  agents.push(m8);
  await m8.call('start');
  await until(async () => (await m8.call<Msg[]>('messages', { conv: g.id })).some((x) => x.text === secret), 15_000, 'm8 catches up');

  // everyone left agrees: 9 members, same epoch, same name
  const live = [owner, ...[1, 2, 3, 4, 5, 6, 7].map(at), m8];
  const views = await until(
    async () => {
      const v = await Promise.all(live.map((a) => a.call<Info>('conversation', { conv: g.id })));
      return new Set(v.map((x) => x.epoch)).size === 1 ? v : undefined;
    },
    15_000,
    'one epoch',
  );
  for (const v of views) {
    assert.equal(v.members.length, 9);
    assert.equal(v.name, renamed);
    assert.ok(!v.members.some((x) => x.account === acct(9)));
  }
});

test('the server database and blob directory hold none of the plaintext markers (group names included)', () => {
  assert.deepEqual(findPlaintext(w.server.dataDir, markers), []);
});
