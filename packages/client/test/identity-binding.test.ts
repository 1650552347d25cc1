// The identity rule (docs/security.md, "What the client checks"), attacked: a hostile account (mallet) and a hostile
// server try to make alice's client accept leaves, roles and keys that nobody verified. Every forged message goes to
// alice's receive pipeline as a server would deliver it; the real server (which verifies commits) never sees them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { GROUP_OWNER_LABEL, type GroupOwnerProof, publicKeyOf, signGroupOwner, signLabeled } from '@sotto/identity';
import { createGroupInfo, exportRatchetTree } from '@sotto/mls';
import type { SottoClient } from '../src/client/sotto-client.js';
import { ownerProofOf } from '../src/conversation/group-meta.js';
import { metaOf } from '../src/mls/mls-adapter.js';
import { IDENTITY_CHECKS } from '../src/safety/identity-rule.js';
import { ApiError } from '../src/transport/api-error.js';
import { toB64Url } from '../src/util/b64.js';
import { clientWorld, eventually } from './helpers/clients.js';
import { deliver, forgeDevice, HostileMember, keysOf, randomAccountSecret, rawDeps } from './helpers/hostile.js';

const suite = clientWorld();

type Notice = { code: string; account: string; conversationId?: string };

const client = (name: string) => suite.user(name);

/** What a client reports as security notices (the `security` event). */
function notices(c: SottoClient): Notice[] {
  const seen: Notice[] = [];
  (c as unknown as { on(e: string, f: (n: Notice) => void): void }).on('security', (n) => seen.push(n));
  return seen;
}

/** alice with bob as an accepted, verified contact (a 1:1 both accepted), and mallet, a fresh account. */
async function world(tag: string) {
  const alice = await client(`alice-${tag}`);
  const bob = await client(`bob-${tag}`);
  const mallet = await client(`mallet-${tag}`);
  const direct = await alice.createDirect(bob.me.account);
  await eventually(() => bob.getConversation(direct.id), 10_000, 'bob joins');
  await bob.acceptRequest(direct.id);
  await alice.markVerified(bob.me.account);
  const bobKey = (await alice.listContacts()).find((c) => c.account === bob.me.account)?.accountKey;
  assert.equal(bobKey, bob.me.accountKey, 'alice pinned bob');
  return { alice, bob, mallet, direct };
}

async function contactOf(c: SottoClient, account: string) {
  return (await c.listContacts()).find((x) => x.account === account);
}

/** mallet's group with alice's real KeyPackage (claimed from the server) and forged members; alice gets the Welcome. */
async function malletGroupWith(alice: SottoClient, mallet: SottoClient, forged: HostileMember[]) {
  const claimed = await mallet.c.a.claimKeyPackages(alice.me.account);
  const m = new HostileMember(keysOf(mallet));
  m.create({ v: 2, kind: 'group', owner: mallet.me.account, admins: [mallet.me.account], timerSeconds: 0 });
  const { welcome } = m.add([claimed[0]!.keyPackage, ...forged.map((f) => f.keyPackage())]);
  for (const f of forged) f.join(welcome);
  return { m, welcome, id: toB64Url(m.groupId) };
}

test('ID-PIN fake-bob leaf: a Welcome whose tree holds a contact certified by a made-up account key is refused whole', async () => {
  const { alice, bob, mallet } = await world('fb');
  const seen = notices(alice);
  const fakeBob = new HostileMember(forgeDevice(bob.me.account));
  const { m, welcome, id } = await malletGroupWith(alice, mallet, [fakeBob]);
  await deliver(alice, m.groupId, 'welcome', welcome);
  await deliver(alice, m.groupId, 'message', fakeBob.text('hello, this is bob'));

  assert.equal(alice.getConversation(id), undefined, 'the group is not joined');
  assert.ok(
    seen.some((n) => n.code === 'IDENTITY_MISMATCH' && n.account === bob.me.account && n.conversationId === id),
    'a notice names bob',
  );
  const pin = await contactOf(alice, bob.me.account);
  assert.equal(pin?.accountKey, bob.me.accountKey, 'the pin for bob is untouched');
  assert.equal(pin?.verified, true, 'bob stays verified');
});

test('ID-OWN-KEY fake-alice leaf: a leaf claiming our own account under another account key is refused, no "own" message', async () => {
  const { alice, mallet } = await world('fa');
  const seen = notices(alice);
  const fakeAlice = new HostileMember(forgeDevice(alice.me.account));
  const { m, welcome, id } = await malletGroupWith(alice, mallet, [fakeAlice]);
  await deliver(alice, m.groupId, 'welcome', welcome);
  await deliver(alice, m.groupId, 'message', fakeAlice.text('I said this'));

  assert.equal(alice.getConversation(id), undefined, 'the group is not joined');
  assert.deepEqual(await alice.listMessages(id), [], 'no message appears as alice outgoing');
  assert.ok(
    seen.some((n) => n.code === 'IDENTITY_MISMATCH' && n.account === alice.me.account),
    'a notice names alice',
  );
});

test('ID-OWNER owner claim: metadata naming another account as owner is refused at any epoch, however the proof is made', async () => {
  const { alice, bob, mallet } = await world('ow');
  const seen = notices(alice);
  const me = mallet.me.account;
  // bob's real proof, made by his device for a group of his own: replayed onto mallet's group id it does not verify.
  const bobs = await bob.createGroup({ name: 'bob-owned', members: [] });
  const bobProof = ownerProofOf(metaOf(bob.c.groups.get(bobs.id)!))!;
  const fakeBob = forgeDevice(bob.me.account);
  const proofs: Array<['none' | ((id: Uint8Array) => GroupOwnerProof), string]> = [
    ['none', 'no proof'],
    [
      (id) => ({
        certificate: keysOf(mallet).certificate,
        signature: signLabeled(keysOf(mallet).signatureSecret, GROUP_OWNER_LABEL, new Uint8Array(id)),
      }),
      "mallet's device",
    ],
    [(id) => signGroupOwner(fakeBob.certificate, fakeBob.signatureSecret, id, bob.me.account), 'a bob device under a made-up account key'],
    [() => bobProof, "bob's real proof for another group"],
  ];
  for (const [proof, what] of proofs) {
    const claimed = await mallet.c.a.claimKeyPackages(alice.me.account);
    const m = new HostileMember(keysOf(mallet));
    m.create({ v: 2, kind: 'group', owner: bob.me.account, admins: [bob.me.account, me], timerSeconds: 0 }, proof);
    m.updateAs(keysOf(mallet).certificate); // epoch 1, alone: alice joins at epoch 2, where no first-commit check applies
    const { welcome } = m.add([claimed[0]!.keyPackage]);
    const id = toB64Url(m.groupId);
    await deliver(alice, m.groupId, 'welcome', welcome);
    assert.equal(alice.getConversation(id), undefined, `${what}: the group is not joined`);
    assert.ok(
      seen.some((n) => n.code === 'OWNER_MISMATCH' && n.account === bob.me.account && n.conversationId === id),
      `${what}: a notice names the claimed owner`,
    );
  }
  // mallet's honest client cannot even make such a group, and the real server refuses one at the door.
  assert.throws(() =>
    mallet.c.m.createGroup({ v: 2, kind: 'group', owner: bob.me.account, admins: [bob.me.account, me], timerSeconds: 0 }),
  );
  const honest = new HostileMember(keysOf(mallet));
  honest.create({ v: 2, kind: 'group', owner: bob.me.account, admins: [bob.me.account, me], timerSeconds: 0 }, () => bobProof);
  await assert.rejects(
    mallet.c.a.createGroup(createGroupInfo(rawDeps, honest.state, { ratchetTree: true })),
    (e: unknown) => e instanceof ApiError,
  );
});

test('admin claim: the message-request gate follows who added this device, not the admin list its creator wrote', async () => {
  const { alice, bob, mallet } = await world('ad');
  const joined = alice.waitFor('conversation', (c) => c.owner === mallet.me.account, 15_000);
  await mallet.createGroup({ name: 'trust me', members: [alice.me.account], admins: [bob.me.account] });
  const conv = await joined;
  assert.equal(conv.state, 'request', 'a stranger added alice: a request');
  assert.equal(conv.addedBy, mallet.me.account);
});

test('ID-UPDATE identity swap: an Update whose new leaf claims another account is refused and the conversation says so', async () => {
  const { alice, bob, mallet } = await world('up');
  const g = await mallet.createGroup({ name: 'swap', members: [alice.me.account] });
  await eventually(() => alice.getConversation(g.id), 15_000, 'alice joins');
  await alice.acceptRequest(g.id);
  const before = alice.getConversation(g.id)!;
  const m = new HostileMember(keysOf(mallet));
  m.group = mallet.c.groups.get(g.id);
  // bob's name over mallet's own signature key: every signature in the commit verifies.
  const asBob = forgeDevice(bob.me.account, { signatureSecret: keysOf(mallet).signatureSecret });
  await deliver(alice, m.groupId, 'message', m.updateAs(asBob.certificate));

  const after = alice.getConversation(g.id)!;
  assert.equal(after.epoch, before.epoch, 'the commit is not applied');
  assert.ok(!after.members.some((x) => x.account === bob.me.account), 'bob is not shown as a member');
  assert.ok(
    (after.notices ?? []).some((n) => n.code === 'IDENTITY_MISMATCH' && n.account === bob.me.account),
    'the conversation shows a notice naming bob',
  );
});

test('ID-PENDING substituted KeyPackage: a server serving another key for a verified contact gets nothing added, the pin stays', async () => {
  const { alice, bob, direct } = await world('kp');
  const g = await alice.createGroup({ name: 'team', members: [] });
  const fakeSecret = randomAccountSecret();
  const fake = new HostileMember(forgeDevice(bob.me.account, { accountSecret: fakeSecret }));
  const kp = fake.keyPackage();
  const fakeCert = fake.keys.certificate;
  const deviceId = (await import('../src/identity/device-identity.js')).deviceIdFor(publicKeyOf(fake.keys.signatureSecret));
  // The hostile server: its directory and its KeyPackage store both answer with the attacker's key for bob.
  const api = alice.c.a;
  const realLookup = api.lookupAccount.bind(api);
  api.lookupAccount = async (name) =>
    name === bob.me.account
      ? { name, accountKey: publicKeyOf(fakeSecret), devices: [{ deviceId, certificate: fakeCert }] }
      : realLookup(name);
  api.claimKeyPackages = async () => [{ deviceId, keyPackage: kp, lastResort: false }];

  // Server and KeyPackage agree on the new key: to the client a key change it cannot tell from an attack. For a
  // verified contact it waits for the user, and the KeyPackage certified by the unaccepted key is not added.
  await assert.rejects(alice.addMembers(g.id, [bob.me.account]), (e: { code?: string }) => e.code === 'KEY_CHANGE_UNACCEPTED');
  assert.ok(!alice.getConversation(g.id)!.members.some((x) => x.account === bob.me.account), 'nothing was added');
  const pin = await contactOf(alice, bob.me.account);
  assert.equal(pin?.accountKey, bob.me.accountKey, 'the pin is not overwritten');
  assert.equal(pin?.verified, true);
  // The directory now disagrees with a verified pin: sending to bob waits until alice accepts the new safety number.
  await assert.rejects(alice.sendText(direct.id, 'still you?'), (e: { code?: string }) => e.code === 'KEY_CHANGE_UNACCEPTED');
  assert.ok(
    (alice.getConversation(direct.id)!.notices ?? []).some((n) => n.code === 'KEY_CHANGED' && n.account === bob.me.account && n.pending),
  );
  await alice.acceptKeyChange(bob.me.account);
  const moved = await contactOf(alice, bob.me.account);
  assert.equal(moved?.verified, false, 'an accepted new key is not verified');
  await alice.sendText(direct.id, 'accepted');
});

test('ID-DEVICE ghost device: a commit adding a device the directory leaves out of its answer is refused', async () => {
  const { alice, bob, direct } = await world('gh');
  const bobId = bob.c.need();
  // A real certificate by bob's account key, for a device the directory does not list (the server hides it).
  const ghost = new HostileMember(forgeDevice(bob.me.account, { accountSecret: bobId.accountSecret!.expose() }));
  const api = alice.c.a;
  const realLookup = api.lookupAccount.bind(api);
  api.lookupAccount = async (name) => {
    const r = await realLookup(name);
    return { ...r, devices: r.devices.filter((d) => d.deviceId === bobId.deviceId || name !== bob.me.account) };
  };
  const before = alice.getConversation(direct.id)!;
  const b = new HostileMember(keysOf(bob));
  b.group = bob.c.groups.get(direct.id);
  const { commit } = b.add([ghost.keyPackage()]);
  await deliver(alice, b.groupId, 'message', commit);

  const after = alice.getConversation(direct.id)!;
  assert.equal(after.epoch, before.epoch, 'the commit is not applied');
  assert.deepEqual(after.members.find((x) => x.account === bob.me.account)?.deviceIds, [bobId.deviceId], 'no ghost device shown');
  assert.ok((after.notices ?? []).some((n) => n.code === 'UNLISTED_DEVICE' && n.account === bob.me.account));
});

test('ID-DEVICE unknown account: a leaf of an account the directory does not know cannot be pinned, the Welcome is refused', async () => {
  const { alice, mallet } = await world('na');
  const seen = notices(alice);
  const nobody = new HostileMember(forgeDevice('nobody-na@localhost'));
  const { m, welcome, id } = await malletGroupWith(alice, mallet, [nobody]);
  await deliver(alice, m.groupId, 'welcome', welcome);

  assert.equal(alice.getConversation(id), undefined, 'the group is not joined');
  assert.ok(seen.some((n) => n.code === 'UNLISTED_DEVICE' && n.account === 'nobody-na@localhost' && n.conversationId === id));
});

test('ID-OWN-DEVICE ghost device of our own account: certified by our account key, but not a device our account lists', async () => {
  const { alice, bob, direct } = await world('og');
  const aliceId = alice.c.need();
  const ghost = new HostileMember(forgeDevice(alice.me.account, { accountSecret: aliceId.accountSecret!.expose() }));
  const before = alice.getConversation(direct.id)!;
  const b = new HostileMember(keysOf(bob));
  b.group = bob.c.groups.get(direct.id);
  const { commit } = b.add([ghost.keyPackage()]);
  await deliver(alice, b.groupId, 'message', commit);

  const after = alice.getConversation(direct.id)!;
  assert.equal(after.epoch, before.epoch, 'the commit is not applied');
  assert.deepEqual(after.members.find((x) => x.account === alice.me.account)?.deviceIds, [aliceId.deviceId], 'no ghost device of ours');
  assert.ok((after.notices ?? []).some((n) => n.code === 'UNLISTED_DEVICE' && n.account === alice.me.account));
});

test('key change of an unverified contact: the pin moves only with a key-change event and a notice that stays', async () => {
  const { alice, bob, direct } = await world('kc');
  await alice.markVerified(bob.me.account, false);
  const newSecret = randomAccountSecret();
  const api = alice.c.a;
  const realLookup = api.lookupAccount.bind(api);
  api.lookupAccount = async (name) =>
    name === bob.me.account ? { ...(await realLookup(name)), accountKey: publicKeyOf(newSecret), devices: [] } : realLookup(name);
  const told = alice.waitFor('key-change', (w) => w.type === 'account-key-changed' && w.account === bob.me.account, 10_000);
  await alice.c.contacts.refreshContact(bob.me.account);
  await told;
  const c = await contactOf(alice, bob.me.account);
  assert.equal(c?.accountKey, Buffer.from(publicKeyOf(newSecret)).toString('hex'), 'the unverified pin follows the directory');
  assert.ok(c?.keyChangedAt, 'the change is recorded');
  const notice = () =>
    (alice.getConversation(direct.id)!.notices ?? []).some((n) => n.code === 'KEY_CHANGED' && n.account === bob.me.account);
  assert.ok(notice(), 'the conversation shows the change');
  await alice.sendText(direct.id, 'unverified contacts are not blocked');
  // Comparing the new safety number ends the notice.
  await alice.verifySafetyNumber(bob.me.account, (await alice.safetyNumber(bob.me.account)).digits);
  assert.equal(notice(), false);
});

test('ID-PIN resync from a forged tree: a server handing out a tree with a fake-bob leaf gets no external commit', async () => {
  const { alice, bob, mallet } = await world('rs');
  const g = await mallet.createGroup({ name: 'rejoin', members: [alice.me.account] });
  await eventually(() => alice.getConversation(g.id), 15_000, 'alice joins');
  await alice.acceptRequest(g.id);
  // The hostile server's GroupInfo and tree: mallet's next epoch with a fake-bob leaf nobody was shown.
  const m = new HostileMember(keysOf(mallet));
  m.group = mallet.c.groups.get(g.id);
  m.add([new HostileMember(forgeDevice(bob.me.account)).keyPackage()]);
  const api = alice.c.a;
  api.getGroupInfo = async () => ({
    epoch: m.state.context.epoch,
    groupInfo: createGroupInfo(rawDeps, m.state, { ratchetTree: false, externalPub: true }),
    ratchetTree: exportRatchetTree(m.state),
  });
  const submitted: Uint8Array[] = [];
  api.submit = async (message) => {
    submitted.push(message);
    return { messageId: 0, epoch: m.state.context.epoch + 1n };
  };
  await assert.rejects(alice.c.commits.resync(g.id), (e: { code?: string }) => e.code === 'IDENTITY_MISMATCH');
  assert.equal(submitted.length, 0, 'no external commit went out');
  assert.ok((alice.getConversation(g.id)!.notices ?? []).some((n) => n.code === 'IDENTITY_MISMATCH' && n.account === bob.me.account));
});

test('a directory that cannot be reached holds the Welcome back (not dropped) until the lookup works', async () => {
  const { alice, mallet } = await world('nd');
  const api = alice.c.a;
  const realLookup = api.lookupAccount.bind(api);
  let failures = 0;
  api.lookupAccount = async (name) => {
    if (name === mallet.me.account && failures < 2) {
      failures++;
      throw new ApiError('NETWORK', 'directory unreachable');
    }
    return realLookup(name);
  };
  const retried = alice.waitFor('warning', (w) => w.code.startsWith('RECEIVE_RETRY'), 15_000);
  const joined = alice.waitFor('conversation', (c) => c.addedBy === mallet.me.account, 15_000);
  await mallet.createGroup({ name: 'later', members: [alice.me.account] });
  await retried;
  const conv = await joined;
  assert.equal(failures, 2, 'the lookup was retried');
  assert.equal(conv.state, 'request');
});

test('every identity check (IDENTITY_CHECKS) has a must-reject test in this file', () => {
  const source = readFileSync(import.meta.filename, 'utf8');
  for (const id of Object.keys(IDENTITY_CHECKS)) assert.ok(source.includes(`test('${id} `), `no test named after ${id}`);
});
