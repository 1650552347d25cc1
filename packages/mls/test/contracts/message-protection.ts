// IETF message-protection.json checks (RFC 9420 §6.2, §6.3) for any CryptoProvider: unprotect the given
// Public/PrivateMessages for a proposal, a commit and application data (sender: leaf 1 of a 2-member secret tree), then
// protect our own and unprotect them. Portable: run by test/message-protection.test.ts in Node and by packages/web in Chromium.
import type { CryptoProvider, Rng } from '../../src/crypto/provider.js';
import { UsageError, ValidationError } from '../../src/errors.js';
import {
  type FramingEpoch,
  framingEpoch,
  protectPrivateMessage,
  protectPublicMessage,
  type SignatureKeyLookup,
  signContent,
  unprotectPrivateMessage,
  unprotectPublicMessage,
} from '../../src/framing/index.js';
import { SecretTree } from '../../src/schedule/secret-tree.js';
import { fromHex as hex, toHex } from '../../src/util/bytes.js';
import { decodeCommit, encodeCommit } from '../../src/wire/commit.js';
import { encodeFramedContent } from '../../src/wire/framing.js';
import { decodeMlsMessage } from '../../src/wire/mls-message.js';
import { decodeProposal, encodeProposal } from '../../src/wire/proposal.js';
import { type ContentBody, type FramedContent, type PrivateMessage, type PublicMessage, WireFormat } from '../../src/wire/types.js';
import type { ContractAssert } from './assert.js';

export interface ProtectionVector {
  cipher_suite: number;
  group_id: string;
  epoch: number;
  tree_hash: string;
  confirmed_transcript_hash: string;
  signature_priv: string;
  signature_pub: string;
  encryption_secret: string;
  sender_data_secret: string;
  membership_key: string;
  proposal: string;
  proposal_pub: string;
  proposal_priv: string;
  commit: string;
  commit_pub: string;
  commit_priv: string;
  application: string;
  application_priv: string;
}

function setup(provider: CryptoProvider, v: ProtectionVector) {
  const cs = provider.suite(v.cipher_suite);
  const epoch = framingEpoch(
    cs,
    {
      version: 1,
      cipherSuite: v.cipher_suite,
      groupId: hex(v.group_id),
      epoch: BigInt(v.epoch),
      treeHash: hex(v.tree_hash),
      confirmedTranscriptHash: hex(v.confirmed_transcript_hash),
      extensions: [],
    },
    { membershipKey: hex(v.membership_key), senderDataSecret: hex(v.sender_data_secret) },
  );
  const pub = hex(v.signature_pub);
  const lookup: SignatureKeyLookup = (s) => (s.senderType === 1 && s.leafIndex === 1 ? pub : undefined);
  const tree = () => SecretTree.create(cs, hex(v.encryption_secret), 2);
  return { cs, epoch, lookup, tree, priv: hex(v.signature_priv) };
}

function asPublic(bytes: string): PublicMessage {
  const m = decodeMlsMessage(hex(bytes));
  if (m.wireFormat !== WireFormat.mls_public_message) throw new Error('expected a PublicMessage');
  return m.publicMessage;
}

function asPrivate(bytes: string): PrivateMessage {
  const m = decodeMlsMessage(hex(bytes));
  if (m.wireFormat !== WireFormat.mls_private_message) throw new Error('expected a PrivateMessage');
  return m.privateMessage;
}

function bodyHex(c: ContentBody): string {
  if (c.contentType === 1) return toHex(c.applicationData);
  if (c.contentType === 2) return toHex(encodeProposal(c.proposal));
  return toHex(encodeCommit(c.commit));
}

function ownContent(epoch: FramingEpoch, body: ContentBody, authenticatedData: Uint8Array): FramedContent {
  const { groupId, epoch: e } = epoch.groupContext;
  return { groupId, epoch: e, sender: { senderType: 1, leafIndex: 1 }, authenticatedData, ...body };
}

/** Checks one case (proposal, commit, application); returns the number of given messages unprotected. */
export function checkMessageProtectionCase(provider: CryptoProvider, rng: Rng, v: ProtectionVector, assert: ContractAssert): number {
  const { epoch, lookup, tree, priv } = setup(provider, v);
  let messages = 0;
  const bodies: [string, ContentBody, string | undefined, string][] = [
    ['proposal', { contentType: 2, proposal: decodeProposal(hex(v.proposal)) }, v.proposal_pub, v.proposal_priv],
    ['commit', { contentType: 3, commit: decodeCommit(hex(v.commit)) }, v.commit_pub, v.commit_priv],
    ['application', { contentType: 1, applicationData: hex(v.application) }, undefined, v.application_priv],
  ];
  for (const [name, body, pubHex, privHex] of bodies) {
    const at = `${provider.name} suite ${v.cipher_suite} ${name}`;
    const raw = bodyHex(body);
    let confirmationTag: Uint8Array | undefined;
    // The given PublicMessage verifies (membership tag, signature) and yields the raw content.
    if (pubHex !== undefined) {
      const got = unprotectPublicMessage(epoch, asPublic(pubHex), lookup);
      assert.equal(bodyHex(got.content), raw, at);
      confirmationTag = got.auth.confirmationTag;
      // Our own PublicMessage verifies too.
      const ac = signContent(epoch, WireFormat.mls_public_message, ownContent(epoch, body, new Uint8Array(0)), priv);
      if (confirmationTag) ac.auth.confirmationTag = confirmationTag;
      const mine = unprotectPublicMessage(epoch, protectPublicMessage(epoch, ac), lookup);
      assert.equal(toHex(encodeFramedContent(mine.content)), toHex(encodeFramedContent(ac.content)), at);
    } else {
      // Application data MUST NOT be sent as a PublicMessage.
      const ac = signContent(epoch, WireFormat.mls_public_message, ownContent(epoch, body, new Uint8Array(0)), priv);
      assert.throws(
        () => protectPublicMessage(epoch, ac),
        (e) => e instanceof UsageError,
        at,
      );
    }
    // The given PrivateMessage decrypts, with a fresh 2-member secret tree.
    const got = unprotectPrivateMessage(epoch, tree(), asPrivate(privHex), lookup);
    assert.equal(bodyHex(got.content.content), raw, at);
    assert.equal(got.content.content.sender.senderType, 1);
    confirmationTag ??= got.content.auth.confirmationTag;
    // Our own PrivateMessage (with padding) round-trips, and its key cannot be used twice.
    const ac = signContent(epoch, WireFormat.mls_private_message, ownContent(epoch, body, hex('a1b2')), priv);
    if (body.contentType === 3) ac.auth.confirmationTag = confirmationTag;
    const sent = protectPrivateMessage(epoch, tree(), ac, { rng, padToMultipleOf: 32 });
    const recv = unprotectPrivateMessage(epoch, tree(), sent.message, lookup);
    assert.equal(toHex(encodeFramedContent(recv.content.content)), toHex(encodeFramedContent(ac.content)), at);
    assert.deepEqual(recv.content.auth, ac.auth);
    assert.throws(
      () => unprotectPrivateMessage(epoch, recv.tree, sent.message, lookup),
      (e) => e instanceof ValidationError && e.code === 'V-FRM-11',
      at,
    );
    messages += pubHex === undefined ? 1 : 2;
  }
  return messages;
}

/** A FramingEpoch prints itself redacted (String and JSON), without its membership key. */
export function checkFramingEpochRedacted(provider: CryptoProvider, v: ProtectionVector, assert: ContractAssert): void {
  const { epoch } = setup(provider, v);
  for (const s of [String(epoch), JSON.stringify(epoch)]) {
    assert.ok(s.includes('redacted') && !s.includes(v.membership_key.slice(0, 8)), s);
  }
}
