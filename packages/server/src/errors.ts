// The one error class of the server: a stable `code`, an HTTP status, and a message safe to log and to show.
// The codes and statuses are the contract in @sotto/protocol.
import { ERROR_CODES, type ErrorBody, type ErrorCode } from '@sotto/protocol';

export const ErrorCodes = ERROR_CODES;
export type { ErrorCode };

export class SottoError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra machine-readable fields returned to the client (e.g. `currentEpoch`). Never secrets. */
  readonly details: Record<string, string | number> | undefined;
  constructor(code: ErrorCode, message: string, details?: Record<string, string | number>) {
    super(message);
    this.name = 'SottoError';
    this.code = code;
    this.status = ErrorCodes[code];
    this.details = details;
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ?? {}) } };
  }
}
