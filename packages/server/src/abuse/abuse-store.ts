// The abuse signals' storage port: per-account counters in time buckets, first contacts (requests), whether a
// conversation was answered, and throttles. Metadata only; implemented by SQLite (sqlite-abuse-store.ts) and in memory
// (memory-abuse-store.ts), both held to one contract test. No rules here: the service (abuse-signals.ts) decides.

/** Counted signals (account age is not counted: it comes from the account's creation time). */
export const COUNTED_SIGNALS = [
  'firstContacts',
  'messageRequests',
  'strangersAddedToGroups',
  'groupsCreated',
  'unansweredMessages',
  'declinedRequests',
  'reports',
] as const;
export type CountedSignal = (typeof COUNTED_SIGNALS)[number];

export interface CountDelta {
  account: string;
  signal: CountedSignal;
  /** Start of the time bucket (ms). */
  bucket: number;
  n: number;
}

/** A signal that passed its threshold. */
export interface TrippedSignal {
  signal: string;
  value: number;
  threshold: number;
}

export interface ThrottleRecord {
  account: string;
  since: number;
  until: number;
  /** The signals that tripped it. */
  signals: TrippedSignal[];
}

/** Whether a conversation has been answered: the first account that wrote there, and whether another one has since. */
export interface ConversationRecord {
  firstSender: string;
  answered: boolean;
  /** When its first application message was seen (ms); the record is kept for the window after that. */
  at: number;
}

export interface PruneBefore {
  /** Counter buckets that start before this. */
  counts: number;
  /** First contacts made before this. */
  requests: number;
  /** Conversations first seen before this. */
  conversations: number;
  /** Throttles that ended before this. */
  throttles: number;
}

export interface AbuseStore {
  /** Adds every delta to its (account, signal, bucket) counter, in one transaction. */
  addCounts(deltas: readonly CountDelta[]): Promise<void>;
  /** The sums of an account's counters whose bucket starts at or after `since`; absent signals are 0. */
  counts(account: string, since: number): Promise<Record<CountedSignal, number>>;
  /** Deletes every counter of an account (after an operator lifts its throttle). */
  clearCounts(account: string): Promise<void>;

  /** Remembers that `requester` made a first contact with `recipient` at `at` (a newer one replaces an older one). */
  recordRequest(requester: string, recipient: string, at: number): Promise<void>;
  /** Marks that request declined; true only when one exists, was made at or after `since` and was not declined yet. */
  declineRequest(requester: string, recipient: string, since: number, at: number): Promise<boolean>;

  getConversation(groupId: Uint8Array): Promise<ConversationRecord | undefined>;
  putConversation(groupId: Uint8Array, c: ConversationRecord): Promise<void>;

  getThrottle(account: string): Promise<ThrottleRecord | undefined>;
  putThrottle(t: ThrottleRecord): Promise<void>;
  /** True when there was one. */
  deleteThrottle(account: string): Promise<boolean>;

  /** Deletes every row naming the account (its counts, its requests made or received, conversations it opened, its throttle). */
  deleteAccount(account: string): Promise<void>;

  /** Deletes what is older than the window; returns how many rows went. */
  prune(before: PruneBefore): Promise<number>;
}

export function zeroCounts(): Record<CountedSignal, number> {
  return Object.fromEntries(COUNTED_SIGNALS.map((s) => [s, 0])) as Record<CountedSignal, number>;
}
