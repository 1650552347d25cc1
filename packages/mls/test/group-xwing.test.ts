// A full RFC 9420 group lifecycle on the X-Wing suite 0x004D (MLS_256_XWING_CHACHA20POLY1305_SHA256_Ed25519): create,
// add by Welcome, application messages, Update, Remove, external join, on each provider and across them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import { createPortableProvider, portableRandom } from '../src/crypto/portable/index.js';
import * as mls from '../src/index.js';
import { toHex } from '../src/util/bytes.js';
import { decodeMlsMessage, WireFormat } from '../src/wire/index.js';

const SUITE = mls.CipherSuiteId.MLS_256_XWING_CHACHA20POLY1305_SHA256_Ed25519;
const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const cred = (name: string): mls.Credential => ({ credentialType: 1, identity: utf8(name) });

type Kind = 'native' | 'portable';
/** Every member is its own client with its own provider instance (no caches shared between members). */
function depsFor(kind: Kind): mls.GroupDeps {
  return kind === 'native'
    ? { crypto: createNativeProvider(), rng: nativeRandom, now: () => 1_800_000_000n }
    : { crypto: createPortableProvider(), rng: portableRandom, now: () => 1_800_000_000n };
}

/** An in-memory delivery service: every member's state and deps by name. */
class Net {
  readonly g = new Map<string, mls.Group>();
  readonly deps = new Map<string, mls.GroupDeps>();
  d(name: string): mls.GroupDeps {
    const d = this.deps.get(name);
    assert.ok(d, `no deps for ${name}`);
    return d;
  }
  get(name: string): mls.Group {
    const s = this.g.get(name);
    assert.ok(s, `no state for ${name}`);
    return s;
  }
  /** Applies our own commit and delivers it to everyone else. */
  commit(from: string, out: { group: mls.Group; commit: Uint8Array }): void {
    this.g.set(from, out.group);
    for (const [name, st] of [...this.g]) {
      if (name === from) continue;
      const r = mls.processMessage(this.d(name), st, out.commit);
      assert.equal(r.kind, 'commit');
      if (r.kind === 'commit' && r.removedSelf) this.g.delete(name);
      else this.g.set(name, r.group);
    }
  }
  deliver(from: string, message: Uint8Array): void {
    for (const [name, st] of [...this.g]) if (name !== from) this.g.set(name, mls.processMessage(this.d(name), st, message).group);
  }
  joinWelcome(name: string, welcome: Uint8Array | undefined, kp: mls.NewKeyPackage): void {
    assert.ok(welcome);
    this.g.set(name, mls.joinFromWelcome(this.d(name), welcome, kp));
  }
  assertInSync(): void {
    const auths = new Set([...this.g.values()].map((s) => toHex(mls.epochAuthenticator(s))));
    assert.equal(auths.size, 1, 'every member has the same epoch authenticator');
    const epochs = new Set([...this.g.values()].map((s) => mls.epoch(s)));
    assert.equal(epochs.size, 1);
    const ex = new Set([...this.g].map(([n, s]) => toHex(mls.exportSecret(this.d(n), s, 'sotto xwing', utf8('ctx'), 32))));
    assert.equal(ex.size, 1, 'every member exports the same secret');
  }
  chat(): void {
    for (const [from, st] of [...this.g]) {
      const { group, message } = mls.encryptMessage(this.d(from), st, utf8(`hello from ${from}`));
      this.g.set(from, group);
      for (const [to, st2] of [...this.g]) {
        if (to === from) continue;
        const r = mls.processMessage(this.d(to), st2, message);
        assert.ok(r.kind === 'application');
        assert.equal(text(r.data), `hello from ${from}`);
        this.g.set(to, r.group);
      }
    }
  }
}

/** alice creates; bob, carol, dave join by Welcome; then Update (path and by reference), Remove, external join. */
function lifecycle(kinds: Record<'alice' | 'bob' | 'carol' | 'dave' | 'erin', Kind>, handshakeAsPrivate: boolean): void {
  const net = new Net();
  for (const [n, k] of Object.entries(kinds)) net.deps.set(n, depsFor(k));
  net.g.set('alice', mls.createGroup(net.d('alice'), { cipherSuite: SUITE, credential: cred('alice'), config: { handshakeAsPrivate } }));

  // Add by Welcome (RFC 9420 §12.1.1, §12.4.3.1): the Welcome's EncryptedGroupSecrets are HPKE SealBase to X-Wing keys.
  const kps = (['bob', 'carol', 'dave'] as const).map((n) => mls.createKeyPackage(net.d(n), { cipherSuite: SUITE, credential: cred(n) }));
  for (const kp of kps) assert.equal(kp.keyPackage.initKey.length, 1216);
  const add = mls.addMembers(
    net.d('alice'),
    net.get('alice'),
    kps.map((k) => k.bytes),
  );
  net.commit('alice', add);
  assert.ok(add.welcome);
  const welcome = decodeMlsMessage(add.welcome);
  assert.ok(welcome.wireFormat === WireFormat.mls_welcome);
  assert.equal(welcome.welcome.cipherSuite, SUITE);
  for (const s of welcome.welcome.secrets) assert.equal(s.encryptedGroupSecrets.kemOutput.length, 1120);
  (['bob', 'carol', 'dave'] as const).forEach((n, i) => net.joinWelcome(n, add.welcome, kps[i] as mls.NewKeyPackage));
  net.assertInSync();
  net.chat();

  // Update with a path (UpdatePath encrypts path secrets with SealBase to X-Wing node keys, RFC 9420 §12.4.2).
  for (const n of ['bob', 'dave', 'alice']) {
    net.commit(n, mls.updateKey(net.d(n), net.get(n)));
    net.assertInSync();
  }
  // Update proposal by reference (RFC 9420 §12.1.2), committed by someone else.
  const up = mls.proposeUpdateKey(net.d('carol'), net.get('carol'));
  net.g.set('carol', up.group);
  net.deliver('carol', up.message);
  const uc = mls.commit(net.d('bob'), net.get('bob'));
  assert.equal(uc.updated.length, 1);
  net.commit('bob', uc);
  net.assertInSync();
  net.chat();

  // Remove (RFC 9420 §12.1.3).
  net.commit('carol', mls.removeMembers(net.d('carol'), net.get('carol'), [mls.ownLeafIndex(net.get('dave'))]));
  assert.equal(net.g.size, 3);
  assert.ok(!net.g.has('dave'));
  net.assertInSync();

  // External join (RFC 9420 §12.4.3.2): ExternalInit's kem_output is an X-Wing Encap to external_pub (§8.3).
  const gi = mls.createGroupInfo(net.d('bob'), net.get('bob'));
  const j = mls.joinByExternalCommit(net.d('erin'), gi, { credential: cred('erin') });
  net.deps.set('erin', net.d('erin'));
  for (const [n, st] of [...net.g]) {
    const r = mls.processMessage(net.d(n), st, j.commit);
    assert.ok(r.kind === 'commit' && r.added.length === 1);
    net.g.set(n, r.group);
  }
  net.g.set('erin', j.group);
  assert.equal(net.g.size, 4);
  net.assertInSync();
  net.chat();
  net.commit('erin', mls.updateKey(net.d('erin'), net.get('erin')));
  net.assertInSync();
  // State survives persistence.
  for (const [n, st] of [...net.g]) net.g.set(n, mls.deserializeGroup(net.d(n), mls.serializeGroup(st)));
  net.chat();
}

describe('group lifecycle on suite 0x004D (X-Wing)', () => {
  it('native only (handshake as PrivateMessage)', () => {
    lifecycle({ alice: 'native', bob: 'native', carol: 'native', dave: 'native', erin: 'native' }, true);
  });
  it('portable only (handshake as PublicMessage)', () => {
    lifecycle({ alice: 'portable', bob: 'portable', carol: 'portable', dave: 'portable', erin: 'portable' }, false);
  });
  it('across providers: native creates, portable joins by Welcome and externally, both commit', () => {
    lifecycle({ alice: 'native', bob: 'portable', carol: 'native', dave: 'portable', erin: 'portable' }, true);
  });
  it('a KeyPackage for 0x004D is rejected by a group of suite 1 and vice versa (suite mismatch)', () => {
    const deps = depsFor('native');
    const g1 = mls.createGroup(deps, { cipherSuite: 1, credential: cred('alice') });
    const kpX = mls.createKeyPackage(deps, { cipherSuite: SUITE, credential: cred('bob') });
    assert.throws(() => mls.addMembers(deps, g1, [kpX.bytes]), mls.MlsError);
    const gX = mls.createGroup(deps, { cipherSuite: SUITE, credential: cred('alice') });
    const kp1 = mls.createKeyPackage(deps, { cipherSuite: 1, credential: cred('bob') });
    assert.throws(() => mls.addMembers(deps, gX, [kp1.bytes]), mls.MlsError);
  });
});
