// Conversations are created whole (no phantom left by a missing account, nor on the server by a failed first commit), a
// 1:1 missing its peer is repaired or refused, and disappearing messages are never shown past their time (filtered on
// read, swept when the store opens).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Group, groupId as groupIdOf } from '@sotto/mls';
import { ClientError } from '../src/client/client-error.js';
import { openNodeClient } from '../src/node/node-client.js';
import { ApiError } from '../src/transport/api-error.js';
import { clientWorld, eventually, newClient } from './helpers/clients.js';
import { cleanup, startServer } from './helpers/server.js';

const world = clientWorld();
const { clients } = world;

const user = (name: string) => world.user(name);

/** Asserts a ClientError with this code whose message names `who`. */
async function refused(p: Promise<unknown>, code: string, who: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ClientError, String(e));
    assert.equal(e.code, code);
    assert.ok(e.message.includes(who), `"${e.message}" names ${who}`);
    return true;
  });
}

test('createDirect with an account that does not exist fails naming it and leaves no conversation', async () => {
  const alice = await user('whole-a1');
  await refused(alice.createDirect('nobody-w1@localhost'), 'UNKNOWN_ACCOUNT', 'nobody-w1@localhost');
  assert.deepEqual(alice.listConversations(), []);
});

test('createGroup with one missing member fails naming it, creates nothing, and a retry without it works', async () => {
  const alice = await user('whole-a2');
  const bob = await user('whole-b2');
  await refused(
    alice.createGroup({ name: 'g1', members: ['whole-b2@localhost', 'nobody-w2@localhost'] }),
    'UNKNOWN_ACCOUNT',
    'nobody-w2@localhost',
  );
  assert.deepEqual(alice.listConversations(), []);
  const g = await alice.createGroup({ name: 'g1', members: ['whole-b2@localhost'] });
  assert.deepEqual(g.members.map((m) => m.account).sort(), ['whole-a2@localhost', 'whole-b2@localhost']);
  await eventually(() => bob.getConversation(g.id), 10_000, 'bob joins');
  assert.equal(alice.listConversations().length, 1);
});

test('createGroup whose first commit fails is rolled back locally and on the server; a failed deletion only warns', async (t) => {
  // Young accounts may add one device per hour here: a creation adding two is refused at its first commit.
  const server = await startServer({ SOTTO_NEW_ACCOUNT_DEVICES_ADDED_PER_HOUR: '1' });
  const local = [];
  try {
    for (const n of ['whole-a7', 'whole-b7', 'whole-c7']) local.push(await newClient(server, world.root, `${n}@localhost`));
    const alice = local[0]!;
    const created = t.mock.method(alice.c.m, 'createGroup');
    const limited = (e: unknown) => e instanceof ApiError && e.code === 'LIMIT_EXCEEDED';
    const warnings: string[] = [];
    alice.on('warning', (w) => warnings.push(w.code));
    const members = ['whole-b7@localhost', 'whole-c7@localhost'];

    await assert.rejects(alice.createGroup({ name: 'g7', members }), limited);
    assert.deepEqual(alice.listConversations(), []);
    const gid = groupIdOf(created.mock.calls[0]!.result as Group);
    await assert.rejects(
      alice.c.a.getGroup(gid),
      (e: unknown) => e instanceof ApiError && e.code === 'UNKNOWN_GROUP',
      'the group is gone from the server',
    );
    assert.deepEqual(warnings, []);

    // The server cannot be told: the creation's own error still surfaces, with a warning; the group stays there.
    t.mock.method(alice.c.a, 'deleteGroup', () => Promise.reject(new ApiError('NETWORK', 'unreachable')));
    await assert.rejects(alice.createGroup({ name: 'g7b', members }), limited);
    assert.deepEqual(alice.listConversations(), []);
    assert.deepEqual(warnings, ['CREATE_ROLLBACK:NETWORK']);
    const kept = await alice.c.a.getGroup(groupIdOf(created.mock.calls[1]!.result as Group));
    assert.deepEqual(kept.members, [alice.me.deviceId]);
  } finally {
    for (const c of local) await c.close().catch(() => {});
    await server.stop();
    cleanup(server.dataDir);
  }
});

test('addMembers with a missing account fails naming it and changes nothing; an unknown conversation is named', async () => {
  const alice = await user('whole-a6');
  await user('whole-b6');
  await user('whole-c6');
  const g = await alice.createGroup({ name: 'g6', members: ['whole-b6@localhost'] });
  await refused(alice.addMembers(g.id, ['whole-c6@localhost', 'nobody-w6@localhost']), 'UNKNOWN_ACCOUNT', 'nobody-w6@localhost');
  const after = alice.getConversation(g.id);
  assert.equal(after?.epoch, g.epoch, 'no commit was made');
  assert.deepEqual(after?.members.map((m) => m.account).sort(), ['whole-a6@localhost', 'whole-b6@localhost']);
  await refused(alice.sendText('no-such-conversation-id', 'hi'), 'UNKNOWN_CONVERSATION', 'no-such-conversation-id');
});

test('sending in a 1:1 whose peer is missing adds the peer back first', async () => {
  const alice = await user('whole-a3');
  const bob = await user('whole-b3');
  // A conversation as the old code left it: created, then the peer's add never happened.
  const me = alice.me.account;
  const phantom = await alice.c.commits.create(
    { v: 2, kind: 'direct', owner: me, admins: [me, 'whole-b3@localhost'], timerSeconds: 0 },
    [],
  );
  assert.deepEqual(
    phantom.members.map((m) => m.account),
    [me],
  );
  await alice.sendText(phantom.id, 'are you there?');
  assert.ok(alice.getConversation(phantom.id)?.members.some((m) => m.account === 'whole-b3@localhost'));
  await eventually(
    async () => (await bob.listMessages(phantom.id)).some((m) => m.text === 'are you there?'),
    20_000,
    'bob receives the message',
  );
});

test('sending in a 1:1 whose peer does not exist fails naming the peer (never "sent" into nowhere)', async () => {
  const alice = await user('whole-a4');
  const me = alice.me.account;
  const phantom = await alice.c.commits.create(
    { v: 2, kind: 'direct', owner: me, admins: [me, 'nobody-w4@localhost'], timerSeconds: 0 },
    [],
  );
  await refused(alice.sendText(phantom.id, 'hello?'), 'PEER_MISSING', 'nobody-w4@localhost');
  assert.deepEqual(await alice.pendingSends(), []);
});

test('an expired disappearing message is swept when the store opens, and hidden at once by listMessages/getMessage', async () => {
  const bob = await user('whole-b5');
  const dir = join(world.root, 'whole-a5');
  let clock = Date.now();
  // No timer sweep runs in this test (a day between sweeps): only opening the store and reading may remove it.
  const opts = { dir, retryBaseMs: 100, sweepIntervalMs: 86_400_000, now: () => clock };
  let alice = await openNodeClient(opts);
  await alice.register({ serverUrl: world.server.url, account: 'whole-a5@localhost' });
  await alice.start();
  assert.ok(bob.registered);
  const conv = await alice.createDirect('whole-b5@localhost');
  const keep = await alice.sendText(conv.id, 'before the timer');
  await alice.setDisappearingTimer(conv.id, 60);
  const gone = await alice.sendText(conv.id, 'disappears while closed');
  await alice.flush(20_000);
  await alice.close();
  clock += 61_000;
  alice = await openNodeClient(opts);
  clients.push(alice);
  // Opening the store removed it: the raw log no longer holds it.
  const raw = await alice.c.store.listMessages(conv.id);
  assert.ok(!raw.some((e) => e.messageId === gone), 'swept when the store opened');
  assert.ok(raw.some((e) => e.messageId === keep));

  await alice.start();
  const gone2 = await alice.sendText(conv.id, 'disappears while open');
  await alice.flush(20_000);
  assert.ok((await alice.listMessages(conv.id)).some((m) => m.id === gone2));
  clock += 61_000;
  const visible = await alice.listMessages(conv.id);
  assert.ok(!visible.some((m) => m.id === gone2), 'the expired message is not listed');
  assert.ok(
    visible.some((m) => m.id === keep),
    'a message without a timer stays',
  );
  assert.ok(!visible.some((m) => m.expiresAt !== undefined && m.expiresAt <= clock), 'nothing listed has expired');
  assert.equal(await alice.getMessage(conv.id, gone2), undefined);
  // The newest item that can still be shown is the line saying the timer was set (after `keep`, before `gone`).
  const last = await alice.listMessages(conv.id, { limit: 1 });
  assert.deepEqual(
    last.map((m) => m.system?.type),
    ['timer'],
  );
  const lastTwo = await alice.listMessages(conv.id, { limit: 2 });
  assert.deepEqual(lastTwo.map((m) => m.id).slice(0, 1), [keep], 'limit counts only messages that can be shown');
});
