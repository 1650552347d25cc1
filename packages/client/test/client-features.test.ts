// Attachments, disappearing messages, safety numbers, blocking and message requests, against a real server.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { SottoClient } from '../src/client/sotto-client.js';
import { saveAttachment, sendFile } from '../src/node/node-client.js';
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

async function pair(a: string, b: string) {
  const ca = await newClient(server, root, `${a}@localhost`, { sweepIntervalMs: 100 });
  const cb = await newClient(server, root, `${b}@localhost`, { sweepIntervalMs: 100 });
  clients.push(ca, cb);
  const conv = await ca.createDirect(`${b}@localhost`);
  await eventually(() => cb.getConversation(conv.id), 10_000, 'join');
  await cb.acceptRequest(conv.id);
  return { ca, cb, conv };
}

test('attachment: encrypted with a fresh key, streamed up and down, hash-checked', async () => {
  const { ca, cb, conv } = await pair('att1', 'att2');
  const file = join(root, 'in.bin');
  const data = randomBytes(1024 * 1024 + 12345);
  writeFileSync(file, data);
  const arrived = cb.waitFor('message', (m) => m.kind === 'attachment');
  const id = await sendFile(ca, conv.id, file, { mimeType: 'application/octet-stream' });
  const m = await arrived;
  assert.equal(m.id, id);
  assert.equal(m.attachment?.size, data.length);
  const out = join(root, 'out.bin');
  await saveAttachment(cb, conv.id, id, out);
  assert.ok(readFileSync(out).equals(data));
});

test('disappearing timer: messages vanish from both devices after the timer', async () => {
  const { ca, cb, conv } = await pair('dis1', 'dis2');
  await ca.setDisappearingTimer(conv.id, 1);
  await eventually(() => cb.getConversation(conv.id)?.timerSeconds === 1, 10_000, 'timer agreed');
  const got = cb.waitFor('message', (m) => m.text === 'poof');
  const id = await ca.sendText(conv.id, 'poof');
  const m = await got;
  assert.ok(m.expiresAt);
  await Promise.all([ca.waitFor('message-removed', (r) => r.id === id, 5000), cb.waitFor('message-removed', (r) => r.id === id, 5000)]);
  assert.equal(await ca.getMessage(conv.id, id), undefined);
  assert.equal(await cb.getMessage(conv.id, id), undefined);
});

test('message requests: accept one, block another, delete a third; no receipts before acceptance', async () => {
  const me = await newClient(server, root, 'req@localhost');
  const friend = await newClient(server, root, 'friendly@localhost');
  const spammer = await newClient(server, root, 'spam@localhost');
  const other = await newClient(server, root, 'other@localhost');
  clients.push(me, friend, spammer, other);
  const requests: string[] = [];
  me.on('request', (c) => requests.push(c.owner));
  const c1 = await friend.createDirect('req@localhost');
  const c2 = await spammer.createDirect('req@localhost');
  const c3 = await other.createDirect('req@localhost');
  const hello = await friend.sendText(c1.id, 'hello, it is me');
  await spammer.sendText(c2.id, 'buy now');
  await other.sendText(c3.id, 'hi?');
  await eventually(
    async () => (await me.listMessages(c1.id)).length === 1 && (await me.listMessages(c2.id)).length === 1,
    10_000,
    'requests arrive',
  );
  assert.deepEqual(requests.sort(), ['friendly@localhost', 'other@localhost', 'spam@localhost']);
  await me.markRead(c1.id, [hello]); // a request: nothing is sent
  await me.setTyping(c1.id, true);
  await me.flush(); // whatever me queued is on the server,
  await friend.sync(); // and friend has processed all of it
  assert.equal((await friend.getMessage(c1.id, hello))?.status, 'sent');
  await me.acceptRequest(c1.id);
  await me.block('spam@localhost');
  assert.equal(me.getConversation(c2.id)?.state, 'blocked');
  await me.deleteRequest(c3.id);
  assert.equal((await me.listMessages(c3.id)).length, 0);
  await spammer.sendText(c2.id, 'buy now!!');
  const ok = me.waitFor('message', (m) => m.text === 'accepted now');
  await friend.sendText(c1.id, 'accepted now');
  await ok;
  await me.markRead(c1.id, [hello]);
  await eventually(async () => (await friend.getMessage(c1.id, hello))?.status === 'read', 10_000, 'read receipt after acceptance');
  assert.equal((await me.listMessages(c2.id)).length, 1);
});

test('safety numbers match on both sides; verification is kept', async () => {
  const { ca, cb } = await pair('sn1', 'sn2');
  const a = await ca.safetyNumber('sn2@localhost');
  const b = await cb.safetyNumber('sn1@localhost');
  assert.equal(a.digits, b.digits);
  assert.equal(a.digits.length, 60);
  assert.equal(await ca.verifySafetyNumber('sn2@localhost', '1'.repeat(60)), 'mismatch');
  assert.equal(await ca.verifySafetyNumber('sn2@localhost', b.qrPayload), 'match');
  assert.equal((await ca.listContacts()).find((c) => c.account === 'sn2@localhost')?.verified, true);
  assert.equal(await cb.verifySafetyNumber('sn1@localhost', a.display), 'match');
});
