// The send decision: a content body becomes an envelope (docs/content-format.md §3), an outgoing message in the local
// log and an outbox entry, or a refusal. Pure: the shell supplies the fresh message id and the clock, runs the effects
// in one transaction and kicks the outbox.

import type { ConvRecord, MessageRecord } from '../client/records.js';
import type { Content, ContentBody } from '../content/content-types.js';
import type { GroupMeta } from '../conversation/group-meta.js';
import { toHex } from '../util/bytes.js';
import type { EngineEffect } from './effects.js';
import { type IntentRefusal, refusal } from './intent.js';

/** Bodies that never disappear on a timer: they are signals, not messages. */
const EPHEMERAL = new Set<ContentBody['type']>(['typing', 'delivery-receipt', 'read-receipt']);

/** The envelope of a body: the conversation's timer applies to messages, and is the server's TTL for every entry. */
export function envelope(
  body: ContentBody,
  timerSeconds: number,
  messageId: Uint8Array,
  sentAt: number,
): { content: Content; ttl: number } {
  const content: Content = {
    messageId,
    sentAt,
    ...(timerSeconds > 0 && !EPHEMERAL.has(body.type) ? { expiresIn: timerSeconds } : {}),
    body,
  };
  return { content, ttl: timerSeconds };
}

/** What the shell runs for a send, in order, inside one store transaction. */
export type SendEffect =
  | Extract<EngineEffect, { kind: 'put-message' | 'set-expiry' }>
  /** Remember the id as processed, so our own message coming back from the server is not stored twice. */
  | { kind: 'mark-processed'; key: string }
  /** Queue the content in the outbox; `ttlSeconds` is the server's TTL for it. */
  | { kind: 'queue-outbox'; conversationId: string; messageId: string; content: Content; ttlSeconds?: number };

export interface SendState {
  conversationId: string;
  record: ConvRecord;
  meta: GroupMeta;
  me: { account: string; deviceId: string };
  /** The accounts of the group's leaves. */
  leafAccounts: readonly string[];
  /** Accounts whose verified key changed and the user has not accepted the new one yet. */
  unacceptedKeys: ReadonlySet<string>;
}

export interface SendIntent {
  body: ContentBody;
  /** Keep it in the local log as our outgoing message, with these fields over the defaults. */
  store: boolean;
  extra?: Partial<MessageRecord>;
  /** The fresh message id and the clock, from the shell. */
  messageId: Uint8Array;
  now: number;
}

export type SendDecision =
  { kind: 'refuse'; refusal: IntentRefusal } | { kind: 'send'; messageId: string; content: Content; effects: SendEffect[] };

export function reduceSend(s: SendState, i: SendIntent): SendDecision {
  const id = s.conversationId;
  if (s.record.state === 'removed' || s.record.state === 'left')
    return refusal('FORBIDDEN', `this device is no longer in conversation ${id}`);
  if (s.record.security) return refusal('FORBIDDEN', `conversation ${id} is frozen after a refused commit`);
  // A verified contact's key changed: nothing goes out to them until the user accepts the new safety number. In a 1:1
  // the peer counts even when it has no device in the group.
  const accounts = [...s.leafAccounts, ...(s.meta.kind === 'direct' ? s.meta.admins : [])];
  const waiting = accounts.find((a) => s.unacceptedKeys.has(a));
  if (waiting !== undefined)
    return refusal('KEY_CHANGE_UNACCEPTED', `the account key of ${waiting} changed: compare the new safety number and accept it`);
  const { content, ttl } = envelope(i.body, s.meta.timerSeconds, i.messageId, i.now);
  const mid = toHex(content.messageId);
  const effects: SendEffect[] = [];
  if (i.store) {
    const record: MessageRecord = {
      id: mid,
      sender: s.me.account,
      senderDevice: s.me.deviceId,
      outgoing: true,
      sentAt: content.sentAt,
      receivedAt: content.sentAt,
      kind: 'text',
      reactions: {},
      status: 'sending',
      ...(content.expiresIn ? { expiresAt: content.sentAt + content.expiresIn * 1000 } : {}),
      ...i.extra,
    };
    effects.push({ kind: 'put-message', conversationId: id, messageId: mid, record });
    if (record.expiresAt) effects.push({ kind: 'set-expiry', conversationId: id, messageId: mid, at: record.expiresAt });
  }
  effects.push({ kind: 'mark-processed', key: `msg:${mid}` });
  effects.push({ kind: 'queue-outbox', conversationId: id, messageId: mid, content, ...(ttl ? { ttlSeconds: ttl } : {}) });
  return { kind: 'send', messageId: mid, content, effects };
}
