// ContentError: the one error every content decode failure throws, with a stable machine-readable code.

import { SottoClientError } from '../errors.js';

export type ContentErrorCode =
  /** Input ended inside a varint, a length or a field value. */
  | 'TRUNCATED'
  /** The first byte names a format version this client does not understand. */
  | 'UNSUPPORTED_VERSION'
  /** A varint was longer than needed, or larger than 2^53 - 1. */
  | 'BAD_VARINT'
  /** Field tags were not strictly ascending (duplicate or out of order), or tag 0 was used. */
  | 'BAD_TAG_ORDER'
  /** A required field was absent. */
  | 'MISSING_FIELD'
  /** A field had a length outside its bounds. */
  | 'BAD_LENGTH'
  /** A text field was not well-formed UTF-8. */
  | 'BAD_UTF8'
  /** A field held a value outside its allowed set (an unknown enum value, a boolean other than 0/1, ...). */
  | 'BAD_VALUE'
  /** The whole content exceeded MAX_CONTENT_BYTES. */
  | 'TOO_LARGE'
  /** The value passed to decode was not a Uint8Array. */
  | 'NOT_BYTES';

/** Thrown by decodeContent. The message names the field, never its value (safe to log). */
export class ContentError extends SottoClientError<ContentErrorCode> {
  constructor(code: ContentErrorCode, message: string) {
    super(code, `${code}: ${message}`);
    this.name = 'ContentError';
  }
}
