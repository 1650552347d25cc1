// KeyPackages under concurrency, commit ordering (exactly one commit per epoch), Welcome delivery,
// proposals before commits, fan-out to a 100-device group and removal, against a real server process.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  addDevice,
  b64,
  CT,
  type Device,
  groupId,
  http,
  makeGroup,
  privateMessage,
  publicMessage,
  registerUser,
  WsClient,
  welcome,
} from './helpers/client.js';
import { cleanup, type ServerProcess, startServerProcess } from './helpers/server-process.js';

let srv: ServerProcess;
before(async () => {
  srv = await startServerProcess({
    env: {
      SOTTO_REGISTRATION_OPEN: 'true',
      SOTTO_KEY_PACKAGE_CLAIMS_PER_MINUTE: '100000',
      // This suite drains KeyPackages on purpose; the hourly claim budgets have their own test (server-abuse).
      SOTTO_KEY_PACKAGE_CLAIMS_PER_ACCOUNT_AND_TARGET_PER_HOUR: '100000',
      SOTTO_KEY_PACKAGE_CLAIMS_PER_TARGET_PER_HOUR: '100000',
    },
  });
});
after(async () => {
  await srv.stop();
  cleanup(srv.dataDir);
});

const kp = (i: number) => b64(Buffer.from(`keypackage-${i.toString().padStart(6, '0')}`));

test('KeyPackages: 100 concurrent claims never get the same one; last resort when the rest are gone', async () => {
  const alice = await registerUser(srv.url, 'kp-alice');
  const alice2 = await addDevice(srv.url, alice.account);
  const bob = await registerUser(srv.url, 'kp-bob');
  const up = await http(
    srv.url,
    'POST',
    '/v1/key-packages',
    { keyPackages: Array.from({ length: 60 }, (_, i) => kp(i)), lastResort: kp(999999) },
    alice.token,
  );
  assert.equal(up.status, 200);
  assert.equal(up.body.count, 60);
  await http(srv.url, 'POST', '/v1/key-packages', { keyPackages: Array.from({ length: 40 }, (_, i) => kp(1000 + i)) }, alice2.token);
  const claims = await Promise.all(
    Array.from({ length: 100 }, () => http(srv.url, 'POST', '/v1/accounts/kp-alice@localhost/key-packages/claim', undefined, bob.token)),
  );
  const seen = new Map<string, string[]>();
  for (const c of claims) {
    assert.equal(c.status, 200);
    for (const k of c.body.keyPackages) {
      if (k.lastResort) continue;
      const list = seen.get(k.deviceId) ?? [];
      list.push(k.keyPackage);
      seen.set(k.deviceId, list);
    }
  }
  const a = seen.get(alice.deviceId)!;
  const a2 = seen.get(alice2.deviceId)!;
  assert.equal(a.length, 60);
  assert.equal(new Set(a).size, 60, 'no KeyPackage handed out twice');
  assert.equal(a2.length, 40);
  assert.equal(new Set(a2).size, 40);
  // alice2 has no last resort: she is left out once empty; alice gets her last resort.
  const last = claims.at(-1)!.body.keyPackages as { deviceId: string; lastResort: boolean; keyPackage: string }[];
  assert.deepEqual(
    last.map((k) => [k.deviceId, k.lastResort]),
    [[alice.deviceId, true]],
  );
  assert.equal(last[0]!.keyPackage, kp(999999));
  const count = await http(srv.url, 'GET', '/v1/key-packages/count', undefined, alice.token);
  assert.deepEqual(count.body, { count: 0, lastResort: true });
  const none = await http(srv.url, 'POST', '/v1/accounts/kp-bob@localhost/key-packages/claim', undefined, alice.token);
  assert.equal(none.body.error.code, 'NO_KEY_PACKAGE');
});

test('KeyPackage claims are rate-limited', async () => {
  const rl = await startServerProcess({ env: { SOTTO_REGISTRATION_OPEN: 'true', SOTTO_KEY_PACKAGE_CLAIMS_PER_MINUTE: '5' } });
  try {
    const a = await registerUser(rl.url, 'rl-a');
    const b = await registerUser(rl.url, 'rl-b');
    await http(rl.url, 'POST', '/v1/key-packages', { keyPackages: Array.from({ length: 20 }, (_, i) => kp(i)) }, a.token);
    const codes = [];
    for (let i = 0; i < 8; i++)
      codes.push((await http(rl.url, 'POST', '/v1/accounts/rl-a@localhost/key-packages/claim', undefined, b.token)).status);
    assert.deepEqual(codes, [200, 200, 200, 200, 200, 429, 429, 429]);
  } finally {
    await rl.stop();
    cleanup(rl.dataDir);
  }
});

test('commits: of 20 concurrent commits for one epoch exactly one wins; the others learn the current epoch', async () => {
  const owner = await registerUser(srv.url, 'c-owner');
  const members: Device[] = [];
  for (let i = 0; i < 4; i++) members.push(await registerUser(srv.url, `c-m${i}`));
  const { gid, epoch } = await makeGroup(srv.url, owner, members);
  const all = [owner, ...members];
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      http(srv.url, 'POST', '/v1/messages', { message: b64(privateMessage(gid, epoch, CT.commit)) }, all[i % all.length]!.token),
    ),
  );
  const won = results.filter((r) => r.status === 200);
  assert.equal(won.length, 1);
  assert.equal(won[0]!.body.epoch, (epoch + 1n).toString());
  for (const r of results.filter((x) => x.status !== 200)) {
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, 'STALE_EPOCH');
    assert.equal(r.body.error.currentEpoch, (epoch + 1n).toString());
  }
  // Over WebSockets too, and a commit for an old epoch is refused with the current epoch named.
  const conns = await Promise.all(all.map((d) => WsClient.connect(srv.wsUrl, d.token!)));
  const ws = await Promise.all(conns.map((c) => c.send(publicMessage(gid, epoch + 1n, CT.commit))));
  assert.equal(ws.filter((f) => f.type === 'sent').length, 1);
  assert.ok(ws.filter((f) => f.type === 'error').every((f) => f.code === 'STALE_EPOCH' && f.currentEpoch === (epoch + 2n).toString()));
  const old = await conns[0]!.send(privateMessage(gid, 0n, CT.commit));
  assert.equal(old.code, 'STALE_EPOCH');
  assert.match(old.message, /epoch 3/);
  const g = await http(srv.url, 'GET', `/v1/groups/${Buffer.from(gid).toString('base64url')}`, undefined, owner.token);
  assert.equal(g.body.epoch, '3');
  await Promise.all(conns.map((c) => c.close()));
});

test('a Welcome is delivered only when its commit wins; proposals arrive before the commit; removed devices get nothing more', async () => {
  const a = await registerUser(srv.url, 'w-a');
  const b = await registerUser(srv.url, 'w-b');
  const c = await registerUser(srv.url, 'w-c');
  const d = await registerUser(srv.url, 'w-d');
  const { gid } = await makeGroup(srv.url, a, [b]);
  const [wa, wb, wc, wd] = await Promise.all([a, b, c, d].map((x) => WsClient.connect(srv.wsUrl, x.token!)));
  // b first gets the Welcome of its own addition; drop it so indices below count new traffic only.
  await wb!.waitMessages(1);
  assert.equal(wb!.messages[0]!.kind, 'welcome');
  await wb!.ack([wb!.messages[0]!.id]);
  wb!.messages.length = 0;
  // b's proposal, then a's commit that adds c (with a Welcome), then b's losing commit that would add d.
  const prop = await wb!.send(privateMessage(gid, 1n, CT.proposal));
  assert.equal(prop.type, 'sent');
  const win = await wa!.send(privateMessage(gid, 1n, CT.commit), { addDevices: [c.deviceId], welcome: b64(welcome()) });
  assert.equal(win.type, 'sent');
  const lose = await wb!.send(privateMessage(gid, 1n, CT.commit), { addDevices: [d.deviceId], welcome: b64(welcome()) });
  assert.equal(lose.code, 'STALE_EPOCH');
  await wc!.waitMessages(1);
  assert.equal(wc!.messages[0]!.kind, 'welcome');
  // a received b's proposal and nothing else; b received a's commit after ... the proposal was b's own.
  await wa!.waitMessages(1);
  await wb!.waitMessages(1);
  assert.equal(wb!.messages[0]!.id, win.messageId);
  assert.ok(wa!.messages[0]!.id < win.messageId, 'the proposal is queued before the commit that references it');
  // An application message fans out to everyone but the sender.
  const app = await wc!.send(privateMessage(gid, 2n, CT.application));
  await wa!.waitMessages(2);
  await wb!.waitMessages(2);
  assert.equal(wa!.messages[1]!.id, app.messageId);
  // Remove c: c gets the commit (so it learns), then nothing more.
  const rm = await wa!.send(privateMessage(gid, 2n, CT.commit), { removeDevices: [c.deviceId] });
  assert.equal(rm.type, 'sent');
  await wc!.waitMessages(2);
  assert.equal(wc!.messages[1]!.id, rm.messageId);
  const after1 = await wb!.send(privateMessage(gid, 3n, CT.application));
  assert.equal(after1.type, 'sent');
  const byC = await wc!.send(privateMessage(gid, 3n, CT.application));
  assert.equal(byC.code, 'NOT_MEMBER');
  await wa!.waitMessages(3);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(wc!.messages.length, 2);
  assert.equal(wd!.messages.length, 0, 'the losing commit’s Welcome was never delivered');
  // Acknowledged messages are gone from the queue; unacknowledged ones stay.
  await wa!.ack(wa!.messages.map((m) => m.id));
  const q = await http(srv.url, 'GET', '/v1/messages', undefined, a.token);
  assert.deepEqual(q.body.messages, []);
  const qb = await http(srv.url, 'GET', '/v1/messages', undefined, b.token);
  assert.equal(qb.body.messages.length, 3);
  await Promise.all([wa, wb, wc, wd].map((x) => x!.close()));
  const unknown = await http(srv.url, 'POST', '/v1/messages', { message: b64(privateMessage(groupId(), 0n, CT.application)) }, a.token);
  assert.equal(unknown.body.error.code, 'UNKNOWN_GROUP');
});

test('fan-out: a message to a 100-device group reaches the 99 other devices once each', async () => {
  const devices: Device[] = [];
  for (let i = 0; i < 10; i++) {
    const first = await registerUser(srv.url, `fan-${i}`);
    devices.push(first);
    for (let j = 1; j < 10; j++) devices.push(await addDevice(srv.url, first.account));
  }
  assert.equal(devices.length, 100);
  const { gid } = await makeGroup(srv.url, devices[0]!, devices.slice(1));
  const conns = await Promise.all(devices.map((d) => WsClient.connect(srv.wsUrl, d.token!)));
  // Everyone but the owner first receives the Welcome.
  await Promise.all(conns.slice(1).map((c) => c.waitMessages(1)));
  const sent = await conns[7]!.send(privateMessage(gid, 1n, CT.application));
  assert.equal(sent.type, 'sent');
  await Promise.all(conns.map((c, i) => (i === 7 ? Promise.resolve() : c.next((f) => f.type === 'message' && f.id === sent.messageId))));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(conns[7]!.messages.filter((m) => m.id === sent.messageId).length, 0);
  for (const [i, c] of conns.entries()) if (i !== 7) assert.equal(c.messages.filter((m) => m.id === sent.messageId).length, 1);
  await Promise.all(conns.map((c) => c.close()));
});
