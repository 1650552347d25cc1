// Content authentication (RFC 9420 §6.1): FramedContentTBS signing/verification, the per-sender-type signature key
// rules, and the epoch-bound inputs every framing operation needs.
import { Writer } from '../codec/tls-codec.js';
import { signWithLabel, verifyWithLabel } from '../crypto/labels.js';
import type { CipherSuite } from '../crypto/provider.js';
import { EpochMismatchError, ValidationError } from '../errors.js';
import { bytesEqual } from '../util/bytes.js';
import { encodeFramedContent } from '../wire/framing.js';
import { encodeGroupContext } from '../wire/group-context.js';
import {
  type AuthenticatedContent,
  type Bytes,
  ContentType,
  type FramedContent,
  type GroupContext,
  ProposalType,
  ProtocolVersion,
  type Sender,
  SenderType,
} from '../wire/types.js';
import { FRM } from './checks.js';

/** What framing needs from the current epoch (RFC 9420 §6): the GroupContext and two epoch secrets. */
export interface FramingEpoch {
  readonly cs: CipherSuite;
  readonly groupContext: GroupContext;
  /** encodeGroupContext(groupContext), computed once per epoch. */
  readonly groupContextBytes: Bytes;
  readonly membershipKey: Bytes;
  readonly senderDataSecret: Bytes;
}

/** What verifying a signature needs from the epoch: no secret (a Delivery Service has only this, RFC 9420 §6.1). */
export type PublicEpoch = Pick<FramingEpoch, 'cs' | 'groupContext' | 'groupContextBytes'>;

/** The public framing inputs of an epoch (encodes the GroupContext once). */
export function publicEpoch(cs: CipherSuite, groupContext: GroupContext): PublicEpoch {
  return { cs, groupContext, groupContextBytes: encodeGroupContext(groupContext) };
}

/** Builds the per-epoch framing inputs (encodes the GroupContext once). Holds secrets: prints redacted. */
export function framingEpoch(
  cs: CipherSuite,
  groupContext: GroupContext,
  secrets: { membershipKey: Bytes; senderDataSecret: Bytes },
): FramingEpoch {
  const text = 'FramingEpoch [redacted]';
  const epoch = {
    cs,
    groupContext,
    groupContextBytes: encodeGroupContext(groupContext),
    membershipKey: secrets.membershipKey,
    senderDataSecret: secrets.senderDataSecret,
  };
  const hide = (value: unknown) => ({ value, enumerable: false });
  return Object.defineProperties(epoch, {
    toString: hide(() => text),
    toJSON: hide(() => '[redacted]'),
    [Symbol.for('nodejs.util.inspect.custom')]: hide(() => text),
  });
}

/**
 * Resolves the signature public key of a `member` (by leaf index) or `external` (by index into external_senders)
 * sender. Returns undefined for a leaf outside the tree, a blank leaf, or an unknown external sender.
 * Keys of new_member_commit / new_member_proposal senders come from the message itself (RFC 9420 §6.1).
 */
export type SignatureKeyLookup = (sender: Sender) => Bytes | undefined;

declare const signed: unique symbol;
declare const verified: unique symbol;
/**
 * An AuthenticatedContent whose group/epoch and signature checks passed (RFC 9420 §6.1), but whose membership tag
 * was not checked: what a party without the epoch secrets (a Delivery Service) can establish.
 */
export type SignatureVerifiedContent = AuthenticatedContent & { readonly [signed]: true };
/**
 * An AuthenticatedContent whose framing checks passed: group/epoch, membership tag or AEAD, and signature.
 * A Commit's confirmation_tag is NOT yet verified: that needs the new epoch's confirmation_key (RFC 9420 §12.4.2).
 */
export type VerifiedContent = SignatureVerifiedContent & { readonly [verified]: true };

/** RFC 9420 §6.1 FramedContentTBS, with the cached GroupContext encoding for member/new_member_commit senders. */
export function framedContentTbs(epoch: PublicEpoch, wireFormat: number, content: FramedContent): Bytes {
  const w = new Writer(256);
  w.u16(ProtocolVersion.mls10).u16(wireFormat);
  encodeFramedContent(w, content);
  const st = content.sender.senderType;
  if (st === SenderType.member || st === SenderType.new_member_commit) w.raw(epoch.groupContextBytes);
  return w.finish();
}

/** RFC 9420 §6.1: signature = SignWithLabel(key, "FramedContentTBS", FramedContentTBS). No confirmation tag yet. */
export function signContent(
  epoch: FramingEpoch,
  wireFormat: number,
  content: FramedContent,
  signaturePrivateKey: Bytes,
): AuthenticatedContent {
  const signature = signWithLabel(epoch.cs, signaturePrivateKey, 'FramedContentTBS', framedContentTbs(epoch, wireFormat, content));
  return { wireFormat, content, auth: { signature } };
}

/** RFC 9420 §12.1.8: proposal types an `external` sender may send. */
const EXTERNAL_PROPOSALS: ReadonlySet<number> = new Set([
  ProposalType.add,
  ProposalType.remove,
  ProposalType.psk,
  ProposalType.reinit,
  ProposalType.group_context_extensions,
]);

/**
 * RFC 9420 §6.1: the content-type rules of each sender type, then the signature key the sender MUST have used.
 * Throws ValidationError V-FRM-05 / 09 / 12 / 13 / 14.
 */
export function senderSignatureKey(content: FramedContent, lookup: SignatureKeyLookup): Bytes {
  const { sender } = content;
  switch (sender.senderType) {
    case SenderType.member: {
      const key = lookup(sender);
      if (key === undefined) throw new ValidationError(FRM.senderLeaf, 'sender leaf is not a member of the group');
      return key;
    }
    case SenderType.external: {
      if (content.contentType !== ContentType.proposal || !EXTERNAL_PROPOSALS.has(content.proposal.proposalType)) {
        throw new ValidationError(FRM.externalContent, 'external sender may only send the external proposal types');
      }
      const key = lookup(sender);
      if (key === undefined) throw new ValidationError(FRM.externalSender, 'external sender index is not in external_senders');
      return key;
    }
    case SenderType.new_member_commit: {
      if (content.contentType !== ContentType.commit || content.commit.path === undefined) {
        throw new ValidationError(FRM.newMemberCommit, 'new_member_commit sender must send a commit with a path');
      }
      return content.commit.path.leafNode.signatureKey;
    }
    case SenderType.new_member_proposal: {
      if (content.contentType !== ContentType.proposal || content.proposal.proposalType !== ProposalType.add) {
        throw new ValidationError(FRM.newMemberProposal, 'new_member_proposal sender must send an Add proposal');
      }
      return content.proposal.add.keyPackage.leafNode.signatureKey;
    }
  }
}

/** RFC 9420 §6.1: VerifyWithLabel(key, "FramedContentTBS", FramedContentTBS, signature) or ValidationError V-FRM-04. */
export function verifyContentSignature(epoch: PublicEpoch, ac: AuthenticatedContent, publicKey: Bytes): void {
  const tbs = framedContentTbs(epoch, ac.wireFormat, ac.content);
  if (!verifyWithLabel(epoch.cs, publicKey, 'FramedContentTBS', tbs, ac.auth.signature)) {
    throw new ValidationError(FRM.signature, 'signature does not verify');
  }
}

/** RFC 9420 §6: the group_id and epoch of a message must be the group's current ones (V-FRM-01, V-FRM-02). */
export function checkGroupAndEpoch(epoch: PublicEpoch, groupId: Bytes, msgEpoch: bigint): void {
  if (!bytesEqual(epoch.groupContext.groupId, groupId)) throw new ValidationError(FRM.groupId, 'message is for another group');
  if (msgEpoch !== epoch.groupContext.epoch) throw new EpochMismatchError(epoch.groupContext.epoch, msgEpoch);
}

/** Marks content as having passed the framing checks (only this module's callers in framing/ use it). */
export function markVerified(ac: AuthenticatedContent): VerifiedContent {
  return ac as VerifiedContent;
}

/** Marks content whose signature (but not membership tag) passed; only framing/public-message.ts uses it. */
export function markSignatureVerified(ac: AuthenticatedContent): SignatureVerifiedContent {
  return ac as SignatureVerifiedContent;
}
