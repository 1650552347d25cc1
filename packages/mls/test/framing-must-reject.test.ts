// One must-reject test per framing check of src/framing/checks.ts (RFC 9420 §6, §9, §15.3); each name carries the ID.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Writer } from '../src/codec/tls-codec.js';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import type { Rng } from '../src/crypto/provider.js';
import { ValidationError } from '../src/errors.js';
import {
  createPrivateMessage,
  createPublicMessage,
  FRAMING_CHECKS,
  type FramingEpoch,
  framingEpoch,
  membershipTag,
  type SignatureKeyLookup,
  signContent,
  unprotectPrivateMessage,
  unprotectPublicMessage,
} from '../src/framing/index.js';
import { encryptSenderData, senderDataAad } from '../src/framing/sender-data.js';
import { SecretTree } from '../src/schedule/secret-tree.js';
import { encodeFramedContentAuthData } from '../src/wire/framing.js';
import {
  type Bytes,
  type FramedContent,
  type GroupContext,
  type PrivateMessage,
  type Proposal,
  type PublicMessage,
  type Sender,
  WireFormat,
} from '../src/wire/types.js';

const cs = createNativeProvider().suite(1);
let counter = 0;
const seeded: Rng = (n) =>
  Uint8Array.from({ length: n }, () => {
    counter = (Math.imul(counter, 1103515245) + 12345) >>> 0;
    return counter >>> 24;
  });

const members = [0, 1, 3].map(() => cs.generateSignatureKeyPair(seeded)); // leaves 0, 1, 3; leaf 2 is blank
const externalSender = cs.generateSignatureKeyPair(seeded);
const outsider = cs.generateSignatureKeyPair(seeded);
const keyOfLeaf = new Map<number, Bytes>([
  [0, (members[0] as (typeof members)[0]).publicKey],
  [1, (members[1] as (typeof members)[0]).publicKey],
  [3, (members[2] as (typeof members)[0]).publicKey],
]);
const lookup: SignatureKeyLookup = (s) =>
  s.senderType === 1 ? keyOfLeaf.get(s.leafIndex) : s.senderType === 2 && s.senderIndex === 0 ? externalSender.publicKey : undefined;
const alice = (members[0] as (typeof members)[0]).privateKey;

const groupContext: GroupContext = {
  version: 1,
  cipherSuite: 1,
  groupId: seeded(16),
  epoch: 5n,
  treeHash: seeded(32),
  confirmedTranscriptHash: seeded(32),
  extensions: [],
};
const secrets = { membershipKey: seeded(32), senderDataSecret: seeded(32) };
const encryptionSecret = seeded(32);
const epoch = framingEpoch(cs, groupContext, secrets);
const freshTree = (leaves = 4) => SecretTree.create(cs, encryptionSecret, leaves);

function other(changes: Partial<GroupContext>): FramingEpoch {
  return framingEpoch(cs, { ...groupContext, ...changes }, secrets);
}
function content(
  sender: Sender,
  body: Partial<FramedContent> & Pick<FramedContent, 'contentType'>,
  on: FramingEpoch = epoch,
): FramedContent {
  return {
    groupId: on.groupContext.groupId,
    epoch: on.groupContext.epoch,
    sender,
    authenticatedData: new Uint8Array(0),
    ...body,
  } as FramedContent;
}
const remove: Proposal = { proposalType: 3, remove: { removed: 3 } };
const member = (leafIndex: number): Sender => ({ senderType: 1, leafIndex });
const app = (leaf = 0, on: FramingEpoch = epoch) =>
  content(member(leaf), { contentType: 1, applicationData: new Uint8Array([1, 2, 3]) }, on);
const proposal = (sender: Sender, p: Proposal = remove) => content(sender, { contentType: 2, proposal: p });

function rejects(fn: () => unknown, id: string): void {
  assert.throws(fn, (e) => e instanceof ValidationError && e.code === id, `expected ${id}`);
}
/** A member PublicMessage with a correct membership tag over whatever content and signature it carries. */
function tagged(on: FramingEpoch, c: FramedContent, signature: Bytes): PublicMessage {
  const ac = { wireFormat: WireFormat.mls_public_message, content: c, auth: { signature } };
  return { content: c, auth: ac.auth, membershipTag: membershipTag(on, ac) };
}
/** Encrypts an arbitrary PrivateMessageContent plaintext with the real keys (to forge malformed plaintexts). */
function encryptRaw(tree: SecretTree, leaf: number, contentType: number, plaintext: Bytes): PrivateMessage {
  const next = tree.nextKey(leaf, contentType === 1 ? 'application' : 'handshake');
  const guard = new Uint8Array(4);
  const aad = new Writer().bytes(groupContext.groupId).u64(groupContext.epoch).u8(contentType).bytes(new Uint8Array(0)).finish();
  const ciphertext = cs.aeadSeal(next.key.key, next.key.nonce, aad, plaintext);
  const sdAad = senderDataAad(groupContext.groupId, groupContext.epoch, contentType);
  const encryptedSenderData = encryptSenderData(cs, secrets.senderDataSecret, ciphertext, sdAad, {
    leafIndex: leaf,
    generation: next.key.generation,
    reuseGuard: guard,
  });
  return {
    groupId: groupContext.groupId,
    epoch: groupContext.epoch,
    contentType,
    authenticatedData: new Uint8Array(0),
    encryptedSenderData,
    ciphertext,
  };
}
const send = (c: FramedContent, key = alice, tree = freshTree()) => createPrivateMessage(epoch, tree, c, key, { rng: nativeRandom });

const covered = new Set<string>();
function must(id: string, title: string, fn: () => void): void {
  covered.add(id);
  it(`${id}: ${title}`, fn);
}

describe('framing must-reject (RFC 9420 §6)', () => {
  must('V-FRM-01', 'rejects a message for another group_id (public and private)', () => {
    const foreign = other({ groupId: seeded(16) });
    rejects(
      () =>
        unprotectPublicMessage(
          epoch,
          createPublicMessage(foreign, content(member(0), { contentType: 2, proposal: remove }, foreign), alice),
          lookup,
        ),
      'V-FRM-01',
    );
    const sent = createPrivateMessage(foreign, freshTree(), app(0, foreign), alice, { rng: nativeRandom });
    rejects(() => unprotectPrivateMessage(epoch, freshTree(), sent.message, lookup), 'V-FRM-01');
  });

  must('V-FRM-02', 'rejects a message for another epoch (public and private)', () => {
    const later = other({ epoch: 6n });
    rejects(
      () =>
        unprotectPublicMessage(
          epoch,
          createPublicMessage(later, content(member(0), { contentType: 2, proposal: remove }, later), alice),
          lookup,
        ),
      'V-FRM-02',
    );
    const sent = createPrivateMessage(later, freshTree(), app(0, later), alice, { rng: nativeRandom });
    rejects(() => unprotectPrivateMessage(epoch, freshTree(), sent.message, lookup), 'V-FRM-02');
  });

  must('V-FRM-03', 'rejects a PublicMessage whose membership tag is wrong or missing', () => {
    const msg = createPublicMessage(epoch, proposal(member(0)), alice);
    const bad = (msg.membershipTag as Bytes).slice();
    bad[0] = (bad[0] as number) ^ 0x80;
    rejects(() => unprotectPublicMessage(epoch, { ...msg, membershipTag: bad }, lookup), 'V-FRM-03');
    rejects(() => unprotectPublicMessage(epoch, { content: msg.content, auth: msg.auth }, lookup), 'V-FRM-03');
    const wrongKey = framingEpoch(cs, groupContext, { ...secrets, membershipKey: seeded(32) });
    rejects(() => unprotectPublicMessage(wrongKey, msg, lookup), 'V-FRM-03');
  });

  must('V-FRM-04', 'rejects a bad signature (public with a valid tag, and private)', () => {
    const c = proposal(member(0));
    const forged = signContent(epoch, WireFormat.mls_public_message, c, outsider.privateKey);
    rejects(() => unprotectPublicMessage(epoch, tagged(epoch, c, forged.auth.signature), lookup), 'V-FRM-04');
    // Signed for the other wire format: the TBS differs, so the signature fails.
    const wrongWf = signContent(epoch, WireFormat.mls_private_message, c, alice);
    rejects(() => unprotectPublicMessage(epoch, tagged(epoch, c, wrongWf.auth.signature), lookup), 'V-FRM-04');
    rejects(() => unprotectPrivateMessage(epoch, freshTree(), send(app(0), outsider.privateKey).message, lookup), 'V-FRM-04');
  });

  must('V-FRM-05', 'rejects a sender leaf that is blank or outside the tree', () => {
    const c = proposal(member(2));
    const sig = signContent(epoch, WireFormat.mls_public_message, c, alice).auth.signature;
    rejects(() => unprotectPublicMessage(epoch, tagged(epoch, c, sig), lookup), 'V-FRM-05');
    rejects(() => unprotectPrivateMessage(epoch, freshTree(), send(app(2)).message, lookup), 'V-FRM-05');
    // Leaf 6 exists only in a bigger tree: sender data decrypts, the leaf check fails before any key derivation.
    const big = createPrivateMessage(epoch, freshTree(8), app(6), alice, { rng: nativeRandom });
    rejects(() => unprotectPrivateMessage(epoch, freshTree(), big.message, lookup), 'V-FRM-05');
  });

  must('V-FRM-06', 'rejects application data sent as a PublicMessage', () => {
    const c = app(0);
    const sig = signContent(epoch, WireFormat.mls_public_message, c, alice).auth.signature;
    rejects(() => unprotectPublicMessage(epoch, tagged(epoch, c, sig), lookup), 'V-FRM-06');
  });

  must('V-FRM-07', 'rejects undecryptable sender data or content with one indistinguishable error', () => {
    const { message } = send(app(0));
    const esd = message.encryptedSenderData.slice();
    esd[0] = (esd[0] as number) ^ 1;
    const ct = message.ciphertext.slice();
    ct[ct.length - 1] = (ct[ct.length - 1] as number) ^ 1;
    const variants: PrivateMessage[] = [
      { ...message, encryptedSenderData: esd },
      { ...message, ciphertext: ct },
      { ...message, ciphertext: message.ciphertext.subarray(0, 10) },
      { ...message, encryptedSenderData: new Uint8Array(0) },
      { ...message, contentType: 2 }, // AAD mismatch
      { ...message, authenticatedData: new Uint8Array([9]) },
    ];
    const texts = new Set<string>();
    for (const m of variants) {
      try {
        unprotectPrivateMessage(epoch, freshTree(), m, lookup);
        assert.fail('accepted');
      } catch (e) {
        assert.ok(e instanceof ValidationError && e.code === 'V-FRM-07', String(e));
        texts.add(e.message);
      }
    }
    assert.equal(texts.size, 1);
    // A plaintext that decrypts but does not parse is the same error.
    rejects(() => unprotectPrivateMessage(epoch, freshTree(), encryptRaw(freshTree(), 0, 1, new Uint8Array([0x45])), lookup), 'V-FRM-07');
  });

  must('V-FRM-08', 'rejects a PrivateMessage whose padding is not all zeros', () => {
    const c = app(0);
    const ac = signContent(epoch, WireFormat.mls_private_message, c, alice);
    const w = new Writer().bytes(new Uint8Array([1, 2, 3]));
    encodeFramedContentAuthData(w, ac.auth, 1);
    w.raw(new Uint8Array([0, 0, 0, 1]));
    rejects(() => unprotectPrivateMessage(epoch, freshTree(), encryptRaw(freshTree(), 0, 1, w.finish()), lookup), 'V-FRM-08');
    // Zero padding is fine.
    const ok = new Writer().bytes(new Uint8Array([1, 2, 3]));
    encodeFramedContentAuthData(ok, ac.auth, 1);
    ok.raw(new Uint8Array(7));
    assert.doesNotThrow(() => unprotectPrivateMessage(epoch, freshTree(), encryptRaw(freshTree(), 0, 1, ok.finish()), lookup));
  });

  must('V-FRM-09', 'rejects an external sender_index not in external_senders', () => {
    const msg = createPublicMessage(epoch, proposal({ senderType: 2, senderIndex: 7 }), externalSender.privateKey);
    rejects(() => unprotectPublicMessage(epoch, msg, lookup), 'V-FRM-09');
    const good = createPublicMessage(epoch, proposal({ senderType: 2, senderIndex: 0 }), externalSender.privateKey);
    assert.doesNotThrow(() => unprotectPublicMessage(epoch, good, lookup));
  });

  must('V-FRM-10', 'rejects a generation too far ahead of the ratchet', () => {
    const ahead = SecretTree.create(cs, encryptionSecret, 4, { maxForwardDistance: 5000 }).keyFor(0, 'application', 1500).tree;
    rejects(() => unprotectPrivateMessage(epoch, freshTree(), send(app(0), alice, ahead).message, lookup), 'V-FRM-10');
    const strict = SecretTree.create(cs, encryptionSecret, 4, { maxForwardDistance: 3 });
    const four = freshTree().keyFor(0, 'application', 3).tree;
    rejects(() => unprotectPrivateMessage(epoch, strict, send(app(0), alice, four).message, lookup), 'V-FRM-10');
  });

  must('V-FRM-11', 'rejects reuse of a consumed generation (replay)', () => {
    const { message } = send(app(0));
    const first = unprotectPrivateMessage(epoch, freshTree(), message, lookup);
    rejects(() => unprotectPrivateMessage(epoch, first.tree, message, lookup), 'V-FRM-11');
  });

  must('V-FRM-12', 'rejects an external sender sending a disallowed proposal type or a commit', () => {
    const ext: Sender = { senderType: 2, senderIndex: 0 };
    const p = proposal(ext, { proposalType: 6, externalInit: { kemOutput: new Uint8Array(32) } });
    rejects(() => unprotectPublicMessage(epoch, createPublicMessage(epoch, p, externalSender.privateKey), lookup), 'V-FRM-12');
    const c = content(ext, { contentType: 3, commit: { proposals: [] } });
    const ac = signContent(epoch, WireFormat.mls_public_message, c, externalSender.privateKey);
    rejects(
      () => unprotectPublicMessage(epoch, { content: c, auth: { ...ac.auth, confirmationTag: new Uint8Array(32) } }, lookup),
      'V-FRM-12',
    );
  });

  must('V-FRM-13', 'rejects a new_member_commit sender without a commit carrying a path', () => {
    const nm: Sender = { senderType: 4 };
    rejects(() => unprotectPublicMessage(epoch, createPublicMessage(epoch, proposal(nm), outsider.privateKey), lookup), 'V-FRM-13');
    const c = content(nm, { contentType: 3, commit: { proposals: [] } });
    const ac = signContent(epoch, WireFormat.mls_public_message, c, outsider.privateKey);
    rejects(
      () => unprotectPublicMessage(epoch, { content: c, auth: { ...ac.auth, confirmationTag: new Uint8Array(32) } }, lookup),
      'V-FRM-13',
    );
  });

  must('V-FRM-14', 'rejects a new_member_proposal sender sending anything but Add', () => {
    const msg = createPublicMessage(epoch, proposal({ senderType: 3 }), outsider.privateKey);
    rejects(() => unprotectPublicMessage(epoch, msg, lookup), 'V-FRM-14');
  });

  it('every FRAMING_CHECKS entry has a must-reject test here, and every ID is unique', () => {
    const ids = FRAMING_CHECKS.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual([...covered].sort(), [...ids].sort());
    for (const c of FRAMING_CHECKS) assert.match(c.text, /MUST/);
  });
});
