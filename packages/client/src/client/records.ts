// Local record formats of the client (JSON in the encrypted store): conversations, pending commits, outbox payloads, messages.

import { fromB64, toB64 } from '../util/b64.js';
import { utf8, utf8DecodeStrict } from '../util/bytes.js';
import type { ConversationState, SecurityNotice, StoredMessage } from './types.js';

export const NS = {
  client: 'client',
  group: 'group',
  groupPast: 'group-past',
  conv: 'conv',
  kp: 'kp',
  pending: 'pending-commit',
  contact: 'contact',
  expiry: 'expiry',
  /** Server messages that could not be processed yet, kept for a retry after the next catch-up (held.ts). */
  held: 'held',
} as const;

export interface ConvRecord {
  id: string;
  state: ConversationState;
  createdAt: number;
  /** Last own-leaf key update (ms). */
  lastUpdateAt: number;
  /** The group's name, from the last `group-rename` content an admin sent (end-to-end encrypted, unlike GroupMeta). */
  name?: string;
  policyViolation?: string;
  /** The account whose device verifiably added this device (the committer of the Welcome's commit). */
  addedBy?: string;
  /** Set when a commit broke the identity rule: it was refused and the conversation is frozen at its last good epoch. */
  security?: SecurityNotice;
}

export interface PendingCommit {
  epoch: string;
  state: Uint8Array;
}

export interface OutboxPayload {
  /** Encoded Content. */
  content: Uint8Array;
  ttlSeconds?: number;
  /** Ciphertext made for this send, and the epoch it was made in (re-sent as is after a crash). */
  ciphertext?: Uint8Array;
  epoch?: string;
}

export interface ContactRecord {
  account: string;
  /** The pinned account key (hex): from the directory on first contact, or confirmed by a verified safety number. */
  accountKey: string;
  verified: boolean;
  blocked: boolean;
  accepted: boolean;
  /** A verified contact's new account key (hex) as the directory reports it, waiting for the user to accept it. */
  pendingKey?: string;
  /** When the pin last moved to a new key (ms); a notice until the user verifies the new safety number. */
  keyChangedAt?: number;
}

export const json = (v: unknown): Uint8Array => utf8(JSON.stringify(v));
export const parse = <T>(b: Uint8Array): T => JSON.parse(utf8DecodeStrict(b)) as T;

export function encodePending(p: PendingCommit): Uint8Array {
  return json({ epoch: p.epoch, state: toB64(p.state) });
}
export function decodePending(b: Uint8Array): PendingCommit {
  const j = parse<{ epoch: string; state: string }>(b);
  return { epoch: j.epoch, state: fromB64(j.state) };
}

export function encodeOutbox(p: OutboxPayload): Uint8Array {
  return json({
    c: toB64(p.content),
    ...(p.ttlSeconds ? { t: p.ttlSeconds } : {}),
    ...(p.ciphertext ? { x: toB64(p.ciphertext), e: p.epoch } : {}),
  });
}
export function decodeOutbox(b: Uint8Array): OutboxPayload {
  const j = parse<{ c: string; t?: number; x?: string; e?: string }>(b);
  return {
    content: fromB64(j.c),
    ...(j.t ? { ttlSeconds: j.t } : {}),
    ...(j.x ? { ciphertext: fromB64(j.x), ...(j.e ? { epoch: j.e } : {}) } : {}),
  };
}

/** A message as kept in the conversation log; `seq` comes from the log entry, not from the record. */
/**
 * What a recipient keeps of a received message's franking so that it can report it (docs/franking.md): the content
 * exactly as decrypted, its key and commitment, and the server's stamp with what it covers. Base64 strings.
 */
export interface FrankingProof {
  key: string;
  content: string;
  commitment: string;
  stamp: string;
  senderDevice: string;
  senderAccount: string;
  /** The server's receive time (ms). */
  receivedAt: number;
}

export type MessageRecord = Omit<StoredMessage, 'seq' | 'conversationId'> & {
  contentKey?: string;
  /** The received message's franking (never for our own messages); dropped with the text when deleted for everyone. */
  franking?: FrankingProof;
  /** The franking of the edit that gave the current text. */
  editFranking?: FrankingProof;
};

export function encodeMessage(m: MessageRecord): Uint8Array {
  return json(m);
}
export function decodeMessage(b: Uint8Array, conversationId: string, seq: number): StoredMessage & Internal {
  return { ...parse<MessageRecord>(b), conversationId, seq };
}

/** The fields of a stored message that stay inside the SDK. */
type Internal = Pick<MessageRecord, 'contentKey' | 'franking' | 'editFranking'>;

/** The public view of a stored message (the attachment key stays inside the SDK). */
export function publicMessage(m: StoredMessage & Internal): StoredMessage {
  const { contentKey: _k, franking: _f, editFranking: _e, ...rest } = m;
  return rest;
}
