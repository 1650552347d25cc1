// Abuse reports end to end on an in-process server (docs/moderation.md): a franked report verifies; every forgery fails
// its check and still lands in the queue marked unverified; a replayed stamp is refused; reports are rate-limited per
// account; a report names the reported account and decodes text and attachments with the client's own codec.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type AdminReportDetail, frankingCommitment, VERIFY_FAILURES } from '@sotto/protocol';
import { type Device, groupId as newGroupId, login, registerUser } from './helpers/client.js';
import { attachmentContent, franked, report, reportBody, type Sent, textContent, uploadAttachment } from './helpers/franked.js';
import { type InProcessServer, startInProcess } from './helpers/in-process.js';

let srv: InProcessServer;
let alice: Device; // sends
let bob: Device; // receives and reports
let carol: Device; // another member

before(async () => {
  srv = await startInProcess();
  alice = await registerUser(srv.url, 'alice');
  bob = await registerUser(srv.url, 'bob');
  carol = await registerUser(srv.url, 'carol');
});
after(async () => srv.stop());

/** A message from `from` to `to` in `group`, stamped as the server would stamp its delivery. */
function sent(from: Device, to: Device, group: Uint8Array, content: Uint8Array): Sent {
  return franked(srv.dataDir, {
    senderDevice: from.deviceId,
    senderAccount: from.account.name,
    recipientDevice: to.deviceId,
    groupId: group,
    receivedAt: srv.clock.now(),
    content,
  });
}

async function detail(id: string): Promise<AdminReportDetail> {
  return srv.server.moderation.service.detail(id);
}

/** Files the report and returns the first message's verdict. */
async function verdict(by: Device, group: Uint8Array, messages: Sent[]) {
  const r = await report(srv.url, by.token!, reportBody(group, messages));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const d = await detail(r.body.id);
  assert.equal(d.status, 'open', 'an unverified report still lands in the queue');
  return { verified: r.body.verified, message: d.messages[0]!, detail: d };
}

test('a franked report verifies: the text is decoded, the reported account is the sender, the reporter is the caller', async () => {
  const g = newGroupId();
  const context = sent(alice, bob, g, textContent('earlier: hi'));
  const m = sent(alice, bob, g, textContent('you will regret this'));
  const r = await verdict(bob, g, [m, context]);
  assert.equal(r.verified, true);
  assert.equal(r.detail.reportedAccount, alice.account.name);
  assert.equal(r.detail.reporterAccount, bob.account.name);
  assert.equal(r.detail.kind, 'report');
  assert.equal(r.detail.category, 'harassment');
  assert.deepEqual(
    r.detail.messages.map((x) => [x.text, x.verified, x.failure, x.contentType]),
    [
      ['you will regret this', true, null, 'text'],
      ['earlier: hi', true, null, 'text'],
    ],
  );
});

test('altered text: the franking key no longer opens the commitment (commitment)', async () => {
  const g = newGroupId();
  const m = sent(alice, bob, g, textContent('see you tomorrow'));
  const r = await verdict(bob, g, [{ ...m, content: textContent('I will hurt you') }]);
  assert.equal(r.verified, false);
  assert.equal(r.message.failure, 'commitment');
});

test('a stamp moved to another message fails (stamp); so does a report claiming another sender for a stamp', async () => {
  const g = newGroupId();
  const a = sent(alice, bob, g, textContent('first'));
  const b = sent(alice, bob, g, textContent('second'));
  const moved = await verdict(bob, g, [{ ...b, stamp: a.stamp }]);
  assert.equal(moved.verified, false);
  assert.equal(moved.message.failure, 'stamp');

  const fromCarol = sent(carol, bob, g, textContent('carol wrote this'));
  const blamed = await verdict(bob, g, [{ ...fromCarol, senderAccount: alice.account.name, senderDevice: alice.deviceId }]);
  assert.equal(blamed.message.failure, 'stamp', "carol's stamp does not make alice the sender");
  assert.equal(blamed.detail.reportedAccount, alice.account.name, 'the queue shows the claim, marked unverified');

  const otherStamp = sent(carol, bob, g, textContent('x'));
  const swapped = await verdict(bob, g, [{ ...a, stamp: otherStamp.stamp }]);
  assert.equal(swapped.message.failure, 'stamp', "another sender's stamp");

  const otherGroup = await verdict(bob, newGroupId(), [sent(alice, bob, g, textContent('in g'))]);
  assert.equal(otherGroup.message.failure, 'stamp', 'the stamp names the group');
});

test('a device that was not the stamped recipient cannot report the message (stamp)', async () => {
  const g = newGroupId();
  const toBob = sent(alice, bob, g, textContent('for bob only'));
  const r = await verdict(carol, g, [toBob]);
  assert.equal(r.verified, false);
  assert.equal(r.message.failure, 'stamp');
});

test('a content that does not decode is unverified (content)', async () => {
  const g = newGroupId();
  const r = await verdict(bob, g, [sent(alice, bob, g, new Uint8Array(randomBytes(40)))]);
  assert.equal(r.verified, false);
  assert.equal(r.message.failure, 'content');
  assert.equal(r.message.text, null);
});

test('the same stamp reported twice by a device is refused with CONFLICT; nothing is filed the second time', async () => {
  const g = newGroupId();
  const m = sent(alice, bob, g, textContent('report me once'));
  const first = await report(srv.url, bob.token!, reportBody(g, [m]));
  assert.equal(first.status, 201);
  const before = (await srv.server.moderation.service.list('all')).length;
  const again = await report(srv.url, bob.token!, reportBody(g, [sent(alice, bob, g, textContent('new')), m]));
  assert.equal(again.status, 409);
  assert.equal(again.body.error?.code, 'CONFLICT');
  assert.equal((await srv.server.moderation.service.list('all')).length, before);
});

test('an attachment is checked against the held blob and decrypted with the committed key', async () => {
  const g = newGroupId();
  const plain = new Uint8Array(Buffer.from('PNG-ish attachment bytes '.repeat(50)));
  const up = await uploadAttachment(srv.url, alice.token!, plain);
  const r = await verdict(bob, g, [sent(alice, bob, g, up.content)]);
  assert.equal(r.verified, true);
  assert.deepEqual(r.message.attachment, {
    fileName: 'photo.png',
    mimeType: 'image/png',
    size: plain.length,
    held: true,
    sha256: createHash('sha256').update(plain).digest('hex'),
  });
});

test('a report keeps at most moderation.maxAttachmentBytesPerReport of decrypted attachments; the rest are checked, not kept', async () => {
  const small = await startInProcess({ SOTTO_MODERATION_MAX_ATTACHMENT_BYTES_PER_REPORT: '1500' });
  try {
    const a = await registerUser(small.url, 'alice');
    const b = await registerUser(small.url, 'bob');
    const g = newGroupId();
    const at = (content: Uint8Array) =>
      franked(small.dataDir, {
        senderDevice: a.deviceId,
        senderAccount: a.account.name,
        recipientDevice: b.deviceId,
        groupId: g,
        receivedAt: small.clock.now(),
        content,
      });
    const first = await uploadAttachment(small.url, a.token!, new Uint8Array(1000).fill(1));
    const second = await uploadAttachment(small.url, a.token!, new Uint8Array(1000).fill(2));
    const r = await report(small.url, b.token!, reportBody(g, [at(first.content), at(second.content)]));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.verified, true, 'both verify: hash and decryption checked');
    const d = await small.server.moderation.service.detail(r.body.id);
    assert.deepEqual(
      d.messages.map((m) => [m.verified, m.attachment?.held, m.attachment?.sha256 !== null]),
      [
        [true, true, true],
        [true, false, true],
      ],
      'the first is kept; the second, past the budget, is decrypted to check it and not kept',
    );
  } finally {
    await small.stop();
  }
});

test('a second key for the same attachment ciphertext: the changed content breaks the commitment, a new commitment the stamp', async () => {
  const g = newGroupId();
  const up = await uploadAttachment(srv.url, alice.token!, new Uint8Array(Buffer.from('the real picture')));
  const m = sent(alice, bob, g, up.content);
  const forged = attachmentContent(new Uint8Array(randomBytes(32)), up.hash, 16);
  const keepCommitment = await verdict(bob, g, [{ ...m, content: forged }]);
  assert.equal(keepCommitment.message.failure, 'commitment');
  const key = new Uint8Array(randomBytes(16));
  const m2 = sent(alice, bob, g, up.content); // a second delivery: the first stamp is already reported
  const recommitted = await verdict(bob, g, [{ ...m2, content: forged, frankingKey: key, commitment: frankingCommitment(key, forged) }]);
  assert.equal(recommitted.message.failure, 'stamp');
  assert.equal(recommitted.message.attachment?.held, false, 'nothing was decrypted for an unverified message');
});

test('altered attachment ciphertext bytes: the held blob does not hash to the committed contentHash (attachment-hash)', async () => {
  const g = newGroupId();
  const up = await uploadAttachment(srv.url, alice.token!, new Uint8Array(Buffer.from('bytes that will be altered')));
  const file = join(srv.dataDir, 'blobs', up.hash.slice(0, 2), up.hash);
  const bytes = readFileSync(file);
  bytes[3] = (bytes[3] as number) ^ 0x01;
  writeFileSync(file, bytes);
  const r = await verdict(bob, g, [sent(alice, bob, g, up.content)]);
  assert.equal(r.verified, false);
  assert.equal(r.message.failure, 'attachment-hash');
  assert.equal(r.message.attachment?.held, false);
});

test('an attachment the sender committed with a key that does not decrypt the blob is unverified (attachment-decrypt)', async () => {
  const g = newGroupId();
  const up = await uploadAttachment(srv.url, alice.token!, new Uint8Array(Buffer.from('a picture under another key')));
  const content = attachmentContent(new Uint8Array(randomBytes(32)), up.hash, 27);
  const r = await verdict(bob, g, [sent(alice, bob, g, content)]);
  assert.equal(r.verified, false);
  assert.equal(r.message.failure, 'attachment-decrypt');
  assert.equal(r.message.attachment?.held, false, 'nothing kept');
});

test('every verification failure code has a must-reject test above', () => {
  const covered = new Set(['commitment', 'stamp', 'content', 'attachment-hash', 'attachment-decrypt']);
  for (const code of VERIFY_FAILURES) assert.ok(covered.has(code), `${code} has no test`);
});

test('an attachment whose blob is gone still verifies, marked as no longer held', async () => {
  const g = newGroupId();
  const content = attachmentContent(new Uint8Array(randomBytes(32)), randomBytes(32).toString('hex'), 100);
  const r = await verdict(bob, g, [sent(alice, bob, g, content)]);
  assert.equal(r.verified, true);
  assert.equal(r.message.attachment?.held, false);
  assert.equal(r.message.attachment?.sha256, null);
});

test('reports need a session and a valid body', async () => {
  const g = newGroupId();
  const m = sent(alice, bob, g, textContent('x'));
  assert.equal((await report(srv.url, '', reportBody(g, [m]))).status, 401);
  assert.equal((await report(srv.url, bob.token!, { ...reportBody(g, [m]), category: 'nope' })).status, 400);
  assert.equal((await report(srv.url, bob.token!, { ...reportBody(g, []) })).status, 400);
  assert.equal(
    (
      await report(
        srv.url,
        bob.token!,
        reportBody(
          g,
          Array.from({ length: 22 }, () => m),
        ),
      )
    ).status,
    400,
  );
  assert.equal((await report(srv.url, bob.token!, reportBody(g, [m], 'spam', 'x'.repeat(1001)))).status, 400);
});

test('reports are rate-limited per account (moderation.reportsPerHour); the limit frees after an hour', async () => {
  const s = await startInProcess({ SOTTO_MODERATION_REPORTS_PER_HOUR: '2' });
  try {
    const a = await registerUser(s.url, 'ann');
    const b = await registerUser(s.url, 'ben');
    const g = newGroupId();
    const one = () =>
      franked(s.dataDir, {
        senderDevice: a.deviceId,
        senderAccount: a.account.name,
        recipientDevice: b.deviceId,
        groupId: g,
        receivedAt: s.clock.now(),
        content: textContent('spam'),
      });
    assert.equal((await report(s.url, b.token!, reportBody(g, [one()]))).status, 201);
    assert.equal((await report(s.url, b.token!, reportBody(g, [one()]))).status, 201);
    const third = await report(s.url, b.token!, reportBody(g, [one()]));
    assert.equal(third.status, 429);
    assert.equal(third.body.error?.code, 'RATE_LIMITED');
    s.clock.advance(3600_001);
    await login(s.url, b); // the session token lived an hour too
    assert.equal((await report(s.url, b.token!, reportBody(g, [one()]))).status, 201);
  } finally {
    await s.stop();
  }
});
