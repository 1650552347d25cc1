// Leave notices: the system items "you left" (on the leaving account's devices) and "X left" (on the other members'),
// appended to the conversation's log in the transaction that records the leave, and told to the app once durable.

import { sha256 } from '@noble/hashes/sha2.js';
import type { StoreWriter } from '../store/local-store.js';
import { toHex, utf8 } from '../util/bytes.js';
import { encodeMessage, type MessageRecord } from './records.js';
import type { StoredMessage } from './types.js';

/**
 * Appends "X left" (or "you left" when X is this account) for each account; the id comes from the conversation, the
 * epoch and the account, so a leave recorded again (a commit processed twice, leave() repeated) adds nothing twice.
 */
export async function recordLeaves(
  tx: StoreWriter,
  conversationId: string,
  epoch: bigint,
  accounts: readonly string[],
  me: string,
  now: number,
): Promise<StoredMessage[]> {
  const items: StoredMessage[] = [];
  for (const account of accounts) {
    const id = toHex(sha256(utf8(`left\u0000${conversationId}\u0000${epoch}\u0000${account}`)).subarray(0, 16));
    if (!(await tx.markProcessed(`left:${id}`))) continue;
    const r: MessageRecord = {
      id,
      sender: account,
      senderDevice: '',
      outgoing: account === me,
      sentAt: now,
      receivedAt: now,
      kind: 'system',
      text: account === me ? 'you left' : `${account} left`,
      system: { type: 'members-removed', by: account, accounts: [account] },
      reactions: {},
    };
    const entry = await tx.appendMessage(conversationId, id, encodeMessage(r));
    items.push({ ...r, conversationId, seq: entry.seq });
  }
  return items;
}
