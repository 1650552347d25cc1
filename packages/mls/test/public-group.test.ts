// PublicGroup (src/public-group/): a Delivery Service follows real groups built with the Group API through adds,
// removes, updates, proposals by reference, external joins, external proposals and GCE, and after every step holds the
// members' GroupContext and tree; must-reject cases (one per catalogue ID it raises) leave its state untouched;
// frozen storage vectors pin the serialisation format (STYLE.md rule 9).
import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { signWithLabel } from '../src/crypto/labels.js';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import { protectPublicMessage, signContent } from '../src/framing/index.js';
import { epochOf } from '../src/group/framing-glue.js';
import * as mls from '../src/index.js';
import { toHex } from '../src/util/bytes.js';
import {
  type Commit,
  decodeMlsMessage,
  decodeRatchetTree,
  encodeGroupContext,
  encodeLeafNodeTbs,
  encodeMlsMessage,
  type FramedContent,
  type MlsMessage,
  type PublicMessage,
} from '../src/wire/index.js';
import { hex } from './helpers/vectors.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const NOW = 1_800_000_000n;
const deps: mls.GroupDeps = { crypto: createNativeProvider(), rng: nativeRandom, now: () => NOW };
const cred = (name: string): mls.Credential => ({ credentialType: 1, identity: utf8(name) });
const names = (ms: readonly mls.Member[]) => ms.map((m) => text(m.identity));
const config = { handshakeAsPrivate: false };

/** Members by name plus the Delivery Service's PublicGroup; every message goes to the DS first, as on the server. */
class World {
  readonly g = new Map<string, mls.Group>();
  constructor(public ds: mls.PublicGroup) {}
  get(name: string): mls.Group {
    const s = this.g.get(name);
    assert.ok(s, `no state for ${name}`);
    return s;
  }
  /** The DS verifies and applies a commit, then every other member processes it. */
  commit(from: string, out: { group: mls.Group; commit: Uint8Array }): Extract<mls.PublicProcessResult, { kind: 'commit' }> {
    const r = mls.processPublicMessage(deps, this.ds, out.commit);
    assert.ok(r.kind === 'commit', "r.kind === 'commit'");
    this.ds = r.group;
    for (const [name, st] of [...this.g]) {
      if (name === from) continue;
      const m = mls.processMessage(deps, st, out.commit);
      assert.ok(m.kind === 'commit', "m.kind === 'commit'");
      if (m.removedSelf) this.g.delete(name);
      else this.g.set(name, m.group);
    }
    this.g.set(from, out.group);
    this.assertInSync();
    return r;
  }
  /** The DS caches a proposal by reference; the members too. */
  proposal(from: string | undefined, message: Uint8Array): Extract<mls.PublicProcessResult, { kind: 'proposal' }> {
    const r = mls.processPublicMessage(deps, this.ds, message);
    assert.ok(r.kind === 'proposal', "r.kind === 'proposal'");
    this.ds = r.group;
    for (const [name, st] of [...this.g]) if (name !== from) this.g.set(name, mls.processMessage(deps, st, message).group);
    return r;
  }
  welcome(out: mls.CommitOutput, kps: Map<string, mls.NewKeyPackage>): void {
    for (const [name, kp] of kps) {
      assert.ok(out.welcome, 'out.welcome');
      this.g.set(name, mls.joinFromWelcome(deps, out.welcome, kp, { config }));
    }
  }
  /** The DS's epoch, tree hash and whole GroupContext equal every member's. */
  assertInSync(): void {
    const ctx = toHex(encodeGroupContext(this.ds.context));
    for (const [name, st] of this.g) {
      assert.equal(mls.epoch(st), this.ds.context.epoch, `${name}: epoch`);
      assert.equal(toHex(st.tree.treeHash()), toHex(this.ds.tree.treeHash()), `${name}: tree hash`);
      assert.equal(toHex(encodeGroupContext(st.context)), ctx, `${name}: GroupContext`);
    }
  }
}

function keyPackages(...who: string[]): Map<string, mls.NewKeyPackage> {
  return new Map(who.map((n) => [n, mls.createKeyPackage(deps, { cipherSuite: 1, credential: cred(n) })]));
}

/** alice creates the group and adds bob, carol and dave; the DS registers it from alice's epoch-0 GroupInfo. */
function fourMembers(dsDeps: mls.PublicGroupDeps = deps): World {
  const alice = mls.createGroup(deps, { cipherSuite: 1, credential: cred('alice'), config });
  const groupInfo = mls.createGroupInfo(deps, alice, { ratchetTree: true });
  const kps = keyPackages('bob', 'carol', 'dave');
  const out = mls.addMembers(
    deps,
    alice,
    [...kps.values()].map((k) => k.bytes),
  );
  const r = mls.createPublicGroupFromFirstCommit(dsDeps, { groupInfo, commit: out.commit });
  assert.deepEqual(names(r.added), ['bob', 'carol', 'dave']);
  assert.equal(text(r.committer.identity), 'alice');
  const w = new World(r.group);
  w.g.set('alice', out.group);
  w.welcome(out, kps);
  w.assertInSync();
  return w;
}

test('a removal names its proposer: a member that proposed its own removal (leaving, RFC 9420 §12.1.3)', () => {
  const w = fourMembers();
  const dave = mls.ownLeafIndex(w.get('dave'));
  const leave = mls.proposeRemove(deps, w.get('dave'), dave);
  w.g.set('dave', leave.group);
  w.proposal('dave', leave.message);
  const out = mls.commit(deps, w.get('bob'));
  const byDave = { senderType: mls.SenderType.member, leafIndex: dave };
  assert.deepEqual(out.removed[0]?.proposer, byDave, "the committer's own output");
  const r = w.commit('bob', out);
  assert.deepEqual(names(r.removed), ['dave']);
  assert.deepEqual(r.removed[0]?.proposer, byDave, "the Delivery Service's view");
});

test('PublicGroup follows adds, removes, path updates, proposals by reference, external joins and GCE', () => {
  const w = fourMembers();
  assert.equal(w.ds.context.epoch, 1n);

  // A commit with a path (post-compromise update) from bob.
  let r = w.commit('bob', mls.updateKey(deps, w.get('bob')));
  assert.equal(text(r.committer.identity), 'bob');
  assert.deepEqual([r.added, r.removed, r.updated].map(names), [[], [], []]);

  // carol removes dave.
  r = w.commit('carol', mls.removeMembers(deps, w.get('carol'), [mls.ownLeafIndex(w.get('dave'))]));
  assert.deepEqual(names(r.removed), ['dave']);
  assert.equal(r.removed[0]?.leafIndex, 3);
  assert.deepEqual(r.removed[0]?.proposer, { senderType: mls.SenderType.member, leafIndex: mls.ownLeafIndex(w.get('carol')) });

  // Proposals by reference: bob proposes an Update and carol an Add of erin; alice commits both by reference.
  const update = mls.proposeUpdateKey(deps, w.get('bob'));
  w.g.set('bob', update.group);
  const pu = w.proposal('bob', update.message);
  assert.equal(toHex(pu.ref), toHex(update.ref));
  const erin = keyPackages('erin');
  const add = mls.proposeAdd(deps, w.get('carol'), (erin.get('erin') as mls.NewKeyPackage).bytes);
  w.g.set('carol', add.group);
  w.proposal('carol', add.message);
  assert.equal(w.ds.pending.length, 2);
  const byRef = mls.commit(deps, w.get('alice'));
  r = w.commit('alice', byRef);
  w.welcome(byRef, erin);
  w.assertInSync();
  assert.deepEqual([r.added, r.updated].map(names), [['erin'], ['bob']]);
  assert.equal(w.ds.pending.length, 0);

  // An external join by frank, from a GroupInfo with external_pub.
  const gi = mls.createGroupInfo(deps, w.get('alice'), { externalPub: true });
  const frank = mls.joinByExternalCommit(deps, gi, { credential: cred('frank'), config });
  r = w.commit('frank', frank);
  assert.equal(r.sender.senderType, mls.SenderType.new_member_commit);
  assert.deepEqual(names(r.added), ['frank']);
  assert.equal(text(r.committer.identity), 'frank');

  // erin lost her state: she rejoins by external commit that removes her old leaf (resync).
  const old = mls.ownLeafIndex(w.get('erin'));
  const gi2 = mls.createGroupInfo(deps, w.get('bob'), { externalPub: true });
  const resync = mls.joinByExternalCommit(deps, gi2, { credential: cred('erin'), removeLeaf: old, config });
  r = w.commit('erin', resync);
  assert.deepEqual([r.added, r.removed].map(names), [['erin'], ['erin']]);
  assert.equal(r.removed[0]?.leafIndex, old);

  // GCE: the DS becomes an external sender, proposes a Remove of frank, bob commits it by reference.
  const dsKey = deps.crypto.suite(1).generateSignatureKeyPair(deps.rng);
  const exts: mls.Extension[] = [
    {
      extensionType: mls.ExtensionType.external_senders,
      extensionData: mls.encodeExternalSenders([{ signatureKey: dsKey.publicKey, credential: cred('ds') }]),
    },
  ];
  w.commit('alice', mls.setGroupExtensions(deps, w.get('alice'), exts));
  assert.equal(w.ds.context.extensions.length, 1);
  const from = {
    cipherSuite: 1,
    groupId: w.ds.context.groupId,
    epoch: w.ds.context.epoch,
    senderIndex: 0,
    signaturePrivateKey: dsKey.privateKey,
  };
  const frankLeaf = mls.ownLeafIndex(w.get('frank'));
  const ext = mls.proposeAsExternalSender(deps, from, { proposalType: mls.ProposalType.remove, remove: { removed: frankLeaf } });
  assert.equal(w.proposal(undefined, ext).sender.senderType, mls.SenderType.external);
  r = w.commit('bob', mls.commit(deps, w.get('bob')));
  assert.deepEqual(names(r.removed), ['frank']);

  // Leaves read back: index, credential, signature and encryption keys, capabilities.
  const alice = w.get('alice');
  const members = mls.publicGroupMembers(w.ds);
  assert.deepEqual(
    members.map((m) => [m.leafIndex, text(m.identity)]),
    mls.members(alice).map((m) => [m.leafIndex, text(m.identity)]),
  );
  for (const m of members) {
    const leaf = alice.tree.leaf(m.leafIndex);
    assert.ok(leaf, 'leaf');
    assert.equal(toHex(m.signatureKey), toHex(leaf.signatureKey));
    assert.equal(toHex(m.encryptionKey), toHex(leaf.encryptionKey));
    assert.deepEqual(m.capabilities, leaf.capabilities);
  }
  // The value is frozen, and persists: the restored state verifies the next commit.
  assert.ok(Object.isFrozen(w.ds) && Object.isFrozen(w.ds.pending), 'Object.isFrozen(w.ds) && Object.isFrozen(w.ds.pending)');
  const bytes = mls.serializePublicGroup(w.ds);
  w.ds = mls.deserializePublicGroup(deps, bytes);
  assert.equal(toHex(mls.serializePublicGroup(w.ds)), toHex(bytes));
  w.commit('carol', mls.updateKey(deps, w.get('carol')));
});

test('PublicGroup from a GroupInfo with the tree out of band, then a commit', () => {
  const w = fourMembers();
  const bob = w.get('bob');
  const gi = mls.createGroupInfo(deps, bob, { ratchetTree: false });
  const ds = mls.createPublicGroup(deps, gi, { ratchetTree: bob.tree.toBytes() });
  assert.equal(toHex(encodeGroupContext(ds.context)), toHex(encodeGroupContext(w.ds.context)));
  assert.equal(toHex(ds.interimTranscriptHash), toHex(w.ds.interimTranscriptHash));
  const w2 = new World(ds);
  for (const [n, s] of w.g) w2.g.set(n, s);
  w2.commit('dave', mls.updateKey(deps, w2.get('dave')));
});

test('V-COMMIT-05: a ReInit commit closes the PublicGroup; a later commit is rejected', () => {
  const w = fourMembers();
  const r = w.commit('carol', mls.commitReinit(deps, w.get('carol'), { cipherSuite: 1 }));
  assert.equal(r.reinit?.cipherSuite, 1);
  assert.equal(w.ds.reinit?.epoch, 2n);
  const restored = mls.deserializePublicGroup(deps, mls.serializePublicGroup(w.ds));
  assert.equal(restored.reinit?.epoch, 2n);
  const bob = w.get('bob');
  rejects(restored, signedCommit(bob, { proposals: [], path: undefined }), 'V-COMMIT-05');
});

// ---- must-reject: every failure leaves the PublicGroup untouched ----

function rejects(ds: mls.PublicGroup, message: Uint8Array, code: string): mls.ValidationError {
  const before = toHex(mls.serializePublicGroup(ds));
  let caught: unknown;
  assert.throws(
    () => mls.processPublicMessage(deps, ds, message),
    (e: unknown) => {
      caught = e;
      return e instanceof mls.ValidationError && e.code === code;
    },
  );
  assert.equal(toHex(mls.serializePublicGroup(ds)), before, 'state untouched');
  return caught as mls.ValidationError;
}

function publicMessage(bytes: Uint8Array): PublicMessage {
  const m = decodeMlsMessage(bytes);
  assert.ok(m.wireFormat === 1, 'm.wireFormat === 1');
  return m.publicMessage;
}
function reencode(pm: PublicMessage): Uint8Array {
  return encodeMlsMessage({ version: 1, wireFormat: 1, publicMessage: pm });
}

/** A commit signed by `state`'s member over `commit` (any proposal list), with a dummy confirmation tag. */
function signedCommit(state: mls.Group, commit: Commit, edit: (c: FramedContent) => FramedContent = (c) => c): Uint8Array {
  const fe = epochOf(deps, state);
  const content: FramedContent = edit({
    groupId: state.context.groupId,
    epoch: state.context.epoch,
    sender: { senderType: 1, leafIndex: state.ownLeaf },
    authenticatedData: new Uint8Array(0),
    contentType: 3,
    commit,
  });
  const signed = signContent(fe, 1, content, state.signaturePrivateKey);
  const pm = protectPublicMessage(fe, { ...signed, auth: { ...signed.auth, confirmationTag: new Uint8Array(32) } });
  const m: MlsMessage = { version: 1, wireFormat: 1, publicMessage: pm };
  return encodeMlsMessage(m);
}

describe('PublicGroup must-reject', () => {
  const w = fourMembers();
  const bob = w.get('bob');
  const update = mls.updateKey(deps, bob).commit;

  it('V-FRM-04: a commit with a forged signature is rejected (public group)', () => {
    const pm = publicMessage(update);
    const sig = pm.auth.signature.slice();
    sig[0] = (sig[0] as number) ^ 1;
    rejects(w.ds, reencode({ ...pm, auth: { ...pm.auth, signature: sig } }), 'V-FRM-04');
  });

  it('V-FRM-05: a sender leaf outside the tree or blank is rejected (public group)', () => {
    const pm = publicMessage(update);
    rejects(w.ds, reencode({ ...pm, content: { ...pm.content, sender: { senderType: 1, leafIndex: 40 } } }), 'V-FRM-05');
    // dave is removed: his leaf is blank in the next epoch.
    const removal = mls.removeMembers(deps, w.get('alice'), [3]);
    const next = mls.processPublicMessage(deps, w.ds, removal.commit).group;
    const c = mls.processMessage(deps, bob, removal.commit);
    assert.ok(c.kind === 'commit', "c.kind === 'commit'");
    const fromBob = publicMessage(mls.updateKey(deps, c.group).commit);
    rejects(next, reencode({ ...fromBob, content: { ...fromBob.content, sender: { senderType: 1, leafIndex: 3 } } }), 'V-FRM-05');
  });

  it('V-FRM-09: an external proposal from a sender not in external_senders is rejected (public group)', () => {
    const key = deps.crypto.suite(1).generateSignatureKeyPair(deps.rng);
    const from = {
      cipherSuite: 1,
      groupId: w.ds.context.groupId,
      epoch: w.ds.context.epoch,
      senderIndex: 0,
      signaturePrivateKey: key.privateKey,
    };
    const ext = mls.proposeAsExternalSender(deps, from, { proposalType: mls.ProposalType.remove, remove: { removed: 1 } });
    rejects(w.ds, ext, 'V-FRM-09');
    // A member's proposal with a forged signature is rejected like a commit (and not cached).
    const pm = publicMessage(mls.proposeRemove(deps, bob, 2).message);
    const sig = pm.auth.signature.slice();
    sig[5] = (sig[5] as number) ^ 0x80;
    rejects(w.ds, reencode({ ...pm, auth: { signature: sig } }), 'V-FRM-04');
  });

  it('V-FRM-02: a message of another epoch is rejected with an error naming the current epoch (public group)', () => {
    const old = mls.processPublicMessage(deps, w.ds, update).group;
    const e = rejects(old, update, 'V-FRM-02');
    assert.ok(e instanceof mls.EpochMismatchError, 'e instanceof mls.EpochMismatchError');
    assert.equal(e.currentEpoch, 2n);
    assert.equal(e.messageEpoch, 1n);
    assert.match(e.message, /group is at epoch 2/);
  });

  it('V-FRM-01: a message for another group is rejected (public group)', () => {
    const pm = publicMessage(update);
    rejects(w.ds, reencode({ ...pm, content: { ...pm.content, groupId: utf8('another group') } }), 'V-FRM-01');
  });

  it('V-FRM-06: application data in a PublicMessage is rejected (public group)', () => {
    const pm = publicMessage(update);
    const { commit: _c, ...rest } = pm.content as FramedContent & { contentType: 3 };
    const app = { ...rest, contentType: 1 as const, applicationData: utf8('hi') };
    rejects(w.ds, reencode({ content: app, auth: { signature: pm.auth.signature }, membershipTag: new Uint8Array(32) }), 'V-FRM-06');
  });

  it('V-DS-02: a PrivateMessage, Welcome or KeyPackage is refused; junk bytes are a DecodeError', () => {
    rejects(w.ds, mls.encryptMessage(deps, bob, utf8('secret')).message, 'V-DS-02');
    const privateCommit = mls.commit(deps, bob, { forcePath: true, wireFormat: 'private' }).commit;
    assert.match(rejects(w.ds, privateCommit, 'V-DS-02').message, /PrivateMessage/);
    rejects(w.ds, (keyPackages('x').get('x') as mls.NewKeyPackage).bytes, 'V-DS-02');
    assert.throws(() => mls.processPublicMessage(deps, w.ds, utf8('junk bytes, not MLS')), mls.DecodeError);
    assert.throws(() => mls.processPublicMessage(deps, w.ds, new Uint8Array(0)), mls.DecodeError);
  });

  it('V-PROP-01 / V-PROP-02: bad proposal lists are rejected (public group)', () => {
    const path = publicMessage(update).content;
    assert.ok(path.contentType === 3 && path.commit.path, 'path.contentType === 3 && path.commit.path');
    const rm = (removed: number) => ({ type: 1 as const, proposal: { proposalType: 3 as const, remove: { removed } } });
    rejects(w.ds, signedCommit(bob, { proposals: [rm(2), rm(2)], path: path.commit.path }), 'V-PROP-01');
    rejects(w.ds, signedCommit(bob, { proposals: [rm(1)], path: path.commit.path }), 'V-PROP-02');
  });

  it('V-PROP-11: a proposal reference not received in this epoch is rejected (public group)', () => {
    rejects(w.ds, signedCommit(bob, { proposals: [{ type: 2, reference: new Uint8Array(32) }] }), 'V-PROP-11');
  });

  it('V-COMMIT-01: a Remove without a path is rejected (public group)', () => {
    const rm = { type: 1 as const, proposal: { proposalType: 3 as const, remove: { removed: 2 } } };
    rejects(w.ds, signedCommit(bob, { proposals: [rm] }), 'V-COMMIT-01');
  });

  it('V-PATH-04: an UpdatePath whose leaf carries a wrong parent hash is rejected (public group)', () => {
    const content = publicMessage(update).content;
    assert.ok(content.contentType === 3 && content.commit.path, 'content.contentType === 3 && content.commit.path');
    const { signature: _s, ...leaf } = { ...content.commit.path.leafNode, parentHash: new Uint8Array(32).fill(9) };
    const cs = deps.crypto.suite(1);
    const signature = signWithLabel(cs, bob.signaturePrivateKey, 'LeafNodeTBS', encodeLeafNodeTbs(leaf, bob.context.groupId, bob.ownLeaf));
    const path = { ...content.commit.path, leafNode: { ...leaf, signature } };
    rejects(w.ds, signedCommit(bob, { proposals: [], path }), 'V-PATH-04');
    // Unsigned tampering is caught by the leaf signature first.
    const badLeaf = { ...content.commit.path, leafNode: { ...content.commit.path.leafNode, parentHash: new Uint8Array(32) } };
    rejects(w.ds, signedCommit(bob, { proposals: [], path: badLeaf }), 'V-LEAF-01');
  });

  it('V-KP-07 / V-COMMIT-04: the validateCredential hook rejects new and changed leaves (public group)', () => {
    const strict: mls.PublicGroupDeps = { ...deps, validateCredential: (c) => 'identity' in c && text(c.identity) !== 'mallory' };
    const ws = fourMembers(strict);
    const mallory = keyPackages('mallory').get('mallory') as mls.NewKeyPackage;
    const add = mls.addMembers(deps, ws.get('alice'), [mallory.bytes]).commit;
    assert.throws(
      () => mls.processPublicMessage(strict, ws.ds, add),
      (e: unknown) => e instanceof mls.ValidationError && e.code === 'V-KP-07',
    );
    const gi = mls.createGroupInfo(deps, ws.get('alice'), { externalPub: true });
    const ext = mls.joinByExternalCommit(deps, gi, { credential: cred('mallory') }).commit;
    assert.throws(
      () => mls.processPublicMessage(strict, ws.ds, ext),
      (e: unknown) => e instanceof mls.ValidationError && e.code === 'V-COMMIT-04',
    );
  });

  it('V-WELC-03 / V-WELC-07 / V-TREE-01: a bad GroupInfo or tree is rejected by createPublicGroup', () => {
    const gi = decodeMlsMessage(mls.createGroupInfo(deps, bob, { ratchetTree: true }));
    assert.ok(gi.wireFormat === 4, 'gi.wireFormat === 4');
    const sig = gi.groupInfo.signature.slice();
    sig[3] = (sig[3] as number) ^ 1;
    const forged = { ...gi.groupInfo, signature: sig };
    assert.throws(
      () => mls.createPublicGroup(deps, forged),
      (e: unknown) => e instanceof mls.ValidationError && e.code === 'V-WELC-03',
    );
    const noTree = mls.createGroupInfo(deps, bob, { ratchetTree: false });
    assert.throws(
      () => mls.createPublicGroup(deps, noTree),
      (e: unknown) => e instanceof mls.ValidationError && e.code === 'V-WELC-07',
    );
    // The tree of the previous epoch: bob's leaf signs, but the tree hash is not the GroupContext's.
    const next = mls.updateKey(deps, w.get('carol'));
    const bob2 = mls.processMessage(deps, bob, next.commit);
    assert.ok(bob2.kind === 'commit', "bob2.kind === 'commit'");
    const gi2 = mls.createGroupInfo(deps, bob2.group, { ratchetTree: false });
    assert.throws(
      () => mls.createPublicGroup(deps, gi2, { ratchetTree: bob.tree.toBytes() }),
      (e: unknown) => e instanceof mls.ValidationError && e.code === 'V-TREE-01',
    );
  });

  it('V-DS-01: a group registered from its first commit must start at epoch 0 with one member and a commit', () => {
    const bad = (groupInfo: Uint8Array, commit: Uint8Array) =>
      assert.throws(
        () => mls.createPublicGroupFromFirstCommit(deps, { groupInfo, commit }),
        (e: unknown) => e instanceof mls.ValidationError && e.code === 'V-DS-01',
      );
    // A GroupInfo of epoch 1 is not a group's birth.
    bad(mls.createGroupInfo(deps, bob, {}), update);
    // An epoch-0 GroupInfo followed by a proposal instead of a commit.
    const solo = mls.createGroup(deps, { cipherSuite: 1, credential: cred('solo'), config });
    const prop = mls.proposeAdd(deps, solo, (keyPackages('y').get('y') as mls.NewKeyPackage).bytes);
    bad(mls.createGroupInfo(deps, solo, {}), prop.message);
  });

  it("V-DS-04: a commit's Welcome must be of the group's suite and name exactly the KeyPackages it adds", () => {
    const ws = fourMembers();
    const kps = keyPackages('erin', 'frank');
    const out = mls.addMembers(
      deps,
      ws.get('alice'),
      [...kps.values()].map((k) => k.bytes),
    );
    const r = mls.processPublicMessage(deps, ws.ds, out.commit);
    assert.ok(r.kind === 'commit' && out.welcome, 'an add commit with its Welcome');
    assert.equal(r.addedKeyPackageRefs.length, 2);
    mls.checkWelcome(r.group, out.welcome, r.addedKeyPackageRefs);
    const bad = (welcome: Uint8Array, refs: readonly Uint8Array[] = r.addedKeyPackageRefs) =>
      assert.throws(
        () => mls.checkWelcome(r.group, welcome, refs),
        (e: unknown) => e instanceof mls.ValidationError && e.code === 'V-DS-04',
      );
    bad(Uint8Array.from([0, 1, 0, 3, 9, 9, 9])); // a Welcome header on garbage
    bad(out.commit); // not a Welcome
    bad(out.welcome, r.addedKeyPackageRefs.slice(0, 1)); // names a KeyPackage the commit did not add
    const other = mls.addMembers(deps, ws.get('alice'), [(keyPackages('gina').get('gina') as mls.NewKeyPackage).bytes]);
    bad(other.welcome!); // the Welcome of another commit
  });

  it("V-DS-03: a GroupInfo kept for external joins must be of the DS's current epoch, with the commit's confirmation tag and external_pub", () => {
    const ws = fourMembers();
    const current = mls.createGroupInfo(deps, ws.get('alice'), { ratchetTree: false, externalPub: true });
    mls.checkGroupInfo(deps, ws.ds, current);
    // A device that lost its state rejoins with it and the DS's own tree; the DS verifies that commit.
    const ratchetTree = decodeRatchetTree(mls.exportPublicRatchetTree(ws.ds));
    const rejoin = mls.joinByExternalCommit(deps, current, { credential: cred('dave'), ratchetTree, removeLeaf: 3 });
    const r = mls.processPublicMessage(deps, ws.ds, rejoin.commit);
    assert.ok(r.kind === 'commit', "r.kind === 'commit'");
    assert.deepEqual(names(r.removed), ['dave']);
    const bad = (gi: Uint8Array, code = 'V-DS-03') =>
      assert.throws(
        () => mls.checkGroupInfo(deps, ws.ds, gi),
        (e: unknown) => e instanceof mls.ValidationError && e.code === code,
      );
    bad(mls.createGroupInfo(deps, ws.get('alice'), { ratchetTree: false, externalPub: false }));
    // Of the previous epoch, once a commit moved the DS on.
    ws.commit('bob', mls.updateKey(deps, ws.get('bob')));
    bad(current);
    // Not a GroupInfo at all.
    bad(mls.createKeyPackage(deps, { cipherSuite: 1, credential: cred('x') }).bytes);
    // The current one with a forged signature.
    const fresh = decodeMlsMessage(mls.createGroupInfo(deps, ws.get('carol'), { ratchetTree: false, externalPub: true }));
    assert.ok(fresh.wireFormat === 4, 'fresh.wireFormat === 4');
    const sig = fresh.groupInfo.signature.slice();
    sig[0] = (sig[0] as number) ^ 1;
    bad(encodeMlsMessage({ ...fresh, groupInfo: { ...fresh.groupInfo, signature: sig } }), 'V-WELC-03');
  });
});

// ---- frozen storage vectors (STYLE.md rule 9) ----

// Generated once (2026-11-30) from a two-member group (alice, bob) at epoch 1 whose DS state holds bob's Update
// proposal by reference, and alice's commit of it. Never regenerate to make a failing test pass: a failure means
// stored public groups of the Delivery Service would no longer load or verify.
const STATE_V1 = [
  '504701000100011366726f7a656e2d7075626c69632d67726f7570000000000000000120dc5299d6f23a4b25060d7d173cea',
  'd495bfad347e8664602613d3f45480942732209cf752ac762325f822ebdd5e7330b4e5713b427c6eef7f70dcb54ade2669b8',
  '250041590101204e8b2d7866546f230d0e5ea0b4d5c9e6f4f5b0eb787bb5fcd951d38ae2ccc9002096245159d57c85d400c6',
  '7faa577dd9fdae1ee4c9b7afa654eb6d25defd6f6ea7000105616c69636502000102000102000a0002000101000000006b49',
  'c3f0000000006bc07900004040ce2312d4cbe46d26797e41111e5638f2ade4fd46e2067a1bc0a820727310e9f0d46fd28e9f',
  'fcbca80f9c5c0063bed4293e6b8f213bd910b1379422fe9172f3030001012022bddae3c27350bf98566aef14bfb66ca48569',
  '30fc8551c9cf2a78a98bad3b5c2006af7b55d257a3d9ad21b4cb8338611225b43b133264a7c4988e1c934503aa2300010362',
  '6f6202000102000102000a0002000101000000006b49c3f0000000006bc079000040401ae792148ee8cfe74c4b797e052b72',
  'd500495f92016f690cc84f91026b78e8550cd8e2df85290b3c8054348cbf390f931482cd65099d8706afbb1ffda1ee3d0d20',
  '8349b778389d612f83551ccd05a91e2c1816d9effe1800c11f1e93682f0561ce40c12043c1c87c51395535e3cc9b45e71480',
  '48503d3424c6108aee70aabf465aa7ad27000220216eace308358db7ab1cfe0ec46a1f1a06cd6c8561cca9b25956bd965856',
  '79492006af7b55d257a3d9ad21b4cb8338611225b43b133264a7c4988e1c934503aa23000103626f6202000102000102000a',
  '00020001020040406fd79d80dc4296c822216a82f69d8bab22b3dd9acd9dc60c632052a7b5c212636dba9bfaa11a0071518f',
  '15571a3c70c8c138371fdfbfdd47b76d86f6195c50090100000001',
].join('');
const COMMIT = [
  '000100011366726f7a656e2d7075626c69632d67726f757000000000000000010100000000000322022043c1c87c51395535',
  'e3cc9b45e7148048503d3424c6108aee70aabf465aa7ad270120c099087288ce92aaceb4a5886df0aa6a4693a2303c3b1462',
  'b2df545460e9322e2096245159d57c85d400c67faa577dd9fdae1ee4c9b7afa654eb6d25defd6f6ea7000105616c69636502',
  '000102000102000a000200010320fe63ed8b7afc62be5c8e17cebe25f4490122c2bc95301f63eed41de49ded25d70040406a',
  '6e47b2bebbd9ccfdb98868ae7278005544f3565f048e1989f60d105e886c74707fadea59a58fa62cfa0c3ad8fcd7e950fd19',
  '096674663be97681fc6e7b21054075203a43d91ee4d36e9ef61b4a4e1b94fea8f7a7012a6c2f674b44604a6dfc9f2f1d4052',
  '203c75e481cf2e2555a757fbe8fb035219b71963b540b6bae6216117a14ee65077309fcc1216e9c7b3b4587339b8f1060d65',
  '12937eb968e3bfc9511e6346f3ed28cb029e69d14d1047426bf71e0295a4ee494040847a85c4190cdd99be2b60e3568ec1c0',
  '7858d2512b43cd783904711b23d372c0bc076d90a8ab9a6ee13911e95cdf7aeecc1997ca6b2716e0302590ffe0934b0f20df',
  '6dee354e38dbd6427091f217657cc3f38c3d60e460400cacb476dcd4fa57fb200710b5af30f7dd4bbc89dfae4db5e7d439ce',
  'd04787231eb38c424ae508edab13',
].join('');
const TREE_HASH_AFTER = '711ee3fcb9a3cc81987b27e36cbcb2e20b86fdb612b7703ec8756bb7a8ac40a7';
const CONFIRMED_AFTER = 'd414480d50a76aac1d923c462cabc0a90c307b5c41843ffb1391dcbdeede69dd';
const STATE_AFTER_SHA256 = 'bc325985c2781a6ab800d739343389f58c63c219ed98b5d25a0e2c1550da3934';

/** Format 2 (generated 2026-11-30): a one-member group whose first commit was a ReInit, closed at epoch 1. */
const CLOSED_STATE_V2 = [
  '504702000100011366726f7a656e2d636c6f7365642d67726f7570000000000000000120ded8549098b7feed31fbc86ee075',
  '6ff9371fd2cea771ebdf8219c36825c449ae2056f6021897d1cf34ad0feaa39eb968aac605d9cd0c1b10ce5d4a7502bb22cd',
  'a80040ad010120ca2fcdfcc1663cd4a9913f94e391127d5d21cf493c0c318a7d4801df098b1c3a2014cb7dc87196f2e61bbb',
  '60517036667743ff5790d515d8e28457a9ca26818c94000105616c69636502000102000102000a0002000101000000006b49',
  'c3f0000000006bc07900004040a2864e98ff95c6ff53521fcce1238ff34f24085f7d81dea4d333648e48d89e1bb499e0efed',
  'c4eb8c3576e21c3bcd37f22719e1266b6247b341c03662f8d4330f20b8dd72dbce451df4e5c229cefa6a1ebc4111364071a9',
  'd5ddf92408532f5b3d4c001166726f7a656e2d6e6578742d67726f757000010001000000000000000001',
].join('');

describe('PublicGroup storage format', () => {
  it('public group state format v2 (closed by a ReInit) still loads and re-serialises identically', () => {
    const ds = mls.deserializePublicGroup(deps, hex(CLOSED_STATE_V2));
    assert.equal(toHex(mls.serializePublicGroup(ds)), CLOSED_STATE_V2);
    assert.equal(ds.reinit?.epoch, 1n);
    assert.equal(text(ds.reinit?.proposal.groupId ?? new Uint8Array(0)), 'frozen-next-group');
  });

  it('public group state format v1 still loads, verifies the next commit and re-serialises identically', () => {
    const ds = mls.deserializePublicGroup(deps, hex(STATE_V1));
    assert.equal(toHex(mls.serializePublicGroup(ds)), STATE_V1);
    assert.equal(ds.context.epoch, 1n);
    assert.equal(text(ds.context.groupId), 'frozen-public-group');
    assert.equal(ds.pending.length, 1);
    assert.deepEqual(
      mls.publicGroupMembers(ds).map((m) => text(m.identity)),
      ['alice', 'bob'],
    );
    const r = mls.processPublicMessage(deps, ds, hex(COMMIT));
    assert.ok(r.kind === 'commit', "r.kind === 'commit'");
    assert.equal(r.newEpoch, 2n);
    assert.deepEqual(names(r.updated), ['bob']);
    assert.equal(toHex(r.group.context.treeHash), TREE_HASH_AFTER);
    assert.equal(toHex(r.group.context.confirmedTranscriptHash), CONFIRMED_AFTER);
    assert.equal(toHex(deps.crypto.suite(1).hash(mls.serializePublicGroup(r.group))), STATE_AFTER_SHA256);
  });

  it('a state of an unknown format version or of another kind is refused', () => {
    const bytes = mls.serializePublicGroup(fourMembers().ds);
    const v = bytes.slice();
    v[2] = 99;
    assert.throws(() => mls.deserializePublicGroup(deps, v), mls.DecodeError);
    assert.throws(() => mls.deserializePublicGroup(deps, bytes.slice(0, bytes.length - 1)), mls.DecodeError);
    const member = mls.serializeGroup(mls.createGroup(deps, { cipherSuite: 1, credential: cred('z') }));
    assert.throws(() => mls.deserializePublicGroup(deps, member), mls.DecodeError);
  });
});
