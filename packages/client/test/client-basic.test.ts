// SottoClient against a real server process: registration with an invite, 1:1 over real MLS, replies, reactions,
// edits, deletes, receipts, typing, groups with roles, commit conflicts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
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

async function user(name: string): Promise<SottoClient> {
  const c = await newClient(server, root, `${name}@localhost`, { invite: name === 'alice' });
  clients.push(c);
  return c;
}

test('1:1: register, create, send and receive text over MLS', async () => {
  const alice = await user('alice');
  const bob = await user('bob');
  const conv = await alice.createDirect('bob@localhost');
  assert.equal(conv.kind, 'direct');
  await eventually(() => bob.getConversation(conv.id), 10_000, 'bob joins');
  const got = bob.waitFor('message', (m) => m.text === 'hello bob');
  const id = await alice.sendText(conv.id, 'hello bob');
  const m = await got;
  assert.equal(m.id, id);
  assert.equal(m.sender, 'alice@localhost');
  // a stranger's first message makes a request; accept it, then reply
  assert.equal(bob.getConversation(conv.id)?.state, 'request');
  await bob.acceptRequest(conv.id);
  const reply = alice.waitFor('message', (x) => x.text === 'hi alice');
  await bob.sendText(conv.id, 'hi alice', { replyTo: id });
  assert.equal((await reply).replyTo, id);
  // delivered receipt from bob after acceptance
  const delivered = alice.waitFor('message-updated', (x) => x.id === id && x.status === 'read');
  await bob.markRead(conv.id, [id]);
  await delivered;
});

test('content: reactions, edits, delete-for-everyone, typing, settings', async () => {
  const carol = await user('carol');
  const dave = await user('dave');
  const conv = await carol.createDirect('dave@localhost');
  await eventually(() => dave.getConversation(conv.id), 10_000, 'dave joins');
  await dave.acceptRequest(conv.id);
  const first = dave.waitFor('message', (m) => m.text === 'v1');
  const id = await carol.sendText(conv.id, 'v1');
  await first;
  const reacted = carol.waitFor('message-updated', (m) => m.id === id && (m.reactions['👍'] ?? []).includes('dave@localhost'));
  await dave.react(conv.id, id, '👍');
  await reacted;
  const edited = dave.waitFor('message-updated', (m) => m.id === id && m.text === 'v2');
  await carol.edit(conv.id, id, 'v2');
  assert.ok((await edited).editedAt);
  await assert.rejects(dave.edit(conv.id, id, 'not mine'), /own text/);
  const typing = carol.waitFor('typing', (t) => t.account === 'dave@localhost' && t.typing);
  await dave.setTyping(conv.id, true);
  await typing;
  const deleted = dave.waitFor('message-updated', (m) => m.id === id && m.deleted === true);
  await carol.deleteForEveryone(conv.id, id);
  const d = await deleted;
  assert.equal(d.text, undefined);
  // read receipts off: dave's markRead sends nothing
  await dave.updateSettings({ sendReadReceipts: false });
  const id2 = await carol.sendText(conv.id, 'second');
  await eventually(async () => (await dave.getMessage(conv.id, id2)) !== undefined, 10_000, 'second arrives');
  await dave.markRead(conv.id, [id2]);
  await eventually(async () => (await carol.getMessage(conv.id, id2))?.status === 'delivered', 10_000, 'delivered');
  await dave.flush(); // whatever dave queued is on the server,
  await carol.sync(); // and carol has processed all of it
  assert.equal((await carol.getMessage(conv.id, id2))?.status, 'delivered');
});

test('groups: owner, admins and members; only admins change the group; commit conflicts retry', async () => {
  const owner = await user('gowner');
  const m1 = await user('gm1');
  const m2 = await user('gm2');
  const m3 = await user('gm3');
  const g = await owner.createGroup({ name: 'team', members: ['gm1@localhost', 'gm2@localhost'] });
  await eventually(() => m1.getConversation(g.id) && m2.getConversation(g.id), 10_000, 'members join');
  await m1.acceptRequest(g.id);
  await m2.acceptRequest(g.id);
  await assert.rejects(m1.addMembers(g.id, ['gm3@localhost']), /only admins/);
  await assert.rejects(m1.rename(g.id, 'mine'), /only admins/);
  await owner.setRole(g.id, 'gm1@localhost', 'admin');
  await eventually(
    () => m1.getConversation(g.id)?.members.find((m) => m.account === 'gm1@localhost')?.role === 'admin',
    10_000,
    'role seen',
  );
  // two admins commit at once: one wins the epoch, the other catches up and retries
  await Promise.all([m1.addMembers(g.id, ['gm3@localhost']), owner.rename(g.id, 'team-2')]);
  await eventually(() => m3.getConversation(g.id), 10_000, 'gm3 joins');
  for (const c of [owner, m1, m2, m3]) {
    await eventually(
      () => c.getConversation(g.id)?.name === 'team-2' && c.getConversation(g.id)?.members.length === 4,
      10_000,
      'all agree',
    );
  }
  const epochs = new Set([owner, m1, m2, m3].map((c) => c.getConversation(g.id)?.epoch));
  assert.equal(epochs.size, 1);
  // remove gm2: it sees the removal and gets nothing afterwards
  await owner.removeMembers(g.id, ['gm2@localhost']);
  await eventually(() => m2.getConversation(g.id)?.state === 'removed', 10_000, 'gm2 removed');
  let leaked = false;
  m2.on('message', (m) => {
    if (m.text === 'after removal') leaked = true;
  });
  const seen = m3.waitFor('message', (m) => m.text === 'after removal');
  await m1.sendText(g.id, 'after removal');
  await seen;
  await m2.sync(); // m2 has processed everything the server held for it
  assert.equal(leaked, false);
});

test('each device updates its own leaf from time to time (Update commits), and messages keep flowing', async () => {
  const { newClient: make } = await import('./helpers/clients.js');
  const rot = await make(server, root, 'rotor@localhost', { updateIntervalMs: 300, maintenanceIntervalMs: 200 });
  clients.push(rot);
  const peer = await user('rotpeer');
  const conv = await rot.createDirect('rotpeer@localhost');
  await eventually(() => peer.getConversation(conv.id), 10_000, 'join');
  const e0 = BigInt(rot.getConversation(conv.id)!.epoch);
  await eventually(() => BigInt(peer.getConversation(conv.id)?.epoch ?? '0') >= e0 + 2n, 10_000, 'peer follows two key updates');
  const got = peer.waitFor('message', (m) => m.text === 'after rotation');
  await rot.sendText(conv.id, 'after rotation');
  await got;
});

test('a commit that breaks the admin rule (a modified client makes itself admin) is refused by the server, and the group goes on', async () => {
  const { join } = await import('node:path');
  const { openNodeClient } = await import('../src/node/node-client.js');
  const { openSqliteStore } = await import('../src/node/sqlite-store.js');
  const { identityFromRecord } = await import('../src/identity/device-identity.js');
  const { MlsAdapter, metaOf } = await import('../src/mls/mls-adapter.js');
  const { ServerApi, challengeSigner } = await import('../src/transport/server-api.js');
  const { createNativeProvider, nativeRandom } = await import('@sotto/mls/native');
  const owner = await user('powner');
  const member = await user('pmember');
  const dir = join(root, 'rogue');
  const rogue = await openNodeClient({ dir });
  await rogue.register({ serverUrl: server.url, account: 'rogue@localhost' });
  await rogue.start();
  const g = await owner.createGroup({ name: 'policy', members: ['pmember@localhost', 'rogue@localhost'] });
  await eventually(() => rogue.getConversation(g.id) && member.getConversation(g.id), 10_000, 'join');
  await rogue.close();
  // the rogue device builds and submits a rename with its own keys, bypassing the SDK's check
  const store = await openSqliteStore({ path: join(dir, 'sotto.db'), key: { keyFile: join(dir, 'storage.key') } });
  const identity = identityFromRecord((await store.get('client', 'identity'))!);
  const mls = new MlsAdapter(identity, createNativeProvider(), nativeRandom, Date.now);
  const group = mls.deserialize((await store.get('group', g.id))!);
  await store.close();
  const out = mls.setMeta(group, { ...metaOf(group), timerSeconds: 99, admins: [...metaOf(group).admins, 'rogue@localhost'] });
  const api = new ServerApi({ baseUrl: server.url });
  api.setSigner(challengeSigner(identity.deviceId, identity.domain, identity.signatureSecret.expose()));
  // The server runs the same admin rule on the roles in the group's public state: the commit never reaches anyone.
  await assert.rejects(api.submit(out.commit), (e: unknown) => {
    const err = e as { code?: string; details?: Record<string, unknown> };
    return err.code === 'INVALID_COMMIT' && err.details?.rule === 'GROUP_POLICY';
  });
  // So the group is not frozen (it used to be, for every honest client): the owner goes on.
  await owner.setDisappearingTimer(g.id, 60);
  await eventually(() => member.getConversation(g.id)?.timerSeconds === 60, 10_000, 'member follows the owner');
  for (const c of [owner, member]) {
    assert.equal(c.getConversation(g.id)?.policyViolation, undefined);
    assert.ok(!c.getConversation(g.id)!.members.some((m) => m.account === 'rogue@localhost' && m.role !== 'member'));
  }
});

test('server killed and restarted: clients reconnect with backoff, the outbox delivers what was queued meanwhile', async () => {
  const a = await user('reconn-a');
  const b = await user('reconn-b');
  const conv = await a.createDirect('reconn-b@localhost');
  await eventually(() => b.getConversation(conv.id), 10_000, 'join');
  const offline = a.waitFor('connection', (c) => c.state === 'offline', 10_000);
  const restart = server.restart();
  await offline;
  const id = await a.sendText(conv.id, 'queued while the server was down');
  await restart;
  const got = await b.waitFor('message', (m) => m.id === id, 30_000);
  assert.equal(got.text, 'queued while the server was down');
  await eventually(async () => (await a.getMessage(conv.id, id))?.status !== 'sending', 10_000, 'sent');
});

test('commit storm: three admins commit at once, repeatedly; every client converges on one epoch', async () => {
  const a = await user('storm-a');
  const b = await user('storm-b');
  const c = await user('storm-c');
  const g = await a.createGroup({
    name: 'storm',
    members: ['storm-b@localhost', 'storm-c@localhost'],
    admins: ['storm-b@localhost', 'storm-c@localhost'],
  });
  await eventually(() => b.getConversation(g.id) && c.getConversation(g.id), 10_000, 'join');
  const texts = b.waitFor('message', (m) => m.text === 'storm over', 30_000);
  await Promise.all(
    [a, b, c].map(async (x, i) => {
      for (let k = 0; k < 4; k++) {
        if (k % 2 === 0)
          await x.setDisappearingTimer(g.id, 3600 + 10 * i + k); // a GroupContextExtensions commit
        else await x.rotateKeys(g.id);
        await x.sendText(g.id, `from ${i} round ${k}`);
      }
    }),
  );
  await a.sendText(g.id, 'storm over');
  await texts;
  const state = await eventually(
    () => {
      const v = [a, b, c].map((x) => x.getConversation(g.id)!);
      return new Set(v.map((x) => `${x.epoch}/${x.timerSeconds}`)).size === 1 ? v : undefined;
    },
    15_000,
    'convergence',
  );
  assert.ok(BigInt(state[0]!.epoch) >= 12n);
  for (const x of [a, b, c]) {
    await eventually(
      async () => (await x.listMessages(g.id)).filter((m) => m.kind !== 'system').length === 13,
      15_000,
      'every message everywhere',
    );
  }
});
