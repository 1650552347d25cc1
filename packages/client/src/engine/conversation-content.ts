// Content reducers about the conversation rather than one message: typing, device-link and group-rename.

import { systemRecord } from './system-record.js';
import { isAdmin } from '../conversation/group-meta.js';
import type { DeviceLinkBody, GroupRenameBody, TypingBody } from '../content/content-types.js';
import { utf8DecodeStrict } from '../util/bytes.js';
import type { ConversationState } from './conversation-state.js';
import { type ContentEvent, type Transition, unchanged, withRecord } from './transition.js';

/** Typing from another account in an accepted conversation is shown; it is never stored. */
export function onTyping(state: ConversationState, e: ContentEvent, b: TypingBody): Transition {
  if (e.sender.account === state.me.account || state.record.state !== 'active') return unchanged(state);
  const payload = {
    conversationId: state.conversationId,
    account: e.sender.account,
    deviceId: e.sender.deviceId,
    typing: b.state === 'start',
  };
  return { state, effects: [{ kind: 'emit', event: 'typing', payload }] };
}

/** Another device of our own account linked this one into the conversation: it is ours, not a request. */
export function onDeviceLink(state: ConversationState, e: ContentEvent, b: DeviceLinkBody): Transition {
  const target = decodeDeviceId(b.deviceId);
  if (e.sender.account !== state.me.account || target !== state.me.deviceId || state.record.state !== 'request') return unchanged(state);
  return withRecord(state, { ...state.record, state: 'active' });
}

/**
 * The name is content, so the server never sees it. An admin sets it; a device that has none yet (it just joined) also
 * takes it from a device of its own account (a newly linked device learns it that way).
 */
export function onGroupRename(state: ConversationState, e: ContentEvent, b: GroupRenameBody): Transition {
  const meta = state.meta;
  if (!meta || meta.kind !== 'group') return unchanged(state);
  const fromAdmin = isAdmin(meta, e.sender.account);
  const firstFromOwn = state.record.name === undefined && e.sender.account === state.me.account;
  if ((!fromAdmin && !firstFromOwn) || state.record.name === b.name) return unchanged(state);
  const next = withRecord(state, { ...state.record, name: b.name });
  // The first name a group gets comes with its creation: only later renames make a line in the history.
  if (state.record.name === undefined) return next;
  const record = systemRecord(e.messageId, { type: 'rename', by: e.sender.account, name: b.name }, e.receivedAt);
  return {
    ...next,
    effects: [...next.effects, { kind: 'put-message', conversationId: state.conversationId, messageId: e.messageId, record }],
  };
}

/** A device id on the wire is its UTF-8 text; bytes that are not UTF-8 name no device of ours. */
function decodeDeviceId(bytes: Uint8Array): string | undefined {
  try {
    return utf8DecodeStrict(bytes);
  } catch {
    return undefined;
  }
}
