// The kind of a conversation (1:1 or group) as its public state says: the GroupMeta extension every member agrees on
// (@sotto/protocol group-meta.ts, RFC 9420 §12.1.7). A group without one, or with one that does not decode, is a group.
import type { PublicGroup } from '@sotto/mls';
import { decodeGroupMeta, GROUP_META_EXTENSION } from '@sotto/protocol';
import type { ConversationKind } from './abuse-signals.js';

export function conversationKind(group: PublicGroup): ConversationKind {
  const e = group.context.extensions.find((x) => x.extensionType === GROUP_META_EXTENSION);
  if (!e) return 'group';
  try {
    return decodeGroupMeta(e.extensionData).kind;
  } catch {
    return 'group';
  }
}
