// Timer decisions: which disappearing messages are due to go and which conversations are due for a key update, at a
// given `now`. Pure: the shell (client/upkeep.ts) owns the timers, the clock and the store.

import type { ConvRecord } from '../client/records.js';

/** A disappearing message that is due: its expiry key (`conversationId/messageId`) and the two ids. */
export interface DueExpiry {
  key: string;
  conversationId: string;
  messageId: string;
}

/** The expiry entries (`conversationId/messageId` -> ms) whose time has come at `now`, in the order given. */
export function dueExpiries(expiry: Iterable<readonly [string, number]>, now: number): DueExpiry[] {
  const due: DueExpiry[] = [];
  for (const [key, at] of expiry) {
    if (at > now) continue;
    const slash = key.indexOf('/');
    due.push({ key, conversationId: key.slice(0, slash), messageId: key.slice(slash + 1) });
  }
  return due;
}

/**
 * The conversations due for an Update of this device's own leaf (RFC 9420 §12.1.2, post-compromise security): active,
 * not frozen by a policy violation, and last updated at least `updateMs` before `now`. Ids, in the order given.
 */
export function dueKeyUpdates(records: Iterable<ConvRecord>, now: number, updateMs: number): string[] {
  const due: string[] = [];
  for (const rec of records) {
    if (rec.state !== 'active' || rec.policyViolation || now - rec.lastUpdateAt < updateMs) continue;
    due.push(rec.id);
  }
  return due;
}
