// PrivateMessage encryption and decryption (RFC 9420 §6.3): content under a secret-tree key with a reuse guard,
// sender data under a key sampled from the ciphertext. Decryption runs on a copy of the secret tree and returns
// the advanced tree only when the message has fully authenticated.
import { opaqueSize, Writer } from '../codec/tls-codec.js';
import type { Rng } from '../crypto/provider.js';
import { DecodeError, UsageError, ValidationError } from '../errors.js';
import type { RatchetType, SecretTree } from '../schedule/secret-tree.js';
import { encodeCommit } from '../wire/commit.js';
import { encodeFramedContentAuthData, privateMessageContentFromBytes } from '../wire/framing.js';
import { encodeProposal } from '../wire/proposal.js';
import {
  type AuthenticatedContent,
  type Bytes,
  ContentType,
  type FramedContent,
  type PrivateMessage,
  SenderType,
  WireFormat,
} from '../wire/types.js';
import { FRM } from './checks.js';
import {
  checkGroupAndEpoch,
  type FramingEpoch,
  markVerified,
  type SignatureKeyLookup,
  signContent,
  type VerifiedContent,
  verifyContentSignature,
} from './content-auth.js';
import { decryptionFailed, decryptSenderData, encryptSenderData, senderDataAad } from './sender-data.js';

export interface PrivateProtectOptions {
  /** Fresh randomness for the reuse guard (RFC 9420 §6.3.1). */
  rng: Rng;
  /** Pad the PrivateMessageContent with zeros to a multiple of this many bytes (RFC 9420 §16.2). Default: no padding. */
  padToMultipleOf?: number;
}

function ratchetFor(contentType: number): RatchetType {
  return contentType === ContentType.application ? 'application' : 'handshake';
}

/** RFC 9420 §6.3.1 PrivateContentAAD { group_id<V>; uint64 epoch; ContentType content_type; authenticated_data<V>; }. */
function privateContentAad(groupId: Bytes, epoch: bigint, contentType: number, authenticatedData: Bytes): Bytes {
  return new Writer(opaqueSize(groupId.length) + 9 + opaqueSize(authenticatedData.length))
    .bytes(groupId)
    .u64(epoch)
    .u8(contentType)
    .bytes(authenticatedData)
    .finish();
}

/** RFC 9420 §6.3.1: the key-schedule nonce with its first four bytes XORed with the reuse guard (a new array). */
function guardedNonce(nonce: Bytes, reuseGuard: Bytes): Bytes {
  const out = nonce.slice();
  for (let i = 0; i < 4; i++) out[i] = (out[i] as number) ^ (reuseGuard[i] as number);
  return out;
}

/** RFC 9420 §6.3.1 PrivateMessageContent: the content body, FramedContentAuthData, zero padding. */
function encodeContent(ac: AuthenticatedContent, padToMultipleOf: number | undefined): Bytes {
  const c = ac.content;
  const w = new Writer(
    c.contentType === ContentType.application ? opaqueSize(c.applicationData.length) + opaqueSize(ac.auth.signature.length) : 512,
  );
  if (c.contentType === ContentType.application) w.bytes(c.applicationData);
  else if (c.contentType === ContentType.proposal) encodeProposal(w, c.proposal);
  else encodeCommit(w, c.commit);
  encodeFramedContentAuthData(w, ac.auth, c.contentType);
  const body = w.finish();
  const block = padToMultipleOf ?? 0;
  if (block <= 1 || body.length % block === 0) return body;
  const padded = new Uint8Array(body.length + block - (body.length % block));
  padded.set(body);
  return padded;
}

/**
 * RFC 9420 §6.3: encrypts signed content from a member sender. Consumes the next key of the sender's ratchet and
 * returns the tree without it; the caller MUST persist that tree before sending (RFC 9420 §6.3.1).
 */
export function protectPrivateMessage(
  epoch: FramingEpoch,
  tree: SecretTree,
  ac: AuthenticatedContent,
  options: PrivateProtectOptions,
): { message: PrivateMessage; tree: SecretTree } {
  const { content } = ac;
  if (ac.wireFormat !== WireFormat.mls_private_message) throw new UsageError('content was signed for another wire format');
  // RFC 9420 §6.3.2: the sender MUST verify that Sender.sender_type is member.
  if (content.sender.senderType !== SenderType.member) throw new UsageError('only members can send a PrivateMessage');
  if (content.contentType === ContentType.commit && ac.auth.confirmationTag === undefined) {
    throw new UsageError('a commit needs its confirmation tag before it is framed');
  }
  const { cs, groupContext } = epoch;
  const leafIndex = content.sender.leafIndex;
  const next = tree.nextKey(leafIndex, ratchetFor(content.contentType));
  const reuseGuard = options.rng(4);
  if (reuseGuard.length !== 4) throw new UsageError('rng returned the wrong number of bytes');
  const aad = privateContentAad(groupContext.groupId, groupContext.epoch, content.contentType, content.authenticatedData);
  const ciphertext = cs.aeadSeal(next.key.key, guardedNonce(next.key.nonce, reuseGuard), aad, encodeContent(ac, options.padToMultipleOf));
  const sdAad = senderDataAad(groupContext.groupId, groupContext.epoch, content.contentType);
  const encryptedSenderData = encryptSenderData(cs, epoch.senderDataSecret, ciphertext, sdAad, {
    leafIndex,
    generation: next.key.generation,
    reuseGuard,
  });
  const message: PrivateMessage = {
    groupId: groupContext.groupId,
    epoch: groupContext.epoch,
    contentType: content.contentType,
    authenticatedData: content.authenticatedData,
    encryptedSenderData,
    ciphertext,
  };
  return { message, tree: next.tree };
}

/** Signs `content` as a member (RFC 9420 §6.1) and encrypts it. Commits: signContent, add the tag, then protect. */
export function createPrivateMessage(
  epoch: FramingEpoch,
  tree: SecretTree,
  content: FramedContent,
  signaturePrivateKey: Bytes,
  options: PrivateProtectOptions,
): { message: PrivateMessage; tree: SecretTree } {
  if (content.contentType === ContentType.commit) throw new UsageError('sign a commit with signContent, then add its confirmation tag');
  const ac = signContent(epoch, WireFormat.mls_private_message, content, signaturePrivateKey);
  return protectPrivateMessage(epoch, tree, ac, options);
}

/**
 * RFC 9420 §6.3 decode, on a copy of `tree`: group and epoch (V-FRM-01/02), sender data (V-FRM-07), sender leaf
 * non-blank (V-FRM-05), ratchet bounds (V-FRM-10/11), content AEAD (V-FRM-07), padding (V-FRM-08), signature
 * (V-FRM-04). Returns the verified content and the tree with the key consumed; on any error, keep the old tree.
 */
export function unprotectPrivateMessage(
  epoch: FramingEpoch,
  tree: SecretTree,
  msg: PrivateMessage,
  lookup: SignatureKeyLookup,
): { content: VerifiedContent; tree: SecretTree } {
  const { cs } = epoch;
  checkGroupAndEpoch(epoch, msg.groupId, msg.epoch);
  const sd = decryptSenderData(
    cs,
    epoch.senderDataSecret,
    msg.ciphertext,
    senderDataAad(msg.groupId, msg.epoch, msg.contentType),
    msg.encryptedSenderData,
  );
  // RFC 9420 §6.3.2: the leaf index MUST identify a non-blank leaf.
  const sender = { senderType: SenderType.member, leafIndex: sd.leafIndex } as const;
  const publicKey = sd.leafIndex < tree.leafCount ? lookup(sender) : undefined;
  if (publicKey === undefined) throw new ValidationError(FRM.senderLeaf, 'sender leaf is not a member of the group');
  const step = tree.keyFor(sd.leafIndex, ratchetFor(msg.contentType), sd.generation);
  const aad = privateContentAad(msg.groupId, msg.epoch, msg.contentType, msg.authenticatedData);
  let plaintext: Bytes;
  try {
    plaintext = cs.aeadOpen(step.key.key, guardedNonce(step.key.nonce, sd.reuseGuard), aad, msg.ciphertext);
  } catch {
    throw decryptionFailed();
  }
  let decoded: ReturnType<typeof privateMessageContentFromBytes>;
  try {
    decoded = privateMessageContentFromBytes(plaintext, msg.contentType);
  } catch (e) {
    if (e instanceof DecodeError && e.message.endsWith('non-zero padding')) {
      throw new ValidationError(FRM.padding, 'PrivateMessage padding is not all zeros');
    }
    throw decryptionFailed();
  }
  const { auth, paddingLength: _padding, ...body } = decoded;
  const content = { groupId: msg.groupId, epoch: msg.epoch, sender, authenticatedData: msg.authenticatedData, ...body } as FramedContent;
  const ac: AuthenticatedContent = { wireFormat: WireFormat.mls_private_message, content, auth };
  verifyContentSignature(epoch, ac, publicKey);
  return { content: markVerified(ac), tree: step.tree };
}
