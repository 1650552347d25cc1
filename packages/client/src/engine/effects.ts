// Engine effects: what a conversation transition asks the shell to do, as plain data. The shell (client/receiver.ts)
// writes the store effects inside the receive transaction and raises the events once that transaction is durable.

import type { ConvRecord, MessageRecord } from '../client/records.js';
import type { ClientEvents } from '../client/types.js';

export type EngineEffect =
  /** Append a new message to the conversation's log; a `message` event follows once it is durable. */
  | { kind: 'put-message'; conversationId: string; messageId: string; record: MessageRecord }
  /** Replace a stored message; a `message-updated` event follows once it is durable. */
  | { kind: 'update-message'; conversationId: string; messageId: string; record: MessageRecord }
  /** Remember when a disappearing message goes (ms since epoch). */
  | { kind: 'set-expiry'; conversationId: string; messageId: string; at: number }
  /** Queue a delivery receipt for these messages (16-byte ids) in the outbox, in the same transaction. */
  | { kind: 'send-receipt'; conversationId: string; messageIds: Uint8Array[] }
  /** Store the conversation record; a `conversation` event follows (the shell builds its view from the new state). */
  | { kind: 'put-conversation'; record: ConvRecord }
  /** Raise an event that needs nothing from the store (typing). */
  | { kind: 'emit'; event: 'typing'; payload: ClientEvents['typing'] };

export type EffectKind = EngineEffect['kind'];
