// Leaves we create are checked against the group before signing (RFC 9420 §7.2, §7.3, §11.1, §12.4.3.2): V-OWN-*,
// on every path that makes a leaf (KeyPackage, group creation, Update proposal, UpdatePath, external commit).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import * as mls from '../src/index.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const deps: mls.GroupDeps = { crypto: createNativeProvider(), rng: nativeRandom, now: () => 1_800_000_000n };
const SUITE = mls.CipherSuiteId.MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;
const basic = (name: string): mls.Credential => ({ credentialType: mls.CredentialType.basic, identity: utf8(name) });
const x509 = (der: string): mls.Credential => ({ credentialType: mls.CredentialType.x509, certificates: [utf8(der)] });
const required = (r: { extensionTypes?: number[]; proposalTypes?: number[]; credentialTypes?: number[] }): mls.Extension => ({
  extensionType: mls.ExtensionType.required_capabilities,
  extensionData: mls.encodeRequiredCapabilities({ extensionTypes: [], proposalTypes: [], credentialTypes: [], ...r }),
});
const CUSTOM_EXT = 0xff00;
const CUSTOM_PROPOSAL = 0xff01;

/** Expects a UsageError with this catalogue ID whose message names every item in `names`. */
function rejects(f: () => unknown, id: string, ...names: string[]): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof mls.UsageError, `a UsageError, got ${String(e)}`);
    assert.equal(e.code, id);
    for (const n of names) assert.match(e.message, new RegExp(n));
    return true;
  });
}

/** A group of two (alice, bob) whose GroupContext requires credential types [basic, x509], with a published GroupInfo. */
function x509Group() {
  const extensions = [required({ credentialTypes: [mls.CredentialType.basic, mls.CredentialType.x509] })];
  const caps = { credentials: [mls.CredentialType.basic, mls.CredentialType.x509] };
  let alice = mls.createGroup(deps, { cipherSuite: SUITE, credential: basic('alice'), capabilities: caps, extensions });
  const bobKp = mls.createKeyPackage(deps, {
    cipherSuite: SUITE,
    credential: x509('bob-cert'),
    capabilities: caps,
    groupExtensions: extensions,
  });
  const out = mls.addMembers(deps, alice, [bobKp.bytes]);
  alice = out.group;
  const bob = mls.joinFromWelcome(deps, out.welcome as Uint8Array, bobKp);
  return { alice, bob, extensions, caps, groupInfo: mls.createGroupInfo(deps, alice, { externalPub: true, ratchetTree: true }) };
}

describe('own leaves are checked before signing (V-OWN-*)', () => {
  test('an external join succeeds into a group that requires credential types [basic, x509], and both members accept it', () => {
    const { alice, bob, caps, groupInfo } = x509Group();
    const carol = mls.joinByExternalCommit(deps, groupInfo, { credential: basic('carol'), capabilities: caps });
    const a = mls.processMessage(deps, alice, carol.commit);
    const b = mls.processMessage(deps, bob, carol.commit);
    assert.equal(a.kind, 'commit');
    assert.equal(b.kind, 'commit');
    assert.deepEqual([mls.epoch(a.group), mls.epoch(b.group)], [mls.epoch(carol.group), mls.epoch(carol.group)]);
    assert.deepEqual(mls.epochAuthenticator(a.group), mls.epochAuthenticator(carol.group));
    assert.deepEqual(mls.epochAuthenticator(b.group), mls.epochAuthenticator(carol.group));
    const leaf = carol.group.tree.leaf(mls.ownLeafIndex(carol.group));
    assert.ok(leaf?.capabilities.credentials.includes(mls.CredentialType.x509));
  });

  test('an external join carries the leaf extensions it is given, listed in its capabilities', () => {
    const { alice, groupInfo, caps } = x509Group();
    const ext = { extensionType: CUSTOM_EXT, extensionData: utf8('dev') };
    const carol = mls.joinByExternalCommit(deps, groupInfo, {
      credential: basic('carol'),
      capabilities: { ...caps, extensions: [CUSTOM_EXT] },
      leafExtensions: [ext],
    });
    const r = mls.processMessage(deps, alice, carol.commit);
    assert.equal(r.kind, 'commit');
    assert.deepEqual(r.group.tree.leaf(mls.ownLeafIndex(carol.group))?.extensions, [ext]);
  });

  test("an external resync may remove only our own old leaf: another member's leaf is refused before signing", () => {
    const { alice, bob, caps, groupInfo } = x509Group();
    // bob (leaf 1) rejoins with his own credential and removes his old leaf: accepted by alice.
    const own = mls.joinByExternalCommit(deps, groupInfo, { credential: x509('bob-cert'), capabilities: caps, removeLeaf: 1 });
    const r = mls.processMessage(deps, alice, own.commit);
    assert.ok(r.kind === 'commit');
    assert.deepEqual(
      r.removed.map((m) => m.leafIndex),
      [1],
    );
    // carol may not evict alice (leaf 0) that way, nor name a blank leaf.
    assert.throws(
      () => mls.joinByExternalCommit(deps, groupInfo, { credential: basic('carol'), capabilities: caps, removeLeaf: 0 }),
      (e: unknown) => e instanceof mls.UsageError && /V-EXT-05/.test(e.message),
    );
    assert.throws(
      () => mls.joinByExternalCommit(deps, groupInfo, { credential: basic('carol'), capabilities: caps, removeLeaf: 7 }),
      mls.UsageError,
    );
    assert.ok(bob);
  });

  test('V-OWN-01: an external join whose leaf lacks a required credential type is refused before signing, naming it', () => {
    const { groupInfo } = x509Group();
    rejects(
      () => mls.joinByExternalCommit(deps, groupInfo, { credential: basic('carol') }),
      'V-OWN-01',
      'external commit',
      'credential type x509 \\(required\\)',
    );
  });

  test("V-OWN-01: an external join refuses a credential type a member does not support, and a member's type we do not list", () => {
    const alice = mls.createGroup(deps, { cipherSuite: SUITE, credential: basic('alice') });
    const gi = mls.createGroupInfo(deps, alice, { externalPub: true, ratchetTree: true });
    rejects(
      () => mls.joinByExternalCommit(deps, gi, { credential: x509('carol-cert'), capabilities: { credentials: [2] } }),
      'V-OWN-01',
      'credential type x509 support by member 0',
    );
  });

  test('V-OWN-01: a KeyPackage for a group that requires an extension, a proposal and a credential type names each missing one', () => {
    const groupExtensions = [required({ extensionTypes: [CUSTOM_EXT], proposalTypes: [CUSTOM_PROPOSAL], credentialTypes: [2] })];
    rejects(
      () => mls.createKeyPackage(deps, { cipherSuite: SUITE, credential: basic('bob'), groupExtensions }),
      'V-OWN-01',
      'KeyPackage',
      'extension type 0xff00',
      'proposal type 0xff01',
      'credential type x509',
    );
    const ok = mls.createKeyPackage(deps, {
      cipherSuite: SUITE,
      credential: basic('bob'),
      groupExtensions,
      capabilities: { extensions: [CUSTOM_EXT], proposals: [CUSTOM_PROPOSAL], credentials: [2] },
    });
    assert.ok(ok.bytes.length > 0);
  });

  test('V-OWN-01: group creation refuses required capabilities our own leaf does not list', () => {
    rejects(
      () => mls.createGroup(deps, { cipherSuite: SUITE, credential: basic('alice'), extensions: [required({ credentialTypes: [2] })] }),
      'V-OWN-01',
      'credential type x509',
    );
    rejects(
      () =>
        mls.createGroup(deps, {
          cipherSuite: SUITE,
          credential: basic('alice'),
          extensions: [{ extensionType: CUSTOM_EXT, extensionData: utf8('x') }],
        }),
      'V-OWN-01',
      'extension type 0xff00 \\(in the group context\\)',
    );
  });

  test('V-OWN-01: an Update proposal and an UpdatePath from a leaf the group no longer accepts are refused before signing', () => {
    // A state whose own leaf lacks what its group context requires can only come from outside this API (a peer's
    // GroupContextExtensions is validated against every member, V-PROP-05); build one to pin the send-side check.
    const { alice } = x509Group();
    const own = alice.tree.leaf(alice.ownLeaf);
    assert.ok(own);
    const narrowed = { ...own, capabilities: { ...own.capabilities, credentials: [mls.CredentialType.basic] } };
    const broken = { ...alice, tree: alice.tree.updateLeaf(alice.ownLeaf, narrowed) } as mls.Group;
    rejects(() => mls.proposeUpdateKey(deps, broken), 'V-OWN-01', 'Update proposal', 'credential type x509');
    rejects(() => mls.updateKey(deps, broken), 'V-OWN-01', 'UpdatePath', 'credential type x509');
  });

  test('V-OWN-02: a leaf must list its own credential type and each non-default extension it carries, once', () => {
    rejects(
      () => mls.createKeyPackage(deps, { cipherSuite: SUITE, credential: x509('bob-cert') }),
      'V-OWN-02',
      'credential type x509 \\(its own\\)',
    );
    rejects(
      () =>
        mls.createKeyPackage(deps, {
          cipherSuite: SUITE,
          credential: basic('bob'),
          leafExtensions: [{ extensionType: CUSTOM_EXT, extensionData: utf8('a') }],
        }),
      'V-OWN-02',
      'extension type 0xff00 \\(carried by the leaf\\)',
    );
    rejects(
      () =>
        mls.createKeyPackage(deps, {
          cipherSuite: SUITE,
          credential: basic('bob'),
          capabilities: { extensions: [CUSTOM_EXT] },
          leafExtensions: [
            { extensionType: CUSTOM_EXT, extensionData: utf8('a') },
            { extensionType: CUSTOM_EXT, extensionData: utf8('b') },
          ],
        }),
      'V-OWN-02',
      'repeated',
    );
    const { groupInfo } = x509Group();
    rejects(
      () =>
        mls.joinByExternalCommit(deps, groupInfo, {
          credential: basic('carol'),
          capabilities: { credentials: [2] },
          leafExtensions: [{ extensionType: CUSTOM_EXT, extensionData: utf8('a') }],
        }),
      'V-OWN-02',
      'extension type 0xff00',
    );
  });
});
