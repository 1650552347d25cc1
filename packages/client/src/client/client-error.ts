// ClientError: a local refusal of an SDK call, with a stable code (messages are safe to log).

import { SottoClientError } from '../errors.js';

export type ClientErrorCode =
  | 'NOT_REGISTERED'
  | 'ALREADY_REGISTERED'
  | 'UNKNOWN_CONVERSATION'
  | 'UNKNOWN_MESSAGE'
  | 'FORBIDDEN'
  | 'EDIT_WINDOW'
  | 'NOT_PRIMARY'
  | 'BAD_LINK'
  | 'LINK_TIMEOUT'
  | 'NO_DEVICES'
  /** The server has no (active) account of that name. */
  | 'UNKNOWN_ACCOUNT'
  /** A 1:1's peer is not in the conversation and could not be added back. */
  | 'PEER_MISSING'
  /** The confirmation code given for a new device does not match its link. */
  | 'CODE_MISMATCH'
  | 'CONFLICT'
  | 'INVALID_ARGUMENT'
  | 'CLOSED'
  /** A leaf or KeyPackage is not certified by the account key this device holds for its account (the identity rule). */
  | 'IDENTITY_MISMATCH'
  /** A verified contact's account key changed: the user must look at the new safety number and accept it first. */
  | 'KEY_CHANGE_UNACCEPTED'
  /** An awaited event did not come in time. */
  | 'TIMEOUT'
  /** A broken invariant of the SDK itself (a bug), never caused by the caller or a peer. */
  | 'INTERNAL';

export class ClientError extends SottoClientError<ClientErrorCode> {
  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ClientError';
  }
}
