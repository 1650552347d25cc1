// Interop with OpenMLS via Wire's CoreCrypto 10.3.0 (RFC 9420 §6, §8.5, §12.1-§12.4.3.2), every message as MLSMessage bytes.
//
// Covered: Welcome joins both ways; Add, Update and Remove committed by each side; proposals by reference (ours
// committed by CoreCrypto, and CoreCrypto resolving references in our commits); external joins both ways with a resync
// of each kind, and an eviction by external commit refused by both; external-sender proposals; a GroupContextExtensions
// commit of ours; out-of-order and late application messages; tampered commits; a seeded random walk over mixed groups.
// After every commit both sides agree on epoch, MLS-Exporter output and members.
//
// CoreCrypto's rules that shape the scenarios (none is a deviation from RFC 9420):
//  - Its groups carry required_capabilities listing credential types [basic, x509] (§11.1), so our leaves list both.
//  - Its wire format policy accepts handshake messages only as PublicMessage (§6: the application chooses), so our
//    groups here send handshakes as PublicMessage; a test below pins the refusal of a PrivateMessage commit.
//  - Client identities are `<user-id>:<device-id>@<domain>`.
// Where OpenMLS deviates from RFC 9420, pinned by a test so that a fix shows up:
//  - It takes only Remove from an external sender; Add and GroupContextExtensions are refused, although §12.1.8 and the
//    "External" column of §17.4 allow Add, Remove, PreSharedKey, ReInit and GroupContextExtensions from one.
// And outside RFC 9420: it cannot decode the last_resort KeyPackage extension (0x000A) with the empty body of
// draft-ietf-mls-extensions, so our last-resort KeyPackages cannot be added by CoreCrypto.
// What CoreCrypto 10.3.0's API cannot do, so this file does not test it: send a standalone proposal, accept a ratchet
// tree out of band, expose the epoch_authenticator (§8.7: compared among our members only), export with a label other
// than "exporter" and an empty context (§8.5), remove its own old leaf in a resync external commit (§12.2 allows, does
// not require, that Remove), and run the X-Wing suite 0x004D.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import {
  CredentialType,
  createKeyPackage,
  encodeExternalSenders,
  encodeRequiredCapabilities,
  ExtensionType,
  type GroupDeps,
  joinByExternalCommit,
  ValidationError,
  type ExternalProposer,
  ProposalType,
  parseKeyPackage,
  proposeAsExternalSender,
} from '../src/index.js';
import { createCoreCryptoDriver, type InteropClient, type InteropMember, coreCryptoOffersSuite } from './helpers/core-crypto-driver.js';
import { evictingExternalCommit } from './helpers/forge.js';
import { createSottoDriver, type SottoMember } from './helpers/sotto-driver.js';
import type { CommitOutput } from './helpers/ts-mls-driver.js';

const now = (): bigint => BigInt(Math.floor(Date.now() / 1000));
const enc = new TextEncoder();
const dec = new TextDecoder();
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const X509 = 2;
/** MLS_256_XWING_CHACHA20POLY1305_SHA256_Ed25519. */
const XWING = 0x004d;

let devices = 0;
/** A fresh client identity in CoreCrypto's form; the domain names the implementation, for readable failures. */
function identity(impl: string): string {
  devices += 1;
  return `${randomUUID()}:${devices.toString(16)}@${impl}.test`;
}

/**
 * Every member is at the same epoch with the same MLS-Exporter output (RFC 9420 §8.5) and the same member list; the
 * members that expose it (ours) also agree on the epoch_authenticator (§8.7).
 */
async function assertAgree(members: readonly InteropMember[]): Promise<void> {
  const [first, ...rest] = members;
  assert.ok(first);
  const none = new Uint8Array(0);
  const want = { epoch: first.epoch(), exp: hex(await first.exporter('exporter', none, 32)), ids: first.identities().sort() };
  for (const m of rest) {
    const got = { epoch: m.epoch(), exp: hex(await m.exporter('exporter', none, 32)), ids: m.identities().sort() };
    assert.deepEqual(got, want, `${m.impl} ${m.identity} disagrees with ${first.impl} ${first.identity}`);
  }
  const auths = members.map((m) => m.epochAuthenticator()).filter((a) => a !== undefined);
  for (const a of auths) assert.equal(hex(a), hex(auths[0] ?? none), 'epoch_authenticator');
}

/** Every member but the sender processes the message and sees one of this kind. */
async function deliver(
  bytes: Uint8Array,
  from: InteropMember | undefined,
  members: readonly InteropMember[],
  kind: 'commit' | 'proposal',
): Promise<void> {
  for (const m of members) {
    if (m === from) continue;
    const r = await m.processMessage(bytes);
    assert.equal(r.kind, kind, `${m.impl} ${m.identity} got a ${kind}`);
  }
}

const commitTo = (out: CommitOutput, from: InteropMember, members: readonly InteropMember[]) =>
  deliver(out.commitBytes, from, members, 'commit');

/** Each member sends one application message; every other member decrypts it to the same bytes. */
async function chat(members: readonly InteropMember[], tag: string): Promise<void> {
  for (const s of members) {
    const text = `${tag}: hello from ${s.identity} (${s.impl})`;
    const ct = await s.encrypt(enc.encode(text));
    for (const r of members) if (r !== s) assert.equal(dec.decode(await r.decrypt(ct)), text, `${r.impl} reads ${s.impl}`);
  }
}

/**
 * Group of five: the creator (driver X) adds one member of each kind by one Welcome; a member of the other kind adds
 * two more; Updates from both kinds; Removes committed by both kinds (one of them removing its committer's peer kind);
 * a re-add into a blank leaf; application messages throughout (RFC 9420 §12.1, §12.4, §12.4.3.1).
 */
async function scenario(creator: InteropClient, other: InteropClient): Promise<void> {
  const c1 = await creator.createGroup(enc.encode(`interop-${creator.impl}-${other.impl}`), identity(creator.impl));
  const o1kp = await other.createKeyPackage(identity(other.impl));
  const c2kp = await creator.createKeyPackage(identity(creator.impl));
  const add1 = await c1.addMembers([o1kp.publicBytes, c2kp.publicBytes]);
  assert.ok(add1.welcomeBytes);
  const o1 = await other.joinFromWelcome(add1.welcomeBytes, o1kp);
  const c2 = await creator.joinFromWelcome(add1.welcomeBytes, c2kp);
  let group = [c1, o1, c2];
  await assertAgree(group);
  await chat(group, 'epoch 1');

  // The other implementation adds one of each kind: its Commit and Welcome are read by the creator's kind.
  const o2kp = await other.createKeyPackage(identity(other.impl));
  const c3kp = await creator.createKeyPackage(identity(creator.impl));
  const add2 = await o1.addMembers([o2kp.publicBytes, c3kp.publicBytes]);
  assert.ok(add2.welcomeBytes);
  await commitTo(add2, o1, group);
  const o2 = await other.joinFromWelcome(add2.welcomeBytes, o2kp);
  const c3 = await creator.joinFromWelcome(add2.welcomeBytes, c3kp);
  group = [c1, o1, c2, o2, c3];
  assert.equal(c1.identities().length, 5);
  await assertAgree(group);
  await chat(group, 'five members');

  // Update (a commit with an UpdatePath, RFC 9420 §12.4) from each member, the newest first.
  for (const u of [o2, c3, o1, c2, c1]) {
    await commitTo(await u.update(), u, group);
    await assertAgree(group);
  }
  await chat(group, 'after updates');

  // Remove committed by each kind; the removed member learns it from the same commit.
  const rem1 = await o2.removeClients([c2]);
  const gone1 = await c2.processMessage(rem1.commitBytes);
  assert.equal(gone1.kind === 'commit' && gone1.removed, true, `${c2.impl} sees its removal`);
  group = group.filter((m) => m !== c2);
  await commitTo(rem1, o2, group);
  await assertAgree(group);
  const rem2 = await c3.removeClients([o1]);
  const gone2 = await o1.processMessage(rem2.commitBytes);
  assert.equal(gone2.kind === 'commit' && gone2.removed, true, `${o1.impl} sees its removal`);
  group = group.filter((m) => m !== o1);
  await commitTo(rem2, c3, group);
  await assertAgree(group);
  await chat(group, 'after removes');

  // Re-add into a blank leaf, then a final Update by the newcomer.
  const o3kp = await other.createKeyPackage(identity(other.impl));
  const add3 = await c1.addMembers([o3kp.publicBytes]);
  assert.ok(add3.welcomeBytes);
  await commitTo(add3, c1, group);
  const o3 = await other.joinFromWelcome(add3.welcomeBytes, o3kp);
  group = [...group, o3];
  await assertAgree(group);
  await commitTo(await o3.update(), o3, group);
  await assertAgree(group);
  await chat(group, 'final');
}

/** Seeds of the random walk: 1 and 2, or SOTTO_OPENMLS_SEEDS=from-to (inclusive) for a longer hunt. */
function walkSeeds(): number[] {
  const m = /^(\d+)-(\d+)$/.exec(process.env.SOTTO_OPENMLS_SEEDS ?? '');
  if (!m) return [1, 2];
  const [from, to] = [Number(m[1]), Number(m[2])];
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** mulberry32: a seeded choice of operations, so a failing walk can be replayed (key material stays random). */
function seeded(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/**
 * A seeded random walk over a mixed group: each step one random member commits an Add (of either kind), a Remove,
 * an Update, or proposals by reference (ours), or an outsider of either kind joins by external commit; after each
 * step every member agrees and one member's application message reaches all others.
 */
async function randomWalk(sotto: InteropClient, cc: InteropClient, seed: number, steps: number): Promise<string[]> {
  const pick = seeded(seed);
  const choose = <T>(xs: readonly T[]): T => {
    const x = xs[pick(xs.length)];
    assert.ok(x !== undefined);
    return x;
  };
  const kinds = [sotto, cc];
  const s1 = await sotto.createGroup(enc.encode(`walk-${seed}`), identity('sotto'));
  const o1kp = await cc.createKeyPackage(identity('openmls'));
  const first = await s1.addMembers([o1kp.publicBytes]);
  assert.ok(first.welcomeBytes);
  let group: InteropMember[] = [s1, await cc.joinFromWelcome(first.welcomeBytes, o1kp)];
  const log: string[] = [];
  for (let step = 0; step < steps; step++) {
    const ours = group.filter((m) => m.impl === 'sotto');
    const op = choose([
      'update',
      ...(group.length < 9 ? ['add', 'external'] : []),
      ...(group.length > 2 ? ['remove'] : []),
      ...(ours.length > 0 ? ['proposals'] : []),
    ] as const);
    const committer = choose(group);
    const others = group.filter((m) => m !== committer);
    if (op === 'add') {
      const joiners = [];
      for (const kind of Array.from({ length: 1 + pick(2) }, () => choose(kinds))) {
        joiners.push({ kind, kp: await kind.createKeyPackage(identity(kind.impl)) });
      }
      const out = await committer.addMembers(joiners.map((j) => j.kp.publicBytes));
      assert.ok(out.welcomeBytes);
      await commitTo(out, committer, group);
      for (const j of joiners) group.push(await j.kind.joinFromWelcome(out.welcomeBytes, j.kp));
      log.push(`${committer.impl} adds ${joiners.map((j) => j.kind.impl).join('+')}`);
    } else if (op === 'remove') {
      const victim = choose(others);
      const out = await committer.removeClients([victim]);
      const gone = await victim.processMessage(out.commitBytes);
      assert.equal(gone.kind === 'commit' && gone.removed, true);
      group = group.filter((m) => m !== victim);
      await commitTo(out, committer, group);
      log.push(`${committer.impl} removes ${victim.impl}`);
    } else if (op === 'update') {
      await commitTo(await committer.update(), committer, group);
      log.push(`${committer.impl} updates`);
    } else if (op === 'external') {
      const kind = choose(kinds);
      // CoreCrypto exports a GroupInfo only with its own commit: take ours, or have CoreCrypto commit first.
      const source = ours.length > 0 ? choose(ours) : committer;
      if (source.impl !== 'sotto') await commitTo(await source.update(), source, group);
      const j = await kind.joinByExternalCommit(await source.groupInfo(), identity(kind.impl));
      await deliver(j.commitBytes, j.member, group, 'commit');
      group.push(j.member);
      log.push(`${kind.impl} joins from the GroupInfo of ${source.impl}`);
    } else {
      // One of ours proposes an Update of itself and the Remove of another member; someone else commits both.
      const proposer = choose(ours);
      const by = choose(group.filter((m) => m !== proposer));
      const victims = group.filter((m) => m !== proposer && m !== by);
      await deliver(await proposer.proposeUpdate(), proposer, group, 'proposal');
      const victim = victims.length > 0 ? choose(victims) : undefined;
      if (victim) await deliver(await proposer.proposeRemove(victim), proposer, group, 'proposal');
      const out = await by.commitPending();
      if (victim) {
        const gone = await victim.processMessage(out.commitBytes);
        assert.equal(gone.kind === 'commit' && gone.removed, true);
        group = group.filter((m) => m !== victim);
      }
      await commitTo(out, by, group);
      log.push(`${by.impl} commits proposals of ${proposer.impl}`);
    }
    await assertAgree(group);
    const sender = choose(group);
    const ct = await sender.encrypt(enc.encode(`step ${step}`));
    for (const r of group) if (r !== sender) assert.equal(dec.decode(await r.decrypt(ct)), `step ${step}`);
  }
  return log;
}

describe('interop with OpenMLS via @wireapp/core-crypto 10.3.0 (suite 0x0001)', () => {
  let cc: InteropClient;
  // Our leaves list x509 too (CoreCrypto groups require it), handshakes go out as PublicMessage, and our
  // PrivateMessages carry zero padding to a multiple of 32 bytes (§6.3.1), which CoreCrypto must strip.
  const sotto = createSottoDriver({
    now,
    capabilities: { credentials: [CredentialType.basic, X509] },
    config: { handshakeAsPrivate: false, paddingBlock: 32 },
  });
  before(async () => {
    cc = await createCoreCryptoDriver();
  });

  test('control: CoreCrypto with itself through the driver', () => scenario(cc, cc));
  test('Sotto creates the group, CoreCrypto joins by Welcome; Add, Update, Remove from both', () => scenario(sotto, cc));
  test('CoreCrypto creates the group, Sotto joins by Welcome; Add, Update, Remove from both', () => scenario(cc, sotto));

  test('proposals by reference: Sotto proposes, CoreCrypto commits; Sotto commits what CoreCrypto received', async () => {
    const s1 = await sotto.createGroup(enc.encode('proposals'), identity('sotto'));
    const o1kp = await cc.createKeyPackage(identity('openmls'));
    const s2kp = await sotto.createKeyPackage(identity('sotto'));
    const add = await s1.addMembers([o1kp.publicBytes, s2kp.publicBytes]);
    assert.ok(add.welcomeBytes);
    const o1 = await cc.joinFromWelcome(add.welcomeBytes, o1kp);
    const s2 = await sotto.joinFromWelcome(add.welcomeBytes, s2kp);
    let group = [s1, o1, s2];

    // Add by reference: CoreCrypto's commit covers our proposal and its Welcome brings in the new member.
    const o2kp = await cc.createKeyPackage(identity('openmls'));
    await deliver(await s1.proposeAdd(o2kp.publicBytes), s1, group, 'proposal');
    const c1 = await o1.commitPending();
    assert.ok(c1.welcomeBytes, 'the commit of an Add proposal has a Welcome');
    await commitTo(c1, o1, group);
    group = [...group, await cc.joinFromWelcome(c1.welcomeBytes, o2kp)];
    await assertAgree(group);

    // Update by reference (§12.1.2): the proposer applies its own new leaf key when CoreCrypto's commit lands.
    await deliver(await s2.proposeUpdate(), s2, group, 'proposal');
    const c2 = await o1.commitPending();
    await commitTo(c2, o1, group);
    await assertAgree(group);
    await chat(group, 'after the Update proposal');

    // Two proposals in one commit: Add of one of ours and Remove of a CoreCrypto member.
    const [, , , o2] = group;
    assert.ok(o2);
    const s3kp = await sotto.createKeyPackage(identity('sotto'));
    await deliver(await s1.proposeAdd(s3kp.publicBytes), s1, group, 'proposal');
    await deliver(await s1.proposeRemove(o2), s1, group, 'proposal');
    const c3 = await o1.commitPending();
    assert.ok(c3.welcomeBytes);
    const gone = await o2.processMessage(c3.commitBytes);
    assert.equal(gone.kind === 'commit' && gone.removed, true);
    group = group.filter((m) => m !== o2);
    await commitTo(c3, o1, group);
    group = [...group, await sotto.joinFromWelcome(c3.welcomeBytes, s3kp)];
    await assertAgree(group);

    // The other way round: we commit proposals by reference (§12.4), and CoreCrypto must resolve each reference to a
    // proposal it received: an Update from s2, and a Remove of s3 proposed by s2.
    const s3 = group.at(-1);
    assert.ok(s3 && s3.impl === 'sotto');
    await deliver(await s2.proposeUpdate(), s2, group, 'proposal');
    await deliver(await s2.proposeRemove(s3), s2, group, 'proposal');
    const c4 = await s1.commitPending();
    const gone3 = await s3.processMessage(c4.commitBytes);
    assert.equal(gone3.kind === 'commit' && gone3.removed, true);
    group = group.filter((m) => m !== s3);
    await commitTo(c4, s1, group);
    await assertAgree(group);
    await chat(group, 'after proposals committed by Sotto');
  });

  test('external joins both ways, and a resync of each kind that removes the old leaf (§12.4.3.2)', async () => {
    const s1 = await sotto.createGroup(enc.encode('external'), identity('sotto'));
    const o1kp = await cc.createKeyPackage(identity('openmls'));
    const add = await s1.addMembers([o1kp.publicBytes]);
    assert.ok(add.welcomeBytes);
    const o1 = await cc.joinFromWelcome(add.welcomeBytes, o1kp);
    let group: InteropMember[] = [s1, o1];
    const count = (id: string) => s1.identities().filter((x) => x === id).length;

    // CoreCrypto joins from our GroupInfo.
    const j1 = await cc.joinByExternalCommit(await s1.groupInfo(), identity('openmls'));
    await deliver(j1.commitBytes, j1.member, group, 'commit');
    const o2 = j1.member;
    group = [...group, o2];
    await assertAgree(group);
    await chat(group, 'after the CoreCrypto external join');

    // We join from CoreCrypto's GroupInfo (it exports one with each of its commits).
    await commitTo(await o1.update(), o1, group);
    const j2 = await sotto.joinByExternalCommit(await o1.groupInfo(), identity('sotto'));
    await deliver(j2.commitBytes, j2.member, group, 'commit');
    const s2 = j2.member;
    group = [...group, s2];
    await assertAgree(group);
    await chat(group, 'after the Sotto external join');

    // Resync: s2 lost its state and rejoins from CoreCrypto's GroupInfo, removing its old leaf in the same commit.
    await commitTo(await o2.update(), o2, group);
    const j3 = await sotto.joinByExternalCommit(await o2.groupInfo(), s2.identity, { resync: true });
    group = group.filter((m) => m !== s2);
    await deliver(j3.commitBytes, j3.member, group, 'commit');
    const s2b = j3.member;
    group = [...group, s2b];
    assert.equal(count(s2.identity), 1, 'the old leaf is gone');
    await assertAgree(group);
    await chat(group, 'after the Sotto resync');

    // Resync of a CoreCrypto member from our GroupInfo. CoreCrypto 10.3.0 puts no Remove of its old leaf in the
    // external commit (RFC 9420 §12.2 allows at most one, it does not require it), so the group briefly holds the old
    // and the new leaf of o2's identity, and we remove the old one, named by its signature key.
    const j4 = await cc.joinByExternalCommit(await s1.groupInfo(), o2.identity, { resync: true });
    group = group.filter((m) => m !== o2);
    await deliver(j4.commitBytes, j4.member, group, 'commit');
    const o2b = j4.member;
    group = [...group, o2b];
    assert.equal(count(o2.identity), 2, 'CoreCrypto kept its old leaf');
    await assertAgree(group);
    await commitTo(await s1.removeClients([o2]), s1, group);
    assert.equal(count(o2.identity), 1, 'the old leaf is gone');
    await assertAgree(group);
    await chat(group, 'after the CoreCrypto resync');
  });

  test('an external commit whose Remove evicts another member is refused by both sides (§12.2, V-EXT-05)', async () => {
    const deps: GroupDeps = { crypto: createNativeProvider(), rng: nativeRandom, now };
    const s1 = await sotto.createGroup(enc.encode('external-evict'), identity('sotto'));
    const [o1kp, o2kp] = [await cc.createKeyPackage(identity('openmls')), await cc.createKeyPackage(identity('openmls'))];
    const add = await s1.addMembers([o1kp.publicBytes, o2kp.publicBytes]);
    assert.ok(add.welcomeBytes);
    const o1 = await cc.joinFromWelcome(add.welcomeBytes, o1kp);
    const o2 = await cc.joinFromWelcome(add.welcomeBytes, o2kp);
    const victim = s1.leafIndexOf(o1.identity);
    assert.ok(victim !== undefined);
    // An outsider with the GroupInfo joins and removes o1: only a resync may remove a leaf, and only the joiner's own.
    // Our joinByExternalCommit refuses to build that (UsageError), so the outsider re-signs an honest external commit
    // with the Remove added, as a modified client would.
    const gi = await s1.groupInfo();
    const outsider = { credentialType: CredentialType.basic, identity: enc.encode(identity('sotto')) } as const;
    const caps = { credentials: [CredentialType.basic, X509] };
    assert.throws(() => joinByExternalCommit(deps, gi, { credential: outsider, capabilities: caps, removeLeaf: victim }), /V-EXT-05/);
    const evil = evictingExternalCommit(deps, gi, joinByExternalCommit(deps, gi, { credential: outsider, capabilities: caps }), victim);
    await assert.rejects(s1.processMessage(evil), (e: unknown) => e instanceof ValidationError && e.code === 'V-EXT-05');
    // CoreCrypto refused the API-built version with "Remove proposal targets the wrong group member"; this re-signed
    // one it refuses reporting a signature failure (we verify the same signature, then refuse at V-EXT-05).
    await assert.rejects(o2.processMessage(evil), /Remove proposal targets the wrong group member|Signature verification failed/);
    await assertAgree([s1, o1, o2]);
    await chat([s1, o1, o2], 'after the refused eviction');
  });

  test('external proposals (§12.1.8): our external sender proposes a Remove, CoreCrypto commits it', async () => {
    const deps: GroupDeps = { crypto: createNativeProvider(), rng: nativeRandom, now };
    const ds = deps.crypto.suite(1).generateSignatureKeyPair(deps.rng);
    // Each side creates a group listing our external sender; the other side joins and so parses that extension.
    for (const creatorIsOurs of [false, true]) {
      const groupId = enc.encode(`external-sender-${creatorIsOurs}`);
      const [o1kp, o2kp] = [await cc.createKeyPackage(identity('openmls')), await cc.createKeyPackage(identity('openmls'))];
      const s1kp = await sotto.createKeyPackage(identity('sotto'));
      let o1: InteropMember;
      let s1: SottoMember;
      let welcome: Uint8Array | undefined;
      if (creatorIsOurs) {
        s1 = await sotto.createGroup(groupId, s1kp.identity, { externalSender: ds.publicKey });
        welcome = (await s1.addMembers([o1kp.publicBytes, o2kp.publicBytes])).welcomeBytes;
        assert.ok(welcome);
        o1 = await cc.joinFromWelcome(welcome, o1kp);
      } else {
        o1 = await cc.createGroup(groupId, o1kp.identity, { externalSender: ds.publicKey });
        welcome = (await o1.addMembers([s1kp.publicBytes, o2kp.publicBytes])).welcomeBytes;
        assert.ok(welcome);
        s1 = await sotto.joinFromWelcome(welcome, s1kp);
      }
      const o2 = await cc.joinFromWelcome(welcome, o2kp);
      let group: InteropMember[] = [o1, s1, o2];
      await assertAgree(group);
      const from: ExternalProposer = { cipherSuite: 1, groupId, epoch: o1.epoch(), senderIndex: 0, signaturePrivateKey: ds.privateKey };

      // Deviation: OpenMLS takes only Remove from an external sender. An external Add (like a GroupContextExtensions)
      // is refused with "The proposal is invalid for the Sender of type External", although RFC 9420 §12.1.8 and the
      // "External" column of §17.4 allow Add, Remove, PreSharedKey, ReInit and GroupContextExtensions from one.
      const nkp = await cc.createKeyPackage(identity('openmls'));
      const extAdd = proposeAsExternalSender(deps, from, {
        proposalType: ProposalType.add,
        add: { keyPackage: parseKeyPackage(deps, nkp.publicBytes) },
      });
      await assert.rejects(o1.processMessage(extAdd), /invalid for the Sender of type External/);

      const leaf = s1.leafIndexOf(o2.identity);
      assert.ok(leaf !== undefined);
      const extRemove = proposeAsExternalSender(deps, from, { proposalType: ProposalType.remove, remove: { removed: leaf } });
      await deliver(extRemove, undefined, group, 'proposal');
      const c = await o1.commitPending();
      const gone = await o2.processMessage(c.commitBytes);
      assert.equal(gone.kind === 'commit' && gone.removed, true);
      group = group.filter((m) => m !== o2);
      await commitTo(c, o1, group);
      await assertAgree(group);
      await chat(group, 'after the external Remove');
    }
  });

  test('a GroupContextExtensions commit of ours (§12.1.7) is applied by CoreCrypto, which then uses the new extension', async () => {
    const deps: GroupDeps = { crypto: createNativeProvider(), rng: nativeRandom, now };
    const ds = deps.crypto.suite(1).generateSignatureKeyPair(deps.rng);
    const groupId = enc.encode('group-context-extensions');
    const s1 = await sotto.createGroup(groupId, identity('sotto'));
    const [o1kp, o2kp] = [await cc.createKeyPackage(identity('openmls')), await cc.createKeyPackage(identity('openmls'))];
    const add = await s1.addMembers([o1kp.publicBytes, o2kp.publicBytes]);
    assert.ok(add.welcomeBytes);
    const o1 = await cc.joinFromWelcome(add.welcomeBytes, o1kp);
    const o2 = await cc.joinFromWelcome(add.welcomeBytes, o2kp);
    let group: InteropMember[] = [s1, o1, o2];

    // required_capabilities (§11.1) and external_senders (§12.1.8.1), both new to the group.
    const required = encodeRequiredCapabilities({ extensionTypes: [], proposalTypes: [], credentialTypes: [CredentialType.basic, X509] });
    const senders = encodeExternalSenders([
      { signatureKey: ds.publicKey, credential: { credentialType: CredentialType.basic, identity: enc.encode('ds') } },
    ]);
    await commitTo(
      await s1.setGroupExtensions([
        { extensionType: ExtensionType.required_capabilities, extensionData: required },
        { extensionType: ExtensionType.external_senders, extensionData: senders },
      ]),
      s1,
      group,
    );
    await assertAgree(group);

    // CoreCrypto now accepts a Remove from that external sender and commits it.
    const leaf = s1.leafIndexOf(o2.identity);
    assert.ok(leaf !== undefined);
    const from: ExternalProposer = { cipherSuite: 1, groupId, epoch: o1.epoch(), senderIndex: 0, signaturePrivateKey: ds.privateKey };
    await deliver(
      proposeAsExternalSender(deps, from, { proposalType: ProposalType.remove, remove: { removed: leaf } }),
      undefined,
      group,
      'proposal',
    );
    const c = await o1.commitPending();
    await o2.processMessage(c.commitBytes);
    group = group.filter((m) => m !== o2);
    await commitTo(c, o1, group);
    await assertAgree(group);
    await chat(group, 'after the GroupContextExtensions commit');
  });

  test('application messages out of order and across a commit (§9.2, §15.3)', async () => {
    const s1 = await sotto.createGroup(enc.encode('order'), identity('sotto'));
    const o1kp = await cc.createKeyPackage(identity('openmls'));
    const add = await s1.addMembers([o1kp.publicBytes]);
    assert.ok(add.welcomeBytes);
    const o1 = await cc.joinFromWelcome(add.welcomeBytes, o1kp);
    const texts = ['one', 'two', 'three', 'four', 'five'];

    // We read CoreCrypto's messages in reverse order (the secret tree keeps the skipped generations' keys).
    const fromCc: Uint8Array[] = [];
    for (const t of texts) fromCc.push(await o1.encrypt(enc.encode(t)));
    const read: string[] = [];
    for (const m of fromCc.reverse()) read.push(dec.decode(await s1.decrypt(m)));
    assert.deepEqual(read, [...texts].reverse());
    // CoreCrypto keeps the key of one skipped generation only (its configuration; §15.3 leaves retention to the
    // application, and it reports an older one as a duplicate), so our messages reach it with two swapped.
    const first = await s1.encrypt(enc.encode('first'));
    const second = await s1.encrypt(enc.encode('second'));
    assert.equal(dec.decode(await o1.decrypt(second)), 'second');
    assert.equal(dec.decode(await o1.decrypt(first)), 'first');

    // Sent in epoch n, read in epoch n+1 after the receiver applied a commit (both keep the previous epoch's keys).
    const lateFromCc = await o1.encrypt(enc.encode('late from openmls'));
    const lateFromUs = await s1.encrypt(enc.encode('late from sotto'));
    await commitTo(await s1.update(), s1, [s1, o1]);
    assert.equal(dec.decode(await s1.decrypt(lateFromCc)), 'late from openmls');
    assert.equal(dec.decode(await o1.decrypt(lateFromUs)), 'late from sotto');
    await assertAgree([s1, o1]);
  });

  for (const seed of walkSeeds()) {
    test(`seeded random walk over a mixed group (seed ${seed}, 24 steps)`, async (t) => {
      t.diagnostic((await randomWalk(sotto, cc, seed, 24)).join(', '));
    });
  }

  test('our last-resort KeyPackage (extension 0x000A, empty body) does not decode in CoreCrypto 10.3.0', async () => {
    // Not RFC 9420 itself: last_resort comes from draft-ietf-mls-extensions as `struct {} LastResort`, an empty
    // extension_data, which is what we and upstream OpenMLS send. CoreCrypto 10.3.0's decoder fails on it
    // ("InvalidVectorLength") and takes only a one-byte body 0x00, so our last-resort KeyPackages cannot be added by it.
    const deps: GroupDeps = { crypto: createNativeProvider(), rng: nativeRandom, now };
    const lastResort = createKeyPackage(deps, {
      cipherSuite: 1,
      credential: { credentialType: CredentialType.basic, identity: enc.encode(identity('sotto')) },
      capabilities: { credentials: [CredentialType.basic, X509] },
      lastResort: true,
    });
    const o1 = await cc.createGroup(enc.encode('last-resort'), identity('openmls'));
    await assert.rejects(o1.addMembers([lastResort.bytes]), /InvalidVectorLength/);
    const plain = await sotto.createKeyPackage(identity('sotto'));
    const add = await o1.addMembers([plain.publicBytes]);
    assert.ok(add.welcomeBytes);
    await assertAgree([o1, await sotto.joinFromWelcome(add.welcomeBytes, plain)]);
  });

  test('a tampered commit is refused by the other side, its state unchanged (§6.3.2)', async () => {
    for (const [from, to] of [
      [sotto, cc],
      [cc, sotto],
    ] as const) {
      const p = await from.createGroup(enc.encode(`tamper-${from.impl}`), identity(from.impl));
      const qkp = await to.createKeyPackage(identity(to.impl));
      const add = await p.addMembers([qkp.publicBytes]);
      assert.ok(add.welcomeBytes);
      const q = await to.joinFromWelcome(add.welcomeBytes, qkp);
      const { commitBytes } = await p.update();
      // The last byte is in the membership tag, the middle one in the signed content.
      for (const at of [commitBytes.length - 1, commitBytes.length >> 1]) {
        const bad = commitBytes.slice();
        bad[at] = (bad[at] ?? 0) ^ 0x01;
        await assert.rejects(q.processMessage(bad), `${to.impl} refuses a tampered ${from.impl} commit`);
      }
      assert.equal(q.epoch(), p.epoch() - 1n);
      await q.processMessage(commitBytes);
      await assertAgree([p, q]);
    }
  });

  test('CoreCrypto refuses a handshake sent as PrivateMessage (its wire format policy, §6), state unchanged', async () => {
    const privateHandshakes = createSottoDriver({ now, capabilities: { credentials: [CredentialType.basic, X509] } });
    const p = await privateHandshakes.createGroup(enc.encode('private-handshake'), identity('sotto'));
    const qkp = await cc.createKeyPackage(identity('openmls'));
    const add = await p.addMembers([qkp.publicBytes]);
    assert.ok(add.welcomeBytes);
    const q = await cc.joinFromWelcome(add.welcomeBytes, qkp);
    const before = q.epoch();
    const { commitBytes } = await p.update();
    await assert.rejects(q.processMessage(commitBytes), /wire format/);
    assert.equal(q.epoch(), before);
  });

  test('X-Wing (0x004D): CoreCrypto 10.3.0 does not offer the suite, so there is no interop to run', (t) => {
    // If a later CoreCrypto offers it, this fails: then add a Welcome + application + commit run on 0x004D here.
    assert.equal(coreCryptoOffersSuite(XWING), false);
    assert.equal(coreCryptoOffersSuite(1), true);
    t.diagnostic(`our native provider ${createNativeProvider().supportedSuites.includes(XWING) ? 'has' : 'lacks'} suite 0x004D`);
  });
});
