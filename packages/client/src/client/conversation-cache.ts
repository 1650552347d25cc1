// The in-memory copy of this device's conversations: MLS group states, conversation records and disappearing-message
// deadlines, as last written to the store. Read as maps; changed only through these methods, once the write is durable.

import type { Group } from '@sotto/mls';
import type { ConvRecord } from './records.js';

export class ConversationCache {
  readonly #groups = new Map<string, Group>();
  readonly #records = new Map<string, ConvRecord>();
  /** `conversationId/messageId` -> when the message disappears (ms since epoch). */
  readonly #expiry = new Map<string, number>();

  get groups(): ReadonlyMap<string, Group> {
    return this.#groups;
  }

  get records(): ReadonlyMap<string, ConvRecord> {
    return this.#records;
  }

  get expiry(): ReadonlyMap<string, number> {
    return this.#expiry;
  }

  putGroup(id: string, group: Group): void {
    this.#groups.set(id, group);
  }

  putRecord(id: string, rec: ConvRecord): void {
    this.#records.set(id, rec);
  }

  /** The conversation left this device (its group state and record were deleted from the store). */
  forget(id: string): void {
    this.#groups.delete(id);
    this.#records.delete(id);
  }

  expireAt(key: string, at: number): void {
    this.#expiry.set(key, at);
  }

  /** The message went; false when another sweep already removed it. */
  expired(key: string): boolean {
    return this.#expiry.delete(key);
  }
}
