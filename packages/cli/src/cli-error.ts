// CliError and describeError: every failure the CLI reports, mapped from the SDK's typed errors to one clear line.
// The SDK's errors all extend SottoClientError with a stable code; CLIENT_CODES below is the one table that turns a
// code into an exit status and a message.

import { SottoClientError, type SottoClientErrorCode } from '@sotto/client';

/** Exit statuses: 1 = the operation failed, 2 = bad usage or arguments, 3 = the server could not be reached. */
export const EXIT = { failed: 1, usage: 2, network: 3, interrupted: 130 } as const;

export class CliError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode: number = EXIT.failed) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

export const usage = (message: string): CliError => new CliError('USAGE', message, EXIT.usage);

/** How the CLI reports one SDK error code: its exit status (default: failed), and a message that replaces the
 * error's own or a hint added after it, for codes whose message does not say what to do. */
interface CodeReport {
  readonly exit?: number;
  readonly message?: string;
  readonly hint?: string;
}

/** The one mapping from SottoClientError codes to exit statuses and messages; a code not listed fails with status 1. */
const CLIENT_CODES: Partial<Record<SottoClientErrorCode, CodeReport>> = {
  // The server could not be reached (ApiError).
  NETWORK: { exit: EXIT.network, message: 'cannot reach the server (is it running? check --server / SOTTO_SERVER)' },
  // Server refusals (ApiError).
  REGISTRATION_CLOSED: { hint: 'this server registers accounts only with an invite: --invite TOKEN' },
  NO_KEY_PACKAGE: { hint: 'that account has no device able to join right now: it must come online once' },
  UNAUTHORIZED: { hint: 'was this device removed?' },
  ACCOUNT_SUSPENDED: { hint: 'ask the operator' },
  RATE_LIMITED: { hint: 'wait a moment and try again' },
  // Local refusals (ClientError).
  INVALID_ARGUMENT: { exit: EXIT.usage },
  // The encrypted local store (StoreError).
  WRONG_PASSPHRASE: { message: 'wrong passphrase for this profile (see --passphrase-file / SOTTO_PASSPHRASE)' },
  WRONG_KEY: {
    message: 'the storage key does not open this profile (it may be protected by a passphrase: --passphrase-file / SOTTO_PASSPHRASE)',
  },
  KEY_FILE_INSECURE: { message: 'the profile key file must be a regular file of yours with mode 0600' },
  KEY_FILE_INVALID: { message: 'the profile key file is missing or damaged' },
  CORRUPT: { message: 'the local store is damaged' },
  IO: { hint: 'is the disk full or read-only?' },
};

function reportOf(e: SottoClientError): CodeReport {
  return CLIENT_CODES[e.code as SottoClientErrorCode] ?? {};
}

/** True when `e` says the server could not be reached (the command may go on offline). */
export function serverUnreachable(e: unknown): boolean {
  return e instanceof SottoClientError && reportOf(e).exit === EXIT.network;
}

function describeClientError(e: SottoClientError): { code: string; message: string; exitCode: number } {
  const report = reportOf(e);
  const message = report.message ?? (report.hint ? `${e.message} (${report.hint})` : e.message);
  return { code: e.code, message, exitCode: report.exit ?? EXIT.failed };
}

/** One log-safe description of any error, with the exit status it deserves. */
export function describeError(e: unknown): { code: string; message: string; exitCode: number } {
  if (e instanceof CliError) return { code: e.code, message: e.message, exitCode: e.exitCode };
  if (e instanceof SottoClientError) return describeClientError(e);
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT' && err.path) return { code: 'ENOENT', message: `no such file: ${err.path}`, exitCode: EXIT.failed };
  if (err?.code === 'EACCES' && err.path) return { code: 'EACCES', message: `permission denied: ${err.path}`, exitCode: EXIT.failed };
  return { code: 'INTERNAL', message: err?.message ?? String(e), exitCode: EXIT.failed };
}
