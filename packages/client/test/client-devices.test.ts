// Device linking and unlinking against a real server: QR payload, approval by the primary, joining existing
// conversations, key-change warnings at the contact, signed revocation and removal from every group.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SottoClient } from '../src/client/sotto-client.js';
import type { KeyWarning } from '../src/client/types.js';
import { blankClient, eventually, newClient } from './helpers/clients.js';
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

test('link two more devices, they join the 1:1 and read new messages; unlink one', async () => {
  const alice = await newClient(server, root, 'alice@localhost');
  const bob = await newClient(server, root, 'bob@localhost');
  clients.push(alice, bob);
  const warnings: KeyWarning[] = [];
  bob.on('key-change', (w) => warnings.push(w));
  const conv = await bob.createDirect('alice@localhost');
  await eventually(() => alice.getConversation(conv.id), 10_000, 'alice joins');
  await alice.acceptRequest(conv.id);

  const phone = await blankClient(root, 'alice-phone');
  const laptop = await blankClient(root, 'alice-laptop');
  clients.push(phone, laptop);
  for (const dev of [phone, laptop]) {
    const link = await dev.beginLink({ serverUrl: server.url, account: 'alice@localhost' });
    assert.match(link.qr, /^sotto-link:1:/);
    const approved = await alice.approveLink(link.qr);
    assert.equal(approved.code, link.code);
    assert.equal(approved.deviceId, link.deviceId);
    await link.done;
    await dev.start();
    await eventually(() => dev.getConversation(conv.id)?.state === 'active', 10_000, 'linked device joins and is accepted');
  }
  assert.equal((await alice.listDevices()).length, 3);
  await eventually(
    () => bob.getConversation(conv.id)?.members.find((m) => m.account === 'alice@localhost')?.deviceIds.length === 3,
    10_000,
    'bob sees 3 devices',
  );
  await eventually(() => warnings.filter((w) => w.type === 'device-added').length >= 2, 10_000, 'bob warned twice');

  // every alice device gets bob's message; a message from the phone reaches bob and alice's other devices
  const texts = [alice, phone, laptop].map((c) => c.waitFor('message', (m) => m.text === 'to all of alice'));
  await bob.sendText(conv.id, 'to all of alice');
  await Promise.all(texts);
  const atBob = bob.waitFor('message', (m) => m.text === 'from the phone');
  const atLaptop = laptop.waitFor('message', (m) => m.text === 'from the phone' && m.outgoing);
  await phone.sendText(conv.id, 'from the phone');
  await Promise.all([atBob, atLaptop]);

  // unlink the laptop: revoked, removed from the group, reads nothing afterwards
  await alice.unlinkDevice(laptop.me.deviceId);
  assert.equal((await alice.listDevices()).length, 2);
  await eventually(
    () => bob.getConversation(conv.id)?.members.find((m) => m.account === 'alice@localhost')?.deviceIds.length === 2,
    10_000,
    'bob sees 2 devices',
  );
  let leaked = false;
  laptop.on('message', (m) => {
    if (m.text === 'after unlink') leaked = true;
  });
  const atPhone = phone.waitFor('message', (m) => m.text === 'after unlink');
  await bob.sendText(conv.id, 'after unlink');
  await atPhone;
  // The revoked laptop cannot pull anything any more (and its socket was closed at the revocation).
  await assert.rejects(laptop.sync(), (e: { code?: string }) => e.code === 'UNAUTHORIZED' || e.code === 'FORBIDDEN');
  assert.equal(leaked, false);
});
