// Local message intents, one small reducer per content type (docs/content-format.md §4): text and reply, reaction,
// edit, delete for everyone, attachment, read receipt and typing. Each decides the body to send, the change to our own
// copy of the target (as data) and whether to keep it in the log, or refuses, or skips. Pure: the shell loads the
// target and runs the decision through the send reducer.

import type { ConvRecord, MessageRecord } from '../client/records.js';
import type { StoredMessage } from '../client/types.js';
import { type AttachmentBody, type ContentBody, LIMITS } from '../content/content-types.js';
import { thumbnailMimeType } from '../content/thumbnail.js';
import { fromHex, toHex } from '../util/bytes.js';
import { SecretBytes } from '../util/secret-bytes.js';
import { type IntentRefusal, refusal } from './intent.js';
import { tombstone, withReaction } from './message-updates.js';
import { attachmentInfo } from './new-message.js';

/** A change to our own stored copy of a message, made before the body goes out. */
export type LocalChange =
  | { kind: 'react'; account: string; emoji: string; action: 'add' | 'remove' }
  | { kind: 'edit'; text: string; editedAt: number }
  | { kind: 'delete' };

export type MessageIntentDecision =
  | { kind: 'refuse'; refusal: IntentRefusal }
  /** Nothing to send (receipts or typing turned off, or the conversation is not accepted). */
  | { kind: 'skip' }
  | {
      kind: 'send';
      body: ContentBody;
      /** Keep the body in the local log as our outgoing message, with these fields. */
      store?: Partial<MessageRecord>;
      /** Change our copy of `target` first. */
      local?: { target: string; change: LocalChange };
    };

type Stored = StoredMessage & { contentKey?: string };

/** Apply a local change to a stored message. */
export function applyLocalChange(t: Stored, change: LocalChange): Stored {
  if (change.kind === 'react') return withReaction(t, change.account, change.emoji, change.action);
  if (change.kind === 'edit') return { ...t, text: change.text, editedAt: change.editedAt };
  return tombstone(t);
}

/** A text, or a reply when it names the message it answers. */
export function reduceText(i: { text: string; replyTo?: string; quote?: string }): MessageIntentDecision {
  if (!i.replyTo) return { kind: 'send', body: { type: 'text', text: i.text }, store: { text: i.text } };
  const quote = i.quote !== undefined ? { quote: i.quote } : {};
  return {
    kind: 'send',
    body: { type: 'reply', target: fromHex(i.replyTo), text: i.text, ...quote },
    store: { text: i.text, replyTo: i.replyTo, ...quote },
  };
}

export function reduceReaction(me: string, i: { target: string; emoji: string; action: 'add' | 'remove' }): MessageIntentDecision {
  return {
    kind: 'send',
    body: { type: 'reaction', target: fromHex(i.target), emoji: i.emoji, action: i.action },
    local: { target: i.target, change: { kind: 'react', account: me, emoji: i.emoji, action: i.action } },
  };
}

export interface EditFacts {
  me: string;
  /** The target as the store shows it (absent when unknown or expired). */
  current: StoredMessage | undefined;
  now: number;
  editWindowSeconds: number;
}

/** Only our own text messages that are not deleted, and only within the edit window. */
export function reduceEdit(f: EditFacts, i: { target: string; text: string }): MessageIntentDecision {
  const cur = f.current;
  if (!cur) return refusal('UNKNOWN_MESSAGE', 'no such message');
  if (cur.sender !== f.me || cur.kind !== 'text' || cur.deleted) return refusal('FORBIDDEN', 'only your own text messages can be edited');
  if (f.now - cur.sentAt > f.editWindowSeconds * 1000) return refusal('EDIT_WINDOW', 'the edit window has passed');
  return {
    kind: 'send',
    body: { type: 'edit', target: fromHex(i.target), text: i.text },
    local: { target: i.target, change: { kind: 'edit', text: i.text, editedAt: f.now } },
  };
}

/** Only our own messages can be deleted for everyone. */
export function reduceDelete(f: { me: string; current: StoredMessage | undefined }, i: { target: string }): MessageIntentDecision {
  if (!f.current) return refusal('UNKNOWN_MESSAGE', 'no such message');
  if (f.current.sender !== f.me) return refusal('FORBIDDEN', 'only your own messages can be deleted for everyone');
  return { kind: 'send', body: { type: 'delete', target: fromHex(i.target) }, local: { target: i.target, change: { kind: 'delete' } } };
}

/** What the sender's device may add to an attachment: a thumbnail it made and the original's dimensions. */
export interface AttachmentExtras {
  thumbnail?: Uint8Array;
  dimensions?: { width: number; height: number };
}

const isDimension = (n: unknown) => Number.isSafeInteger(n) && (n as number) > 0;

/** Why the extras cannot be sent (checked before the upload), if they cannot. */
export function attachmentExtrasRefusal(x: AttachmentExtras): IntentRefusal | undefined {
  const t = x.thumbnail;
  if (t !== undefined && !(t instanceof Uint8Array)) return { code: 'INVALID_ARGUMENT', message: 'thumbnail: not a Uint8Array' };
  if (t !== undefined && (t.length < 1 || t.length > LIMITS.thumbnail))
    return { code: 'INVALID_ARGUMENT', message: `thumbnail: length ${t.length} outside [1, ${LIMITS.thumbnail}]` };
  if (t !== undefined && thumbnailMimeType(t) === undefined)
    return { code: 'INVALID_ARGUMENT', message: 'thumbnail: not a JPEG, PNG or WebP image' };
  const d = x.dimensions;
  if (d !== undefined && !(isDimension(d.width) && isDimension(d.height)))
    return { code: 'INVALID_ARGUMENT', message: 'dimensions: width and height must be positive integers' };
  return undefined;
}

/** An uploaded attachment: its encrypted blob's hash (hex), its fresh key, what the user sees of the file and the extras. */
export function reduceAttachment(
  i: {
    hash: string;
    key: Uint8Array;
    size: number;
    mimeType: string;
    fileName: string;
  } & AttachmentExtras,
): MessageIntentDecision {
  const bad = attachmentExtrasRefusal(i);
  if (bad) return { kind: 'refuse', refusal: bad };
  const body: AttachmentBody = {
    type: 'attachment',
    blobId: fromHex(i.hash),
    contentKey: new SecretBytes(i.key),
    contentHash: fromHex(i.hash),
    size: i.size,
    mimeType: i.mimeType,
    fileName: i.fileName,
    ...(i.dimensions ? { dimensions: { width: i.dimensions.width, height: i.dimensions.height } } : {}),
    ...(i.thumbnail ? { thumbnail: i.thumbnail.slice() } : {}),
  };
  return { kind: 'send', body, store: { kind: 'attachment', attachment: attachmentInfo(body), contentKey: toHex(i.key) } };
}

/** What read receipts and typing depend on: the conversation's state and the user's settings. */
export interface SignalFacts {
  state: ConvRecord['state'];
  sendReadReceipts: boolean;
  sendTyping: boolean;
}

/** Read receipts go only in an accepted conversation, when the user allows them, and only for some messages. */
export function reduceReadReceipt(f: SignalFacts, messageIds: readonly string[]): MessageIntentDecision {
  if (messageIds.length === 0 || f.state !== 'active' || !f.sendReadReceipts) return { kind: 'skip' };
  return { kind: 'send', body: { type: 'read-receipt', messageIds: messageIds.map(fromHex) } };
}

/** Typing indicators go only in an accepted conversation, when the user allows them. */
export function reduceTyping(f: SignalFacts, typing: boolean): MessageIntentDecision {
  if (f.state !== 'active' || !f.sendTyping) return { kind: 'skip' };
  return { kind: 'send', body: { type: 'typing', state: typing ? 'start' : 'stop' } };
}
