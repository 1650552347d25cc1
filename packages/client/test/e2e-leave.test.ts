// End to end, real server and real clients: leaving a group (RFC 9420 §12.1.3). The leaver proposes the removal of its
// own devices, another member commits it; a forged proposal removing someone else is refused by the server and by
// clients; the owner leaving.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { proposeRemove } from '@sotto/mls';
import type { SottoClient } from '../src/client/sotto-client.js';
import type { ClientEvents, ConversationInfo } from '../src/client/types.js';
import { leavesOf } from '../src/mls/mls-adapter.js';
import { ApiError } from '../src/transport/api-error.js';
import { fromB64Url } from '../src/util/b64.js';
import { blankClient, clientWorld, eventually } from './helpers/clients.js';
import { deliver } from './helpers/hostile.js';

const world = clientWorld();

const accounts = (i: ConversationInfo | undefined) => (i?.members ?? []).map((m) => m.account).sort();
const texts = async (c: SottoClient, id: string) => (await c.listMessages(id)).map((m) => m.text);

/** A group of `owner` with the others, each of whom joined and accepted it. */
async function group(owner: SottoClient, others: SottoClient[], admins: string[] = []): Promise<string> {
  const g = await owner.createGroup({ name: 'leaving', members: others.map((o) => o.me.account), admins });
  for (const o of others) {
    await eventually(() => o.getConversation(g.id), 15_000, `${o.me.account} joins`);
    await o.acceptRequest(g.id);
  }
  return g.id;
}

/** Every client in `cs` at the same epoch with exactly `members`. */
async function agreed(cs: SottoClient[], id: string, members: string[]): Promise<void> {
  await eventually(
    () => {
      const views = cs.map((c) => c.getConversation(id));
      return new Set(views.map((v) => v?.epoch)).size === 1 && views.every((v) => accounts(v).join() === [...members].sort().join());
    },
    20_000,
    `${members.join(', ')} at one epoch`,
  );
}

test('a member leaves a 3-member group: the others commit it, the leaver gets nothing after, the others keep talking', async () => {
  const [alice, bob, carol] = [await world.user('lv-alice'), await world.user('lv-bob'), await world.user('lv-carol')];
  const id = await group(alice, [bob, carol], ['lv-carol@localhost']);
  const seen: Array<ClientEvents['membership']> = [];
  bob.on('membership', (e) => seen.push(e));
  await carol.sendText(id, 'bye all');
  await eventually(async () => (await texts(bob, id)).includes('bye all'), 15_000, 'bob reads it');

  const after = await carol.leave(id);
  assert.equal(after.state, 'left');
  const own = await carol.listMessages(id);
  assert.deepEqual(
    own.filter((m) => m.kind === 'system').map((m) => m.text),
    ['you left'],
  );
  await assert.rejects(carol.sendText(id, 'still here?'), { code: 'FORBIDDEN' });
  assert.equal((await carol.leave(id)).state, 'left', 'leaving again changes nothing');

  await agreed([alice, bob], id, ['lv-alice@localhost', 'lv-bob@localhost']);
  for (const c of [alice, bob]) {
    assert.ok((await c.listMessages(id)).some((m) => m.kind === 'system' && m.text === 'lv-carol@localhost left'));
  }
  await eventually(() => seen.some((e) => e.left?.includes('lv-carol@localhost')), 15_000, "bob's membership event");
  assert.ok(
    seen.every((e) => !e.removed.includes('lv-carol@localhost')),
    'left, not removed',
  );
  // A leaving admin leaves the admin list in the same commit (the owner stays).
  assert.deepEqual(alice.c.conv(id).meta.admins, ['lv-alice@localhost']);
  assert.deepEqual(bob.c.conv(id).meta.admins, ['lv-alice@localhost']);

  await alice.sendText(id, 'after carol');
  await bob.sendText(id, 'after carol too');
  await eventually(async () => (await texts(bob, id)).includes('after carol'), 15_000, 'bob reads alice');
  await eventually(async () => (await texts(alice, id)).includes('after carol too'), 15_000, 'alice reads bob');
  await carol.sync(); // everything the server still had for carol is processed now
  const atCarol = await texts(carol, id);
  assert.ok(!atCarol.includes('after carol') && !atCarol.includes('after carol too'), 'the leaver reads nothing after');
  assert.equal(carol.getConversation(id)?.state, 'left');
});

test("a non-admin's forged proposal removing another member is refused by the server and by clients", async () => {
  const [alice, bob, mallory] = [await world.user('fp-alice'), await world.user('fp-bob'), await world.user('fp-mallory')];
  const id = await group(alice, [bob, mallory]);
  const warnings: Array<ClientEvents['warning']> = [];
  alice.on('warning', (w) => warnings.push(w));
  const { group: g } = mallory.c.conv(id);
  const bobLeaf = leavesOf(g).find((l) => l.account === 'fp-bob@localhost')!.leafIndex;
  const forged = proposeRemove(mallory.c.m.deps, g, bobLeaf);
  await assert.rejects(mallory.c.a.submit(forged.message), (e) => e instanceof ApiError && e.code === 'INVALID_COMMIT');
  await assert.rejects(mallory.removeMembers(id, ['fp-bob@localhost']), { code: 'FORBIDDEN' });
  // A hostile server hands it to alice anyway: she drops it and commits nothing.
  const epoch = alice.getConversation(id)!.epoch;
  await deliver(alice, fromB64Url(id), 'message', forged.message);
  assert.ok(warnings.some((w) => w.code === 'POLICY_VIOLATION' && w.conversationId === id));
  assert.equal(alice.c.conv(id).group.pending.length, 0, 'not cached: no commit of hers can include it');
  await alice.sendText(id, 'still three');
  await eventually(async () => (await texts(bob, id)).includes('still three'), 15_000, 'bob is still in');
  assert.equal(alice.getConversation(id)!.epoch, epoch);
  assert.deepEqual(accounts(alice.getConversation(id)), ['fp-alice@localhost', 'fp-bob@localhost', 'fp-mallory@localhost']);
});

test('the owner leaves: an admin stays admin, the owner stays named, the others keep talking', async () => {
  const [alice, bob, carol] = [await world.user('ow-alice'), await world.user('ow-bob'), await world.user('ow-carol')];
  const id = await group(alice, [bob, carol], ['ow-bob@localhost']);
  assert.equal((await alice.leave(id)).state, 'left');
  await agreed([bob, carol], id, ['ow-bob@localhost', 'ow-carol@localhost']);
  for (const c of [bob, carol]) {
    assert.ok((await c.listMessages(id)).some((m) => m.kind === 'system' && m.text === 'ow-alice@localhost left'));
    assert.equal(c.getConversation(id)?.owner, 'ow-alice@localhost', 'the owner proof still names the creator');
  }
  // The admin that stays can still manage the group; a member still cannot.
  await bob.rename(id, 'after the owner');
  await eventually(() => carol.getConversation(id)?.name === 'after the owner', 15_000, 'carol sees the rename');
  await assert.rejects(carol.rename(id, 'mine'), { code: 'FORBIDDEN' });
  await carol.sendText(id, 'hello bob');
  await eventually(async () => (await texts(bob, id)).includes('hello bob'), 15_000, 'bob reads carol');
  await alice.sync();
  assert.ok(!(await texts(alice, id)).includes('hello bob'));
});

test("leaving from one device removes all of the account's devices; the other device shows it left too", async () => {
  const [alice, bob] = [await world.user('md-alice'), await world.user('md-bob')];
  const phone = await blankClient(world.root, 'md-bob-phone');
  world.clients.push(phone);
  const link = await phone.beginLink({ serverUrl: world.server.url, account: 'md-bob@localhost' });
  await bob.approveLink(link.qr);
  await link.done;
  await phone.start();
  const id = await group(alice, [bob]);
  await eventually(() => phone.getConversation(id), 15_000, "bob's phone joins");
  assert.equal(alice.getConversation(id)!.members.find((m) => m.account === 'md-bob@localhost')?.deviceIds.length, 2);
  await bob.leave(id);
  await agreed([alice], id, ['md-alice@localhost']);
  await eventually(() => phone.getConversation(id)?.state === 'left', 15_000, 'the phone shows it left');
  assert.ok((await phone.listMessages(id)).some((m) => m.kind === 'system' && m.text === 'you left'));
  assert.ok((await alice.listMessages(id)).some((m) => m.kind === 'system' && m.text === 'md-bob@localhost left'));
});

test('with every admin offline, a plain member commits the leave; the server and the admin accept it', async () => {
  const [alice, bob, carol] = [await world.user('na-alice'), await world.user('na-bob'), await world.user('na-carol')];
  const id = await group(alice, [bob, carol]);
  await alice.stop(); // the only admin: the commit can only come from bob, a plain member
  const epoch = BigInt(bob.getConversation(id)!.epoch);
  await carol.leave(id);
  await eventually(() => accounts(bob.getConversation(id)).length === 2, 15_000, 'bob commits the leave');
  assert.equal(BigInt(bob.getConversation(id)!.epoch), epoch + 1n);
  await alice.start(); // catches up: a commit by a non-admin that removes only an account that asked to leave
  await agreed([alice, bob], id, ['na-alice@localhost', 'na-bob@localhost']);
  assert.equal(alice.getConversation(id)?.policyViolation, undefined);
  assert.ok((await alice.listMessages(id)).some((m) => m.kind === 'system' && m.text === 'na-carol@localhost left'));
});
