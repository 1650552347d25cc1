// Content reducers that change a stored message: reaction, edit, delete-for-everyone, delivery and read receipts.

import type { MessageRecord } from '../client/records.js';
import type { DeleteBody, DeliveryReceiptBody, EditBody, ReactionBody, ReadReceiptBody } from '../content/content-types.js';
import { toHex } from '../util/bytes.js';
import type { ConversationState } from './conversation-state.js';
import { chain, type ContentEvent, type Transition, unchanged, updateTarget } from './transition.js';

/** A reaction adds or removes one account under one emoji; an emoji nobody uses any more disappears. */
export function withReaction<T extends { reactions: Record<string, string[]> }>(
  t: T,
  account: string,
  emoji: string,
  action: 'add' | 'remove',
): T {
  const list = new Set(t.reactions[emoji] ?? []);
  if (action === 'add') list.add(account);
  else list.delete(account);
  const reactions = { ...t.reactions, [emoji]: [...list] };
  if (list.size === 0) delete reactions[emoji];
  return { ...t, reactions };
}

/** Deleted for everyone: the text, attachment, key, quote, franking and reactions go; a tombstone stays. */
export function tombstone<T extends MessageRecord>(
  t: T,
): Omit<T, 'text' | 'attachment' | 'contentKey' | 'quote' | 'franking' | 'editFranking'> & { deleted: true } {
  const { text: _t, attachment: _a, contentKey: _k, quote: _q, franking: _f, editFranking: _e, ...rest } = t;
  return { ...rest, deleted: true, reactions: {} };
}

export function onReaction(state: ConversationState, e: ContentEvent, b: ReactionBody): Transition {
  return updateTarget(state, toHex(b.target), (t) => withReaction(t, e.sender.account, b.emoji, b.action));
}

/** Only the sender edits, only a text that is not deleted, and only within the edit window of the settings. */
export function onEdit(state: ConversationState, e: ContentEvent, b: EditBody): Transition {
  const sentAt = e.content.sentAt;
  return updateTarget(state, toHex(b.target), (t) => {
    if (t.sender !== e.sender.account || t.deleted || t.kind !== 'text') return undefined;
    if (sentAt - t.sentAt > state.settings.editWindowSeconds * 1000) return undefined;
    return { ...t, text: b.text, editedAt: sentAt };
  });
}

/** Only the sender deletes for everyone. */
export function onDelete(state: ConversationState, e: ContentEvent, b: DeleteBody): Transition {
  return updateTarget(state, toHex(b.target), (t) => (t.sender === e.sender.account ? tombstone(t) : undefined));
}

/**
 * A receipt from another account moves each of our outgoing messages it names forward (delivered, then read), never
 * back; the status is the best over all recipients. Our own devices' receipts change nothing.
 */
export function onReceipt(state: ConversationState, e: ContentEvent, b: DeliveryReceiptBody | ReadReceiptBody): Transition {
  const who = e.sender.account;
  if (who === state.me.account) return unchanged(state);
  const kind: 'read' | 'delivered' = b.type === 'read-receipt' ? 'read' : 'delivered';
  const step = (target: string) => (s: ConversationState) =>
    updateTarget(s, target, (t) => {
      if (!t.outgoing) return undefined;
      const prev = t.receipts?.[who];
      if (prev === 'read' || prev === kind) return undefined;
      const receipts = { ...(t.receipts ?? {}), [who]: kind };
      const status = kind === 'read' || t.status === 'read' ? ('read' as const) : ('delivered' as const);
      return { ...t, receipts, status };
    });
  return chain(
    state,
    b.messageIds.map((id) => step(toHex(id))),
  );
}
