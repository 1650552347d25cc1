// Message framing (RFC 9420 §6): sign/verify content, PublicMessage and PrivateMessage protect/unprotect.
export { FRAMING_CHECKS, FRM, type FramingCheck } from './checks.js';
export {
  type FramingEpoch,
  type SignatureKeyLookup,
  type VerifiedContent,
  framedContentTbs,
  framingEpoch,
  senderSignatureKey,
  signContent,
  verifyContentSignature,
} from './content-auth.js';
export { createPublicMessage, membershipTag, protectPublicMessage, unprotectPublicMessage } from './public-message.js';
export { type PrivateProtectOptions, createPrivateMessage, protectPrivateMessage, unprotectPrivateMessage } from './private-message.js';
export { senderDataKeyNonce } from './sender-data.js';
