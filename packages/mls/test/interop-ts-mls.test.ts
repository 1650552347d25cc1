// Interop with ts-mls@1.6.4 (RFC 9420): mixed groups of five, every message crossing as MLSMessage bytes (§6).
//
// Not covered, on purpose: two paths where ts-mls 1.6.4 deviates from RFC 9420, so a conforming peer must refuse it.
//  - External commits (§12.4.3.2): ts-mls puts the raw HPKE key in the GroupInfo external_pub extension, without
//    the opaque<V> length prefix of `struct { HPKEPublicKey external_pub; } ExternalPub`.
//  - Commits whose only proposals are GroupContextExtensions: the "Path Required" column of §17.4 makes the
//    UpdatePath mandatory, but ts-mls (clientState.js, needsUpdatePath) asks for one only for empty, Update and
//    Remove commits.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createSottoDriver } from './helpers/sotto-driver.js';
import { type ClientDriver, type CommitOutput, createTsMlsDriver, type MemberDriver } from './helpers/ts-mls-driver.js';

const now = (): bigint => BigInt(Math.floor(Date.now() / 1000));
const enc = new TextEncoder();
const dec = new TextDecoder();
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Every member is at the same epoch with the same epoch_authenticator and MLS-Exporter output (RFC 9420 §8.5, §8.7). */
async function assertAgree(members: MemberDriver[]): Promise<void> {
  const [first, ...rest] = members;
  assert.ok(first);
  const ctx = enc.encode('interop');
  const want = { epoch: first.epoch(), auth: hex(first.epochAuthenticator()), exp: hex(await first.exporter('sotto interop', ctx, 32)) };
  for (const m of rest) {
    const got = { epoch: m.epoch(), auth: hex(m.epochAuthenticator()), exp: hex(await m.exporter('sotto interop', ctx, 32)) };
    assert.deepEqual(got, want, `${m.impl} ${m.identity} disagrees with ${first.impl} ${first.identity}`);
  }
  const ids = first.identities().sort();
  for (const m of rest) assert.deepEqual(m.identities().sort(), ids, `${m.identity} sees other members`);
}

/** Every member but the committer processes the commit. */
async function deliver(out: CommitOutput, from: MemberDriver, members: MemberDriver[]): Promise<void> {
  for (const m of members) {
    if (m === from) continue;
    const r = await m.processMessage(out.commitBytes);
    assert.equal(r.kind, 'commit', `${m.identity} got a commit`);
  }
}

/** Each member sends one application message; every other member decrypts it to the same bytes. */
async function chat(members: MemberDriver[], tag: string): Promise<void> {
  for (const s of members) {
    const text = `${tag}: hello from ${s.identity} (${s.impl})`;
    const ct = await s.encrypt(enc.encode(text));
    for (const r of members) if (r !== s) assert.equal(dec.decode(await r.decrypt(ct)), text, `${r.identity} reads ${s.identity}`);
  }
}

function leafOf(m: MemberDriver, identity: string): number {
  const l = m.leafIndexOf(identity);
  assert.ok(l !== undefined, `${identity} is a member`);
  return l;
}

/**
 * Group of five: creator `c` (driver X) adds a member of each kind by one Welcome; the second member (other driver)
 * adds two more; Updates from both kinds; Removes committed by both kinds; application messages throughout.
 */
async function scenario(creator: ClientDriver, other: ClientDriver, treeInWelcome: boolean): Promise<void> {
  const gid = enc.encode(`interop-${creator.impl}-${other.impl}-${treeInWelcome}`);
  const c1 = await creator.createGroup(gid, `${creator.impl}-c1`);
  const o1kp = await other.createKeyPackage(`${other.impl}-o1`);
  const c2kp = await creator.createKeyPackage(`${creator.impl}-c2`);

  // Add two members in one commit; the new members join by Welcome (tree in the GroupInfo or out of band).
  const add1 = await c1.addMembers([o1kp.publicBytes, c2kp.publicBytes], { ratchetTreeInWelcome: treeInWelcome });
  assert.ok(add1.welcomeBytes);
  assert.equal(add1.ratchetTree !== undefined, !treeInWelcome);
  const o1 = await other.joinFromWelcome(add1.welcomeBytes, o1kp, add1.ratchetTree);
  const c2 = await creator.joinFromWelcome(add1.welcomeBytes, c2kp, add1.ratchetTree);
  let group = [c1, o1, c2];
  await assertAgree(group);
  await chat(group, 'epoch 1');

  // The other implementation adds one of each kind: its Commit and Welcome are read by the creator's kind.
  const o2kp = await other.createKeyPackage(`${other.impl}-o2`);
  const c3kp = await creator.createKeyPackage(`${creator.impl}-c3`);
  const add2 = await o1.addMembers([o2kp.publicBytes, c3kp.publicBytes]);
  assert.ok(add2.welcomeBytes);
  await deliver(add2, o1, group);
  const o2 = await other.joinFromWelcome(add2.welcomeBytes, o2kp);
  const c3 = await creator.joinFromWelcome(add2.welcomeBytes, c3kp);
  group = [c1, o1, c2, o2, c3];
  assert.equal(c1.identities().length, 5);
  await assertAgree(group);
  await chat(group, 'five members');

  // Update (empty commit with UpdatePath, RFC 9420 §12.4) from each kind, the newest members first, as
  // PrivateMessage and as PublicMessage (§6.2, membership_tag checked by the receiver).
  for (const [i, u] of [o2, c3, o1, c2].entries()) {
    await deliver(await u.update({ publicMessage: i >= 2 }), u, group);
    await assertAgree(group);
  }
  await chat(group, 'after updates');

  // Remove committed by each kind; the removed member learns it from the same commit.
  const rem1 = await o2.removeMembers([leafOf(o2, c2.identity)], { publicMessage: true });
  await deliver(rem1, o2, group);
  group = group.filter((m) => m !== c2);
  await assertAgree(group);
  const rem2 = await c3.removeMembers([leafOf(c3, o1.identity)]);
  const gone = await o1.processMessage(rem2.commitBytes);
  assert.equal(gone.kind === 'commit' && gone.removed, true, 'removed member sees its removal');
  await deliver(
    rem2,
    c3,
    group.filter((m) => m !== o1),
  );
  group = group.filter((m) => m !== o1);
  await assertAgree(group);
  await chat(group, 'after removes');

  // Re-add into the blank leaves, then a final Update from the creator.
  const o3kp = await other.createKeyPackage(`${other.impl}-o3`);
  const add3 = await c1.addMembers([o3kp.publicBytes]);
  await deliver(add3, c1, group);
  assert.ok(add3.welcomeBytes);
  group = [...group, await other.joinFromWelcome(add3.welcomeBytes, o3kp)];
  await deliver(await c1.update(), c1, group);
  await assertAgree(group);
  await chat(group, 'final');
}

/** A tampered commit from the peer is refused and leaves the receiver's state as it was (RFC 9420 §6.3.2, §12.4.2). */
async function tamperedCommit(from: ClientDriver, to: ClientDriver): Promise<void> {
  const p = await from.createGroup(enc.encode(`tamper-${from.impl}-${to.impl}`), `${from.impl}-p`);
  const qkp = await to.createKeyPackage(`${to.impl}-q`);
  const add = await p.addMembers([qkp.publicBytes]);
  assert.ok(add.welcomeBytes);
  const q = await to.joinFromWelcome(add.welcomeBytes, qkp);
  const { commitBytes } = await p.update();
  for (const at of [commitBytes.length - 1, commitBytes.length >> 1]) {
    const bad = commitBytes.slice();
    bad[at] = (bad[at] ?? 0) ^ 0x01;
    await assert.rejects(q.processMessage(bad));
  }
  assert.equal(q.epoch(), p.epoch() - 1n);
  await q.processMessage(commitBytes);
  await assertAgree([p, q]);
}

describe('interop with ts-mls@1.6.4 (suite 0x0001)', () => {
  let ts: ClientDriver;
  let sotto: ClientDriver;
  before(async () => {
    ts = await createTsMlsDriver({ now });
  });
  const withSotto = (run: () => Promise<void>) => async () => {
    sotto = createSottoDriver({ now });
    await run();
  };

  test('control: ts-mls with itself through the drivers', () => scenario(ts, ts, true));
  test(
    'ts-mls creates the group, Sotto joins by Welcome (tree in GroupInfo)',
    withSotto(() => scenario(ts, sotto, true)),
  );
  test(
    'ts-mls creates the group, Sotto joins by Welcome (tree out of band)',
    withSotto(() => scenario(ts, sotto, false)),
  );
  test(
    'Sotto creates the group, ts-mls joins by Welcome (tree in GroupInfo)',
    withSotto(() => scenario(sotto, ts, true)),
  );
  test(
    'Sotto creates the group, ts-mls joins by Welcome (tree out of band)',
    withSotto(() => scenario(sotto, ts, false)),
  );
  test(
    'a tampered ts-mls commit is refused by Sotto, state unchanged',
    withSotto(() => tamperedCommit(ts, sotto)),
  );
  test(
    'a tampered Sotto commit is refused by ts-mls, state unchanged',
    withSotto(() => tamperedCommit(sotto, ts)),
  );
});
