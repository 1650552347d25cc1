// A transition's result and the small helpers the content reducers share: `(state, event) -> { state, effects }`.

import type { Content } from '../content/content-types.js';
import type { ConversationState, ContentSender, TargetMessage } from './conversation-state.js';
import type { EngineEffect } from './effects.js';

/** Content that arrived in an MLS application message of this conversation. */
export interface ContentEvent {
  kind: 'content';
  sender: ContentSender;
  content: Content;
  /** The message id (hex) of `content`. */
  messageId: string;
  /** When this device received it (ms since epoch, from the injected clock). */
  receivedAt: number;
}

export interface Transition {
  state: ConversationState;
  effects: EngineEffect[];
}

export const unchanged = (state: ConversationState): Transition => ({ state, effects: [] });

/**
 * Apply `change` to the stored message `target`; nothing happens when it is not stored here or `change` declines. The
 * new version goes into the returned state, so a later step of the same content (a receipt naming one id twice) sees it.
 */
export function updateTarget(
  state: ConversationState,
  target: string,
  change: (t: TargetMessage) => TargetMessage | undefined,
): Transition {
  const cur = state.targets.get(target);
  if (!cur) return unchanged(state);
  const next = change(cur);
  if (!next) return unchanged(state);
  const targets = new Map(state.targets).set(target, next);
  return {
    state: { ...state, targets },
    effects: [{ kind: 'update-message', conversationId: state.conversationId, messageId: target, record: next }],
  };
}

/** Run steps one after another, each on the state the previous one returned. */
export function chain(state: ConversationState, steps: Array<(s: ConversationState) => Transition>): Transition {
  let cur: Transition = unchanged(state);
  for (const step of steps) {
    const t = step(cur.state);
    cur = { state: t.state, effects: [...cur.effects, ...t.effects] };
  }
  return cur;
}

/** The conversation record changed: store it (a `conversation` event follows). */
export function withRecord(state: ConversationState, record: ConversationState['record']): Transition {
  return { state: { ...state, record }, effects: [{ kind: 'put-conversation', record }] };
}
