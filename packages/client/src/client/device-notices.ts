// Device-change notices: for each account already in a conversation that gained or lost a device in a commit this
// device applied, a system item in the conversation's log (persisted, shown once in its place in the history) and a
// 'device-change' event. The detection itself is the pure deviceChanges (safety/device-changes.ts).

import { sha256 } from '@noble/hashes/sha2.js';
import { systemText } from '../engine/conversation-changes.js';
import type { DeviceChange } from '../safety/device-changes.js';
import type { StoreWriter } from '../store/local-store.js';
import { toHex, utf8 } from '../util/bytes.js';
import { encodeMessage, type MessageRecord } from './records.js';
import type { ClientEvents, StoredMessage } from './types.js';

/** The text of the notice: log-safe (account and device ids only). */
export function deviceChangeText(c: DeviceChange): string {
  return systemText({ type: 'device', ...c });
}

/**
 * Appends one system item per change to the conversation's log, in the transaction that applies the commit; the id
 * is derived from the conversation, epoch and account, so a commit processed again adds nothing twice.
 */
export async function recordDeviceChanges(
  tx: StoreWriter,
  conversationId: string,
  epoch: bigint,
  changes: readonly DeviceChange[],
  now: number,
): Promise<StoredMessage[]> {
  const items: StoredMessage[] = [];
  for (const c of changes) {
    const id = toHex(sha256(utf8(`device-change\u0000${conversationId}\u0000${epoch}\u0000${c.account}`)).subarray(0, 16));
    if (!(await tx.markProcessed(`device-change:${id}`))) continue;
    const r: MessageRecord = {
      id,
      sender: c.account,
      senderDevice: '',
      outgoing: false,
      sentAt: now,
      receivedAt: now,
      kind: 'system',
      text: deviceChangeText(c),
      system: { type: 'device', ...c },
      reactions: {},
    };
    const entry = await tx.appendMessage(conversationId, id, encodeMessage(r));
    items.push({ ...r, conversationId, seq: entry.seq });
  }
  return items;
}

/** Tells the app, once the commit is durable: each notice item as a message, each change as a 'device-change'. */
export function emitDeviceChanges(
  events: { emit<K extends keyof ClientEvents>(name: K, value: ClientEvents[K]): void },
  conversationId: string,
  changes: readonly DeviceChange[],
  items: readonly StoredMessage[],
): void {
  for (const m of items) events.emit('message', m);
  for (const c of changes) events.emit('device-change', { conversationId, ...c });
}
