// The Delivery Service verifies every handshake against the group's public MLS state (RFC 9420 §6, §12; mls
// docs/public-group.md) instead of trusting client hints. Each test is a message the old, hint-trusting server
// accepted and the new one must refuse, with the group left as it was, against a real server process.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { encodeDeviceRevocation, publicKeyOf, signDeviceRevocation, signGroupOwner } from '@sotto/identity';
import {
  type CommitOutput,
  createGroupInfo,
  type Group,
  joinByExternalCommit,
  commit,
  proposeAdd,
  proposeRemove,
  proposeUpdateKey,
  updateKey,
} from '@sotto/mls';
import {
  addDevice,
  b64,
  CT,
  type Device,
  http,
  newAccount,
  newDevice,
  privateMessage,
  publicMessage,
  registerUser,
  unb64,
  WsClient,
  welcome,
} from './helpers/client.js';
import { updatePathAs, updateProposalAs } from './helpers/forge.js';
import { encodeGroupMeta, GROUP_META_EXTENSION, type GroupMeta, withOwnerProof } from '@sotto/protocol';
import {
  badSignature,
  commitBody,
  credentialOf,
  encryptText,
  GROUP_CONFIG,
  Member,
  makeGroup,
  mlsDeps,
  type TestGroup,
} from './helpers/mls-member.js';
import { cleanup, type ServerProcess, startServerProcess } from './helpers/server-process.js';

let srv: ServerProcess;
before(async () => {
  srv = await startServerProcess({ env: { SOTTO_REGISTRATION_OPEN: 'true' } });
});
after(async () => {
  await srv.stop();
  cleanup(srv.dataDir);
});

let users = 0;
const user = (name: string) => registerUser(srv.url, `${name}-${++users}`);
const submit = (body: Record<string, unknown>, by: Device | Member) => http(srv.url, 'POST', '/v1/messages', body, by.token);

/** The server's view of a group: epoch and sorted delivery list. */
async function view(group: TestGroup, as: Member): Promise<{ epoch: string; members: string[] }> {
  const r = await http(srv.url, 'GET', `/v1/groups/${Buffer.from(group.gid).toString('base64url')}`, undefined, as.token);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { epoch: r.body.epoch, members: [...r.body.members].sort() };
}
const expected = (group: TestGroup) => ({ epoch: group.epoch.toString(), members: group.members.map((m) => m.deviceId).sort() });

function assertRefused(r: { status: number; body: { error?: { code: string; rule?: string } } }, code: string, rule?: string): void {
  assert.equal(r.body.error?.code, code, `${r.status} ${JSON.stringify(r.body)}`);
  if (rule) assert.equal(r.body.error?.rule, rule, JSON.stringify(r.body));
}

/** Commits as `by` and asserts the server accepted it (the group's states follow). */
async function honest(group: TestGroup, by: Member, out: CommitOutput, joiners: Member[] = []): Promise<void> {
  const r = await group.commit(srv.url, by, out, joiners);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.epoch, group.epoch.toString());
}

test('a member’s garbage commit at the current epoch (once with removeDevices=[carol]) is refused; epoch, delivery list and carol’s deliveries stay; the next honest commit is accepted', async () => {
  const [alice, bob, carol] = await Promise.all([user('g-alice'), user('g-bob'), user('g-carol')]);
  const { group, gid } = await makeGroup(srv.url, alice!, [bob!, carol!]);
  const [ma, mb] = [group.member(alice!), group.member(bob!)];
  const before0 = await view(group, ma);
  assert.deepEqual(before0, expected(group));
  const wc = await WsClient.connect(srv.wsUrl, carol!.token!);
  await wc.waitMessages(1); // her Welcome
  // The original finding: bob, no admin, sent this and carol stopped receiving.
  assertRefused(await submit({ message: b64(privateMessage(gid, 1n, CT.commit)), removeDevices: [carol!.deviceId] }, mb), 'VALIDATION');
  assertRefused(await submit({ message: b64(privateMessage(gid, 1n, CT.commit)) }, mb), 'INVALID_COMMIT', 'V-DS-02');
  assertRefused(await submit({ message: b64(publicMessage(gid, 1n, CT.commit, mb.leafOf(mb))) }, mb), 'MALFORMED_MLS');
  assertRefused(await submit({ message: b64(badSignature(mb.removeCommit([carol!]).commit)) }, mb), 'INVALID_COMMIT', 'V-FRM-04');
  assert.deepEqual(await view(group, ma), before0);
  // carol still receives: alice's next message is the next thing she sees.
  const hello = await submit({ message: b64(ma.encrypt('carol, still there?')) }, ma);
  assert.equal(hello.status, 200);
  await wc.waitMessages(2);
  assert.equal(wc.messages[1]!.id, hello.body.messageId);
  assert.equal(group.member(carol!).read(unb64(wc.messages[1]!.data)), 'carol, still there?');
  await honest(group, mb, mb.updateCommit());
  assert.deepEqual(await view(group, ma), { ...before0, epoch: '2' });
  await wc.close();
});

test('a commit signed correctly as another member’s leaf is refused with NOT_MEMBER: the sender leaf must be the sending device', async () => {
  const [alice, bob] = await Promise.all([user('s-alice'), user('s-bob')]);
  const { group } = await makeGroup(srv.url, alice!, [bob!]);
  const [ma, mb] = [group.member(alice!), group.member(bob!)];
  const before0 = await view(group, ma);
  const byAlice = ma.removeCommit([bob!]);
  assertRefused(await submit(commitBody(byAlice), mb), 'NOT_MEMBER');
  assertRefused(await submit({ message: b64(proposeUpdateKey(mlsDeps, ma.state).message) }, mb), 'NOT_MEMBER');
  assert.deepEqual(await view(group, ma), before0);
  // The same commit from its own device is valid.
  await honest(group, ma, byAlice);
  assert.deepEqual((await view(group, ma)).members, [alice!.deviceId]);
});

test('adding a leaf whose certificate was signed by a made-up account key for an existing account is refused (DEVICE_CERTIFICATE); nothing changes', async () => {
  const [alice, bob, carol] = await Promise.all([user('c-alice'), user('c-bob'), user('c-carol')]);
  const { group } = await makeGroup(srv.url, alice!, [bob!]);
  const mb = group.member(bob!);
  const before0 = await view(group, mb);
  const madeUp = { name: carol!.account.name, sk: new Uint8Array(randomBytes(32)) };
  const forgeries = [
    newDevice(madeUp), // a new device of "carol", certified by a key that is not carol's account key
    newDevice(madeUp, carol!.deviceId), // carol's own device id, with another key
    newDevice(carol!.account, undefined, madeUp.sk), // carol's account key named in it, signed by another key
    newDevice(newAccount('nobody')), // an account that does not exist
  ];
  for (const forged of forgeries) {
    const joiner = new Member(forged);
    assertRefused(await submit(commitBody(mb.addCommit([joiner])), mb), 'INVALID_COMMIT', 'DEVICE_CERTIFICATE');
    assertRefused(
      await submit({ message: b64(proposeAdd(mlsDeps, mb.state, joiner.keyPackage()).message) }, mb),
      'INVALID_COMMIT',
      'DEVICE_CERTIFICATE',
    );
  }
  assert.deepEqual(await view(group, mb), before0);
  // carol's real device is welcome, at the very epoch the forgeries were refused in.
  const mc = new Member(carol!);
  await honest(group, mb, mb.addCommit([mc]), [mc]);
  assert.equal((await view(group, mb)).members.length, 3);
});

test('adding a revoked device is refused (DEVICE_CERTIFICATE), by commit and by proposal', async () => {
  const [alice, bob] = await Promise.all([user('r-alice'), user('r-bob')]);
  const alice2 = await addDevice(srv.url, alice!.account);
  const { group } = await makeGroup(srv.url, alice!, [bob!]);
  const ma = group.member(alice!);
  const before0 = await view(group, ma);
  // Its KeyPackage was made while it was live.
  const joiner = new Member(alice2);
  const add = ma.addCommit([joiner]);
  const fields = {
    version: 1 as const,
    accountName: alice!.account.name,
    accountKey: publicKeyOf(alice!.account.sk),
    deviceId: alice2.deviceId,
    revokedAt: BigInt(Date.now()),
  };
  const revoked = await http(srv.url, 'POST', '/v1/devices/revoke', {
    revocation: b64(encodeDeviceRevocation(signDeviceRevocation(fields, alice!.account.sk))),
  });
  assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
  assertRefused(await submit(commitBody(add), ma), 'INVALID_COMMIT', 'DEVICE_CERTIFICATE');
  assertRefused(
    await submit({ message: b64(proposeAdd(mlsDeps, ma.state, joiner.keyPackage()).message) }, ma),
    'INVALID_COMMIT',
    'DEVICE_CERTIFICATE',
  );
  assert.deepEqual(await view(group, ma), before0);
});

test('an Update proposal or UpdatePath that swaps a leaf to another device’s certificate is refused (LEAF_IDENTITY)', async () => {
  const [alice, bob] = await Promise.all([user('u-alice'), user('u-bob')]);
  // alice holds both devices' keys: each certificate is registered and valid, only the swap is wrong.
  const alice2 = await addDevice(srv.url, alice!.account);
  const { group } = await makeGroup(srv.url, alice!, [bob!]);
  const [ma, mb] = [group.member(alice!), group.member(bob!)];
  const before0 = await view(group, ma);
  assertRefused(await submit({ message: b64(updateProposalAs(mlsDeps, ma.state, alice2)) }, ma), 'INVALID_COMMIT', 'LEAF_IDENTITY');
  assertRefused(await submit({ message: b64(updatePathAs(mlsDeps, ma.state, alice2)) }, ma), 'INVALID_COMMIT', 'LEAF_IDENTITY');
  // The same forgeries against bob's device, another account's.
  assertRefused(await submit({ message: b64(updatePathAs(mlsDeps, mb.state, alice2)) }, mb), 'INVALID_COMMIT', 'LEAF_IDENTITY');
  assert.deepEqual(await view(group, ma), before0);
  // An honest Update proposal (same device, new key) is accepted and bob commits it.
  const prop = proposeUpdateKey(mlsDeps, ma.state);
  const sent = await submit({ message: b64(prop.message) }, ma);
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  ma.group = prop.group;
  mb.receive(prop.message);
  await honest(group, mb, mb.commitPending());
  assert.deepEqual(await view(group, ma), { ...before0, epoch: '2' });
});

test('a commit that references a proposal the server never received is refused (V-PROP-11); once the proposal is sent, the same commit is accepted', async () => {
  const [alice, bob, carol] = await Promise.all([user('v-alice'), user('v-bob'), user('v-carol')]);
  const { group } = await makeGroup(srv.url, alice!, [bob!, carol!]);
  const mb = group.member(bob!);
  const before0 = await view(group, mb);
  // bob proposes removing carol but keeps the proposal to himself, then commits it by reference.
  const prop = proposeRemove(mlsDeps, mb.state, mb.leafOf(carol!));
  const hidden = commit(mlsDeps, prop.group, {});
  assertRefused(await submit(commitBody(hidden), mb), 'INVALID_COMMIT', 'V-PROP-11');
  assert.deepEqual(await view(group, mb), before0);
  assert.equal((await submit({ message: b64(prop.message) }, mb)).status, 200);
  for (const m of group.members) if (m !== mb) m.receive(prop.message);
  mb.group = prop.group;
  await honest(group, mb, hidden);
  assert.deepEqual((await view(group, mb)).members, [alice!.deviceId, bob!.deviceId].sort());
});

test('a PrivateMessage commit is refused with INVALID_COMMIT rule V-DS-02', async () => {
  const [alice, bob] = await Promise.all([user('p-alice'), user('p-bob')]);
  const { group } = await makeGroup(srv.url, alice!, [bob!]);
  const ma = group.member(alice!);
  const before0 = await view(group, ma);
  const hidden = updateKey(mlsDeps, ma.state, { wireFormat: 'private' });
  assertRefused(await submit(commitBody(hidden), ma), 'INVALID_COMMIT', 'V-DS-02');
  const ws = await WsClient.connect(srv.wsUrl, ma.token);
  const f = await ws.send(hidden.commit);
  assert.equal(f.code, 'INVALID_COMMIT');
  assert.equal(f.rule, 'V-DS-02');
  await ws.close();
  assert.deepEqual(await view(group, ma), before0);
});

test('the Welcome reaches exactly the added devices; a removed device gets the removing commit and nothing after', async () => {
  const [alice, bob, carol, dave, erin] = await Promise.all(['w-alice', 'w-bob', 'w-carol', 'w-dave', 'w-erin'].map(user));
  const { group } = await makeGroup(srv.url, alice!, [bob!]);
  const [ma, mb] = [group.member(alice!), group.member(bob!)];
  const [mc, md] = [new Member(carol!), new Member(dave!)];
  const conns = new Map(
    await Promise.all(
      [alice, bob, carol, dave, erin].map(async (d) => [d!.deviceId, await WsClient.connect(srv.wsUrl, d!.token!)] as const),
    ),
  );
  const ws = (d: Device | undefined) => conns.get(d!.deviceId)!;
  const queue = async (d: Device | undefined) =>
    (await http(srv.url, 'GET', '/v1/messages?limit=500', undefined, d!.token)).body.messages as {
      id: number;
      kind: string;
      data: string;
    }[];
  const add = ma.addCommit([mc, md]);
  const sent = await ws(alice).send(add.commit, { welcome: b64(add.welcome!) });
  assert.equal(sent.type, 'sent', JSON.stringify(sent));
  group.accepted(ma, add, [mc, md]);
  // Stored before `sent`: the queues are the record of who got what.
  for (const d of [carol, dave]) {
    const q = await queue(d);
    assert.deepEqual(
      q.map((m) => [m.kind, m.data]),
      [['welcome', b64(add.welcome!)]],
    );
  }
  assert.deepEqual(await queue(erin), [], 'a device the commit did not add gets no Welcome');
  assert.ok(!(await queue(bob)).some((m) => m.kind === 'welcome' && m.data === b64(add.welcome!)));
  assert.ok(!(await queue(alice)).some((m) => m.kind === 'welcome'));
  // The delivered Welcome is real: carol joins from the bytes she received.
  const got = await ws(carol).next((f) => f.type === 'message' && f.kind === 'welcome');
  assert.equal(got.data, b64(add.welcome!));
  assert.equal(mc.epoch, 2n);
  // alice removes carol: carol gets that commit, then nothing of what follows.
  const removal = ma.removeCommit([mc]);
  const rm = await ws(alice).send(removal.commit);
  assert.equal(rm.type, 'sent', JSON.stringify(rm));
  const carolLast = mc.state;
  group.accepted(ma, removal);
  const after1 = await ws(bob).send(mb.encrypt('carol is gone'));
  assert.equal(after1.type, 'sent');
  const update = md.updateCommit();
  const after2 = await ws(dave).send(update.commit);
  assert.equal(after2.type, 'sent', JSON.stringify(after2));
  group.accepted(md, update);
  const after3 = await ws(alice).send(ma.encrypt('epoch 4'));
  assert.equal(after3.type, 'sent');
  assert.deepEqual(
    (await queue(carol)).map((m) => m.id),
    [got.id, rm.messageId],
  );
  const toDave = await ws(dave).next((f) => f.type === 'message' && f.id === after3.messageId);
  assert.equal(md.read(unb64(toDave.data)), 'epoch 4');
  // carol's keys of her last epoch do not make her a sender either.
  const byC = await ws(carol).send(encryptText(carolLast, 'still here?').message);
  assert.equal(byC.code, 'NOT_MEMBER');
  assert.deepEqual((await view(group, ma)).members, [alice!.deviceId, bob!.deviceId, dave!.deviceId].sort());
  await Promise.all([...conns.values()].map((c) => c.close()));
});

test('an application message older than the 4-epoch window is refused with STALE_EPOCH; one within the window is delivered and decrypts', async () => {
  const [alice, bob] = await Promise.all([user('e-alice'), user('e-bob')]);
  const { group, gid } = await makeGroup(srv.url, alice!, [bob!]);
  const [ma, mb] = [group.member(alice!), group.member(bob!)];
  // bob goes offline at epoch 1 and 2 (his states are kept); alice moves the group on to epoch 6.
  const bobAt = new Map<bigint, Group>([[1n, mb.state]]);
  for (let e = 2n; e <= 6n; e++) {
    await honest(group, ma, ma.updateCommit());
    if (e === 2n) bobAt.set(2n, mb.state);
  }
  assert.equal(group.epoch, 6n);
  const late = (e: bigint, text: string) => encryptText(bobAt.get(e)!, text).message;
  // The chaos-run loss: bob sends from epoch 1, which no member can decrypt any more.
  const tooOld = await submit({ message: b64(late(1n, 'from epoch 1')) }, mb);
  assertRefused(tooOld, 'STALE_EPOCH');
  assert.equal(tooOld.status, 409);
  assert.equal((tooOld.body as { error: { currentEpoch: string } }).error.currentEpoch, '6');
  // Epoch 2 = 6 - 4: still kept by every member.
  const inWindow = await submit({ message: b64(late(2n, 'from epoch 2')) }, mb);
  assert.equal(inWindow.status, 200, JSON.stringify(inWindow.body));
  const q = await http(srv.url, 'GET', '/v1/messages?limit=500', undefined, alice!.token);
  const m = (q.body.messages as { id: number; data: string }[]).find((x) => x.id === inWindow.body.messageId);
  assert.ok(m, 'delivered to alice');
  assert.equal(ma.read(unb64(m.data)), 'from epoch 2');
  // A future epoch is refused as before.
  const future = await submit({ message: b64(privateMessage(gid, 7n, CT.application)) }, mb);
  assertRefused(future, 'STALE_EPOCH');
  assert.equal(future.status, 409);
});

test('addDevices or removeDevices in a submit is refused with 400 VALIDATION, over HTTP and WebSocket', async () => {
  const [alice, bob, carol] = await Promise.all([user('h-alice'), user('h-bob'), user('h-carol')]);
  const { group } = await makeGroup(srv.url, alice!, [bob!]);
  const ma = group.member(alice!);
  const before0 = await view(group, ma);
  const joiner = new Member(carol!);
  const add = ma.addCommit([joiner]);
  for (const hint of [{ addDevices: [carol!.deviceId] }, { removeDevices: [bob!.deviceId] }]) {
    const r = await submit({ ...commitBody(add), ...hint }, ma);
    assert.equal(r.status, 400);
    assertRefused(r, 'VALIDATION');
  }
  const ws = await WsClient.connect(srv.wsUrl, ma.token);
  assert.equal((await ws.send(add.commit, { welcome: b64(add.welcome!), addDevices: [carol!.deviceId] })).code, 'VALIDATION');
  assert.equal((await ws.send(ma.encrypt('hi'), { removeDevices: [bob!.deviceId] })).code, 'VALIDATION');
  await ws.close();
  assert.deepEqual(await view(group, ma), before0);
  await honest(group, ma, add, [joiner]);
});

test('a new group starts only from its creator’s epoch-0 GroupInfo with the calling device as its one member', async () => {
  const [alice, bob] = await Promise.all([user('n-alice'), user('n-bob')]);
  const post = (gi: Uint8Array, by: Device) => http(srv.url, 'POST', '/v1/groups', { groupInfo: b64(gi) }, by.token);
  const born = Member.local(alice!);
  const created = await post(born.groupInfo(), alice!);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.deepEqual(created.body, { groupId: b64(born.gid), epoch: '0', members: [alice!.deviceId] });
  const again = await post(born.groupInfo(), alice!);
  assert.ok(again.status >= 400 && again.status < 500, `the same group twice: ${again.status}`);
  // Refused: epoch 1 (one member), epoch 1 with two members, a member who is not the caller.
  const later = Member.local(bob!);
  later.group = later.updateCommit().group;
  assertRefused(await post(later.groupInfo(), bob!), 'INVALID_COMMIT', 'V-DS-01');
  const { group } = await makeGroup(srv.url, alice!, [bob!]);
  assertRefused(await post(group.member(alice!).groupInfo(), alice!), 'INVALID_COMMIT');
  assertRefused(await post(Member.local(bob!).groupInfo(), alice!), 'INVALID_COMMIT', 'V-DS-01');
  // The old body is gone.
  assertRefused(await http(srv.url, 'POST', '/v1/groups', { groupId: b64(randomBytes(16)), epoch: '0' }, alice!.token), 'VALIDATION');
});

test("a new group's metadata names its creator as owner, with the creating device's owner proof for this group id", async () => {
  const [alice, bob] = await Promise.all([user('o-alice'), user('o-bob')]);
  const post = (m: Member, by: Device) => http(srv.url, 'POST', '/v1/groups', { groupInfo: b64(m.groupInfo()) }, by.token);
  const gid = () => new Uint8Array(randomBytes(32));
  const born = (meta: GroupMeta, id = gid()) =>
    Member.local(alice!, {
      groupId: id,
      capabilities: { extensions: [GROUP_META_EXTENSION] },
      extensions: [{ extensionType: GROUP_META_EXTENSION, extensionData: encodeGroupMeta(meta) }],
    });
  const base: GroupMeta = { v: 2, kind: 'group', owner: alice!.account.name, admins: [alice!.account.name], timerSeconds: 0 };
  const proof = (id: Uint8Array, device = alice!) => signGroupOwner(device.certificate, device.sk, id, device.account.name);
  // Honest: alice's device proves alice owns this group id.
  const id = gid();
  const ok = await post(born(withOwnerProof(base, proof(id)), id), alice!);
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  // Refused: no proof; another account named owner (with that account's real proof for this id); a proof made for
  // another group; a proof by another device of the right account name is not the creating device's.
  assertRefused(await post(born(base), alice!), 'INVALID_COMMIT', 'GROUP_POLICY');
  const id2 = gid();
  const bobsOwn = withOwnerProof({ ...base, owner: bob!.account.name, admins: [bob!.account.name] }, proof(id2, bob!));
  assertRefused(await post(born(bobsOwn, id2), alice!), 'INVALID_COMMIT', 'GROUP_POLICY');
  assertRefused(await post(born(withOwnerProof(base, proof(gid()))), alice!), 'INVALID_COMMIT', 'GROUP_POLICY');
  const other = newDevice(alice!.account);
  const id3 = gid();
  assertRefused(await post(born(withOwnerProof(base, proof(id3, other)), id3), alice!), 'INVALID_COMMIT', 'GROUP_POLICY');
});

test('application data in a PublicMessage, or with a Welcome, is refused with 400; the group is unchanged', async () => {
  const [alice, bob] = await Promise.all([user('a-alice'), user('a-bob')]);
  const { group, gid } = await makeGroup(srv.url, alice!, [bob!]);
  const ma = group.member(alice!);
  const before0 = await view(group, ma);
  const plain = await submit({ message: b64(publicMessage(gid, group.epoch, CT.application, ma.leafOf(ma))) }, ma);
  assert.equal(plain.status, 400, JSON.stringify(plain.body));
  assertRefused(plain, 'MALFORMED_MLS');
  const withWelcome = await submit({ message: b64(ma.encrypt('hi')), welcome: b64(welcome()) }, ma);
  assert.equal(withWelcome.status, 400);
  assertRefused(withWelcome, 'VALIDATION');
  assert.deepEqual(await view(group, ma), before0);
  assert.deepEqual(
    (await http(srv.url, 'GET', '/v1/messages', undefined, bob!.token)).body.messages.filter((m: { kind: string }) => m.kind !== 'welcome'),
    [],
  );
});

test('an external commit is accepted only from a device of an account already in the group, for itself; the joiner becomes a recipient', async () => {
  const [alice, bob, eve] = await Promise.all([user('x-alice'), user('x-bob'), user('x-eve')]);
  const alice2 = await addDevice(srv.url, alice!.account);
  const { group } = await makeGroup(srv.url, alice!, [bob!]);
  const [ma, mb] = [group.member(alice!), group.member(bob!)];
  const before0 = await view(group, ma);
  const groupInfo = createGroupInfo(mlsDeps, ma.state, { ratchetTree: true, externalPub: true });
  const join = (d: Device, removeLeaf?: number) =>
    joinByExternalCommit(mlsDeps, groupInfo, {
      credential: credentialOf(d),
      signaturePrivateKey: d.sk,
      config: GROUP_CONFIG,
      ...(removeLeaf === undefined ? {} : { removeLeaf }),
    });
  // eve's account is not in the group; alice2's commit must come from alice2.
  assertRefused(await submit({ message: b64(join(eve!).commit) }, eve!), 'NOT_MEMBER');
  const byAlice2 = join(alice2);
  assertRefused(await submit({ message: b64(byAlice2.commit) }, bob!), 'NOT_MEMBER');
  assert.deepEqual(await view(group, ma), before0);
  const ok = await submit({ message: b64(byAlice2.commit) }, alice2);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.epoch, '2');
  ma.receive(byAlice2.commit);
  mb.receive(byAlice2.commit);
  assert.deepEqual((await view(group, ma)).members, [alice!.deviceId, alice2.deviceId, bob!.deviceId].sort());
  // alice2 is now a member whose messages bob reads.
  const hi = await submit({ message: b64(encryptText(byAlice2.group, 'rejoined').message) }, alice2);
  assert.equal(hi.status, 200, JSON.stringify(hi.body));
  const q = await http(srv.url, 'GET', '/v1/messages?limit=500', undefined, bob!.token);
  const m = (q.body.messages as { id: number; data: string }[]).find((x) => x.id === hi.body.messageId);
  assert.ok(m);
  assert.equal(mb.read(unb64(m.data)), 'rejoined');
});

test('a device that lost its state rejoins by external commit, removing its own old leaf', async () => {
  const [alice, bob] = await Promise.all([user('y-alice'), user('y-bob')]);
  const { group } = await makeGroup(srv.url, alice!, [bob!]);
  const [ma, mb] = [group.member(alice!), group.member(bob!)];
  const groupInfo = createGroupInfo(mlsDeps, ma.state, { ratchetTree: true, externalPub: true });
  const resync = joinByExternalCommit(mlsDeps, groupInfo, {
    credential: credentialOf(bob!),
    signaturePrivateKey: bob!.sk,
    config: GROUP_CONFIG,
    removeLeaf: mb.leafOf(mb),
  });
  const r = await submit({ message: b64(resync.commit) }, bob!);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  ma.receive(resync.commit);
  mb.group = resync.group;
  assert.deepEqual((await view(group, ma)).members, [alice!.deviceId, bob!.deviceId].sort());
  await honest(group, mb, mb.updateCommit());
});

test('a Welcome that does not decode as one is refused with its commit', async () => {
  const [alice, bob, carol] = await Promise.all([user('x-alice'), user('x-bob'), user('x-carol')]);
  const { group } = await makeGroup(srv.url, alice!, [bob!]);
  const ma = group.member(alice!);
  const before0 = await view(group, ma);
  const joiner = new Member(carol!);
  const add = ma.addCommit([joiner]);
  // A Welcome header (RFC 9420 §6: version, wire format 3) and random bytes: carol could never join from it.
  const r = await submit({ message: b64(add.commit), welcome: b64(welcome()) }, ma);
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.deepEqual(await view(group, ma), before0);
  assert.deepEqual((await http(srv.url, 'GET', '/v1/messages', undefined, carol!.token)).body.messages, []);
  await honest(group, ma, add, [joiner]);
});
