// Reinitialisation (RFC 9420 §11.2, §12.1.5, §12.4.3.1), a new member's own Add proposal (§12.1.8) and the ratchet
// tree handed out of band only on request (§12.4.3.3): lifecycle and must-reject tests.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import { createCommit } from '../src/group/commit.js';
import { createGroup } from '../src/group/create.js';
import { linkPsk } from '../src/group/reinit.js';
import * as mls from '../src/index.js';
import { toHex } from '../src/util/bytes.js';
import { decodeMlsMessage, encodeMlsMessage, type PreSharedKeyID, PskType, ResumptionPskUsage, WireFormat } from '../src/wire/index.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const deps: mls.GroupDeps = { crypto: createNativeProvider(), rng: nativeRandom, now: () => 1_800_000_000n };
const OLD_SUITE = mls.CipherSuiteId.MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;
const NEW_SUITE = mls.CipherSuiteId.MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519;
const NEW_GROUP_ID = utf8('the group, reinitialised');
const cred = (name: string): mls.Credential => ({ credentialType: mls.CredentialType.basic, identity: utf8(name) });
const keyPackage = (name: string, suite: number = OLD_SUITE) => mls.createKeyPackage(deps, { cipherSuite: suite, credential: cred(name) });

/** alice, bob, carol at one epoch on the old suite. */
function trio() {
  let alice = mls.createGroup(deps, { cipherSuite: OLD_SUITE, credential: cred('alice') });
  const bobKp = keyPackage('bob');
  const carolKp = keyPackage('carol');
  const out = mls.addMembers(deps, alice, [bobKp.bytes, carolKp.bytes]);
  alice = out.group;
  const bob = mls.joinFromWelcome(deps, out.welcome as Uint8Array, bobKp);
  const carol = mls.joinFromWelcome(deps, out.welcome as Uint8Array, carolKp);
  return { alice, bob, carol };
}

/** The trio after bob commits a ReInit to NEW_SUITE: all three closed at the same epoch. */
function closedTrio() {
  const { alice, bob, carol } = trio();
  const out = mls.commitReinit(deps, bob, { cipherSuite: NEW_SUITE, groupId: NEW_GROUP_ID });
  const a = mls.processMessage(deps, alice, out.commit);
  const c = mls.processMessage(deps, carol, out.commit);
  assert.equal(a.kind, 'commit');
  assert.equal(c.kind, 'commit');
  return { alice: a.group, bob: out.group, carol: c.group };
}

function exporter(g: mls.Group): string {
  return toHex(mls.exportSecret(deps, g, 'reinit test', utf8('ctx'), 32));
}

function expectValidation(f: () => unknown, id: string): void {
  assert.throws(f, (e: unknown) => e instanceof mls.ValidationError && e.code === id);
}

describe('ReInit (RFC 9420 §11.2)', () => {
  test('a ReInit commit closes the group for everyone; the new group on another suite starts at epoch 1 with every member', () => {
    const old = closedTrio();
    for (const g of [old.alice, old.bob, old.carol]) {
      const r = mls.reinitOf(g);
      assert.ok(r, 'closed');
      assert.equal(r.epoch, mls.epoch(g));
      assert.equal(r.proposal.cipherSuite, NEW_SUITE);
      assert.throws(() => mls.encryptMessage(deps, g, utf8('late')), mls.UsageError);
      assert.throws(() => mls.updateKey(deps, g), mls.UsageError);
      assert.throws(() => mls.proposeUpdateKey(deps, g), mls.UsageError);
      // The closed state persists (format 3) with its ReInit.
      const again = mls.deserializeGroup(deps, mls.serializeGroup(g));
      assert.deepEqual(mls.reinitOf(again), r);
      assert.equal(mls.serializeGroup(g)[0], 3);
    }
    const bobKp = keyPackage('bob', NEW_SUITE);
    const carolKp = keyPackage('carol', NEW_SUITE);
    const out = mls.reinitGroup(deps, old.alice, { keyPackages: [bobKp.bytes, carolKp.bytes] });
    const bob = mls.joinFromWelcome(deps, out.welcome as Uint8Array, bobKp, { reinitFrom: old.bob });
    const carol = mls.joinFromWelcome(deps, out.welcome as Uint8Array, carolKp, { reinitFrom: old.carol });
    for (const g of [out.group, bob, carol]) {
      assert.equal(mls.epoch(g), 1n);
      assert.equal(g.context.cipherSuite, NEW_SUITE);
      assert.deepEqual(mls.groupId(g), NEW_GROUP_ID);
      assert.equal(mls.members(g).length, 3);
      assert.equal(mls.reinitOf(g), undefined);
    }
    assert.equal(exporter(bob), exporter(out.group));
    assert.equal(exporter(carol), exporter(out.group));
    const m = mls.encryptMessage(deps, carol, utf8('hello, new group'));
    const r = mls.processMessage(deps, bob, m.message);
    assert.ok(r.kind === 'application');
    assert.equal(text(r.data), 'hello, new group');
  });

  test('reinitGroup needs a KeyPackage for each other old member and for no one else', () => {
    const old = closedTrio();
    assert.throws(
      () => mls.reinitGroup(deps, old.alice, { keyPackages: [keyPackage('bob', NEW_SUITE).bytes] }),
      /no KeyPackage for member/,
    );
    assert.throws(
      () => mls.reinitGroup(deps, old.alice, { keyPackages: [keyPackage('bob', NEW_SUITE).bytes, keyPackage('mallory', NEW_SUITE).bytes] }),
      /belongs to no member/,
    );
    const { alice } = trio();
    assert.throws(() => mls.reinitGroup(deps, alice, { keyPackages: [] }), /no committed ReInit/);
  });

  test('V-PROP-16: a ReInit may not lower the protocol version', () => {
    const { bob } = trio();
    expectValidation(() => mls.commitReinit(deps, bob, { cipherSuite: NEW_SUITE, version: 0 }), 'V-PROP-16');
  });

  test('V-COMMIT-05: a commit arriving in a group after its ReInit commit is refused', () => {
    const old = closedTrio();
    // A member that ignores the ReInit (its state reopened by hand) commits once more in the old group.
    const out = mls.updateKey(deps, { ...old.alice, reinit: undefined } as mls.Group);
    expectValidation(() => mls.processMessage(deps, old.bob, out.commit), 'V-COMMIT-05');
  });

  test('V-WELC-09: a Welcome may name only one reinit or branch PSK', () => {
    const id = (usage: number): PreSharedKeyID => ({
      pskType: PskType.resumption,
      usage,
      pskGroupId: utf8('g'),
      pskEpoch: 1n,
      pskNonce: new Uint8Array(32),
    });
    assert.equal(linkPsk([id(ResumptionPskUsage.reinit)])?.pskType, PskType.resumption);
    expectValidation(() => linkPsk([id(ResumptionPskUsage.reinit), id(ResumptionPskUsage.branch)]), 'V-WELC-09');
  });

  test('V-WELC-10: a reinit Welcome is refused without the old group, from another group, off epoch 1 or off the ReInit parameters', () => {
    const old = closedTrio();
    const bobKp = keyPackage('bob', NEW_SUITE);
    const carolKp = keyPackage('carol', NEW_SUITE);
    const out = mls.reinitGroup(deps, old.alice, { keyPackages: [bobKp.bytes, carolKp.bytes] });
    const welcome = out.welcome as Uint8Array;
    // Without the old group the reinit PSK is not available.
    expectValidation(() => mls.joinFromWelcome(deps, welcome, bobKp), 'V-WELC-06');
    // The referenced group, as a member holds it, did not end with a ReInit (same PSK, no ReInit recorded).
    const reopened = { ...old.bob, reinit: undefined } as mls.Group;
    expectValidation(() => mls.joinFromWelcome(deps, welcome, bobKp, { reinitFrom: reopened }), 'V-WELC-10');

    // A creator that links the old group but sets up a group with other parameters, or at another epoch.
    const link = (nonceFrom: mls.Group) => ({
      id: {
        pskType: PskType.resumption,
        usage: ResumptionPskUsage.reinit,
        pskGroupId: mls.groupId(nonceFrom),
        pskEpoch: mls.epoch(nonceFrom),
        pskNonce: nativeRandom(32),
      } as PreSharedKeyID,
      psk: nonceFrom.resumptionPsks.get(mls.epoch(nonceFrom)) as Uint8Array,
      groupId: mls.groupId(nonceFrom),
    });
    const adds = (kps: mls.NewKeyPackage[]): mls.Proposal[] =>
      kps.map((k) => ({ proposalType: mls.ProposalType.add, add: { keyPackage: k.keyPackage } }));
    const crafted = (groupId: Uint8Array, extraCommit: boolean) => {
      const bk = keyPackage('bob', NEW_SUITE);
      const ck = keyPackage('carol', NEW_SUITE);
      let g = createGroup(deps, { cipherSuite: NEW_SUITE, groupId, credential: cred('alice') });
      if (extraCommit) g = createCommit(deps, g, { forcePath: true }).group;
      const l = link(old.alice);
      const r = createCommit(deps, g, { proposals: [...adds([bk, ck]), { proposalType: mls.ProposalType.psk, psk: { psk: l.id } }] }, l);
      assert.ok(r.welcome);
      return { welcome: encodeMlsMessage(r.welcome), bk };
    };
    // Another group id than the ReInit's; the right group id but at epoch 2.
    for (const [groupId, extra] of [
      [utf8('another group id'), false],
      [NEW_GROUP_ID, true],
    ] as const) {
      const { welcome: bytes, bk } = crafted(groupId, extra);
      expectValidation(() => mls.joinFromWelcome(deps, bytes, bk, { reinitFrom: old.bob }), 'V-WELC-10');
    }
  });

  test('V-WELC-11: a reinit Welcome that leaves out a member of the old group is refused', () => {
    const old = closedTrio();
    const bk = keyPackage('bob', NEW_SUITE);
    const g = createGroup(deps, { cipherSuite: NEW_SUITE, groupId: NEW_GROUP_ID, credential: cred('alice') });
    const id: PreSharedKeyID = {
      pskType: PskType.resumption,
      usage: ResumptionPskUsage.reinit,
      pskGroupId: mls.groupId(old.alice),
      pskEpoch: mls.epoch(old.alice),
      pskNonce: nativeRandom(32),
    };
    const psk = old.alice.resumptionPsks.get(mls.epoch(old.alice)) as Uint8Array;
    const r = createCommit(
      deps,
      g,
      {
        proposals: [
          { proposalType: mls.ProposalType.add, add: { keyPackage: bk.keyPackage } },
          { proposalType: mls.ProposalType.psk, psk: { psk: id } },
        ],
      },
      { id, psk, groupId: mls.groupId(old.alice) },
    );
    assert.ok(r.welcome);
    const bytes = encodeMlsMessage(r.welcome);
    expectValidation(() => mls.joinFromWelcome(deps, bytes, bk, { reinitFrom: old.bob }), 'V-WELC-11');
  });

  test('a reinit PSK in an ordinary commit is still refused (V-PROP-13)', () => {
    const old = closedTrio();
    const { alice } = trio();
    const id: mls.PreSharedKeyID = {
      pskType: PskType.resumption,
      usage: ResumptionPskUsage.reinit,
      pskGroupId: mls.groupId(old.alice),
      pskEpoch: mls.epoch(old.alice),
      pskNonce: nativeRandom(32),
    };
    expectValidation(() => mls.commit(deps, alice, { proposals: [{ proposalType: mls.ProposalType.psk, psk: { psk: id } }] }), 'V-PROP-13');
  });
});

describe("a new member's own Add proposal (RFC 9420 §12.1.8)", () => {
  test('dave proposes himself from the GroupInfo; a member commits it by reference; dave joins by the Welcome', () => {
    const { alice, bob } = trio();
    const gi = mls.createGroupInfo(deps, alice, { externalPub: false, ratchetTree: false });
    const daveKp = keyPackage('dave');
    const proposal = mls.proposeOwnAdd(deps, gi, daveKp);
    const m = decodeMlsMessage(proposal);
    assert.equal(m.wireFormat, WireFormat.mls_public_message);
    const pa = mls.processMessage(deps, alice, proposal);
    const pb = mls.processMessage(deps, bob, proposal);
    assert.ok(pa.kind === 'proposal' && pb.kind === 'proposal');
    assert.equal(pa.sender.senderType, mls.SenderType.new_member_proposal);
    assert.deepEqual(pa.ref, pb.ref);
    const out = mls.commit(deps, pa.group);
    assert.equal(out.added.length, 1);
    const b = mls.processMessage(deps, pb.group, out.commit);
    assert.ok(b.kind === 'commit');
    const dave = mls.joinFromWelcome(deps, out.welcome as Uint8Array, daveKp);
    assert.equal(exporter(dave), exporter(out.group));
    assert.equal(exporter(b.group), exporter(out.group));
  });

  test('the proposal is refused with a signature key that is not the KeyPackage’s, or forged in transit', () => {
    const { alice } = trio();
    const gi = mls.createGroupInfo(deps, alice, { externalPub: false, ratchetTree: false });
    const daveKp = keyPackage('dave');
    const other = keyPackage('eve');
    assert.throws(() => mls.proposeOwnAdd(deps, gi, { keyPackage: daveKp.keyPackage, privateKeys: other.privateKeys }), mls.UsageError);
    const bytes = mls.proposeOwnAdd(deps, gi, daveKp);
    const forged = new Uint8Array(bytes);
    const at = forged.length - 3; // inside the signature
    forged[at] = (forged[at] as number) ^ 1;
    assert.throws(() => mls.processMessage(deps, alice, forged), mls.ValidationError);
  });
});

describe('ratchet tree out of band, on request (RFC 9420 §12.4.3.3)', () => {
  test('CommitOutput.ratchetTree is encoded on first read, once, and equals exportRatchetTree', () => {
    const { alice } = trio();
    const eveKp = keyPackage('eve');
    const out = mls.addMembers(deps, alice, [eveKp.bytes], { ratchetTreeInWelcome: false });
    const first = out.ratchetTree;
    assert.equal(out.ratchetTree, first, 'memoised');
    assert.deepEqual(first, mls.exportRatchetTree(out.group));
    const eve = mls.joinFromWelcome(deps, out.welcome as Uint8Array, eveKp, { ratchetTree: first });
    assert.equal(exporter(eve), exporter(out.group));
  });
});
