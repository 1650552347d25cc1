// SottoClientError: the one base class of every error the client SDK throws on purpose. Each carries a stable,
// machine-readable `code` that callers (the CLI, an app) map to their own messages; messages are safe to log
// (never a key, a passphrase or message content).
import type { AttachmentErrorCode } from './attachments/attachment-cipher.js';
import type { ClientErrorCode } from './client/client-error.js';
import type { ContentErrorCode } from './content/content-error.js';
import type { LinkErrorCode } from './link/link-error.js';
import type { StoreErrorCode } from './store/store-error.js';
import type { ApiErrorCode } from './transport/api-error.js';

/** Every code a SottoClientError can carry: the union of its subclasses' codes. */
export type SottoClientErrorCode = ClientErrorCode | ContentErrorCode | LinkErrorCode | StoreErrorCode | ApiErrorCode | AttachmentErrorCode;

export class SottoClientError<C extends SottoClientErrorCode = SottoClientErrorCode> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SottoClientError';
    this.code = code;
  }
}
