// No silent loss (client issue "no silent loss"): the regressions a chaos run found, one small deterministic test each.
// Real server, real stores. Each test names the defect it pins.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NS } from '../src/client/records.js';
import type { SottoClient } from '../src/client/sotto-client.js';
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
