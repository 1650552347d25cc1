// No silent loss (client issue "no silent loss"): the regressions a chaos run found, one small deterministic test each.
// Real server, real stores. Each test names the defect it pins.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { encryptMessage } from '@sotto/mls';
import { nativeRandom } from '@sotto/mls/native';
import { FRANKING_KEY_BYTES, frank } from '@sotto/protocol';
import { encodePending, NS } from '../src/client/records.js';
import { encodeContent, newMessageId } from '../src/content/content-codec.js';
import { fromB64Url } from '../src/util/b64.js';
import type { SottoClient } from '../src/client/sotto-client.js';
import { openNodeClient } from '../src/node/node-client.js';
import { clientWorld, eventually } from './helpers/clients.js';

const world = clientWorld();
const { clients } = world;

const client = (name: string) => world.user(name);

/** Messages `c` keeps for a retry (the `held` namespace of its store). */
async function heldCount(c: SottoClient): Promise<number> {
  return (await c.c.store.list('held')).length;
}

/** A fetch that can be cut (as a network outage is) and that reports every request to `seen`. */
function wire(seen: (method: string, path: string) => void = () => {}) {
  const w = {
    down: false,
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      if (w.down) throw new TypeError('fetch failed');
      seen(init?.method ?? 'GET', url.pathname);
      return fetch(input, init);
    }) as typeof fetch,
  };
  return w;
}

/** A registered device whose directory survives close(), for reopening with another fetch. */
async function device(account: string): Promise<{ dir: string; c: SottoClient }> {
  const dir = join(world.root, account);
  const c = await openNodeClient({ dir, retryBaseMs: 100 });
  await c.register({ serverUrl: world.server.url, account: `${account}@localhost` });
  await c.start();
  clients.push(c);
  return { dir, c };
}

/** Past-epoch states this client keeps for conversation `id`. */
async function pastStates(c: SottoClient, id: string): Promise<string[]> {
  return (await c.c.store.list(NS.groupPast)).map((e) => e.key).filter((k) => k.startsWith(`${id}/`));
}

test('past-epoch states are wiped when this device is removed from the group', async () => {
  const [a, b] = [await client('wipe-a'), await client('wipe-b')];
  const g = await a.createGroup({ name: 'wipe', members: ['wipe-b@localhost'] });
  await eventually(() => b.getConversation(g.id), 10_000, 'b joined');
  await a.rotateKeys(g.id);
  await a.rotateKeys(g.id);
  await eventually(async () => (await pastStates(b, g.id)).length >= 2, 10_000, 'b keeps past epochs');
  await a.removeMembers(g.id, ['wipe-b@localhost']);
  await eventually(() => b.getConversation(g.id)?.state === 'removed', 10_000, 'b removed');
  assert.deepEqual(await pastStates(b, g.id), []);
});

test('the outbox sends nothing while the start-up catch-up runs', async () => {
  const a = await client('cu-a');
  const b0 = await device('cu-b');
  const g = await a.createGroup({ name: 'catch-up', members: ['cu-b@localhost'] });
  await eventually(() => b0.c.getConversation(g.id), 10_000, 'b joined');
  await b0.c.acceptRequest(g.id); // receipts go out in accepted conversations only
  await b0.c.close();
  // More than one receive batch waits for b, with an epoch change at the front: b answers each with a receipt.
  await a.rotateKeys(g.id);
  for (let i = 0; i < 230; i++) await a.sendText(g.id, `m${i}`);
  await a.flush();
  let synced = false;
  let early = 0;
  let submits = 0;
  const w = wire((method, path) => {
    if (method !== 'POST' || path !== '/v1/messages') return;
    submits++;
    if (!synced) early++;
  });
  const b = await openNodeClient({ dir: b0.dir, retryBaseMs: 100, fetch: w.fetch });
  clients.push(b);
  b.once('synced', () => (synced = true));
  await b.start();
  await eventually(async () => (await b.listMessages(g.id)).length >= 230, 30_000, 'b received everything');
  await b.flush();
  // The receipts went out (over HTTP or the socket) once b had caught up, none before.
  await eventually(
    async () => (await a.listMessages(g.id)).filter((m) => m.kind !== 'system').every((m) => m.status === 'delivered'),
    20_000,
    'receipts',
  );
  assert.equal(early, 0, `no submission before the catch-up finished (${submits} over HTTP)`);
});

test('start() works offline: history is served, sends are queued, and they go out once the server answers', async () => {
  const a = await client('off-a');
  const b0 = await device('off-b');
  const g = await a.createGroup({ name: 'offline', members: ['off-b@localhost'] });
  await eventually(() => b0.c.getConversation(g.id), 10_000, 'b joined');
  await a.sendText(g.id, 'before the outage');
  await eventually(async () => (await b0.c.listMessages(g.id)).length === 1, 10_000, 'b got the first message');
  await b0.c.close();
  const w = wire();
  w.down = true;
  const b = await openNodeClient({ dir: b0.dir, retryBaseMs: 100, fetch: w.fetch });
  clients.push(b);
  await b.start(); // the old code threw NETWORK here
  assert.deepEqual(
    (await b.listMessages(g.id)).map((m) => m.text),
    ['before the outage'],
  );
  const queued = await b.sendText(g.id, 'written offline');
  assert.equal((await b.pendingSends()).length, 1);
  await a.sendText(g.id, 'sent during the outage');
  const synced = b.waitFor('synced');
  w.down = false;
  await synced;
  await eventually(async () => (await a.getMessage(g.id, queued))?.text === 'written offline', 20_000, 'a got the queued message');
  await eventually(async () => (await b.listMessages(g.id)).some((m) => m.text === 'sent during the outage'), 20_000, 'b caught up');
});

/** A text encrypted by `a` in the group state it held at `state` (an old epoch), as a device that was offline sends. */
function staleText(a: SottoClient, state: Uint8Array, text: string): Uint8Array {
  const content = encodeContent({ messageId: newMessageId(nativeRandom), sentAt: Date.now(), body: { type: 'text', text } });
  const f = frank(nativeRandom(FRANKING_KEY_BYTES), content);
  return encryptMessage(a.c.m.deps, a.c.m.deserialize(state), f.applicationData, f.authenticatedData).message;
}

test('a message this device cannot decrypt is kept, retried after a catch-up, then shown as undecryptable (no receipt)', async () => {
  const [a, b] = [await client('held-a'), await client('held-b')];
  const g = await a.createGroup({ name: 'held', members: ['held-b@localhost'] });
  await eventually(() => b.getConversation(g.id), 10_000, 'b joined');
  await b.acceptRequest(g.id);
  const old = (await a.c.store.get(NS.group, g.id))!;
  for (let i = 0; i < 6; i++) await a.rotateKeys(g.id); // past what b keeps (PAST_EPOCHS)
  await eventually(() => b.getConversation(g.id)?.epoch === a.getConversation(g.id)?.epoch, 10_000, 'b followed');
  const shown = b.waitFor('undecryptable');
  // The server refuses so old a message now (STALE_EPOCH): hand it to b's receiver as a server push would.
  b.c.receiver.enqueue([
    { id: 2 ** 40, groupId: fromB64Url(g.id), kind: 'message', data: staleText(a, old, 'lost?'), createdAt: Date.now() },
  ]);
  const ev = await shown;
  assert.equal(ev.conversationId, g.id);
  assert.equal(ev.sender, undefined, 'a PrivateMessage hides its sender');
  const items = (await b.listMessages(g.id)).filter((m) => m.kind === 'system');
  assert.deepEqual(
    items.map((m) => [m.id, m.text]),
    [[ev.id, 'a message from a member could not be decrypted']],
  );
  assert.equal(await heldCount(b), 0);
  assert.deepEqual(await b.pendingSends(), [], 'no receipt for content that was not decrypted');
  // And the group is not stuck: a fresh message still round-trips.
  const ok = await a.sendText(g.id, 'still here');
  await eventually(async () => (await b.getMessage(g.id, ok))?.text === 'still here', 10_000, 'b got the next message');
});

test('a message of an epoch this device has not reached yet is kept and delivered after the catch-up', async () => {
  const [a, b] = [await client('ahead-a'), await client('ahead-b')];
  const g = await a.createGroup({ name: 'ahead', members: ['ahead-b@localhost'] });
  await eventually(() => b.getConversation(g.id), 10_000, 'b joined');
  await b.acceptRequest(g.id);
  await b.stop();
  await a.rotateKeys(g.id);
  const mid = await a.sendText(g.id, 'from the next epoch');
  await a.flush();
  // b sees the message before the commit that leads to its epoch (it is acknowledged, so the server forgets it).
  const queue = await b.c.a.fetchMessages(0, 500);
  const app = queue.find((m) => m.kind === 'message' && m.data[3] === 2)!;
  assert.ok(app, 'the application message is queued for b');
  b.c.receiver.enqueue([app]);
  await b.c.receiver.drain();
  assert.equal(await heldCount(b), 1, 'kept, not dropped');
  await b.start();
  await eventually(async () => (await b.getMessage(g.id, mid))?.text === 'from the next epoch', 10_000, 'delivered after catch-up');
  assert.equal(await heldCount(b), 0);
  await eventually(async () => (await a.getMessage(g.id, mid))?.status === 'delivered', 10_000, 'the receipt, after decryption');
});

test('the same ciphertext delivered twice (a sender re-sending after a crash) is a duplicate, not an undecryptable message', async () => {
  const [a, b] = [await client('dup-a'), await client('dup-b')];
  const g = await a.createGroup({ name: 'dup', members: ['dup-b@localhost'] });
  await eventually(() => b.getConversation(g.id), 10_000, 'b joined');
  await b.stop();
  const mid = await a.sendText(g.id, 'once');
  await a.flush();
  const app = (await b.c.a.fetchMessages(0, 500)).find((m) => m.kind === 'message' && m.data[3] === 2)!;
  await b.start();
  await eventually(async () => (await b.getMessage(g.id, mid))?.text === 'once', 10_000, 'b got it');
  b.c.receiver.enqueue([{ ...app, id: 2 ** 41 }]);
  await b.c.receiver.drain();
  assert.equal(await heldCount(b), 0, 'nothing to retry');
  assert.deepEqual(
    (await b.listMessages(g.id)).map((m) => m.text),
    ['once'],
  );
});

test('a member removed and re-added neither decrypts nor acknowledges a message of an epoch before its removal', async () => {
  const [a, b] = [await client('readd-a'), await client('readd-b')];
  const g = await a.createGroup({ name: 'readd', members: ['readd-b@localhost'] });
  await eventually(() => b.getConversation(g.id), 10_000, 'b joined');
  await b.acceptRequest(g.id);
  const old = (await a.c.store.get(NS.group, g.id))!; // the epoch b is about to keep as a past epoch
  await a.rotateKeys(g.id);
  await eventually(() => b.getConversation(g.id)?.epoch === a.getConversation(g.id)?.epoch, 10_000, 'b followed');
  await a.removeMembers(g.id, ['readd-b@localhost']);
  await eventually(() => b.getConversation(g.id)?.state === 'removed', 10_000, 'b removed');
  await a.addMembers(g.id, ['readd-b@localhost']);
  await eventually(() => b.getConversation(g.id)?.state === 'active', 10_000, 'b back');
  const outcome = Promise.race([
    b.waitFor('undecryptable').then(() => 'undecryptable'),
    b.waitFor('message', (m) => m.text === 'from before').then(() => 'decrypted'),
  ]);
  b.c.receiver.enqueue([
    { id: 2 ** 42, groupId: fromB64Url(g.id), kind: 'message', data: staleText(a, old, 'from before'), createdAt: Date.now() },
  ]);
  assert.equal(await outcome, 'undecryptable');
  assert.ok(!(await b.listMessages(g.id)).some((m) => m.text === 'from before'), 'not decrypted with a state of a former membership');
  assert.deepEqual(await b.pendingSends(), [], 'no receipt');
});

test('a sync that runs while a commit is in flight does not put the group back to the start of the epoch', async () => {
  // The sync's look at the server is held until the commit is adopted and a message has gone out in the new epoch.
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  let looked: () => void = () => {};
  const looking = new Promise<void>((r) => (looked = r));
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const res = await fetch(input, init);
    if ((init?.method ?? 'GET') === 'GET' && /^\/v1\/groups\/[^/]+$/.test(url.pathname)) {
      looked();
      await gate;
    }
    return res;
  }) as typeof fetch;
  const a = await openNodeClient({ dir: join(world.root, 'race-a'), retryBaseMs: 100, fetch: f });
  await a.register({ serverUrl: world.server.url, account: 'race-a@localhost' });
  await a.start();
  clients.push(a);
  const b = await client('race-b');
  const g = await a.createGroup({ name: 'race', members: ['race-b@localhost'] });
  await eventually(() => b.getConversation(g.id), 10_000, 'b joined');
  let resolving: Promise<void> | undefined;
  // What commitWith does, with a sync's resolvePendingCommits starting in the middle of it.
  await a.c.lock.run(async () => {
    const group = a.c.groups.get(g.id)!;
    const out = a.c.m.update(group);
    await a.c.store.put(NS.pending, g.id, encodePending({ epoch: group.context.epoch.toString(), state: a.c.m.serialize(out.group) }));
    await a.c.a.submit(out.commit, { groupInfo: a.c.m.commitGroupInfo(out.group) });
    resolving = a.c.commits.resolvePendingCommits();
    await looking;
    const work = a.c.newWork();
    await a.c.store.transaction(async (tx) => {
      await a.c.commits.adoptCommit(tx, g.id, group, out.group, work);
      await tx.delete(NS.pending, g.id);
    });
    a.c.finish(work);
  });
  const first = await a.sendText(g.id, 'first in the new epoch');
  await a.flush();
  release();
  await resolving;
  const second = await a.sendText(g.id, 'second in the new epoch');
  await a.flush();
  await eventually(async () => (await b.getMessage(g.id, first)) && (await b.getMessage(g.id, second)), 10_000, 'b decrypts both');
  assert.deepEqual(
    (await b.listMessages(g.id)).filter((m) => m.kind === 'system'),
    [],
  );
});

test("a pending commit is adopted only when the server's next epoch is its own, not whenever the server moved on", async () => {
  // alice's commit never reached the server (the connection broke); bob's commit won that epoch, and is queued for
  // alice but not processed yet. Adopting her pending state because "the server moved on" would fork her from the group.
  const a = await client('fork-a');
  const b = await client('fork-b');
  const g = await a.createGroup({ name: 'fork', members: ['fork-b@localhost'] });
  await eventually(() => b.getConversation(g.id), 10_000, 'b joined');
  await b.acceptRequest(g.id);
  const before = a.getConversation(g.id)!.epoch;
  await a.stop(); // alice receives nothing meanwhile: bob's commit waits in her queue
  await a.c.lock.run(async () => {
    const group = a.c.groups.get(g.id)!;
    const out = a.c.m.update(group);
    await a.c.store.put(NS.pending, g.id, encodePending({ epoch: group.context.epoch.toString(), state: a.c.m.serialize(out.group) }));
  });
  await b.rotateKeys(g.id);
  await a.c.commits.resolvePendingCommits();
  assert.equal(a.getConversation(g.id)!.epoch, before, 'not adopted: the epoch was won by bob');
  assert.equal(await a.c.store.get(NS.pending, g.id), undefined, 'the pending commit is dropped');
  await a.start(); // catches up: bob's commit
  const text = await a.sendText(g.id, 'after the race');
  await a.flush();
  await eventually(async () => (await b.getMessage(g.id, text)) !== undefined, 10_000, 'bob decrypts alice');
});

test('a pending commit that the server took is adopted at the next sync', async () => {
  const a = await client('took-a');
  const b = await client('took-b');
  const g = await a.createGroup({ name: 'took', members: ['took-b@localhost'] });
  await eventually(() => b.getConversation(g.id), 10_000, 'b joined');
  await b.acceptRequest(g.id);
  const before = BigInt(a.getConversation(g.id)!.epoch);
  // The commit reached the server, the answer was lost: only the pending state remains.
  await a.c.lock.run(async () => {
    const group = a.c.groups.get(g.id)!;
    const out = a.c.m.update(group);
    await a.c.store.put(NS.pending, g.id, encodePending({ epoch: group.context.epoch.toString(), state: a.c.m.serialize(out.group) }));
    await a.c.a.submit(out.commit, { groupInfo: a.c.m.commitGroupInfo(out.group) });
  });
  await a.sync();
  assert.equal(BigInt(a.getConversation(g.id)!.epoch), before + 1n);
  const text = await a.sendText(g.id, 'in the epoch alice made');
  await a.flush();
  await eventually(async () => (await b.getMessage(g.id, text)) !== undefined, 10_000, 'bob decrypts alice');
});
