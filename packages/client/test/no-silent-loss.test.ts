// No silent loss (client issue "no silent loss"): the regressions a chaos run found, one small deterministic test each.
// Real server, real stores. Each test names the defect it pins.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { NS } from '../src/client/records.js';
import type { SottoClient } from '../src/client/sotto-client.js';
import { openNodeClient } from '../src/node/node-client.js';
import { eventually, newClient } from './helpers/clients.js';
import { cleanup, startServer, type TestServer, tempDir } from './helpers/server.js';

let server: TestServer;
let root: string;
const clients: SottoClient[] = [];

before(async () => {
  server = await startServer();
  root = tempDir();
});
after(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await server.stop();
  cleanup(root);
  cleanup(server.dataDir);
});

async function client(account: string): Promise<SottoClient> {
  const c = await newClient(server, root, `${account}@localhost`);
  clients.push(c);
  return c;
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
  const dir = join(root, account);
  const c = await openNodeClient({ dir, retryBaseMs: 100 });
  await c.register({ serverUrl: server.url, account: `${account}@localhost` });
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
  await eventually(async () => (await a.listMessages(g.id)).every((m) => m.status === 'delivered'), 20_000, 'receipts');
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
