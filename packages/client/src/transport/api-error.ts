// ApiError: a refusal or failure from the Sotto server, with the server's stable `code` (or NETWORK / PROTOCOL).

import type { ErrorCode } from '@sotto/protocol';
import { SottoClientError } from '../errors.js';

export type ApiErrorCode =
  | ErrorCode
  /** The server could not be reached (or the connection broke). Retryable. */
  | 'NETWORK'
  /** The server answered something this client does not understand. */
  | 'PROTOCOL';

const RETRYABLE = new Set<string>(['NETWORK', 'RATE_LIMITED', 'SHUTTING_DOWN', 'INTERNAL']);

export class ApiError extends SottoClientError<ApiErrorCode> {
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(code: ApiErrorCode, message: string, status = 0, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ApiError';
    this.status = status;
    this.details = details;
  }

  /** Worth retrying later with the same request. */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }

  /** For STALE_EPOCH: the epoch the server is at. */
  get currentEpoch(): bigint | undefined {
    const e = this.details.currentEpoch;
    return typeof e === 'string' && /^[0-9]+$/.test(e) ? BigInt(e) : undefined;
  }
}
