// Public API of @sotto/mls (src/index.ts) with 2-5 members: every operation, both wire formats, persistence,
// external joins, PSKs, group context extensions, redaction, and state left unchanged by a rejected message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import * as mls from '../src/index.js';
import { toHex } from '../src/util/bytes.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const PSK_ID = utf8('team-psk');
const PSK = new Uint8Array(32).fill(7);
const deps: mls.GroupDeps = {
  crypto: createNativeProvider(),
  rng: nativeRandom,
  now: () => 1_800_000_000n,
  externalPsk: (id) => (toHex(id) === toHex(PSK_ID) ? PSK : undefined),
};
const cred = (name: string): mls.Credential => ({ credentialType: 1, identity: utf8(name) });

/** A tiny in-memory "delivery service": every member's current state by name. */
class Net {
  readonly g = new Map<string, mls.Group>();
  /** Applies our own commit output and delivers it to everyone else. */
  commit(from: string, out: mls.CommitOutput): void {
    this.g.set(from, out.group);
    for (const [name, st] of this.g) {
      if (name === from) continue;
      const r = mls.processMessage(deps, st, out.commit);
      assert.equal(r.kind, 'commit');
      if (r.kind === 'commit' && r.removedSelf) this.g.delete(name);
      else this.g.set(name, r.group);
    }
  }
  deliver(from: string, message: Uint8Array): void {
    for (const [name, st] of this.g) if (name !== from) this.g.set(name, mls.processMessage(deps, st, message).group);
  }
  get(name: string): mls.Group {
    const s = this.g.get(name);
    assert.ok(s, `no state for ${name}`);
    return s;
  }
  assertInSync(): void {
    const auths = new Set([...this.g.values()].map((s) => toHex(mls.epochAuthenticator(s))));
    assert.equal(auths.size, 1, 'every member has the same epoch authenticator');
    const trees = new Set([...this.g.values()].map((s) => toHex(s.context.treeHash)));
    assert.equal(trees.size, 1);
  }
  chat(): void {
    for (const [from, st] of [...this.g]) {
      const { group, message } = mls.encryptMessage(deps, st, utf8(`hello from ${from}`));
      this.g.set(from, group);
      for (const [to, st2] of [...this.g]) {
        if (to === from) continue;
        const r = mls.processMessage(deps, st2, message);
        assert.ok(r.kind === 'application');
        assert.equal(text(r.data), `hello from ${from}`);
        assert.equal(text(r.sender.identity), from);
        this.g.set(to, r.group);
      }
    }
  }
}

function join(net: Net, welcome: Uint8Array | undefined, name: string, kp: mls.NewKeyPackage, ratchetTree?: Uint8Array): void {
  assert.ok(welcome);
  net.g.set(name, mls.joinFromWelcome(deps, welcome, kp, ratchetTree ? { ratchetTree } : {}));
}

function fiveMembers(handshakeAsPrivate: boolean): Net {
  const net = new Net();
  net.g.set('alice', mls.createGroup(deps, { cipherSuite: 1, credential: cred('alice'), config: { handshakeAsPrivate } }));
  const names = ['bob', 'carol', 'dave', 'erin'];
  const kps = names.map((n) => mls.createKeyPackage(deps, { cipherSuite: 1, credential: cred(n) }));
  const out = mls.addMembers(
    deps,
    net.get('alice'),
    kps.map((k) => k.bytes),
  );
  net.commit('alice', out);
  names.forEach((n, i) => {
    join(net, out.welcome, n, kps[i] as mls.NewKeyPackage);
  });
  return net;
}

for (const priv of [true, false]) {
  test(`five members, all operations, handshake as ${priv ? 'PrivateMessage' : 'PublicMessage'}`, () => {
    const net = fiveMembers(priv);
    net.assertInSync();
    assert.equal(mls.members(net.get('carol')).length, 5);
    net.chat();
    // Each member refreshes its keys with a path commit.
    for (const n of ['bob', 'erin', 'alice']) {
      net.commit(n, mls.updateKey(deps, net.get(n)));
      net.assertInSync();
    }
    // Update proposals by reference, committed by someone else.
    const p1 = mls.proposeUpdateKey(deps, net.get('dave'));
    net.g.set('dave', p1.group);
    net.deliver('dave', p1.message);
    const p2 = mls.proposeUpdateKey(deps, net.get('carol'));
    net.g.set('carol', p2.group);
    net.deliver('carol', p2.message);
    const c = mls.commit(deps, net.get('bob'));
    assert.equal(c.updated.length, 2);
    net.commit('bob', c);
    net.assertInSync();
    net.chat();
    // Remove proposal by reference from one member, committed by another.
    const rp = mls.proposeRemove(deps, net.get('erin'), mls.ownLeafIndex(net.get('dave')));
    net.g.set('erin', rp.group);
    net.deliver('erin', rp.message);
    const rc = mls.commit(deps, net.get('carol'));
    assert.deepEqual(
      rc.removed.map((m) => text(m.identity)),
      ['dave'],
    );
    net.commit('carol', rc);
    assert.equal(net.g.size, 4);
    net.assertInSync();
    // Remove by value, then re-add with the tree delivered out of band.
    net.commit('alice', mls.removeMembers(deps, net.get('alice'), [mls.ownLeafIndex(net.get('bob'))]));
    const bob2 = mls.createKeyPackage(deps, { cipherSuite: 1, credential: cred('bob') });
    const add = mls.addMembers(deps, net.get('erin'), [bob2.keyPackage], { ratchetTreeInWelcome: false });
    net.commit('erin', add);
    join(net, add.welcome, 'bob', bob2, add.ratchetTree);
    net.assertInSync();
    net.chat();
    // Add proposal by reference.
    const dave2 = mls.createKeyPackage(deps, { cipherSuite: 1, credential: cred('dave') });
    const ap = mls.proposeAdd(deps, net.get('carol'), dave2.bytes);
    net.g.set('carol', ap.group);
    net.deliver('carol', ap.message);
    const ac = mls.commit(deps, net.get('alice'));
    net.commit('alice', ac);
    join(net, ac.welcome, 'dave', dave2);
    assert.equal(net.g.size, 5);
    net.assertInSync();
    net.chat();
    const ex = [...net.g.values()].map((s) => toHex(mls.exportSecret(deps, s, 'sotto test', utf8('ctx'), 32)));
    assert.equal(new Set(ex).size, 1);
  });
}

test('external PSK proposal and commit; new member receives the PSK id in the Welcome', () => {
  const net = fiveMembers(true);
  const psk: mls.PreSharedKeyID = { pskType: 1, pskId: PSK_ID, pskNonce: deps.rng(32) };
  const kp = mls.createKeyPackage(deps, { cipherSuite: 1, credential: cred('frank') });
  const out = mls.commit(deps, net.get('bob'), {
    proposals: [
      { proposalType: mls.ProposalType.psk, psk: { psk } },
      { proposalType: mls.ProposalType.add, add: { keyPackage: kp.keyPackage } },
    ],
  });
  net.commit('bob', out);
  join(net, out.welcome, 'frank', kp);
  net.assertInSync();
  // Resumption PSK of the previous epoch.
  const g = net.get('carol');
  const res: mls.PreSharedKeyID = { pskType: 2, usage: 1, pskGroupId: mls.groupId(g), pskEpoch: mls.epoch(g), pskNonce: deps.rng(32) };
  net.commit('carol', mls.commit(deps, g, { proposals: [{ proposalType: mls.ProposalType.psk, psk: { psk: res } }] }));
  net.assertInSync();
});

test('group context extensions: required_capabilities and external_senders', () => {
  const net = fiveMembers(true);
  const senderKey = deps.crypto.suite(1).generateSignatureKeyPair(deps.rng);
  const extensions: mls.Extension[] = [
    {
      extensionType: mls.ExtensionType.required_capabilities,
      extensionData: mls.encodeRequiredCapabilities({ extensionTypes: [], proposalTypes: [], credentialTypes: [1] }),
    },
    {
      extensionType: mls.ExtensionType.external_senders,
      extensionData: mls.encodeExternalSenders([{ signatureKey: senderKey.publicKey, credential: cred('server') }]),
    },
  ];
  net.commit('dave', mls.setGroupExtensions(deps, net.get('dave'), extensions));
  net.assertInSync();
  assert.equal(net.get('alice').context.extensions.length, 2);
  net.chat();
  // The external sender (e.g. the delivery service) proposes removing erin; carol commits it by reference.
  const g = net.get('carol');
  const from = { cipherSuite: 1, groupId: mls.groupId(g), epoch: mls.epoch(g), senderIndex: 0, signaturePrivateKey: senderKey.privateKey };
  const prop = mls.proposeAsExternalSender(deps, from, {
    proposalType: mls.ProposalType.remove,
    remove: { removed: mls.ownLeafIndex(net.get('erin')) },
  });
  for (const [n, st] of [...net.g]) {
    const r = mls.processMessage(deps, st, prop);
    assert.ok(r.kind === 'proposal' && r.sender.senderType === mls.SenderType.external);
    net.g.set(n, r.group);
  }
  const c = mls.commit(deps, net.get('carol'));
  assert.deepEqual(
    c.removed.map((m) => text(m.identity)),
    ['erin'],
  );
  net.commit('carol', c);
  assert.equal(net.g.size, 4);
  net.assertInSync();
  // A forged external proposal (wrong key) is rejected.
  const forged = mls.proposeAsExternalSender(
    deps,
    {
      ...from,
      epoch: mls.epoch(net.get('carol')),
      signaturePrivateKey: deps.crypto.suite(1).generateSignatureKeyPair(deps.rng).privateKey,
    },
    { proposalType: mls.ProposalType.remove, remove: { removed: 0 } },
  );
  assert.throws(
    () => mls.processMessage(deps, net.get('bob'), forged),
    (e: mls.MlsError) => e.code === 'V-FRM-04',
  );
});

test('external commit join and resync', () => {
  const net = fiveMembers(false);
  const gi = mls.createGroupInfo(deps, net.get('carol'));
  const j = mls.joinByExternalCommit(deps, gi, { credential: cred('grace') });
  net.g.set('grace', j.group);
  for (const [n, st] of [...net.g]) {
    if (n === 'grace') continue;
    const r = mls.processMessage(deps, st, j.commit);
    assert.ok(r.kind === 'commit' && r.added.length === 1);
    net.g.set(n, r.group);
  }
  net.assertInSync();
  net.chat();
  // Erin lost her state: she rejoins externally, removing her old leaf.
  const old = mls.ownLeafIndex(net.get('erin'));
  net.g.delete('erin');
  const gi2 = mls.createGroupInfo(deps, net.get('grace'));
  const j2 = mls.joinByExternalCommit(deps, gi2, { credential: cred('erin'), removeLeaf: old });
  for (const [n, st] of [...net.g]) net.g.set(n, mls.processMessage(deps, st, j2.commit).group);
  net.g.set('erin', j2.group);
  assert.equal(net.g.size, 6);
  net.assertInSync();
  net.chat();
});

test('serializeGroup/deserializeGroup round trip keeps a working member', () => {
  const net = fiveMembers(true);
  net.chat();
  for (const [n, st] of [...net.g]) net.g.set(n, mls.deserializeGroup(deps, mls.serializeGroup(st)));
  net.chat();
  net.commit('erin', mls.updateKey(deps, net.get('erin')));
  net.assertInSync();
  assert.deepEqual(mls.serializeGroup(mls.deserializeGroup(deps, mls.serializeGroup(net.get('bob')))), mls.serializeGroup(net.get('bob')));
  assert.throws(() => mls.deserializeGroup(deps, mls.serializeGroup(net.get('bob')).subarray(0, 50)), mls.DecodeError);
});

test('a group prints without secrets', () => {
  const g = mls.createGroup(deps, { cipherSuite: 1, credential: cred('alice') });
  const secret = toHex(g.signaturePrivateKey);
  for (const s of [String(g), JSON.stringify(g), inspect(g, { depth: 10 })]) {
    assert.ok(!s.includes(secret));
    assert.match(s, /redacted/);
  }
  const kp = mls.createKeyPackage(deps, { cipherSuite: 1, credential: cred('bob') });
  assert.ok(!inspect(kp.privateKeys).includes(toHex(kp.privateKeys.initPrivateKey)));
});

test('a rejected message leaves the state unchanged and usable', () => {
  const net = fiveMembers(true);
  const bob = net.get('bob');
  const before = mls.serializeGroup(bob);
  const out = mls.updateKey(deps, net.get('alice'));
  const bad = out.commit.slice();
  bad[bad.length - 5] = (bad[bad.length - 5] as number) ^ 1;
  assert.throws(() => mls.processMessage(deps, bob, bad), mls.MlsError);
  assert.deepEqual(mls.serializeGroup(bob), before);
  const m = mls.encryptMessage(deps, net.get('carol'), utf8('x'));
  const badMsg = m.message.slice();
  badMsg[badMsg.length - 1] = (badMsg[badMsg.length - 1] as number) ^ 1;
  assert.throws(() => mls.processMessage(deps, bob, badMsg), mls.ValidationError);
  assert.deepEqual(mls.serializeGroup(bob), before);
  // The good messages still work afterwards.
  const r = mls.processMessage(deps, bob, m.message);
  assert.ok(r.kind === 'application' && text(r.data) === 'x');
  net.commit('alice', out);
  net.assertInSync();
});

test('credential validation hook rejects a KeyPackage it does not accept', () => {
  const strict: mls.GroupDeps = { ...deps, validateCredential: (c) => 'identity' in c && text(c.identity).endsWith('@sotto.example') };
  const g = mls.createGroup(strict, { cipherSuite: 1, credential: cred('alice@sotto.example') });
  const ok = mls.createKeyPackage(strict, { cipherSuite: 1, credential: cred('bob@sotto.example') });
  const bad = mls.createKeyPackage(strict, { cipherSuite: 1, credential: cred('mallory@evil.example') });
  assert.ok(mls.addMembers(strict, g, [ok.bytes]).welcome);
  assert.throws(
    () => mls.addMembers(strict, g, [bad.bytes]),
    (e: mls.MlsError) => e.code === 'V-KP-07',
  );
});

test('a commit leaves out pending proposals it may not include (a Remove of the committer, a second Remove)', () => {
  const net = fiveMembers(true);
  const bobLeaf = mls.ownLeafIndex(net.get('bob'));
  const p1 = mls.proposeRemove(deps, net.get('carol'), bobLeaf);
  net.g.set('carol', p1.group);
  net.deliver('carol', p1.message);
  const p2 = mls.proposeRemove(deps, net.get('dave'), bobLeaf);
  net.g.set('dave', p2.group);
  net.deliver('dave', p2.message);
  const p3 = mls.proposeRemove(deps, net.get('erin'), mls.ownLeafIndex(net.get('alice')));
  net.g.set('erin', p3.group);
  net.deliver('erin', p3.message);
  // Alice cannot commit her own removal; she commits bob's removal once.
  const c = mls.commit(deps, net.get('alice'));
  assert.deepEqual(
    c.removed.map((m) => text(m.identity)),
    ['bob'],
  );
  net.commit('alice', c);
  assert.equal(net.g.size, 4);
  net.assertInSync();
});

test('a late application message of the previous epoch is still decrypted (config.pastEpochs)', () => {
  const net = fiveMembers(true);
  const late = mls.encryptMessage(deps, net.get('bob'), utf8('sent before the commit'));
  net.g.set('bob', late.group);
  net.commit('alice', mls.updateKey(deps, net.get('alice')));
  const carol = net.get('carol');
  const r = mls.processMessage(deps, carol, late.message);
  assert.ok(r.kind === 'application' && text(r.data) === 'sent before the commit');
  // Each key decrypts once (V-FRM-11), and survives persistence.
  const restored = mls.deserializeGroup(deps, mls.serializeGroup(r.group));
  assert.throws(
    () => mls.processMessage(deps, restored, late.message),
    (e: mls.MlsError) => e.code === 'V-FRM-11',
  );
  // Two epochs later it is gone (default keeps one past epoch).
  net.commit('dave', mls.updateKey(deps, net.get('dave')));
  assert.throws(
    () => mls.processMessage(deps, net.get('erin'), late.message),
    (e: mls.MlsError) => e.code === 'V-FRM-02',
  );
});

test('joinFromWelcomeWithCommitter names the leaf whose commit added us (the GroupInfo signer, RFC 9420 §12.4.3.1)', () => {
  const net = fiveMembers(false);
  const frank = mls.createKeyPackage(deps, { cipherSuite: 1, credential: cred('frank') });
  const carol = net.get('carol');
  const out = mls.addMembers(deps, carol, [frank.bytes]);
  assert.ok(out.welcome);
  const own = { keyPackage: frank.keyPackage, privateKeys: frank.privateKeys };
  const { group, committer } = mls.joinFromWelcomeWithCommitter(deps, out.welcome, own, { config: { handshakeAsPrivate: false } });
  assert.equal(committer, mls.ownLeafIndex(carol));
  assert.equal(text(mls.members(group).find((m) => m.leafIndex === committer)!.identity), 'carol');
});
