// PublicMessage protection and verification (RFC 9420 §6.2): signed, membership-tagged, never application data.
import { Writer } from '../codec/tls-codec.js';
import { UsageError, ValidationError } from '../errors.js';
import { constantTimeEqual } from '../util/bytes.js';
import { encodeFramedContentAuthData } from '../wire/framing.js';
import {
  type AuthenticatedContent,
  type Bytes,
  ContentType,
  type FramedContent,
  type PublicMessage,
  SenderType,
  WireFormat,
} from '../wire/types.js';
import { FRM } from './checks.js';
import {
  checkGroupAndEpoch,
  type FramingEpoch,
  framedContentTbs,
  markSignatureVerified,
  markVerified,
  type PublicEpoch,
  type SignatureKeyLookup,
  type SignatureVerifiedContent,
  senderSignatureKey,
  signContent,
  type VerifiedContent,
  verifyContentSignature,
} from './content-auth.js';

/** RFC 9420 §6.2: membership_tag = MAC(membership_key, AuthenticatedContentTBM{FramedContentTBS, auth}). */
export function membershipTag(epoch: FramingEpoch, ac: AuthenticatedContent): Bytes {
  const tbs = framedContentTbs(epoch, ac.wireFormat, ac.content);
  const w = new Writer(tbs.length + ac.auth.signature.length + 80);
  w.raw(tbs);
  encodeFramedContentAuthData(w, ac.auth, ac.content.contentType);
  return epoch.cs.mac(epoch.membershipKey, w.finish());
}

/**
 * Encodes signed content as a PublicMessage, adding the membership tag for member senders (RFC 9420 §6.2).
 * A Commit's `auth.confirmationTag` must already be set. Application data is refused (RFC 9420 §6).
 */
export function protectPublicMessage(epoch: FramingEpoch, ac: AuthenticatedContent): PublicMessage {
  if (ac.wireFormat !== WireFormat.mls_public_message) throw new UsageError('content was signed for another wire format');
  if (ac.content.contentType === ContentType.application) throw new UsageError('application data must be sent as PrivateMessage');
  if (ac.content.contentType === ContentType.commit && ac.auth.confirmationTag === undefined) {
    throw new UsageError('a commit needs its confirmation tag before it is framed');
  }
  if (ac.content.sender.senderType !== SenderType.member) return { content: ac.content, auth: ac.auth };
  return { content: ac.content, auth: ac.auth, membershipTag: membershipTag(epoch, ac) };
}

/** Signs `content` (RFC 9420 §6.1) and frames it as a PublicMessage. Commits: use signContent, add the tag, then protect. */
export function createPublicMessage(epoch: FramingEpoch, content: FramedContent, signaturePrivateKey: Bytes): PublicMessage {
  if (content.contentType === ContentType.commit) throw new UsageError('sign a commit with signContent, then add its confirmation tag');
  return protectPublicMessage(epoch, signContent(epoch, WireFormat.mls_public_message, content, signaturePrivateKey));
}

/**
 * RFC 9420 §6.2 decode: group and epoch (V-FRM-01/02), no application data (V-FRM-06), sender-type rules,
 * membership tag for members (V-FRM-03, constant time), then the signature (V-FRM-04).
 */
export function unprotectPublicMessage(epoch: FramingEpoch, msg: PublicMessage, lookup: SignatureKeyLookup): VerifiedContent {
  const ac = publicContent(epoch, msg);
  if (ac.content.sender.senderType === SenderType.member) {
    const tag = msg.membershipTag;
    if (tag === undefined || !constantTimeEqual(membershipTag(epoch, ac), tag)) {
      throw new ValidationError(FRM.membershipTag, 'membership tag does not verify');
    }
  }
  verifyContentSignature(epoch, ac, senderSignatureKey(ac.content, lookup));
  return markVerified(ac);
}

/**
 * RFC 9420 §6.2 for a party that holds no epoch secret, i.e. a Delivery Service: the checks of
 * unprotectPublicMessage (V-FRM-01/02/06, sender-type rules, signature V-FRM-04) EXCEPT the membership tag, which is
 * a MAC under the epoch's membership_key (§6.2, §8) and is deliberately not checked here. A member's signature over
 * FramedContentTBS binds the content to the GroupContext, so the sender is still authenticated; what is lost is
 * only the proof that the sender held the epoch secrets. Members must keep using unprotectPublicMessage.
 */
export function verifyPublicMessageSignature(epoch: PublicEpoch, msg: PublicMessage, lookup: SignatureKeyLookup): SignatureVerifiedContent {
  const ac = publicContent(epoch, msg);
  verifyContentSignature(epoch, ac, senderSignatureKey(ac.content, lookup));
  return markSignatureVerified(ac);
}

/** RFC 9420 §6: group and epoch (V-FRM-01/02), no application data (V-FRM-06); the content as signed. */
function publicContent(epoch: PublicEpoch, msg: PublicMessage): AuthenticatedContent {
  const { content } = msg;
  checkGroupAndEpoch(epoch, content.groupId, content.epoch);
  if (content.contentType === ContentType.application) {
    throw new ValidationError(FRM.applicationInPublic, 'application data sent as PublicMessage');
  }
  return { wireFormat: WireFormat.mls_public_message, content, auth: msg.auth };
}
