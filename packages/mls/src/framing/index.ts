// Message framing (RFC 9420 §6): sign/verify content, PublicMessage and PrivateMessage protect/unprotect.
export { FRAMING_CHECKS, FRM, type FramingCheck } from './checks.js';
export {
  type FramingEpoch,
  framedContentTbs,
  framingEpoch,
  type PublicEpoch,
  publicEpoch,
  type SignatureKeyLookup,
  type SignatureVerifiedContent,
  senderSignatureKey,
  signContent,
  type VerifiedContent,
  verifyContentSignature,
} from './content-auth.js';
export { createPrivateMessage, type PrivateProtectOptions, protectPrivateMessage, unprotectPrivateMessage } from './private-message.js';
export {
  createPublicMessage,
  membershipTag,
  protectPublicMessage,
  unprotectPublicMessage,
  verifyPublicMessageSignature,
} from './public-message.js';
export { senderDataKeyNonce } from './sender-data.js';
