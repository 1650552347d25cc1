// The content transition of a conversation: `(state, content event) -> { state, effects }`, one reducer per content
// type (docs/content-format.md §4). Pure: the shell loads what `needsOf` asks for and runs the effects.

import type { ConvRecord } from '../client/records.js';
import type { ContentBody } from '../content/content-types.js';
import { toHex } from '../util/bytes.js';
import type { ConversationState } from './conversation-state.js';
import { onDeviceLink, onGroupRename, onTyping } from './conversation-content.js';
import { onDelete, onEdit, onReaction, onReceipt } from './message-updates.js';
import { onAttachment, onReply, onText } from './new-message.js';
import { type ContentEvent, type Transition, unchanged } from './transition.js';

/** Content in a conversation the user blocked or deleted is dropped before anything is recorded (not even its id). */
export function acceptsContent(record: ConvRecord): boolean {
  return record.state !== 'blocked' && record.state !== 'deleted';
}

/** What the shell must load for this body: the stored messages it names (hex ids) and whether the group metadata. */
export function needsOf(body: ContentBody): { targets: string[]; meta: boolean } {
  switch (body.type) {
    case 'reaction':
    case 'edit':
    case 'delete':
      return { targets: [toHex(body.target)], meta: false };
    case 'delivery-receipt':
    case 'read-receipt':
      return { targets: body.messageIds.map(toHex), meta: false };
    case 'group-rename':
      return { targets: [], meta: true };
    default:
      return { targets: [], meta: false };
  }
}

export function reduceContent(state: ConversationState, e: ContentEvent): Transition {
  const b = e.content.body;
  switch (b.type) {
    case 'text':
      return onText(state, e, b);
    case 'reply':
      return onReply(state, e, b);
    case 'attachment':
      return onAttachment(state, e, b);
    case 'reaction':
      return onReaction(state, e, b);
    case 'edit':
      return onEdit(state, e, b);
    case 'delete':
      return onDelete(state, e, b);
    case 'delivery-receipt':
    case 'read-receipt':
      return onReceipt(state, e, b);
    case 'typing':
      return onTyping(state, e, b);
    case 'device-link':
      return onDeviceLink(state, e, b);
    case 'group-rename':
      return onGroupRename(state, e, b);
    case 'disappearing-timer':
    case 'role-change':
    case 'unsupported':
      return unchanged(state); // roles and timers travel in the MLS group context; unknown types are ignored
  }
}
