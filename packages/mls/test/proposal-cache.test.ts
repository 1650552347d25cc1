// Proposals cached by reference (RFC 9420 §12.4) are bounded: a replayed proposal and a flood past the limit are
// refused (V-PROP-17) by members and by the Delivery Service's PublicGroup alike, leaving their state unchanged.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import { MAX_PENDING_PROPOSALS } from '../src/group/verify-commit.js';
import * as mls from '../src/index.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const deps: mls.GroupDeps = { crypto: createNativeProvider(), rng: nativeRandom, now: () => 1_800_000_000n };
const SUITE = mls.CipherSuiteId.MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;
const cred = (name: string): mls.Credential => ({ credentialType: mls.CredentialType.basic, identity: utf8(name) });

/** alice and bob with PublicMessage handshakes, and a PublicGroup following them. */
function setup() {
  const config = { handshakeAsPrivate: false };
  const bobKp = mls.createKeyPackage(deps, { cipherSuite: SUITE, credential: cred('bob') });
  const out = mls.addMembers(deps, mls.createGroup(deps, { cipherSuite: SUITE, credential: cred('alice'), config }), [bobKp.bytes]);
  const bob = mls.joinFromWelcome(deps, out.welcome as Uint8Array, bobKp, { config });
  const ds = mls.createPublicGroup(deps, mls.createGroupInfo(deps, out.group, { externalPub: false, ratchetTree: true }));
  return { alice: out.group, bob, ds };
}

function refused(f: () => unknown): void {
  assert.throws(f, (e: unknown) => e instanceof mls.ValidationError && e.code === 'V-PROP-17', 'V-PROP-17');
}

describe('proposal cache bounds (V-PROP-17)', () => {
  test('V-PROP-17: a replayed proposal is refused by a member and by the PublicGroup, state unchanged', () => {
    const { alice, bob, ds } = setup();
    const p = mls.proposeUpdateKey(deps, bob);
    const a1 = mls.processMessage(deps, alice, p.message);
    const d1 = mls.processPublicMessage(deps, ds, p.message);
    refused(() => mls.processMessage(deps, a1.group, p.message));
    refused(() => mls.processPublicMessage(deps, d1.group, p.message));
    assert.equal(a1.group.pending.length, 1, 'still one pending proposal');
    // The cached proposal still commits.
    const c = mls.commit(deps, a1.group);
    assert.equal(mls.processPublicMessage(deps, d1.group, c.commit).kind, 'commit');
  });

  test(`V-PROP-17: past ${MAX_PENDING_PROPOSALS} pending proposals in one epoch the next is refused`, () => {
    let { alice, bob, ds } = setup();
    const psk = (): mls.PreSharedKeyID => ({ pskType: mls.PskType.external, pskId: utf8('team'), pskNonce: nativeRandom(32) });
    for (let i = 0; i < MAX_PENDING_PROPOSALS; i++) {
      const p = mls.proposePsk(deps, alice, psk());
      alice = p.group;
      bob = mls.processMessage(deps, bob, p.message).group;
      ds = mls.processPublicMessage(deps, ds, p.message).group;
    }
    assert.equal(bob.pending.length, MAX_PENDING_PROPOSALS);
    const one = mls.proposePsk(deps, alice, psk());
    refused(() => mls.processMessage(deps, bob, one.message));
    refused(() => mls.processPublicMessage(deps, ds, one.message));
  });
});
