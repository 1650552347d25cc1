// A contact's device that comes or goes (linked, then unlinked) in a shared conversation: the other account gets a
// 'device-change' event and a system item in the conversation's history; the account's own devices get none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClientEvents } from '../src/client/types.js';
import { blankClient, clientWorld, eventually } from './helpers/clients.js';

const world = clientWorld();

test('bob sees a notice when alice links a device and when she removes it; alice sees none about herself', async () => {
  const alice = await world.user('alice');
  const bob = await world.user('bob');
  const atBob: Array<ClientEvents['device-change']> = [];
  const atAlice: Array<ClientEvents['device-change']> = [];
  bob.on('device-change', (e) => atBob.push(e));
  alice.on('device-change', (e) => atAlice.push(e));
  const conv = await bob.createDirect('alice@localhost');
  await eventually(() => alice.getConversation(conv.id), 10_000, 'alice joins');
  await alice.acceptRequest(conv.id);
  assert.deepEqual(atBob, [], 'alice joining as a whole is a membership change, not a device change');

  const phone = await blankClient(world.root, 'alice-phone');
  world.clients.push(phone);
  const link = await phone.beginLink({ serverUrl: world.server.url, account: 'alice@localhost' });
  await alice.approveLink(link.qr);
  await link.done;
  await phone.start();
  await eventually(() => atBob.length === 1, 10_000, "bob's notice of the new device");
  assert.deepEqual(atBob[0], { conversationId: conv.id, account: 'alice@localhost', added: [link.deviceId], removed: [] });
  const items = (await bob.listMessages(conv.id)).filter((m) => m.kind === 'system');
  assert.equal(items.length, 1);
  assert.equal(items[0]?.sender, 'alice@localhost');
  assert.match(items[0]?.text ?? '', new RegExp(`^alice@localhost added a device \\(${link.deviceId.replace(/[-_]/g, '.')}\\)`));

  await alice.unlinkDevice(link.deviceId);
  await eventually(() => atBob.length === 2, 10_000, "bob's notice of the removed device");
  assert.deepEqual(atBob[1], { conversationId: conv.id, account: 'alice@localhost', added: [], removed: [link.deviceId] });
  assert.equal((await bob.listMessages(conv.id)).filter((m) => m.kind === 'system').length, 2);
  assert.deepEqual(atAlice, []);
  assert.equal((await alice.listMessages(conv.id)).filter((m) => m.kind === 'system').length, 0);
});
