// RFC 9420 §6 message framing: Sender, FramedContent, FramedContentAuthData, PublicMessage, PrivateMessage,
// and the derived encodings used for signing (§6.1), membership tags (§6.2), encryption (§6.3) and
// transcript hashes (§8.2).

import { dualDecoder, dualEncoder } from '../codec/dual.js';
import { decode, type Reader, Writer } from '../codec/tls-codec.js';
import { DecodeError, UsageError } from '../errors.js';
import { decodeCommit, encodeCommit } from './commit.js';
import { encodeGroupContext } from './group-context.js';
import { decodeProposal, encodeProposal } from './proposal.js';
import {
  type AuthenticatedContent,
  type Bytes,
  type ContentBody,
  ContentType,
  type FramedContent,
  type FramedContentAuthData,
  type GroupContext,
  type PrivateContentAad,
  type PrivateMessage,
  type PrivateMessageContent,
  ProtocolVersion,
  type PublicMessage,
  type Sender,
  type SenderData,
  type SenderDataAad,
  SenderType,
} from './types.js';

export const encodeSender = dualEncoder((w: Writer, v: Sender) => {
  w.u8(v.senderType);
  if (v.senderType === SenderType.member) w.u32(v.leafIndex);
  else if (v.senderType === SenderType.external) w.u32(v.senderIndex);
});
export const decodeSender = dualDecoder((r: Reader): Sender => {
  const senderType = r.u8();
  switch (senderType) {
    case SenderType.member:
      return { senderType, leafIndex: r.u32() };
    case SenderType.external:
      return { senderType, senderIndex: r.u32() };
    case SenderType.new_member_proposal:
    case SenderType.new_member_commit:
      return { senderType };
    default:
      throw new DecodeError('unknown sender type');
  }
});

/** content_type followed by the selected body (shared by FramedContent and PrivateMessageContent). */
export function encodeContentBody(w: Writer, v: ContentBody): void {
  w.u8(v.contentType);
  encodeContentBodyOnly(w, v);
}
function encodeContentBodyOnly(w: Writer, v: ContentBody): void {
  if (v.contentType === ContentType.application) w.bytes(v.applicationData);
  else if (v.contentType === ContentType.proposal) encodeProposal(w, v.proposal);
  else encodeCommit(w, v.commit);
}
/** Decodes the body selected by an already-known content type. */
function decodeContentBodyOnly(r: Reader, contentType: number): ContentBody {
  if (contentType === ContentType.application) return { contentType, applicationData: r.bytes() };
  if (contentType === ContentType.proposal) return { contentType, proposal: decodeProposal(r) };
  if (contentType === ContentType.commit) return { contentType, commit: decodeCommit(r) };
  throw new DecodeError('unknown content type');
}
export function decodeContentBody(r: Reader): ContentBody {
  return decodeContentBodyOnly(r, r.u8());
}

export const encodeFramedContent = dualEncoder((w: Writer, v: FramedContent) => {
  w.bytes(v.groupId).u64(v.epoch);
  encodeSender(w, v.sender);
  w.bytes(v.authenticatedData);
  encodeContentBody(w, v);
});
export const decodeFramedContent = dualDecoder((r: Reader): FramedContent => {
  const groupId = r.bytes();
  const epoch = r.u64();
  const sender = decodeSender(r);
  const authenticatedData = r.bytes();
  return { groupId, epoch, sender, authenticatedData, ...decodeContentBody(r) };
});

/** FramedContentAuthData; `contentType` selects whether confirmation_tag is present (iff commit). */
export function encodeFramedContentAuthData(w: Writer, v: FramedContentAuthData, contentType: number): void {
  w.bytes(v.signature);
  if (contentType === ContentType.commit) {
    if (!v.confirmationTag) throw new UsageError('commit auth data needs a confirmation tag');
    w.bytes(v.confirmationTag);
  }
}
export function decodeFramedContentAuthData(r: Reader, contentType: number): FramedContentAuthData {
  const signature = r.bytes();
  if (contentType !== ContentType.commit) return { signature };
  return { signature, confirmationTag: r.bytes() };
}

export const encodeAuthenticatedContent = dualEncoder((w: Writer, v: AuthenticatedContent) => {
  w.u16(v.wireFormat);
  encodeFramedContent(w, v.content);
  encodeFramedContentAuthData(w, v.auth, v.content.contentType);
});
export const decodeAuthenticatedContent = dualDecoder((r: Reader): AuthenticatedContent => {
  const wireFormat = r.u16();
  const content = decodeFramedContent(r);
  return { wireFormat, content, auth: decodeFramedContentAuthData(r, content.contentType) };
});

export const encodePublicMessage = dualEncoder((w: Writer, v: PublicMessage) => {
  encodeFramedContent(w, v.content);
  encodeFramedContentAuthData(w, v.auth, v.content.contentType);
  if (v.content.sender.senderType === SenderType.member) {
    if (!v.membershipTag) throw new UsageError('member public message needs a membership tag');
    w.bytes(v.membershipTag);
  }
});
export const decodePublicMessage = dualDecoder((r: Reader): PublicMessage => {
  const content = decodeFramedContent(r);
  const auth = decodeFramedContentAuthData(r, content.contentType);
  if (content.sender.senderType !== SenderType.member) return { content, auth };
  return { content, auth, membershipTag: r.bytes() };
});

export const encodePrivateMessage = dualEncoder((w: Writer, v: PrivateMessage) => {
  w.bytes(v.groupId).u64(v.epoch).u8(v.contentType).bytes(v.authenticatedData).bytes(v.encryptedSenderData).bytes(v.ciphertext);
});
export const decodePrivateMessage = dualDecoder((r: Reader): PrivateMessage => {
  const groupId = r.bytes();
  const epoch = r.u64();
  const contentType = r.u8();
  if (contentType < ContentType.application || contentType > ContentType.commit) throw new DecodeError('unknown content type');
  return { groupId, epoch, contentType, authenticatedData: r.bytes(), encryptedSenderData: r.bytes(), ciphertext: r.bytes() };
});

/** RFC 9420 §6.1 FramedContentTBS; `groupContext` is required iff the sender is member or new_member_commit. */
export function encodeFramedContentTbs(w: Writer, wireFormat: number, content: FramedContent, groupContext?: GroupContext): void {
  w.u16(ProtocolVersion.mls10).u16(wireFormat);
  encodeFramedContent(w, content);
  const st = content.sender.senderType;
  if (st === SenderType.member || st === SenderType.new_member_commit) {
    if (!groupContext) throw new UsageError('FramedContentTBS needs the group context for this sender');
    encodeGroupContext(w, groupContext);
  }
}
export function framedContentTbsBytes(wireFormat: number, content: FramedContent, groupContext?: GroupContext): Uint8Array {
  const w = new Writer();
  encodeFramedContentTbs(w, wireFormat, content, groupContext);
  return w.finish();
}

/** RFC 9420 §6.2 AuthenticatedContentTBM: FramedContentTBS then FramedContentAuthData (membership-tag MAC input). */
export function authenticatedContentTbmBytes(
  wireFormat: number,
  content: FramedContent,
  auth: FramedContentAuthData,
  groupContext?: GroupContext,
): Uint8Array {
  const w = new Writer();
  encodeFramedContentTbs(w, wireFormat, content, groupContext);
  encodeFramedContentAuthData(w, auth, content.contentType);
  return w.finish();
}

/** RFC 9420 §8.2 ConfirmedTranscriptHashInput: wire_format, FramedContent (a commit), signature<V>. */
export function confirmedTranscriptHashInputBytes(wireFormat: number, content: FramedContent, signature: Bytes): Uint8Array {
  const w = new Writer();
  w.u16(wireFormat);
  encodeFramedContent(w, content);
  w.bytes(signature);
  return w.finish();
}

/** RFC 9420 §8.2 InterimTranscriptHashInput: confirmation_tag<V>. */
export function interimTranscriptHashInputBytes(confirmationTag: Bytes): Uint8Array {
  return new Writer().bytes(confirmationTag).finish();
}

/** RFC 9420 §6.3.1 PrivateMessageContent: body (content type known from outside), auth, zero padding. */
export const encodePrivateMessageContent = dualEncoder((w: Writer, v: PrivateMessageContent) => {
  encodeContentBodyOnly(w, v);
  encodeFramedContentAuthData(w, v.auth, v.contentType);
  w.raw(new Uint8Array(v.paddingLength));
});
/** Consumes the reader to its end; the padding MUST be all zeros (RFC 9420 §6.3.1). */
export function decodePrivateMessageContent(r: Reader, contentType: number): PrivateMessageContent {
  const body = decodeContentBodyOnly(r, contentType);
  const auth = decodeFramedContentAuthData(r, contentType);
  const paddingLength = r.remaining;
  const padding = r.view(paddingLength);
  let acc = 0;
  for (let i = 0; i < padding.length; i++) acc |= padding[i] as number;
  if (acc !== 0) throw new DecodeError('non-zero padding');
  return { ...body, auth, paddingLength };
}
/** Decodes a whole decrypted PrivateMessageContent plaintext; only DecodeError escapes. */
export function privateMessageContentFromBytes(bytes: Uint8Array, contentType: number): PrivateMessageContent {
  return decode((r) => decodePrivateMessageContent(r, contentType), bytes);
}

/** RFC 9420 §6.3.1 PrivateContentAAD. */
export const encodePrivateContentAad = dualEncoder((w: Writer, v: PrivateContentAad) => {
  w.bytes(v.groupId).u64(v.epoch).u8(v.contentType).bytes(v.authenticatedData);
});
export const decodePrivateContentAad = dualDecoder((r: Reader): PrivateContentAad => ({
  groupId: r.bytes(),
  epoch: r.u64(),
  contentType: r.u8(),
  authenticatedData: r.bytes(),
}));

/** RFC 9420 §6.3.2 SenderDataAAD. */
export const encodeSenderDataAad = dualEncoder((w: Writer, v: SenderDataAad) => {
  w.bytes(v.groupId).u64(v.epoch).u8(v.contentType);
});
export const decodeSenderDataAad = dualDecoder((r: Reader): SenderDataAad => ({ groupId: r.bytes(), epoch: r.u64(), contentType: r.u8() }));

/** RFC 9420 §6.3.2 SenderData: leaf_index u32, generation u32, reuse_guard[4]. */
export const encodeSenderData = dualEncoder((w: Writer, v: SenderData) => {
  if (v.reuseGuard.length !== 4) throw new UsageError('reuse guard must be 4 bytes');
  w.u32(v.leafIndex).u32(v.generation).raw(v.reuseGuard);
});
export const decodeSenderData = dualDecoder((r: Reader): SenderData => ({ leafIndex: r.u32(), generation: r.u32(), reuseGuard: r.raw(4) }));
