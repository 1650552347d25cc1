// End to end, separate processes: a device offline while 1,000 messages arrive catches up in order; clients killed
// (SIGKILL) in the middle of sending and of receiving lose and duplicate nothing; no plaintext on the server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Agent, spawnAgent, until } from './helpers/agents.js';
import { findPlaintext } from './helpers/plaintext.js';
import { e2eWorld } from './helpers/e2e-world.js';

const w = e2eWorld();
const { agents, markers } = w;

async function agent(name: string, register?: string): Promise<Agent> {
  const a = await spawnAgent(w.root, name);
  agents.push(a);
  if (register) await a.call('register', { serverUrl: w.server.url, account: register });
  if ((await a.call('me')) !== null) await a.call('start');
  return a;
}

type Msg = { id: string; text?: string; sender: string; seq: number };

async function pair(a: string, b: string) {
  const sender = await agent(a, `${a}@localhost`);
  const receiver = await agent(b, `${b}@localhost`);
  const conv = await sender.call<{ id: string }>('createDirect', { peer: `${b}@localhost` });
  await until(() => receiver.call('conversation', { conv: conv.id }), 15_000, 'join');
  await receiver.call('accept', { conv: conv.id });
  return { sender, receiver, conv };
}

test('a device offline while 1,000 messages arrive catches up, in order, exactly once', async () => {
  const { sender, receiver, conv } = await pair('talker', 'sleeper');
  await receiver.exit(); // offline: the process is gone
  const prefix = `PLAINTEXT-MARKER-offline-${Math.random().toString(36).slice(2, 8)}-`;
  for (let i = 0; i < 1000; i++) markers.push(`${prefix}${String(i).padStart(4, '0')}`);
  const t0 = Date.now();
  await sender.call('sendMany', { conv: conv.id, prefix, count: 1000 }, 120_000);
  await sender.call('flush', {}, 120_000);
  const sendMs = Date.now() - t0;
  const back = await spawnAgent(w.root, 'sleeper-2', receiver.dir);
  agents.push(back);
  const t1 = Date.now();
  await back.call('start');
  await until(async () => ((await back.call<number>('count', { conv: conv.id })) >= 1000 ? true : undefined), 120_000, '1,000 messages');
  const catchUpMs = Date.now() - t1;
  const msgs = await back.call<Msg[]>('messages', { conv: conv.id });
  assert.equal(msgs.length, 1000);
  assert.deepEqual(
    msgs.map((m) => m.text),
    markers.slice(-1000),
  );
  process.stdout.write(
    `# 1,000 messages: sent and accepted in ${sendMs} ms (${Math.round(1000 / (sendMs / 1000))}/s); catch-up after restart ${catchUpMs} ms\n`,
  );
});

test('clients killed in the middle of sending and of receiving: nothing lost, nothing duplicated', async () => {
  const { sender, receiver, conv } = await pair('crashy', 'fragile');
  const prefix = `PLAINTEXT-MARKER-kill-${Math.random().toString(36).slice(2, 8)}-`;
  const N = 400;
  for (let i = 0; i < N; i++) markers.push(`${prefix}${String(i).padStart(4, '0')}`);
  await sender.call('sendMany', { conv: conv.id, prefix, count: N }, 60_000);
  // kill the receiver while messages stream in
  await until(async () => ((await receiver.call<number>('count', { conv: conv.id })) > 40 ? true : undefined), 30_000, 'receiving');
  await receiver.kill();
  // kill the sender while its outbox is still sending
  await until(async () => ((await sender.call<unknown[]>('pending')).length < N - 120 ? true : undefined), 30_000, 'sending');
  await sender.kill();
  const sender2 = await spawnAgent(w.root, 'crashy-2', sender.dir);
  agents.push(sender2);
  await sender2.call('start');
  await sender2.call('flush', {}, 120_000);
  const receiver2 = await spawnAgent(w.root, 'fragile-2', receiver.dir);
  agents.push(receiver2);
  await receiver2.call('start');
  await until(
    async () => ((await receiver2.call<Msg[]>('messages', { conv: conv.id })).length >= N ? true : undefined),
    60_000,
    `${N} messages after the crashes`,
  );
  // Everything the server still held for the receiver is now processed: a duplicate would be there.
  await receiver2.call('sync');
  const final = await receiver2.call<Msg[]>('messages', { conv: conv.id });
  assert.equal(final.length, N, 'no duplicates');
  assert.deepEqual(
    final.map((m) => m.text),
    markers.slice(-N),
  );
  const sent = await sender2.call<Msg[]>('messages', { conv: conv.id });
  assert.equal(sent.length, N);
});

test('the server database holds none of the plaintext markers', () => {
  assert.deepEqual(findPlaintext(w.server.dataDir, markers), []);
});
