// LinkError: the one error type of device-link codes and payloads, with a stable code.

import { SottoClientError } from '../errors.js';

export type LinkErrorCode =
  /** A QR payload had the wrong length or layout. */
  | 'MALFORMED_PAYLOAD'
  /** A QR payload names a version this client does not know. */
  | 'UNSUPPORTED_VERSION'
  /** A typed code has the wrong length or a character outside the alphabet. */
  | 'MALFORMED_CODE'
  /** The revealed keys and nonce do not open the earlier commitment. */
  | 'COMMITMENT_MISMATCH';

export class LinkError extends SottoClientError<LinkErrorCode> {
  constructor(code: LinkErrorCode, message: string) {
    super(code, `${code}: ${message}`);
    this.name = 'LinkError';
  }
}
