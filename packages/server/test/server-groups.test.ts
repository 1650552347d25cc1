// KeyPackages under concurrency, commit ordering (exactly one real MLS commit per epoch), Welcome delivery,
// proposals before commits, fan-out to a 100-device group and removal, deleting a group that never got past its
// creation, against a real server process.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { processMessage, proposeAdd } from '@sotto/mls';
import { addDevice, b64, CT, type Device, groupId, http, privateMessage, registerUser, unb64, WsClient } from './helpers/client.js';
import { encryptText, Member, makeGroup, mlsDeps, TestGroup } from './helpers/mls-member.js';
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
  const others: Device[] = [];
  for (let i = 0; i < 4; i++) others.push(await registerUser(srv.url, `c-m${i}`));
  const { gid, epoch, group } = await makeGroup(srv.url, owner, others);
  const all = [...group.members];
  // 20 real commits built on the same epoch, four by each member: path updates and commits of nothing pending.
  const commits = Array.from({ length: 20 }, (_, i) => {
    const by = all[i % all.length]!;
    return { by, out: i % 2 ? by.updateCommit() : by.commitPending() };
  });
  const results = await Promise.all(commits.map((c) => http(srv.url, 'POST', '/v1/messages', { message: b64(c.out.commit) }, c.by.token)));
  const won = results.flatMap((r, i) => (r.status === 200 ? [i] : []));
  assert.equal(won.length, 1, JSON.stringify(results.map((r) => r.status)));
  assert.equal(results[won[0]!]!.body.epoch, (epoch + 1n).toString());
  for (const r of results.filter((x) => x.status !== 200)) {
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'STALE_EPOCH');
    assert.equal(r.body.error.currentEpoch, (epoch + 1n).toString());
  }
  group.accepted(commits[won[0]!]!.by, commits[won[0]!]!.out);
  // Over WebSockets too, and a commit for an old epoch is refused with the current epoch named.
  const conns = await Promise.all(all.map((m) => WsClient.connect(srv.wsUrl, m.token)));
  const round2 = all.map((m) => m.updateCommit());
  const ws = await Promise.all(conns.map((c, i) => c.send(round2[i]!.commit)));
  assert.equal(ws.filter((f) => f.type === 'sent').length, 1, JSON.stringify(ws));
  assert.ok(ws.filter((f) => f.type === 'error').every((f) => f.code === 'STALE_EPOCH' && f.currentEpoch === (epoch + 2n).toString()));
  const w = ws.findIndex((f) => f.type === 'sent');
  group.accepted(all[w]!, round2[w]!);
  const old = await conns[0]!.send(commits[(won[0]! + 1) % 20]!.out.commit);
  assert.equal(old.code, 'STALE_EPOCH');
  assert.match(old.message, /epoch 3/);
  const g = await http(srv.url, 'GET', `/v1/groups/${Buffer.from(gid).toString('base64url')}`, undefined, owner.token);
  assert.equal(g.body.epoch, '3');
  assert.deepEqual([...g.body.members].sort(), all.map((m) => m.deviceId).sort());
  // Every member followed the winners: they still share one epoch and can talk.
  const hello = await conns[1]!.send(all[1]!.encrypt('still in sync'));
  assert.equal(hello.type, 'sent');
  const got = await conns[2]!.next((f) => f.type === 'message' && f.id === hello.messageId);
  assert.equal(all[2]!.read(unb64(got.data)), 'still in sync');
  await Promise.all(conns.map((c) => c.close()));
});

test('a Welcome is delivered only when its commit wins; proposals arrive before the commit; removed devices get nothing more', async () => {
  const [a, b, c, d] = await Promise.all(['w-a', 'w-b', 'w-c', 'w-d'].map((n) => registerUser(srv.url, n)));
  const { group } = await makeGroup(srv.url, a!, [b!]);
  const [ma, mb] = [group.member(a!), group.member(b!)] as [Member, Member];
  const [mc, md] = [new Member(c!), new Member(d!)];
  const [wa, wb, wc, wd] = (await Promise.all([a, b, c, d].map((x) => WsClient.connect(srv.wsUrl, x!.token!)))) as WsClient[];
  // b first gets the Welcome of its own addition; drop it so indices below count new traffic only.
  await wb!.waitMessages(1);
  assert.equal(wb!.messages[0]!.kind, 'welcome');
  await wb!.ack([wb!.messages[0]!.id]);
  wb!.messages.length = 0;
  // b proposes adding c; a receives the proposal and commits it by reference (with c's Welcome); b's own commit that
  // would add d, built on the same epoch, loses.
  const prop = proposeAdd(mlsDeps, mb.state, mc.keyPackage());
  const sentProp = await wb!.send(prop.message);
  assert.equal(sentProp.type, 'sent', JSON.stringify(sentProp));
  mb.group = prop.group;
  const gotProp = await wa!.next((f) => f.type === 'message');
  assert.equal(ma.receive(unb64(gotProp.data)).kind, 'proposal');
  const winning = ma.commitPending();
  assert.equal(winning.added.length, 1);
  const losing = mb.addCommit([md]);
  const win = await wa!.send(winning.commit, { welcome: b64(winning.welcome!) });
  assert.equal(win.type, 'sent', JSON.stringify(win));
  group.accepted(ma, winning, [mc]);
  const lose = await wb!.send(losing.commit, { welcome: b64(losing.welcome!) });
  assert.equal(lose.code, 'STALE_EPOCH');
  await wc!.waitMessages(1);
  assert.equal(wc!.messages[0]!.kind, 'welcome');
  assert.equal(wc!.messages[0]!.data, b64(winning.welcome!));
  assert.equal(mc.epoch, 2n, 'c joined from the Welcome');
  // a received b's proposal and nothing else; b received a's commit (the proposal was b's own).
  await wb!.waitMessages(1);
  assert.equal(wb!.messages[0]!.id, win.messageId);
  assert.ok(wa!.messages[0]!.id < win.messageId, 'the proposal is queued before the commit that references it');
  // An application message fans out to everyone but the sender.
  const app = await wc!.send(mc.encrypt('hello from c'));
  assert.equal(app.type, 'sent', JSON.stringify(app));
  await wa!.waitMessages(2);
  await wb!.waitMessages(2);
  assert.equal(wa!.messages[1]!.id, app.messageId);
  assert.equal(ma.read(unb64(wa!.messages[1]!.data)), 'hello from c');
  // Remove c: c gets the commit (so it learns), then nothing more.
  const cBefore = mc.state;
  const removal = ma.removeCommit([mc]);
  const rm = await wa!.send(removal.commit);
  assert.equal(rm.type, 'sent', JSON.stringify(rm));
  group.accepted(ma, removal);
  await wc!.waitMessages(2);
  assert.equal(wc!.messages[1]!.id, rm.messageId);
  const seen = processMessage(mlsDeps, cBefore, unb64(wc!.messages[1]!.data));
  assert.ok(seen.kind === 'commit' && seen.removedSelf, 'c learns of its removal');
  const after1 = await wb!.send(mb.encrypt('after c left'));
  assert.equal(after1.type, 'sent');
  // c still holds the keys of epoch 2, which the server accepts from members; c is no longer one.
  const byC = await wc!.send(encryptText(cBefore, 'let me in').message);
  assert.equal(byC.code, 'NOT_MEMBER');
  await wa!.waitMessages(3);
  assert.equal(wa!.messages[2]!.id, after1.messageId);
  // The queues are the record: c holds its Welcome and the removal only, d nothing (the losing Welcome was dropped).
  const qc = await http(srv.url, 'GET', '/v1/messages', undefined, c!.token);
  assert.deepEqual(
    qc.body.messages.map((m: { id: number }) => m.id),
    wc!.messages.map((m) => m.id),
  );
  assert.equal(qc.body.messages.length, 2);
  const qd = await http(srv.url, 'GET', '/v1/messages', undefined, d!.token);
  assert.deepEqual(qd.body.messages, [], 'the losing commit’s Welcome was never delivered');
  // Acknowledged messages are gone from the queue; unacknowledged ones stay.
  await wa!.ack(wa!.messages.map((m) => m.id));
  const q = await http(srv.url, 'GET', '/v1/messages', undefined, a!.token);
  assert.deepEqual(q.body.messages, []);
  const qb = await http(srv.url, 'GET', '/v1/messages', undefined, b!.token);
  assert.equal(qb.body.messages.length, 3);
  await Promise.all([wa, wb, wc, wd].map((x) => x!.close()));
  const unknown = await http(srv.url, 'POST', '/v1/messages', { message: b64(privateMessage(groupId(), 0n, CT.application)) }, a!.token);
  assert.equal(unknown.body.error.code, 'UNKNOWN_GROUP');
});

test('fan-out: a message to a 100-device group reaches the 99 other devices once each', { timeout: 120_000 }, async () => {
  const devices: Device[] = [];
  for (let i = 0; i < 10; i++) {
    const first = await registerUser(srv.url, `fan-${i}`);
    devices.push(first);
    for (let j = 1; j < 10; j++) devices.push(await addDevice(srv.url, first.account));
  }
  assert.equal(devices.length, 100);
  const { group } = await makeGroup(srv.url, devices[0]!, devices.slice(1));
  const conns = await Promise.all(devices.map((d) => WsClient.connect(srv.wsUrl, d.token!)));
  // Everyone but the owner first receives the Welcome.
  await Promise.all(conns.slice(1).map((c) => c.waitMessages(1)));
  const sent = await conns[7]!.send(group.member(devices[7]!).encrypt('to all 99'));
  assert.equal(sent.type, 'sent', JSON.stringify(sent));
  const got = await Promise.all(
    conns.map((c, i) => (i === 7 ? undefined : c.next((f) => f.type === 'message' && f.id === sent.messageId))),
  );
  assert.equal(group.member(devices[0]!).read(unb64(got[0]!.data)), 'to all 99');
  assert.equal(group.member(devices[99]!).read(unb64(got[99]!.data)), 'to all 99');
  for (const [i, c] of conns.entries()) if (i !== 7) assert.equal(c.messages.filter((m) => m.id === sent.messageId).length, 1);
  // The sender's own queue never held it.
  const own = await http(srv.url, 'GET', '/v1/messages?limit=500', undefined, devices[7]!.token);
  assert.ok(!own.body.messages.some((m: { id: number }) => m.id === sent.messageId));
  assert.equal(conns[7]!.messages.filter((m) => m.id === sent.messageId).length, 0);
  await Promise.all(conns.map((c) => c.close()));
});

const groupPath = (gid: Uint8Array) => `/v1/groups/${Buffer.from(gid).toString('base64url')}`;

test('DELETE /v1/groups/{id}: the creator deletes its fresh one-member group; it is gone, and the id can be created afresh', async () => {
  const [alice, bob] = await Promise.all(['del-alice', 'del-bob'].map((n) => registerUser(srv.url, n)));
  // A fresh group with a proposal at epoch 0 (state version 1, still one leaf): deletable.
  const proposing = await Member.create(srv.url, alice!);
  const prop = proposeAdd(mlsDeps, proposing.state, new Member(bob!).keyPackage());
  assert.equal((await http(srv.url, 'POST', '/v1/messages', { message: b64(prop.message) }, alice!.token)).status, 200);
  const d1 = await http(srv.url, 'DELETE', groupPath(proposing.gid), undefined, alice!.token);
  assert.equal(d1.status, 200, JSON.stringify(d1.body));
  assert.deepEqual(d1.body, { deleted: true });
  const gone = await http(srv.url, 'GET', groupPath(proposing.gid), undefined, alice!.token);
  assert.equal(gone.status, 404);
  assert.equal(gone.body.error.code, 'UNKNOWN_GROUP');
  const again = await http(srv.url, 'DELETE', groupPath(proposing.gid), undefined, alice!.token);
  assert.equal(again.body.error.code, 'UNKNOWN_GROUP', 'deleted once');
  const send = await http(srv.url, 'POST', '/v1/messages', { message: b64(proposing.encrypt('into the void')) }, alice!.token);
  assert.equal(send.body.error.code, 'UNKNOWN_GROUP', 'nothing is routed for it any more');

  // A fresh group at version 0, deleted, then made again under the same id: the new group is verified against its own
  // state (not the deleted one the server had loaded), so its first commit is accepted.
  const first = await Member.create(srv.url, alice!);
  const gid = first.gid;
  assert.equal((await http(srv.url, 'DELETE', groupPath(gid), undefined, alice!.token)).status, 200);
  const remade = Member.local(alice!, { groupId: gid });
  const created = await http(srv.url, 'POST', '/v1/groups', { groupInfo: b64(remade.groupInfo()) }, alice!.token);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const group = new TestGroup([remade]);
  const joiner = new Member(bob!);
  const add = await group.commit(srv.url, remade, remade.addCommit([joiner]), [joiner]);
  assert.equal(add.status, 200, JSON.stringify(add.body));
  const view = await http(srv.url, 'GET', groupPath(gid), undefined, bob!.token);
  assert.deepEqual([...view.body.members].sort(), [alice!.deviceId, bob!.deviceId].sort());
});

test('DELETE /v1/groups/{id} is refused for a group past its creation, for a device not in it, for an unknown id and without a token', async () => {
  const [alice, bob, carol, mallory] = await Promise.all(
    ['delr-alice', 'delr-bob', 'delr-carol', 'delr-mallory'].map((n) => registerUser(srv.url, n)),
  );
  // Two members: neither may delete it; it stays and still carries messages.
  const { gid, group } = await makeGroup(srv.url, alice!, [bob!]);
  for (const d of [alice!, bob!]) {
    const r = await http(srv.url, 'DELETE', groupPath(gid), undefined, d.token);
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'FORBIDDEN');
  }
  const still = await http(srv.url, 'GET', groupPath(gid), undefined, alice!.token);
  assert.equal(still.status, 200);
  assert.deepEqual([...still.body.members].sort(), [alice!.deviceId, bob!.deviceId].sort());
  const msg = await http(srv.url, 'POST', '/v1/messages', { message: b64(group.member(alice!).encrypt('still here')) }, alice!.token);
  assert.equal(msg.status, 200, JSON.stringify(msg.body));
  // One leaf again, but past epoch 0 (bob was added, then removed): bob's queue still holds his removal, so it stays.
  const ma = group.member(alice!);
  assert.equal((await group.commit(srv.url, ma, ma.removeCommit([bob!]))).status, 200);
  const past = await http(srv.url, 'DELETE', groupPath(gid), undefined, alice!.token);
  assert.equal(past.status, 403, JSON.stringify(past.body));
  assert.equal(past.body.error.code, 'FORBIDDEN');
  // Someone else's fresh group: another account, or another device of the creator's account, learns nothing of it.
  const fresh = await Member.create(srv.url, carol!);
  const carol2 = await addDevice(srv.url, carol!.account);
  for (const d of [mallory!, carol2]) {
    const r = await http(srv.url, 'DELETE', groupPath(fresh.gid), undefined, d.token);
    assert.equal(r.status, 404, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'UNKNOWN_GROUP');
  }
  const kept = await http(srv.url, 'GET', groupPath(fresh.gid), undefined, carol!.token);
  assert.deepEqual(kept.body.members, [carol!.deviceId], 'the group is still there');
  // An unknown id, and no token.
  const unknown = await http(srv.url, 'DELETE', groupPath(groupId()), undefined, alice!.token);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'UNKNOWN_GROUP');
  const anonymous = await http(srv.url, 'DELETE', groupPath(fresh.gid));
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.body.error.code, 'UNAUTHORIZED');
  assert.equal((await http(srv.url, 'GET', groupPath(fresh.gid), undefined, carol!.token)).status, 200);
});
