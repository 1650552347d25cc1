// SottoClientError: the one base class of every error the client SDK throws on purpose. Each carries a stable,
// machine-readable `code` that callers (the CLI, an app) map to their own messages; messages are safe to log
// (never a key, a passphrase or message content). The union of every code is `SottoClientErrorCode`
// (error-codes.ts), kept apart so that this base, which every error class imports, imports nothing itself.

export class SottoClientError<C extends string = string> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SottoClientError';
    this.code = code;
  }
}
