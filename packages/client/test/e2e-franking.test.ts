// Message franking end to end (docs/franking.md): real clients through the real server keep, for every received
// message, an opening that verifies against the server's stamp key; a sender who lies about its content, or a server
// stamp naming another sender, gets the message dropped with a security notice instead of shown.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { commitmentOpens, FRANKING_KEY_BYTES, stampMatches } from '@sotto/protocol';
import type { SottoClient } from '../src/client/sotto-client.js';
import { fromB64, toB64Url } from '../src/util/b64.js';
import { decodeContent } from '../src/content/content-codec.js';
import { clientWorld, eventually } from './helpers/clients.js';
import { findPlaintext } from './helpers/plaintext.js';
import { deliver, HostileMember, keysOf } from './helpers/hostile.js';

const suite = clientWorld();

function notices(c: SottoClient): Array<{ code: string; account: string; conversationId?: string; message: string }> {
  const seen: Array<{ code: string; account: string; conversationId?: string; message: string }> = [];
  c.on('security', (n) => seen.push(n));
  return seen;
}

const stampKey = () => new Uint8Array(readFileSync(join(suite.server.dataDir, 'franking-stamp.key')));

test('FRANK-E2E every received text, edit and attachment keeps an opening that verifies against the server stamp for this device', async () => {
  const alice = await suite.user('alice-fe');
  const bob = await suite.user('bob-fe');
  const direct = await alice.createDirect(bob.me.account);
  await eventually(() => bob.getConversation(direct.id), 10_000, 'bob joins');
  await bob.acceptRequest(direct.id);
  const own = await alice.sendText(direct.id, 'mine');
  await eventually(async () => (await bob.getMessage(direct.id, own)) !== undefined, 10_000, "bob has alice's message");
  const first = await bob.sendText(direct.id, 'first, for context');
  const target = await bob.sendText(direct.id, 'the one to report');
  await bob.edit(direct.id, target, 'the one to report, edited');
  await bob.sendAttachment(direct.id, new Blob([new Uint8Array(3000).fill(9)]), {
    fileName: 'x.bin',
    mimeType: 'application/octet-stream',
  });
  await eventually(async () => (await alice.getMessage(direct.id, target))?.editedAt !== undefined, 10_000, 'alice has the edit');
  const attachment = await eventually(
    async () => (await alice.listMessages(direct.id)).find((m) => m.kind === 'attachment'),
    10_000,
    'attachment',
  );

  // The stored openings are internal: the public message has none.
  const pub = (await alice.getMessage(direct.id, target)) as unknown as Record<string, unknown>;
  assert.equal(pub['franking'], undefined);
  assert.equal(pub['editFranking'], undefined);

  const draft = await alice.reportDraft(direct.id, target, { previous: [own, first], category: 'harassment', reason: 'see above' });
  assert.equal(draft.reportedAccount, bob.me.account);
  assert.deepEqual(
    draft.messages.map((m) => [m.shown, m.part]),
    [
      ['first, for context', 'original'],
      ['the one to report', 'original'],
      ['the one to report, edited', 'edit'],
    ],
    'context first, our own message left out (it has no stamp for us), the reported message as sent and as edited',
  );
  assert.equal(draft.request.messages.length, 3);
  assert.equal(draft.request.groupId, Buffer.from(direct.id, 'base64url').toString('base64'));
  const key = stampKey();
  const me = alice.me;
  for (const m of draft.request.messages) {
    const content = fromB64(m.content);
    assert.equal(fromB64(m.frankingKey).length, FRANKING_KEY_BYTES);
    assert.ok(commitmentOpens(fromB64(m.frankingKey), content, fromB64(m.commitment)), 'the commitment opens');
    const fields = {
      commitment: fromB64(m.commitment),
      groupId: fromB64(draft.request.groupId),
      senderDevice: m.senderDevice,
      senderAccount: m.senderAccount,
      recipientDevice: me.deviceId,
      receivedAt: m.receivedAt,
    };
    assert.ok(stampMatches(key, fields, fromB64(m.stamp)), 'the server stamp verifies for this device');
    assert.ok(!stampMatches(key, { ...fields, recipientDevice: bob.me.deviceId }, fromB64(m.stamp)), 'and for no other device');
    assert.equal(m.senderAccount, bob.me.account);
    assert.equal(m.senderDevice, bob.me.deviceId);
  }
  // The edit is the reported message's second part: its content is an edit of the target.
  const edit = decodeContent(fromB64(draft.request.messages[1]!.content));
  assert.equal(edit.body.type, 'edit');

  // An attachment's opening commits to its key and ciphertext hash.
  const a = await alice.reportDraft(direct.id, attachment.id);
  const body = decodeContent(fromB64(a.request.messages[0]!.content)).body;
  assert.equal(body.type, 'attachment');
  assert.match(a.messages[0]!.shown, /^attachment: x\.bin/);

  // Only received messages, from this conversation, within the bounds.
  await assert.rejects(alice.reportDraft(direct.id, own), /only a message received from someone else/);
  await assert.rejects(alice.reportDraft(direct.id, 'ab'.repeat(16)), /no such message/);
  await assert.rejects(alice.reportDraft(direct.id, first, { previous: [target] }), /must come before/);
  assert.deepEqual(await alice.reportablePrevious(direct.id, target, 20), [first], 'received messages only, before the target');
  await assert.rejects(alice.reportDraft(direct.id, target, { reason: 'x'.repeat(1001) }), /longer than 1000/);

  // Deleted for everyone: the opening goes with the text.
  await bob.deleteForEveryone(direct.id, first);
  await eventually(async () => (await alice.getMessage(direct.id, first))?.deleted, 10_000, 'deleted at alice');
  await assert.rejects(alice.reportDraft(direct.id, first), /only a message received/);
});

test('FRANK-REPORT a report of real messages verifies on the server; report and block blocks and counts as a declined request; the data dir holds only what was reported', async () => {
  const alice = await suite.user('alice-fr');
  const bob = await suite.user('bob-fr');
  const direct = await bob.createDirect(alice.me.account); // a stranger writes to alice: a message request
  await eventually(() => alice.getConversation(direct.id)?.state === 'request', 10_000, 'a request at alice');
  await bob.sendText(direct.id, 'FRANK-UNREPORTED-MARKER context nobody chose');
  const context = await bob.sendText(direct.id, 'FRANK-CONTEXT-MARKER earlier');
  const abusive = await bob.sendText(direct.id, 'FRANK-REPORTED-MARKER the abuse');
  await eventually(async () => (await alice.getMessage(direct.id, abusive)) !== undefined, 10_000, 'alice has it');
  const draft = await alice.reportDraft(direct.id, abusive, { previous: [context], category: 'harassment', reason: 'unwanted' });
  const r = await alice.report(draft, { block: true });
  assert.equal(r.verified, true, 'the server verified every message');
  assert.match(r.id, /^[A-Za-z0-9_-]{8,}$/);
  assert.equal((await alice.listContacts()).find((c) => c.account === bob.me.account)?.blocked, true, 'bob is blocked');
  assert.equal(alice.getConversation(direct.id)?.state, 'blocked');
  // The server counted both against bob's account: a declined request and a verified report (docs/abuse-signals.md).
  const signals = (await eventually(
    () => {
      const s = suite.server.admin(['accounts', 'signals', bob.me.account]) as { counts: Record<string, number> };
      return s.counts['declinedRequests'] === 1 && s.counts['reports'] === 1 ? s : undefined;
    },
    10_000,
    "bob's signals",
  )) as { counts: Record<string, number> };
  assert.equal(signals.counts['reports'], 1);
  // The operator warns bob: bob's client receives the notice once, keeps it, and says so.
  suite.server.admin(['reports', 'resolve', r.id, '--action', 'warn', '--note', 'first warning']);
  const heard: string[] = [];
  bob.on('operator-notice', (n) => heard.push(n.text));
  const kept = await bob.operatorNotices({ refresh: true });
  assert.equal(kept.length, 1);
  assert.equal(kept[0]!.kind, 'warning');
  assert.deepEqual(heard, [kept[0]!.text]);
  assert.deepEqual(await bob.operatorNotices({ refresh: true }), kept, 'kept, not announced twice');
  assert.equal(heard.length, 1);
  assert.deepEqual(await alice.operatorNotices({ refresh: true }), [], 'the reporter gets nothing');
  // The same report again is a replay.
  await assert.rejects(alice.report(draft), (e: unknown) => (e as { code?: string }).code === 'CONFLICT');
  // alice's stamps do not verify for another device: bob cannot file alice's report as his own.
  assert.equal((await bob.c.a.report(draft.request)).verified, false, 'not verified for another device');
  await bob.flush(10_000);
  // The server holds the reported messages' plaintext inside the report; nothing of what was not reported.
  const found = findPlaintext(suite.server.dataDir, ['FRANK-UNREPORTED-MARKER', 'FRANK-CONTEXT-MARKER', 'FRANK-REPORTED-MARKER']).map(
    (f) => f.marker,
  );
  assert.ok(!found.includes('FRANK-UNREPORTED-MARKER'), `an unreported message is nowhere in the data dir (found ${found.join(', ')})`);
});

/** mallet (a real account, hostile client code) in a group with alice's real KeyPackage; alice got the Welcome. */
async function malletWithAlice(tag: string) {
  const alice = await suite.user(`alice-${tag}`);
  const mallet = await suite.user(`mallet-${tag}`);
  const claimed = await mallet.c.a.claimKeyPackages(alice.me.account);
  const m = new HostileMember(keysOf(mallet));
  m.create({ v: 2, kind: 'group', owner: mallet.me.account, admins: [mallet.me.account], timerSeconds: 0 });
  const { welcome } = m.add([claimed[0]!.keyPackage]);
  await deliver(alice, m.groupId, 'welcome', welcome);
  const id = toB64Url(m.groupId);
  assert.ok(alice.getConversation(id), 'alice has the (request) conversation');
  const stamped = { device: mallet.me.deviceId, account: mallet.me.account, stamp: new Uint8Array(32) };
  return { alice, mallet, m, id, stamped };
}

const texts = async (c: SottoClient, id: string) => (await c.listMessages(id)).filter((x) => x.kind === 'text').map((x) => x.text);

test('FRANK-LIE a sender who commits to one text and encrypts another has the message dropped, with a notice', async () => {
  const { alice, mallet, m, id, stamped } = await malletWithAlice('lie');
  const seen = notices(alice);
  await deliver(alice, m.groupId, 'message', m.text('an honest message'), stamped);
  assert.deepEqual(await texts(alice, id), ['an honest message'], 'control: an honest franked message is shown');
  await deliver(alice, m.groupId, 'message', m.textCommittedTo('abuse the report would not show', 'a harmless text'), stamped);
  assert.deepEqual(await texts(alice, id), ['an honest message'], 'the lying message is not shown');
  const n = seen.find((x) => x.code === 'FRANKING_INVALID');
  assert.ok(n, 'a security notice');
  assert.equal(n.account, mallet.me.account);
  assert.equal(n.conversationId, id);
  assert.doesNotMatch(n.message, /abuse|harmless/, 'the notice carries no content');
  // The group goes on: the next honest message is shown.
  await deliver(alice, m.groupId, 'message', m.text('after'), stamped);
  assert.deepEqual(await texts(alice, id), ['an honest message', 'after']);
});

test('FRANK-SENDER a stamp naming another device or account than the MLS sender drops the message', async () => {
  const { alice, m, id, stamped } = await malletWithAlice('snd');
  const seen = notices(alice);
  await deliver(alice, m.groupId, 'message', m.text('claims another device'), { ...stamped, device: 'f'.repeat(stamped.device.length) });
  await deliver(alice, m.groupId, 'message', m.text('claims another account'), { ...stamped, account: alice.me.account });
  assert.deepEqual(await texts(alice, id), []);
  assert.equal(seen.filter((x) => x.code === 'FRANKING_INVALID').length, 2);
});

test('FRANK-MISSING an application message without a commitment, or delivered without a stamp, is dropped', async () => {
  const { alice, m, id, stamped } = await malletWithAlice('miss');
  const seen = notices(alice);
  await deliver(alice, m.groupId, 'message', m.textCommittedTo('no commitment', 'no commitment', { aad: new Uint8Array(0) }), stamped);
  await deliver(alice, m.groupId, 'message', m.text('no stamp'));
  assert.deepEqual(await texts(alice, id), []);
  assert.equal(seen.filter((x) => x.code === 'FRANKING_INVALID').length, 2);
});

test('FRANK-SERVER the server refuses an application message without a franking commitment (FRANKING_REQUIRED)', async () => {
  const { mallet } = await malletWithAlice('srv');
  const g = await mallet.createGroup({ name: 'g', members: [] });
  const group = mallet.c.groups.get(g.id)!;
  const { encryptMessage } = await import('@sotto/mls');
  const r = encryptMessage(mallet.c.m.deps, group, new Uint8Array(40));
  await assert.rejects(mallet.c.a.submit(r.message), (e: unknown) => (e as { code?: string }).code === 'FRANKING_REQUIRED');
});
