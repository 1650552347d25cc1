// CliError and describeError: every failure the CLI reports, mapped from the SDK's typed errors to one clear line.

import { ApiError, AttachmentError, ClientError, LinkError, StoreError } from '@sotto/client';

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

/** Extra advice for server refusals whose own message does not say what to do. */
const API_HINTS: Partial<Record<string, string>> = {
  REGISTRATION_CLOSED: 'this server registers accounts only with an invite: --invite TOKEN',
  NO_KEY_PACKAGE: 'that account has no device able to join right now: it must come online once',
  UNAUTHORIZED: 'was this device removed?',
  ACCOUNT_SUSPENDED: 'ask the operator',
  RATE_LIMITED: 'wait a moment and try again',
};

const STORE_HINTS: Partial<Record<string, string>> = {
  WRONG_PASSPHRASE: 'wrong passphrase for this profile (see --passphrase-file / SOTTO_PASSPHRASE)',
  WRONG_KEY: 'the storage key does not open this profile (it may be protected by a passphrase: --passphrase-file / SOTTO_PASSPHRASE)',
  KEY_FILE_INSECURE: 'the profile key file must be a regular file of yours with mode 0600',
  KEY_FILE_INVALID: 'the profile key file is missing or damaged',
  CORRUPT: 'the local store is damaged',
};

/** One log-safe description of any error, with the exit status it deserves. */
export function describeError(e: unknown): { code: string; message: string; exitCode: number } {
  if (e instanceof CliError) return { code: e.code, message: e.message, exitCode: e.exitCode };
  if (e instanceof ApiError) {
    const exitCode = e.code === 'NETWORK' ? EXIT.network : EXIT.failed;
    const hint = e.code === 'NETWORK' ? 'cannot reach the server (is it running? check --server / SOTTO_SERVER)' : API_HINTS[e.code];
    const message = e.code === 'NETWORK' ? (hint ?? e.message) : hint ? `${e.message} (${hint})` : e.message;
    return { code: e.code, message, exitCode };
  }
  if (e instanceof ClientError || e instanceof LinkError || e instanceof AttachmentError)
    return { code: e.code, message: e.message, exitCode: e.code === 'INVALID_ARGUMENT' ? EXIT.usage : EXIT.failed };
  if (e instanceof StoreError) return { code: e.code, message: STORE_HINTS[e.code] ?? e.message, exitCode: EXIT.failed };
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT' && err.path) return { code: 'ENOENT', message: `no such file: ${err.path}`, exitCode: EXIT.failed };
  if (err?.code === 'EACCES' && err.path) return { code: 'EACCES', message: `permission denied: ${err.path}`, exitCode: EXIT.failed };
  return { code: 'INTERNAL', message: err?.message ?? String(e), exitCode: EXIT.failed };
}
