// Crash windows of a commit: the server accepted it but the device died before storing the new epoch (it must adopt
// it on restart), or the device died before the server saw it (it must drop it). Real server, real stores.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createNativeProvider, nativeRandom } from '@sotto/mls/native';
import { encodePending, NS } from '../src/client/records.js';
import type { SottoClient } from '../src/client/sotto-client.js';
import { identityFromRecord } from '../src/identity/device-identity.js';
import { MlsAdapter, metaOf } from '../src/mls/mls-adapter.js';
import { openNodeClient } from '../src/node/node-client.js';
import { openSqliteStore } from '../src/node/sqlite-store.js';
import { challengeSigner, ServerApi } from '../src/transport/server-api.js';
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

/** Leaves a pending commit (a timer change) in the closed client's store, as #commitWith does before submitting. */
async function leavePending(dir: string, convId: string, timerSeconds: number, submit: boolean): Promise<void> {
  const store = await openSqliteStore({ path: join(dir, 'sotto.db'), key: { keyFile: join(dir, 'storage.key') } });
  const identity = identityFromRecord((await store.get(NS.client, 'identity'))!);
  const mls = new MlsAdapter(identity, createNativeProvider(), nativeRandom, Date.now);
  const group = mls.deserialize((await store.get(NS.group, convId))!);
  const out = mls.setMeta(group, { ...metaOf(group), timerSeconds });
  await store.put(NS.pending, convId, encodePending({ epoch: group.context.epoch.toString(), state: mls.serialize(out.group) }));
  await store.close();
  if (submit) {
    const api = new ServerApi({ baseUrl: server.url });
    api.setSigner(challengeSigner(identity.deviceId, identity.domain, identity.signatureSecret.expose()));
    await api.submit(out.commit);
  }
}

test('commit accepted by the server, device died before storing it: adopted on restart', async () => {
  const dir = join(root, 'crash-a');
  let a = await openNodeClient({ dir, retryBaseMs: 100 });
  await a.register({ serverUrl: server.url, account: 'crash-a@localhost' });
  await a.start();
  const b = await newClient(server, root, 'crash-b@localhost');
  clients.push(b);
  const g = await a.createGroup({ name: 'before', members: ['crash-b@localhost'] });
  await eventually(() => b.getConversation(g.id), 10_000, 'join');
  await a.close();
  await leavePending(dir, g.id, 3600, true);
  await eventually(() => b.getConversation(g.id)?.timerSeconds === 3600, 10_000, 'b applied the commit');
  const early = await b.sendText(g.id, 'sent in the new epoch');
  await b.flush();
  a = await openNodeClient({ dir, retryBaseMs: 100 });
  clients.push(a);
  await a.start();
  assert.equal(a.getConversation(g.id)?.timerSeconds, 3600);
  assert.equal((await a.getMessage(g.id, early))?.text, 'sent in the new epoch');
  assert.equal(a.getConversation(g.id)?.epoch, b.getConversation(g.id)?.epoch);
  const got = b.waitFor('message', (m) => m.text === 'still in sync');
  await a.sendText(g.id, 'still in sync');
  await got;
});

test('commit never reached the server: dropped on restart, the group goes on', async () => {
  const dir = join(root, 'crash-c');
  let c = await openNodeClient({ dir, retryBaseMs: 100 });
  await c.register({ serverUrl: server.url, account: 'crash-c@localhost' });
  await c.start();
  const d = await newClient(server, root, 'crash-d@localhost');
  clients.push(d);
  const g = await c.createGroup({ name: 'kept', members: ['crash-d@localhost'] });
  await eventually(() => d.getConversation(g.id), 10_000, 'join');
  await c.close();
  await leavePending(dir, g.id, 60, false);
  c = await openNodeClient({ dir, retryBaseMs: 100 });
  clients.push(c);
  await c.start();
  assert.equal(c.getConversation(g.id)?.timerSeconds, 0);
  await c.setDisappearingTimer(g.id, 120);
  await eventually(() => d.getConversation(g.id)?.timerSeconds === 120, 10_000, 'd follows');
});
