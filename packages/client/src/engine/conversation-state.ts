// The conversation state a content transition reads: plain data the shell loads before the call (no store, no MLS).

import type { ConvRecord, MessageRecord } from '../client/records.js';
import type { ClientSettings } from '../client/types.js';
import type { GroupMeta } from '../conversation/group-meta.js';

/** A stored message the transition may change (a reaction, edit, delete or receipt names it). */
export type TargetMessage = MessageRecord;

export interface ConversationState {
  conversationId: string;
  record: ConvRecord;
  /** This device's account and device id. */
  me: { account: string; deviceId: string };
  settings: Pick<ClientSettings, 'sendDeliveryReceipts' | 'editWindowSeconds'>;
  /** The group's metadata (roles, kind), loaded only when the content needs it (`needsOf`). */
  meta?: GroupMeta;
  /** The stored messages the content names (by hex id), loaded by the shell; absent ones are not stored here. */
  targets: ReadonlyMap<string, TargetMessage>;
}

/** Who sent a content: the account and device of the MLS leaf, already checked by the identity rule. */
export interface ContentSender {
  account: string;
  deviceId: string;
}
