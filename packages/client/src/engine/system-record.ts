// The stored record of a system item: what the history keeps for a conversation change. Pure.

import type { MessageRecord } from '../client/records.js';
import { type SystemChange, systemText } from './conversation-changes.js';

/** The stored record of a system item (sender: the account the change is by or about). */
export function systemRecord(id: string, change: SystemChange, now: number): MessageRecord {
  return {
    id,
    sender: change.type === 'device' ? change.account : change.by,
    senderDevice: '',
    outgoing: false,
    sentAt: now,
    receivedAt: now,
    kind: 'system',
    text: systemText(change),
    system: change,
    reactions: {},
  };
}
