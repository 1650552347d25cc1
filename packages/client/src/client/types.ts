// Public types of the SottoClient SDK: conversations, stored messages, settings and events.

import type { NoticeKind } from '@sotto/protocol';
import type { ConversationKind, MemberRole } from '../conversation/group-meta.js';
import type { SystemChange } from '../engine/conversation-changes.js';

export type { SystemChange };

/** Conversation id: base64url of the MLS group id. */
export type ConversationId = string;
/** Message id: 32 lower-case hex characters (the sender's random 16 bytes). */
export type MessageIdHex = string;

/**
 * - active: normal.
 * - request: a stranger started it; accept, block or delete. No receipts or typing are sent meanwhile.
 * - blocked: its owner is blocked; new messages are dropped.
 * - removed: this device was removed from the group (reads nothing more).
 * - left: this account left the group (SottoClient.leave on this or another of its devices): it sends and reads
 *   nothing more there, from the moment it asked to leave, while the other members commit its removal.
 * - deleted: the user deleted the request; new messages are dropped.
 */
export type ConversationState = 'active' | 'request' | 'blocked' | 'removed' | 'left' | 'deleted';

export interface ConversationMember {
  account: string;
  role: MemberRole;
  deviceIds: string[];
}

export interface ConversationInfo {
  id: ConversationId;
  kind: ConversationKind;
  state: ConversationState;
  name: string;
  owner: string;
  /** For a 1:1: the other account. */
  peer?: string;
  members: ConversationMember[];
  /** Disappearing-message timer in seconds (0 = off). */
  timerSeconds: number;
  epoch: string;
  createdAt: number;
  /** Set when a commit broke the admin rule: the conversation is frozen at its last valid epoch. */
  policyViolation?: string;
  /** The account whose device verifiably added this device (absent on the device that created the conversation). */
  addedBy?: string;
  /** Security notices: a refused commit (the conversation is frozen), a member's changed account key. */
  notices?: SecurityNotice[];
}

/**
 * - IDENTITY_MISMATCH: a leaf is not certified by the account key this device holds for its account, or an Update
 *   changed a leaf's account or device.
 * - UNLISTED_DEVICE: a leaf's device is not among the account's devices in the directory.
 * - OWNER_MISMATCH: the group's metadata names an owner other than the account that created the group.
 * - KEY_CHANGED: the account's key changed (`pending`: a verified contact's new key, not accepted yet; sending waits).
 * - FRANKING_INVALID: a message was dropped because its franking did not verify (docs/franking.md): no commitment or
 *   stamp, a commitment that does not open to its content, or a stamped sender other than the MLS sender.
 */
export type SecurityCode = 'IDENTITY_MISMATCH' | 'UNLISTED_DEVICE' | 'OWNER_MISMATCH' | 'KEY_CHANGED' | 'FRANKING_INVALID';

export interface SecurityNotice {
  code: SecurityCode;
  /** The account the notice is about (the one a forged leaf claims, or whose key changed). */
  account: string;
  pending?: boolean;
}

/** A device as this account's own devices see it. */
export interface DeviceInfo {
  deviceId: string;
  current: boolean;
  /** The name the account gave it ('' when none). */
  name: string;
  /** When the server added it (ms), when the server says. */
  addedAt?: number;
}

export interface AttachmentInfo {
  blobId: string;
  size: number;
  mimeType: string;
  fileName: string;
  /** SHA-256 (hex) of the encrypted blob. */
  hash: string;
  /** The sender's thumbnail as a `data:image/...;base64,...` URL, ready to show. */
  thumbnail?: string;
  /** Of the original image or video, in pixels, as the sender gave them. */
  width?: number;
  height?: number;
}

export type DeliveryState = 'sending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface StoredMessage {
  id: MessageIdHex;
  conversationId: ConversationId;
  /** Position in the conversation's local log (increasing). */
  seq: number;
  sender: string;
  senderDevice: string;
  outgoing: boolean;
  sentAt: number;
  receivedAt: number;
  kind: 'text' | 'attachment' | 'system';
  text?: string;
  /** A system item's change, structured (apps word it in their language; `text` is the English line). */
  system?: SystemChange;
  replyTo?: MessageIdHex;
  quote?: string;
  attachment?: AttachmentInfo;
  /** emoji -> accounts that reacted. */
  reactions: Record<string, string[]>;
  editedAt?: number;
  deleted?: boolean;
  /** When it disappears (ms since epoch), if a timer applies. */
  expiresAt?: number;
  /** Outgoing only: best state over all recipients. */
  status?: DeliveryState;
  /** Outgoing only: account -> 'delivered' | 'read'. */
  receipts?: Record<string, 'delivered' | 'read'>;
}

export interface ClientSettings {
  sendDeliveryReceipts: boolean;
  sendReadReceipts: boolean;
  sendTyping: boolean;
  /** Seconds after sending during which a text may be edited. */
  editWindowSeconds: number;
}

export const DEFAULT_SETTINGS: ClientSettings = {
  sendDeliveryReceipts: true,
  sendReadReceipts: true,
  sendTyping: true,
  editWindowSeconds: 15 * 60,
};

export interface ContactInfo {
  account: string;
  /** The pinned account key (hex). */
  accountKey: string;
  verified: boolean;
  blocked: boolean;
  accepted: boolean;
  /** A new account key (hex) the directory reports for a verified contact, not accepted yet. */
  pendingKey?: string;
  /** When the pinned key last changed (ms), until the new safety number is verified. */
  keyChangedAt?: number;
}

export type KeyWarning =
  | { type: 'account-key-changed'; account: string; pending?: boolean }
  | { type: 'device-added'; account: string; deviceId: string }
  | { type: 'device-removed'; account: string; deviceId: string };

/** A notice from the server's operator to this account: a warning after a report (docs/moderation.md), or a lawful
 * request that named the account, told once its gag period ended (docs/for-law-enforcement.md). */
export interface OperatorNotice {
  id: string;
  kind: NoticeKind;
  /** The operator's text, as the server sent it: show it as plain text. */
  text: string;
  at: number;
}

/** Every event the client emits. Events fire after the change is durable in the local store. */
export interface ClientEvents extends Record<string, unknown> {
  /** A notice from the server's operator to this account, the first time this device receives it. */
  'operator-notice': OperatorNotice;
  /** A new message (incoming, or outgoing from another of our devices, or our own when sent). */
  message: StoredMessage;
  /** A message changed: edit, reaction, receipt, delete-for-everyone, status. */
  'message-updated': StoredMessage;
  /** A message was removed locally (disappearing timer). */
  'message-removed': { conversationId: ConversationId; id: MessageIdHex; reason: 'expired' };
  /** A conversation appeared or changed (members, name, roles, timer, state). */
  conversation: ConversationInfo;
  /** A first message from a stranger: the conversation waits as a request. */
  request: ConversationInfo;
  typing: { conversationId: ConversationId; account: string; deviceId: string; typing: boolean };
  /** Membership change seen in a commit. */
  /** `left`: accounts that left on their own (committed by `by`), not among `removed`. */
  membership: { conversationId: ConversationId; by: string; added: string[]; removed: string[]; left?: string[] };
  /**
   * In a commit this device applied, an account already in the conversation (not this user's) gained or lost a
   * device. A system item saying so is in the conversation's log (emitted as a 'message' too).
   */
  'device-change': { conversationId: ConversationId; account: string; added: string[]; removed: string[] };
  /** A contact's account key or device list changed: show it to the user. */
  'key-change': KeyWarning;
  /** The identity rule refused a Welcome or a commit (log-safe: names the account, no key bytes, no content). */
  security: SecurityNotice & { conversationId: ConversationId; message: string };
  /** Connection to the server. */
  connection: { state: 'connecting' | 'online' | 'offline' };
  /** Catch-up finished: the server queue was empty at that moment. */
  synced: { processed: number };
  /** Something was refused or could not be processed (log-safe: no content). */
  warning: { code: string; message: string; conversationId?: ConversationId };
  /**
   * A message stayed undecryptable after a retry following a catch-up (e.g. encrypted at an epoch this device no longer
   * keeps). A system item "a message from X could not be decrypted" is in the conversation (`id`); `sender` when known.
   */
  undecryptable: { conversationId: ConversationId; id: MessageIdHex; sender?: string; code: string };
  /** An outbox send was given up. */
  'send-failed': { conversationId: ConversationId; id: MessageIdHex; code: string };
}
