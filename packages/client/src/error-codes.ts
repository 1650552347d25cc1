// Every code a SottoClientError can carry: the union of its subclasses' codes.
import type { AttachmentErrorCode } from './attachments/attachment-cipher.js';
import type { ClientErrorCode } from './client/client-error.js';
import type { ContentErrorCode } from './content/content-error.js';
import type { LinkErrorCode } from './link/link-error.js';
import type { StoreErrorCode } from './store/store-error.js';
import type { ApiErrorCode } from './transport/api-error.js';

export type SottoClientErrorCode = ClientErrorCode | ContentErrorCode | LinkErrorCode | StoreErrorCode | ApiErrorCode | AttachmentErrorCode;
