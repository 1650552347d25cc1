// Group-level must-reject cases (RFC 9420 §10.1, §12.2, §12.4.2, §12.4.3.1, §12.4.3.2): one test per
// validation-catalogue ID of src/group/checks.ts. Each crafts a bad object, expects the ValidationError code,
// and checks that the receiver's state is unchanged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signWithLabel } from '../src/crypto/labels.js';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import { ValidationError } from '../src/errors.js';
import { framingEpoch, protectPublicMessage, signContent } from '../src/framing/index.js';
import { createCommit } from '../src/group/commit.js';
import { createGroup } from '../src/group/create.js';
import { joinByExternalCommit } from '../src/group/external.js';
import { signGroupInfo } from '../src/group/group-info.js';
import { joinFromWelcome } from '../src/group/join.js';
import { propose } from '../src/group/messages.js';
import { processMessage } from '../src/group/process.js';
import { serializeGroup } from '../src/group/serialize.js';
import type { GroupDeps, GroupState } from '../src/group/state.js';
import { type CreatedKeyPackage, createKeyPackage } from '../src/key-package/create.js';
import { keyPackageRef } from '../src/key-package/ref.js';
import { validateKeyPackage } from '../src/key-package/validate.js';
import { deriveWelcomeSecret } from '../src/schedule/key-schedule.js';
import { decryptGroupInfo, decryptGroupSecrets, encryptGroupInfo, encryptGroupSecrets } from '../src/schedule/welcome.js';
import { toHex } from '../src/util/bytes.js';
import {
  type Commit,
  type ContentBody,
  type Extension,
  ExtensionType,
  encodeGroupInfoTbs,
  encodeKeyPackageTbs,
  encodeLeafNodeTbs,
  encodeRequiredCapabilities,
  type KeyPackage,
  type MlsMessage,
  type Proposal,
  type Sender,
  type Welcome,
} from '../src/wire/index.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const NOW = 1_800_000_000n;
const PSK_ID = utf8('psk');
const deps: GroupDeps = {
  crypto: createNativeProvider(),
  rng: nativeRandom,
  now: () => NOW,
  externalPsk: (id) => (toHex(id) === toHex(PSK_ID) ? new Uint8Array(32) : undefined),
};
const cs = deps.crypto.suite(1);
const cred = (n: string) => ({ credentialType: 1 as const, identity: utf8(n) });
const kp = (n: string, extra: Parameters<typeof createKeyPackage>[1] extends infer O ? Partial<O> : never = {}) =>
  createKeyPackage(deps, { cipherSuite: 1, credential: cred(n), ...extra });

function welcomeOf(m: MlsMessage | undefined): Welcome {
  assert.ok(m && m.wireFormat === 3);
  return m.welcome;
}

interface Trio {
  alice: GroupState;
  bob: GroupState;
  carol: GroupState;
  bobKp: CreatedKeyPackage;
}
function trio(groupExtensions: Extension[] = [], extraCaps: number[] = []): Trio {
  const caps = { extensions: extraCaps };
  const alice0 = createGroup(deps, {
    cipherSuite: 1,
    credential: cred('alice'),
    extensions: groupExtensions,
    capabilities: caps,
    config: { handshakeAsPrivate: false },
  });
  const bobKp = kp('bob', { capabilities: caps });
  const carolKp = kp('carol', { capabilities: caps });
  const r = createCommit(deps, alice0, {
    proposals: [
      { proposalType: 1, add: { keyPackage: bobKp.keyPackage } },
      { proposalType: 1, add: { keyPackage: carolKp.keyPackage } },
    ],
  });
  const w = welcomeOf(r.welcome);
  return { alice: r.group, bob: joinFromWelcome(deps, w, bobKp), carol: joinFromWelcome(deps, w, carolKp), bobKp };
}

/** Signs arbitrary content as `from` (no validation) and frames it as a PublicMessage with a valid membership tag. */
function forge(
  from: GroupState,
  body: ContentBody,
  sender: Sender = { senderType: 1, leafIndex: from.ownLeaf },
  tag?: Uint8Array,
): MlsMessage {
  const epoch = framingEpoch(cs, from.context, from.keys);
  const content = { groupId: from.context.groupId, epoch: from.context.epoch, sender, authenticatedData: new Uint8Array(0), ...body };
  const ac = signContent(epoch, 1, content, from.signaturePrivateKey);
  const auth = body.contentType === 3 ? { ...ac.auth, confirmationTag: tag ?? deps.rng(32) } : ac.auth;
  return { version: 1, wireFormat: 1, publicMessage: protectPublicMessage(epoch, { ...ac, auth }) };
}
const commitOf = (proposals: Proposal[], extra: Partial<Commit> = {}): ContentBody => ({
  contentType: 3,
  commit: { proposals: proposals.map((proposal) => ({ type: 1 as const, proposal })), ...extra },
});
const remove = (removed: number): Proposal => ({ proposalType: 3, remove: { removed } });
const psk = (nonce = deps.rng(32)): Proposal => ({ proposalType: 4, psk: { psk: { pskType: 1, pskId: PSK_ID, pskNonce: nonce } } });
const gce = (extensions: Extension[] = []): Proposal => ({ proposalType: 7, groupContextExtensions: { extensions } });

function rejects(code: string, fn: () => unknown, unchanged?: GroupState): void {
  const before = unchanged ? serializeGroup(unchanged) : undefined;
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ValidationError, `expected ValidationError ${code}, got ${String(e)}`);
    assert.equal(e.code, code);
    return true;
  });
  if (unchanged && before) assert.deepEqual(serializeGroup(unchanged), before, 'state unchanged');
}

/** Re-signs a KeyPackage (and its leaf) after `mutate`, so only the mutated property is wrong. */
function resigned(base: CreatedKeyPackage, mutate: (k: KeyPackage) => KeyPackage): KeyPackage {
  const sk = base.privateKeys.signaturePrivateKey;
  const k = mutate(structuredClone(base.keyPackage));
  const { signature: _s, ...leafTbs } = k.leafNode;
  const leafNode = {
    ...k.leafNode,
    signature: signWithLabel(
      cs,
      sk,
      'LeafNodeTBS',
      k.leafNode.leafNodeSource === 1 ? encodeLeafNodeTbs(leafTbs) : encodeLeafNodeTbs(leafTbs, new Uint8Array(0), 0),
    ),
  };
  const { signature: _k, ...tbs } = { ...k, leafNode };
  return { ...tbs, signature: signWithLabel(cs, sk, 'KeyPackageTBS', encodeKeyPackageTbs(tbs)) };
}

describe('KeyPackage must-reject (RFC 9420 §10.1)', () => {
  const base = kp('dave');
  const ctx = { version: 1, cipherSuite: 1 };
  it('V-KP-01: rejects a KeyPackage of another protocol version', () => {
    rejects('V-KP-01', () =>
      validateKeyPackage(
        deps,
        resigned(base, (k) => ({ ...k, version: 2 })),
        ctx,
      ),
    );
  });
  it('V-KP-02: rejects a KeyPackage of another cipher suite', () => {
    rejects('V-KP-02', () => validateKeyPackage(deps, { ...base.keyPackage, cipherSuite: 3 }, ctx));
  });
  it('V-KP-03: rejects a bad KeyPackage signature, also inside a received Add', () => {
    const bad = { ...base.keyPackage, signature: base.keyPackage.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) };
    rejects('V-KP-03', () => validateKeyPackage(deps, bad, ctx));
    const t = trio();
    rejects('V-KP-03', () => processMessage(deps, t.bob, forge(t.alice, commitOf([{ proposalType: 1, add: { keyPackage: bad } }]))), t.bob);
  });
  it('V-KP-04: rejects a KeyPackage whose leaf source is not key_package', () => {
    rejects('V-KP-04', () =>
      validateKeyPackage(
        deps,
        resigned(base, (k) => ({ ...k, leafNode: { ...k.leafNode, leafNodeSource: 2 } })),
        ctx,
      ),
    );
  });
  it('V-KP-05: rejects init_key equal to the leaf encryption_key', () => {
    rejects('V-KP-05', () =>
      validateKeyPackage(
        deps,
        resigned(base, (k) => ({ ...k, initKey: k.leafNode.encryptionKey })),
        ctx,
      ),
    );
  });
  it('V-KP-06: rejects a KeyPackage outside its lifetime', () => {
    rejects('V-KP-06', () => validateKeyPackage({ ...deps, now: () => NOW + 10n ** 9n }, base.keyPackage, ctx));
    rejects('V-KP-06', () => validateKeyPackage({ ...deps, now: () => 0n }, base.keyPackage, ctx));
  });
  it('V-KP-07: rejects an invalid leaf node (bad leaf signature, unlisted credential type, credential hook)', () => {
    const badLeaf = structuredClone(base.keyPackage);
    badLeaf.leafNode.signature[0] = (badLeaf.leafNode.signature[0] as number) ^ 1;
    const { signature: _s, ...tbs } = badLeaf;
    const k = { ...tbs, signature: signWithLabel(cs, base.privateKeys.signaturePrivateKey, 'KeyPackageTBS', encodeKeyPackageTbs(tbs)) };
    rejects('V-KP-07', () => validateKeyPackage(deps, k, ctx));
    rejects('V-KP-07', () =>
      validateKeyPackage(
        deps,
        resigned(base, (x) => ({ ...x, leafNode: { ...x.leafNode, capabilities: { ...x.leafNode.capabilities, credentials: [2] } } })),
        ctx,
      ),
    );
    rejects('V-KP-07', () => validateKeyPackage(deps, base.keyPackage, { ...ctx, validateCredential: () => false }));
  });
});

describe('proposal-list must-reject (RFC 9420 §12.2)', () => {
  it('V-PROP-01: rejects two Removes of the same leaf', () => {
    const t = trio();
    rejects('V-PROP-01', () => processMessage(deps, t.carol, forge(t.alice, commitOf([remove(1), remove(1)]))), t.carol);
  });
  it('V-PROP-02: rejects a commit that removes its committer', () => {
    const t = trio();
    rejects('V-PROP-02', () => processMessage(deps, t.carol, forge(t.alice, commitOf([remove(0)]))), t.carol);
  });
  it('V-PROP-03: rejects an Add of a client already in the group (same signature key) and duplicate Adds', () => {
    const t = trio();
    const clone = kp('bob-again', { signaturePrivateKey: t.bobKp.privateKeys.signaturePrivateKey });
    rejects(
      'V-PROP-03',
      () => processMessage(deps, t.carol, forge(t.alice, commitOf([{ proposalType: 1, add: { keyPackage: clone.keyPackage } }]))),
      t.carol,
    );
    const d = kp('dave').keyPackage;
    const twice = commitOf([
      { proposalType: 1, add: { keyPackage: d } },
      { proposalType: 1, add: { keyPackage: d } },
    ]);
    rejects('V-PROP-03', () => processMessage(deps, t.carol, forge(t.alice, twice)), t.carol);
  });
  it('V-PROP-04: rejects two GroupContextExtensions proposals', () => {
    const t = trio();
    rejects('V-PROP-04', () => processMessage(deps, t.carol, forge(t.alice, commitOf([gce(), gce()]))), t.carol);
  });
  it('V-PROP-05: rejects a GroupContextExtensions with an extension a member does not support', () => {
    const t = trio();
    const p = gce([{ extensionType: 0xff00, extensionData: new Uint8Array(0) }]);
    rejects('V-PROP-05', () => processMessage(deps, t.carol, forge(t.alice, commitOf([p]))), t.carol);
  });
  it('V-PROP-06: rejects a Remove of a blank or absent leaf', () => {
    const t = trio();
    rejects('V-PROP-06', () => processMessage(deps, t.carol, forge(t.alice, commitOf([remove(9)]))), t.carol);
    rejects('V-PROP-06', () => processMessage(deps, t.carol, forge(t.alice, { contentType: 2, proposal: remove(3) })), t.carol);
  });
  it('V-PROP-07: rejects two PreSharedKey proposals for one PSK', () => {
    const t = trio();
    const nonce = deps.rng(32);
    rejects('V-PROP-07', () => processMessage(deps, t.carol, forge(t.alice, commitOf([psk(nonce), psk(nonce)]))), t.carol);
  });
  it('V-PROP-08: rejects a ReInit together with another proposal', () => {
    const t = trio();
    const reinit: Proposal = { proposalType: 5, reinit: { groupId: deps.rng(16), version: 1, cipherSuite: 1, extensions: [] } };
    rejects('V-PROP-08', () => processMessage(deps, t.carol, forge(t.alice, commitOf([remove(1), reinit]))), t.carol);
  });
  it('V-PROP-09: rejects an ExternalInit in a member commit', () => {
    const t = trio();
    const ei: Proposal = { proposalType: 6, externalInit: { kemOutput: deps.rng(32) } };
    rejects('V-PROP-09', () => processMessage(deps, t.carol, forge(t.alice, commitOf([ei]))), t.carol);
  });
  it('V-PROP-10: rejects an Add whose KeyPackage lacks the required capabilities', () => {
    const rc = {
      extensionType: ExtensionType.required_capabilities,
      extensionData: encodeRequiredCapabilities({ extensionTypes: [0xff01], proposalTypes: [], credentialTypes: [] }),
    };
    const t = trio([rc], [0xff01]);
    const add: Proposal = { proposalType: 1, add: { keyPackage: kp('dave').keyPackage } };
    rejects('V-PROP-10', () => processMessage(deps, t.carol, forge(t.alice, commitOf([add]))), t.carol);
    rejects('V-PROP-10', () => processMessage(deps, t.carol, forge(t.alice, { contentType: 2, proposal: add })), t.carol);
  });
  it('V-PROP-11: rejects a proposal reference that was not received', () => {
    const t = trio();
    const body: ContentBody = { contentType: 3, commit: { proposals: [{ type: 2, reference: deps.rng(32) }] } };
    rejects('V-PROP-11', () => processMessage(deps, t.carol, forge(t.alice, body)), t.carol);
  });
  it('V-PROP-12: rejects an Update whose leaf source is not update or whose signature is bad', () => {
    const t = trio();
    const leaf = t.alice.tree.leaf(1);
    assert.ok(leaf);
    const m1 = propose(deps, t.bob, { proposalType: 2, update: { leafNode: leaf } }).message;
    rejects('V-PROP-12', () => processMessage(deps, t.carol, m1), t.carol);
    const fresh = cs.hpke.generateKeyPair(deps.rng);
    const { lifetime: _l, ...rest } = leaf;
    const forged = { ...rest, leafNodeSource: 2, encryptionKey: fresh.publicKey, signature: deps.rng(64) };
    const m2 = propose(deps, t.bob, { proposalType: 2, update: { leafNode: forged } }).message;
    assert.throws(() => processMessage(deps, t.carol, m2), ValidationError);
  });
  it('V-PROP-13: rejects a PreSharedKey proposal whose nonce is not Nh bytes', () => {
    const t = trio();
    rejects('V-PROP-13', () => processMessage(deps, t.carol, forge(t.alice, { contentType: 2, proposal: psk(deps.rng(5)) })), t.carol);
  });
  it('V-PROP-14: rejects an Update proposal included by value', () => {
    const t = trio();
    const leaf = t.alice.tree.leaf(0);
    assert.ok(leaf);
    const upd: Proposal = { proposalType: 2, update: { leafNode: leaf } };
    rejects('V-PROP-14', () => processMessage(deps, t.carol, forge(t.alice, commitOf([upd]))), t.carol);
  });
  it('V-PROP-15: rejects a commit naming a PSK the receiver does not hold', () => {
    const t = trio();
    const noPsk: GroupDeps = { ...deps, externalPsk: () => undefined };
    rejects('V-PROP-15', () => processMessage(noPsk, t.carol, forge(t.alice, commitOf([psk()]))), t.carol);
  });
});

describe('commit must-reject (RFC 9420 §12.4.2)', () => {
  it('V-COMMIT-01: rejects a commit without the path its proposals require', () => {
    const t = trio();
    rejects('V-COMMIT-01', () => processMessage(deps, t.carol, forge(t.alice, commitOf([remove(1)]))), t.carol);
    rejects('V-COMMIT-01', () => processMessage(deps, t.carol, forge(t.alice, commitOf([]))), t.carol);
  });
  it('V-COMMIT-02: rejects a commit whose confirmation tag is wrong', () => {
    const t = trio();
    const real = createCommit(deps, t.alice, { wireFormat: 'public' }).commit;
    assert.ok(real.wireFormat === 1);
    const epoch = framingEpoch(cs, t.alice.context, t.alice.keys);
    const pm = real.publicMessage;
    const bad = protectPublicMessage(epoch, { wireFormat: 1, content: pm.content, auth: { ...pm.auth, confirmationTag: deps.rng(32) } });
    rejects('V-COMMIT-02', () => processMessage(deps, t.carol, { version: 1, wireFormat: 1, publicMessage: bad }), t.carol);
    assert.equal(processMessage(deps, t.carol, real).kind, 'commit');
  });
  it('V-COMMIT-04: rejects a commit whose UpdatePath leaf credential the application refuses', () => {
    const t = trio();
    const r = createCommit(deps, t.alice, { forcePath: true });
    const strict: GroupDeps = {
      ...deps,
      validateCredential: (c) => !('identity' in c && new TextDecoder().decode(c.identity) === 'alice'),
    };
    rejects('V-COMMIT-04', () => processMessage(strict, t.carol, r.commit), t.carol);
    assert.equal(processMessage(deps, t.carol, r.commit).kind, 'commit');
  });
  it('V-COMMIT-03: rejects our own commit coming back as an incoming message', () => {
    const t = trio();
    const r = createCommit(deps, t.alice);
    rejects('V-COMMIT-03', () => processMessage(deps, t.alice, r.commit), t.alice);
  });
});

describe('Welcome must-reject (RFC 9420 §12.4.3.1)', () => {
  function addDave(opts: Parameters<typeof createCommit>[2] = {}) {
    const t = trio();
    const dave = kp('dave');
    const r = createCommit(deps, t.alice, {
      ...opts,
      proposals: [...(opts.proposals ?? []), { proposalType: 1, add: { keyPackage: dave.keyPackage } }],
    });
    return { t, dave, r, welcome: welcomeOf(r.welcome) };
  }
  /** Re-encrypts the Welcome's GroupInfo after `mutate` (the joiner can: it holds the joiner secret). */
  function regroup(
    welcome: Welcome,
    dave: CreatedKeyPackage,
    signer: GroupState,
    mutate: (gi: ReturnType<typeof decryptGroupInfo>) => ReturnType<typeof decryptGroupInfo>,
    resign = true,
  ): Welcome {
    const entry = welcome.secrets[0];
    assert.ok(entry);
    const gs = decryptGroupSecrets(cs, dave.privateKeys.initPrivateKey, welcome.encryptedGroupInfo, entry.encryptedGroupSecrets);
    const ws = deriveWelcomeSecret(cs, gs.joinerSecret);
    const gi = mutate(decryptGroupInfo(cs, ws, welcome.encryptedGroupInfo));
    const { signature: _s, ...tbs } = gi;
    const signed = resign
      ? { ...tbs, signature: signWithLabel(cs, signer.signaturePrivateKey, 'GroupInfoTBS', encodeGroupInfoTbs(tbs)) }
      : gi;
    const encryptedGroupInfo = encryptGroupInfo(cs, ws, signed);
    return {
      cipherSuite: 1,
      encryptedGroupInfo,
      secrets: [
        {
          newMember: entry.newMember,
          encryptedGroupSecrets: encryptGroupSecrets(cs, dave.keyPackage.initKey, encryptedGroupInfo, gs, deps.rng),
        },
      ],
    };
  }
  it('V-WELC-01: rejects a Welcome with no entry for our KeyPackage', () => {
    const { welcome } = addDave();
    const erin = kp('erin');
    rejects('V-WELC-01', () => joinFromWelcome(deps, welcome, erin));
  });
  it('V-WELC-02: rejects a Welcome of another cipher suite', () => {
    const { welcome, dave } = addDave();
    rejects('V-WELC-02', () => joinFromWelcome(deps, { ...welcome, cipherSuite: 3 }, dave));
  });
  it('V-WELC-03: rejects a GroupInfo whose signature does not verify', () => {
    const { welcome, dave, r } = addDave();
    const bad = regroup(welcome, dave, r.group, (gi) => ({ ...gi, signature: gi.signature.map((b, i) => (i === 3 ? b ^ 1 : b)) }), false);
    rejects('V-WELC-03', () => joinFromWelcome(deps, bad, dave));
  });
  it('V-WELC-04: rejects a GroupInfo whose confirmation tag is wrong', () => {
    const { welcome, dave, r } = addDave();
    const bad = regroup(welcome, dave, r.group, (gi) => ({ ...gi, confirmationTag: deps.rng(32) }));
    rejects('V-WELC-04', () => joinFromWelcome(deps, bad, dave));
  });
  it('V-WELC-05: rejects a Welcome whose tree does not contain our leaf', () => {
    const { welcome, dave } = addDave();
    const erin = kp('erin');
    const entry = welcome.secrets[0];
    assert.ok(entry);
    const gs = decryptGroupSecrets(cs, dave.privateKeys.initPrivateKey, welcome.encryptedGroupInfo, entry.encryptedGroupSecrets);
    const forged: Welcome = {
      ...welcome,
      secrets: [
        {
          newMember: keyPackageRef(cs, erin.keyPackage),
          encryptedGroupSecrets: encryptGroupSecrets(cs, erin.keyPackage.initKey, welcome.encryptedGroupInfo, gs, deps.rng),
        },
      ],
    };
    rejects('V-WELC-05', () => joinFromWelcome(deps, forged, erin));
  });
  it('V-WELC-06: rejects a Welcome naming a PSK we do not hold', () => {
    const { welcome, dave } = addDave({ proposals: [psk()] });
    rejects('V-WELC-06', () => joinFromWelcome({ ...deps, externalPsk: () => undefined }, welcome, dave));
  });
  it('V-WELC-07: rejects a Welcome without a ratchet tree when none is supplied', () => {
    const { welcome, dave } = addDave({ ratchetTreeInWelcome: false });
    rejects('V-WELC-07', () => joinFromWelcome(deps, welcome, dave));
  });
  it('V-WELC-08: rejects a Welcome whose tree holds a member credential the application refuses', () => {
    const { welcome, dave } = addDave();
    const strict: GroupDeps = {
      ...deps,
      validateCredential: (c) => !('identity' in c && new TextDecoder().decode(c.identity) === 'carol'),
    };
    rejects('V-WELC-08', () => joinFromWelcome(strict, welcome, dave));
  });
  it('V-PATH-05 (Welcome): rejects a GroupSecrets path secret that does not match the tree', () => {
    const { welcome, dave } = addDave({ forcePath: true });
    const entry = welcome.secrets[0];
    assert.ok(entry);
    const gs = decryptGroupSecrets(cs, dave.privateKeys.initPrivateKey, welcome.encryptedGroupInfo, entry.encryptedGroupSecrets);
    assert.ok(gs.pathSecret);
    const bad = { ...gs, pathSecret: deps.rng(32) };
    const forged: Welcome = {
      ...welcome,
      secrets: [
        { ...entry, encryptedGroupSecrets: encryptGroupSecrets(cs, dave.keyPackage.initKey, welcome.encryptedGroupInfo, bad, deps.rng) },
      ],
    };
    rejects('V-PATH-05', () => joinFromWelcome(deps, forged, dave));
  });
});

describe('external commit must-reject (RFC 9420 §12.4.3.2)', () => {
  function external() {
    const t = trio();
    const gi = signGroupInfo(cs, t.alice, { externalPub: true });
    const j = joinByExternalCommit(deps, gi, { credential: cred('erin') });
    assert.ok(j.commit.wireFormat === 1);
    return { t, j, content: j.commit.publicMessage.content };
  }
  /** The joiner re-signs its external commit with a different proposal list. */
  function reforge(x: ReturnType<typeof external>, proposals: Proposal[]): MlsMessage {
    const c = x.content;
    assert.ok(c.contentType === 3 && c.commit.path);
    const joiner = { ...x.t.alice, signaturePrivateKey: x.j.group.signaturePrivateKey };
    return forge(joiner, commitOf(proposals, { path: c.commit.path }), { senderType: 4 });
  }
  const ei = (): Proposal => ({ proposalType: 6, externalInit: { kemOutput: deps.rng(32) } });
  it('V-EXT-01: rejects an external commit without exactly one ExternalInit', () => {
    const x = external();
    rejects('V-EXT-01', () => processMessage(deps, x.t.bob, reforge(x, [])), x.t.bob);
    rejects('V-EXT-01', () => processMessage(deps, x.t.bob, reforge(x, [ei(), ei()])), x.t.bob);
  });
  it('V-EXT-02: rejects an external commit carrying an Add', () => {
    const x = external();
    rejects(
      'V-EXT-02',
      () => processMessage(deps, x.t.bob, reforge(x, [ei(), { proposalType: 1, add: { keyPackage: kp('dave').keyPackage } }])),
      x.t.bob,
    );
  });
  it('V-EXT-03: rejects an external commit with two Removes', () => {
    const x = external();
    rejects('V-EXT-03', () => processMessage(deps, x.t.bob, reforge(x, [ei(), remove(1), remove(2)])), x.t.bob);
  });
  it('V-EXT-05: rejects an external commit whose Remove evicts a member other than the joiner', () => {
    const x = external();
    rejects('V-EXT-05', () => processMessage(deps, x.t.bob, reforge(x, [ei(), remove(2)])), x.t.bob);
  });
  it('V-EXT-04: refuses to join from a GroupInfo without external_pub or with a bad signature', () => {
    const t = trio();
    rejects('V-EXT-04', () => joinByExternalCommit(deps, signGroupInfo(cs, t.alice, { externalPub: false }), { credential: cred('erin') }));
    const gi = signGroupInfo(cs, t.alice, { externalPub: true });
    rejects('V-EXT-04', () => joinByExternalCommit(deps, { ...gi, signer: 1 }, { credential: cred('erin') }));
  });
  it('a well-formed external commit is accepted (control)', () => {
    const x = external();
    assert.equal(processMessage(deps, x.t.bob, x.j.commit).kind, 'commit');
  });
});
