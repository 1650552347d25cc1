// Content reducers that add a message to the log: text, reply and attachment (docs/content-format.md §4).

import type { MessageRecord } from '../client/records.js';
import type { AttachmentInfo } from '../client/types.js';
import type { AttachmentBody, ReplyBody, TextBody } from '../content/content-types.js';
import { thumbnailDataUrl } from '../content/thumbnail.js';
import { toHex } from '../util/bytes.js';
import type { ConversationState } from './conversation-state.js';
import type { EngineEffect } from './effects.js';
import type { ContentEvent, Transition } from './transition.js';

/** The fields every new message has, from the envelope and the sender. */
function baseRecord(state: ConversationState, e: ContentEvent): MessageRecord {
  const outgoing = e.sender.account === state.me.account;
  const { expiresIn, sentAt } = e.content;
  return {
    id: e.messageId,
    sender: e.sender.account,
    senderDevice: e.sender.deviceId,
    outgoing,
    sentAt,
    receivedAt: e.receivedAt,
    kind: 'text',
    reactions: {},
    ...(expiresIn ? { expiresAt: e.receivedAt + expiresIn * 1000 } : {}),
    ...(outgoing ? { status: 'sent' as const } : {}),
  };
}

/** Store it, schedule its expiry, and acknowledge an incoming one with a delivery receipt when the user allows it. */
function put(state: ConversationState, e: ContentEvent, record: MessageRecord): Transition {
  const conversationId = state.conversationId;
  const effects: EngineEffect[] = [{ kind: 'put-message', conversationId, messageId: e.messageId, record }];
  if (record.expiresAt) effects.push({ kind: 'set-expiry', conversationId, messageId: e.messageId, at: record.expiresAt });
  if (!record.outgoing && state.record.state === 'active' && state.settings.sendDeliveryReceipts)
    effects.push({ kind: 'send-receipt', conversationId, messageIds: [e.content.messageId] });
  return { state, effects };
}

export function onText(state: ConversationState, e: ContentEvent, b: TextBody): Transition {
  return put(state, e, { ...baseRecord(state, e), text: b.text });
}

export function onReply(state: ConversationState, e: ContentEvent, b: ReplyBody): Transition {
  const quote = b.quote !== undefined ? { quote: b.quote } : {};
  return put(state, e, { ...baseRecord(state, e), text: b.text, replyTo: toHex(b.target), ...quote });
}

/** What the user sees of an attachment body: the file, the original's dimensions and the thumbnail as a data URL. */
export function attachmentInfo(b: AttachmentBody): AttachmentInfo {
  const hash = toHex(b.contentHash);
  const info: AttachmentInfo = { blobId: hash, hash, size: b.size, mimeType: b.mimeType, fileName: b.fileName };
  if (b.dimensions) Object.assign(info, { width: b.dimensions.width, height: b.dimensions.height });
  const thumbnail = b.thumbnail && thumbnailDataUrl(b.thumbnail);
  if (thumbnail) info.thumbnail = thumbnail;
  return info;
}

export function onAttachment(state: ConversationState, e: ContentEvent, b: AttachmentBody): Transition {
  return put(state, e, {
    ...baseRecord(state, e),
    kind: 'attachment',
    attachment: attachmentInfo(b),
    contentKey: toHex(b.contentKey.expose()),
  });
}
