// The content format (docs/content-format.md) and attachment decryption as one entry point, `@sotto/client/content`:
// the server decodes reported messages with this exact code (docs/moderation.md), never with a copy.
export { decodeContent, encodeContent } from './content-codec.js';
export { ContentError, type ContentErrorCode } from './content-error.js';
export * from './content-types.js';
export { AttachmentError, type AttachmentErrorCode, decryptStream, encryptBlob } from '../attachments/attachment-cipher.js';
export { SecretBytes } from '../util/secret-bytes.js';
