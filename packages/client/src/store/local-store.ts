// LocalStore: the client's durable state (key-value namespaces, message logs, outbox, processed ids) behind one async interface.

/** One message in a conversation's ordered log. `seq` is assigned by the store and strictly increases per conversation. */
export interface LogEntry {
  conversationId: string;
  messageId: string;
  seq: number;
  data: Uint8Array;
}

export type OutboxState = 'pending' | 'inflight' | 'failed';

/** One queued send. `seq` is assigned by the store on first insert and fixes the send order. */
export interface OutboxRecord {
  id: string;
  conversationId: string;
  seq: number;
  payload: Uint8Array;
  state: OutboxState;
  attempts: number;
  /** Earliest time (ms) of the next attempt. */
  nextAttemptAt: number;
  /** While inflight: when the claim expires and the entry may be claimed again (ms). */
  leaseUntil: number;
  enqueuedAt: number;
  /** A log-safe error code from the last failure. */
  lastError?: string;
}

export interface ListMessagesOptions {
  /** Only entries with seq > afterSeq. */
  afterSeq?: number;
  /** Only entries with seq < beforeSeq. */
  beforeSeq?: number;
  limit?: number;
  /** Newest first. */
  reverse?: boolean;
}

/** A page of the outbox: the records after seq `afterSeq` (from the first when absent), at most `limit` of them. */
export interface OutboxPage {
  afterSeq?: number;
  limit?: number;
}

/** Read operations, available on the store and inside a transaction (where they see the transaction's own writes). */
export interface StoreReader {
  get(namespace: string, key: string): Promise<Uint8Array | undefined>;
  /** All entries of a namespace, in no particular order (keys are stored as MACs). */
  list(namespace: string): Promise<Array<{ key: string; value: Uint8Array }>>;
  getMessage(conversationId: string, messageId: string): Promise<LogEntry | undefined>;
  listMessages(conversationId: string, options?: ListMessagesOptions): Promise<LogEntry[]>;
  isProcessed(messageId: string): Promise<boolean>;
  outboxGet(id: string): Promise<OutboxRecord | undefined>;
  /** The outbox records in enqueue (seq) order: all of them, or a page (after a seq, at most `limit`). */
  outboxList(page?: OutboxPage): Promise<OutboxRecord[]>;
}

export interface StoreWriter extends StoreReader {
  put(namespace: string, key: string, value: Uint8Array): Promise<void>;
  delete(namespace: string, key: string): Promise<void>;
  /** Append to a conversation's log; throws StoreError DUPLICATE if the message id is already there. */
  appendMessage(conversationId: string, messageId: string, data: Uint8Array): Promise<LogEntry>;
  /** Replace a message's data in place (edits, delete-for-everyone); throws StoreError NOT_FOUND. */
  updateMessage(conversationId: string, messageId: string, data: Uint8Array): Promise<LogEntry>;
  /** Remove a message (disappearing messages); returns whether it existed. */
  deleteMessage(conversationId: string, messageId: string): Promise<boolean>;
  /** Record a message id as processed; returns false if it already was (exactly-once delivery). */
  markProcessed(messageId: string): Promise<boolean>;
  /** Insert or replace by id. On insert the given seq is ignored and a fresh one assigned; on replace the old seq is kept. */
  outboxPut(record: Omit<OutboxRecord, 'seq'> & { seq?: number }): Promise<OutboxRecord>;
  outboxDelete(id: string): Promise<boolean>;
}

export interface TransactionOptions {
  /**
   * Default true: the transaction resolves once its writes survive a power failure. False for writes that may be lost
   * in a power failure (never torn, never reordered after a later durable one) until the next durable transaction
   * carries them: for what the client can redo after a crash, such as marking an accepted send as sent.
   */
  durable?: boolean;
}

/**
 * The client's local store. Single operations commit on their own; `transaction` commits a group of them
 * atomically (e.g. new MLS state + the decrypted message + its processed id) or, if `fn` throws, not at all.
 * Transactions run one at a time; inside `fn` use only `tx` (calling the store itself there would wait forever).
 */
export interface LocalStore extends StoreWriter {
  transaction<T>(fn: (tx: StoreWriter) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}
