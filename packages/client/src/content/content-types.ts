// Content types: the validated structures carried inside MLS application messages (docs/content-format.md §3-4).

import { DEFAULT_MAX_MESSAGE_BYTES } from '@sotto/protocol';
import type { SecretBytes } from '../util/secret-bytes.js';

/** Format version written as the first byte. Bumped only for incompatible changes (docs §1). */
export const CONTENT_FORMAT_VERSION = 1;
/**
 * Upper bound on an encoded content, in bytes: the server's default message limit less room for the MLS framing around
 * it (PrivateMessage header, authenticated data, encrypted sender data, AEAD tag, padding), so that a content at the
 * bound still fits in one message a default server accepts.
 */
export const MAX_CONTENT_BYTES = DEFAULT_MAX_MESSAGE_BYTES - 4096;
export const MESSAGE_ID_BYTES = 16;
/** Upper bounds on individual fields, in UTF-8 bytes unless stated. */
export const LIMITS = {
  text: 64 * 1024,
  quote: 4 * 1024,
  emoji: 64,
  mimeType: 255,
  fileName: 1024,
  blobId: 128,
  deviceId: 128,
  deviceName: 256,
  groupName: 256,
  member: 512,
  receiptIds: 1024,
  /** An attachment's thumbnail, in bytes (JPEG, PNG or WebP made by the sender's device). */
  thumbnail: 16 * 1024,
} as const;

/** Numeric content-type identifiers on the wire (docs §4). Never reuse a retired number. */
export const CONTENT_TYPE_IDS = {
  text: 1,
  reply: 2,
  reaction: 3,
  edit: 4,
  delete: 5,
  attachment: 6,
  'delivery-receipt': 7,
  'read-receipt': 8,
  typing: 9,
  'disappearing-timer': 10,
  'group-rename': 11,
  'role-change': 12,
  'device-link': 13,
} as const;

export type KnownContentType = keyof typeof CONTENT_TYPE_IDS;
export type MessageId = Uint8Array;
export type Role = 'owner' | 'admin' | 'member';

export interface TextBody {
  type: 'text';
  text: string;
}
export interface ReplyBody {
  type: 'reply';
  target: MessageId;
  text: string;
  quote?: string;
}
export interface ReactionBody {
  type: 'reaction';
  target: MessageId;
  emoji: string;
  action: 'add' | 'remove';
}
export interface EditBody {
  type: 'edit';
  target: MessageId;
  text: string;
}
export interface DeleteBody {
  type: 'delete';
  target: MessageId;
}
export interface AttachmentBody {
  type: 'attachment';
  blobId: Uint8Array;
  /** 32-byte key the blob is encrypted under; redacts itself when printed. */
  contentKey: SecretBytes;
  /** SHA-256 of the encrypted blob. */
  contentHash: Uint8Array;
  size: number;
  mimeType: string;
  fileName: string;
  /** Of the original image or video, in pixels. */
  dimensions?: { width: number; height: number };
  /** A small JPEG, PNG or WebP image made by the sender's device (at most LIMITS.thumbnail bytes). */
  thumbnail?: Uint8Array;
}
export interface DeliveryReceiptBody {
  type: 'delivery-receipt';
  messageIds: MessageId[];
}
export interface ReadReceiptBody {
  type: 'read-receipt';
  messageIds: MessageId[];
}
export interface TypingBody {
  type: 'typing';
  state: 'start' | 'stop';
}
export interface DisappearingTimerBody {
  type: 'disappearing-timer';
  /** 0 turns disappearing messages off. */
  seconds: number;
}
export interface GroupRenameBody {
  type: 'group-rename';
  name: string;
}
export interface RoleChangeBody {
  type: 'role-change';
  /** Account name, `name@server`. */
  member: string;
  role: Role;
}
export interface DeviceLinkBody {
  type: 'device-link';
  action: 'linked' | 'unlinked';
  deviceId: Uint8Array;
  deviceName?: string;
}
/** A content type from a newer version: kept verbatim so it can be shown as "update to view" and re-encoded. */
export interface UnsupportedBody {
  type: 'unsupported';
  typeId: number;
  raw: Uint8Array;
}

export type ContentBody =
  | TextBody
  | ReplyBody
  | ReactionBody
  | EditBody
  | DeleteBody
  | AttachmentBody
  | DeliveryReceiptBody
  | ReadReceiptBody
  | TypingBody
  | DisappearingTimerBody
  | GroupRenameBody
  | RoleChangeBody
  | DeviceLinkBody
  | UnsupportedBody;

export interface Content {
  /** Random 16 bytes chosen by the sender. */
  messageId: MessageId;
  /** Sender's clock, milliseconds since the Unix epoch. */
  sentAt: number;
  /** Disappearing-message lifetime in seconds, counted from receipt. */
  expiresIn?: number;
  body: ContentBody;
}
