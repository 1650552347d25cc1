// System items: the lines a conversation's history shows for its changes (members, roles, timer, name, a contact's
// devices). Each is appended to the log in the transaction that applies the change, with an id derived from the
// change's origin, so that processing the same commit or message again adds nothing twice.

import { sha256 } from '@noble/hashes/sha2.js';
import type { SystemChange } from '../engine/conversation-changes.js';
import { systemRecord } from '../engine/system-record.js';
import type { StoreWriter } from '../store/local-store.js';
import { toHex, utf8 } from '../util/bytes.js';
import { encodeMessage } from './records.js';
import type { StoredMessage } from './types.js';

/** Appends one item per change; `origin` names what caused them (e.g. the commit's epoch), for idempotence. */
export async function recordSystemItems(
  tx: StoreWriter,
  conversationId: string,
  origin: string,
  changes: readonly SystemChange[],
  now: number,
): Promise<StoredMessage[]> {
  const items: StoredMessage[] = [];
  for (const [i, c] of changes.entries()) {
    const id = toHex(sha256(utf8(`system\u0000${conversationId}\u0000${origin}\u0000${i}\u0000${c.type}`)).subarray(0, 16));
    if (!(await tx.markProcessed(`system:${id}`))) continue;
    const r = systemRecord(id, c, now);
    const entry = await tx.appendMessage(conversationId, id, encodeMessage(r));
    items.push({ ...r, conversationId, seq: entry.seq });
  }
  return items;
}
