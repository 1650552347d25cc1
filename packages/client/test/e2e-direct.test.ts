// End to end, separate processes: a real server and client processes. A 1:1 between two users, one of whom has
// three linked devices; message requests (one accepted, one blocked); then no plaintext marker on the server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Agent, spawnAgent, until } from './helpers/agents.js';
import { findPlaintext } from './helpers/plaintext.js';
import { e2eWorld } from './helpers/e2e-world.js';

const w = e2eWorld();
const { agents, markers, mark } = w;

async function agent(name: string, account?: string): Promise<Agent> {
  const a = await spawnAgent(w.root, name);
  agents.push(a);
  if (account) {
    await a.call('register', { serverUrl: w.server.url, account });
    await a.call('start');
  }
  return a;
}

type Msg = { id: string; text?: string; sender: string; seq: number; kind?: string };

test('1:1 between bob and alice, who has three linked devices', async () => {
  const [alice, bob] = await Promise.all([agent('alice', 'alice@localhost'), agent('bob', 'bob@localhost')]);
  const conv = await bob.call<{ id: string }>('createDirect', { peer: 'alice@localhost' });
  await until(() => alice.call('conversation', { conv: conv.id }), 15_000, 'alice joins');
  await alice.call('accept', { conv: conv.id });
  const devices: Agent[] = [];
  for (const name of ['alice-phone', 'alice-laptop']) {
    const d = await agent(name);
    const link = await d.call<{ qr: string; code: string }>('beginLink', { serverUrl: w.server.url, account: 'alice@localhost' });
    const approved = await alice.call<{ code: string }>('approveLink', { qr: link.qr });
    assert.equal(approved.code, link.code);
    await d.call('linkDone');
    await d.call('start');
    await until(
      async () => (await d.call<{ state: string } | null>('conversation', { conv: conv.id }))?.state === 'active',
      15_000,
      `${name} joins`,
    );
    devices.push(d);
  }
  const all = [alice, ...devices, bob];
  const senders = [bob, alice, devices[0]!, devices[1]!];
  const perSender = 15;
  const texts = new Map<Agent, string[]>();
  for (const s of senders)
    texts.set(
      s,
      Array.from({ length: perSender }, (_, i) => `${mark(s.name)}-${String(i).padStart(2, '0')}`),
    );
  // interleave sends from four processes
  for (let i = 0; i < perSender; i++) await Promise.all(senders.map((s) => s.call('sendText', { conv: conv.id, text: texts.get(s)![i] })));
  const total = senders.length * perSender;
  for (const a of all) {
    const msgs = await until(
      async () => {
        // System lines (bob is told of each device alice linked) are not messages.
        const m = (await a.call<Msg[]>('messages', { conv: conv.id })).filter((x) => x.kind !== 'system');
        return m.length >= total ? m : undefined;
      },
      30_000,
      `${a.name} has every message`,
    );
    assert.equal(msgs.length, total, `${a.name}: exactly once`);
    assert.equal(new Set(msgs.map((m) => m.id)).size, total);
    // each sender's messages appear in the order they were sent
    for (const s of senders) {
      const own = msgs.filter((m) => texts.get(s)!.includes(m.text ?? '')).map((m) => m.text);
      assert.deepEqual(own, texts.get(s), `${a.name}: order of ${s.name}`);
    }
  }
  // bob was told of both devices alice linked; alice's own devices are told nothing about themselves.
  const system = async (a: Agent) => (await a.call<Msg[]>('messages', { conv: conv.id })).filter((x) => x.kind === 'system').length;
  assert.equal(await system(bob), 2);
  for (const a of [alice, ...devices]) assert.equal(await system(a), 0, a.name);
});

test('message requests: a stranger waits as a request; one accepted, one blocked', async () => {
  const [rita, friend, spam] = await Promise.all([
    agent('rita', 'rita@localhost'),
    agent('friend', 'friend@localhost'),
    agent('spam', 'spam@localhost'),
  ]);
  const c1 = await friend.call<{ id: string }>('createDirect', { peer: 'rita@localhost' });
  const c2 = await spam.call<{ id: string }>('createDirect', { peer: 'rita@localhost' });
  await friend.call('sendText', { conv: c1.id, text: mark('friend-hello') });
  await spam.call('sendText', { conv: c2.id, text: mark('spam-1') });
  await until(
    async () =>
      (await rita.call<Msg[]>('messages', { conv: c2.id })).length === 1 &&
      (await rita.call<Msg[]>('messages', { conv: c1.id })).length === 1,
    15_000,
    'requests',
  );
  assert.equal((await rita.call<{ state: string }>('conversation', { conv: c1.id })).state, 'request');
  assert.equal((await rita.call<{ state: string }>('conversation', { conv: c2.id })).state, 'request');
  await rita.call('accept', { conv: c1.id });
  await rita.call('block', { account: 'spam@localhost' });
  assert.equal((await rita.call<{ state: string }>('conversation', { conv: c2.id })).state, 'blocked');
  await spam.call('sendText', { conv: c2.id, text: mark('spam-2') });
  const reply = mark('rita-reply');
  await rita.call('sendText', { conv: c1.id, text: reply });
  await until(async () => (await friend.call<Msg[]>('messages', { conv: c1.id })).some((m) => m.text === reply), 15_000, 'reply');
  await spam.call('flush'); // spam-2 is on the server
  await rita.call('sync'); // and rita has processed everything the server held for her
  assert.equal((await rita.call<Msg[]>('messages', { conv: c2.id })).length, 1, 'blocked sender: nothing new stored');
});

test('the server database and blob directory hold none of the plaintext markers', async () => {
  assert.ok(markers.length > 60);
  assert.deepEqual(findPlaintext(w.server.dataDir, markers), []);
});
