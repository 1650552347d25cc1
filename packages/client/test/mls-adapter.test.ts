// MlsAdapter over the real @sotto/mls: certificates as credentials, the metadata extension, the admin policy.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { encryptMessage, joinFromWelcome, parseMlsHeader, processMessage } from '@sotto/mls';
import { createNativeProvider } from '@sotto/mls/native';
import { policyViolation } from '../src/conversation/group-meta.js';
import { encodeDeviceCertificate, publicKeyOf, signDeviceCertificate } from '@sotto/identity';
import { CIPHER_SUITE, createAccountIdentity, deviceIdFor } from '../src/identity/device-identity.js';
import { leavesOf, MlsAdapter, metaOf } from '../src/mls/mls-adapter.js';

const rng = (n: number) => new Uint8Array(randomBytes(n));
const crypto = createNativeProvider();

test('group with metadata: add by KeyPackage, rename by GroupContextExtensions, policy check', () => {
  const alice = createAccountIdentity('alice@localhost', rng, Date.now());
  const bob = createAccountIdentity('bob@localhost', rng, Date.now());
  const ma = new MlsAdapter(alice, crypto, rng, Date.now);
  const mb = new MlsAdapter(bob, crypto, rng, Date.now);
  const meta = {
    v: 2 as const,
    kind: 'group' as const,
    owner: alice.accountName,
    admins: [alice.accountName],
    timerSeconds: 0,
  };
  let ga = ma.createGroup(meta);
  // The creating device adds its owner proof for the new group id (ID-OWNER); every later change keeps it.
  const full = metaOf(ga);
  assert.deepEqual({ ...full, ownerProof: undefined }, { ...meta, ownerProof: undefined });
  assert.ok(full.ownerProof);
  const kp = mb.newKeyPackage();
  assert.equal(ma.keyPackageLeaf(kp.bytes).account, 'bob@localhost');
  const add = ma.add(ga, [kp.bytes]);
  ga = add.group;
  assert.ok(add.welcome);
  let gb = joinFromWelcome(mb.deps, add.welcome, mb.ownKeyPackage(kp));
  assert.deepEqual(metaOf(gb), full);
  assert.deepEqual(
    leavesOf(gb)
      .map((l) => l.account)
      .sort(),
    ['alice@localhost', 'bob@localhost'],
  );
  const rename = ma.setMeta(ga, { ...full, timerSeconds: 60 });
  const h = parseMlsHeader(rename.commit);
  assert.equal(h.contentType, 3);
  assert.equal(h.epoch, 1n);
  const r = processMessage(mb.deps, gb, rename.commit);
  assert.equal(r.kind, 'commit');
  gb = r.group;
  assert.equal(metaOf(gb).timerSeconds, 60);
  const m = encryptMessage(mb.deps, gb, new Uint8Array([1, 2, 3]));
  const hm = parseMlsHeader(m.message);
  assert.equal(hm.contentType, 1);
  assert.equal(hm.epoch, 2n);
  const restored = ma.deserialize(ma.serialize(rename.group));
  const got = processMessage(ma.deps, restored, m.message);
  assert.equal(got.kind, 'application');
  assert.equal(
    policyViolation({
      committer: 'bob@localhost',
      addedAccounts: [],
      removedAccounts: [],
      before: meta,
      after: { ...meta, timerSeconds: 5 },
    }),
    'only admins change roles or settings',
  );
  assert.equal(
    policyViolation({ committer: 'bob@localhost', addedAccounts: ['bob@localhost'], removedAccounts: [], before: meta, after: meta }),
    undefined,
  );
});

test('group metadata extension 0xF501: frozen encoding (shared by every client; changing it breaks old groups); it carries no name', async () => {
  const { decodeGroupMeta, encodeGroupMeta, GROUP_META_EXTENSION } = await import('../src/conversation/group-meta.js');
  const meta = {
    v: 2 as const,
    kind: 'group' as const,
    owner: 'alice@example.org',
    admins: ['bob@example.org', 'alice@example.org'],
    timerSeconds: 3600,
  };
  const frozen =
    '7b2276223a322c226b696e64223a2267726f7570222c226f776e6572223a22616c696365406578616d706c652e6f7267222c2261646d696e73223a5b22616c696365406578616d706c652e6f7267222c22626f62406578616d706c652e6f7267225d2c2274696d65725365636f6e6473223a333630307d';
  assert.equal(GROUP_META_EXTENSION, 0xf501);
  assert.equal(Buffer.from(encodeGroupMeta(meta)).toString('hex'), frozen);
  assert.deepEqual(decodeGroupMeta(new Uint8Array(Buffer.from(frozen, 'hex'))), {
    ...meta,
    admins: ['alice@example.org', 'bob@example.org'],
  });
  // The server reads this extension (it verifies commits): a name here would leak, so it is refused.
  assert.throws(
    () => decodeGroupMeta(new TextEncoder().encode('{"v":2,"kind":"group","name":"x","owner":"a@b","admins":[],"timerSeconds":0}')),
    /must not carry a name/,
  );
  assert.throws(() => decodeGroupMeta(new TextEncoder().encode('{"v":2}')));
});

test('group metadata: the owner proof round-trips, cannot be dropped or swapped by a commit, and a malformed one is refused', async () => {
  const { decodeGroupMeta, encodeGroupMeta, policyViolation: policy } = await import('../src/conversation/group-meta.js');
  const alice = createAccountIdentity('alice@localhost', rng, Date.now());
  const ma = new MlsAdapter(alice, crypto, rng, Date.now);
  const meta = metaOf(ma.createGroup({ v: 2, kind: 'group', owner: alice.accountName, admins: [alice.accountName], timerSeconds: 0 }));
  assert.deepEqual(decodeGroupMeta(encodeGroupMeta(meta)), meta);
  const other = metaOf(ma.createGroup({ v: 2, kind: 'group', owner: alice.accountName, admins: [alice.accountName], timerSeconds: 0 }));
  const change = (after: typeof meta) =>
    policy({ committer: alice.accountName, addedAccounts: [], removedAccounts: [], before: meta, after });
  assert.equal(change({ ...meta, ownerProof: undefined }), "the owner's proof cannot change");
  assert.equal(change({ ...meta, ownerProof: other.ownerProof }), "the owner's proof cannot change");
  assert.equal(change({ ...meta, timerSeconds: 9 }), undefined);
  const bad = JSON.parse(new TextDecoder().decode(encodeGroupMeta(meta))) as { ownerProof: { signature: string } };
  bad.ownerProof.signature = 'zz';
  assert.throws(() => decodeGroupMeta(new TextEncoder().encode(JSON.stringify(bad))), /owner proof/);
});

test('a content at MAX_CONTENT_BYTES, encrypted, still fits the server default message limit', async () => {
  const { DEFAULT_MAX_MESSAGE_BYTES } = await import('@sotto/protocol');
  const { MAX_CONTENT_BYTES } = await import('../src/content/content-types.js');
  const alice = createAccountIdentity('alice@localhost', rng, Date.now());
  const ma = new MlsAdapter(alice, crypto, rng, Date.now);
  const g = ma.createGroup({ v: 2, kind: 'group', owner: alice.accountName, admins: [alice.accountName], timerSeconds: 0 });
  const m = encryptMessage(ma.deps, g, new Uint8Array(MAX_CONTENT_BYTES).fill(7));
  assert.ok(m.message.length <= DEFAULT_MAX_MESSAGE_BYTES, `${m.message.length} bytes`);
});

test('a device certificate is verified once, yet a cached one still expires and a changed one is checked afresh', () => {
  let now = Date.now();
  const me = createAccountIdentity('me@localhost', rng, now);
  const adapter = new MlsAdapter(me, crypto, rng, () => now);
  const accountSecret = rng(32);
  const signatureSecret = rng(32);
  const signatureKey = publicKeyOf(signatureSecret);
  const fields = {
    version: 1 as const,
    accountName: 'carol@localhost',
    accountKey: publicKeyOf(accountSecret),
    deviceId: deviceIdFor(signatureKey),
    cipherSuite: CIPHER_SUITE,
    signatureKey,
    issuedAt: BigInt(now - 60_000),
    expiresAt: BigInt(now + 3_600_000),
  };
  const certificate = encodeDeviceCertificate(signDeviceCertificate(fields, accountSecret));
  const credential = { credentialType: 1, identity: certificate } as const;
  const valid = () => adapter.deps.validateCredential!(credential, signatureKey);
  assert.equal(valid(), true);
  assert.equal(valid(), true, 'again, from the cache');
  // The same fields signed by another account key: different bytes, so the signature is checked, and fails.
  const forged = encodeDeviceCertificate({ ...signDeviceCertificate(fields, rng(32)), accountKey: fields.accountKey });
  assert.equal(adapter.deps.validateCredential!({ credentialType: 1, identity: forged }, signatureKey), false);
  // The key it certifies must still be the leaf's.
  assert.equal(adapter.deps.validateCredential!(credential, publicKeyOf(rng(32))), false);
  now += 3_600_000; // past its expiry: the cached certificate is refused like a fresh one
  assert.equal(valid(), false);
});
