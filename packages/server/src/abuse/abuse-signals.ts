// Abuse signals from metadata only (issue "Reporting abuse without a backdoor", part 4): per account, over a sliding
// window, first contacts, groups created, unanswered messages, declined requests and reports, plus the account's age.
// Past a threshold the account is throttled (no new groups, first contacts slowed) and flagged for moderation once.
// It never sees content: only who added whom to which group, who sent into which group, and when (docs/abuse-signals.md).
import type { Config } from '../config/config.js';
import { SottoError } from '../errors.js';
import type { AbuseStore, CountedSignal, ThrottleRecord, TrippedSignal } from './abuse-store.js';
import { ConversationTracker } from './conversation-tracker.js';
import type { GroupFacts } from './group-facts.js';
import { THRESHOLD_SIGNALS, type ThresholdSignal, thresholdsFor } from './thresholds.js';
import { WindowCounters } from './window-counters.js';

/** The moderation queue, as the abuse signals see it (implemented by the moderation service; optional). */
export interface ModerationFlags {
  flagAccount(account: string, signals: Array<{ signal: string; value: number; threshold: number }>, now: number): Promise<void>;
}

export type ConversationKind = 'direct' | 'group';

/** What `beforeCommit` found, handed back to `afterCommit` once the commit is stored. */
export interface CommitCheck {
  account: string;
  kind: ConversationKind;
  /** Accounts added to the group that shared no other group with the committer at that moment. */
  strangers: string[];
}

export interface AccountSignals {
  account: string;
  createdAt: number;
  ageHours: number;
  young: boolean;
  windowSeconds: number;
  counts: Record<CountedSignal, number>;
  thresholds: Record<ThresholdSignal, number>;
  throttle: (ThrottleRecord & { firstContactRetryAfter: number }) | null;
}

export interface AbuseSignalsDeps {
  store: AbuseStore;
  facts: GroupFacts;
  accounts: { getAccount(name: string): Promise<{ createdAt: number } | undefined> };
  config: Config['abuse'];
  /** Accounts younger than this are young (newAccounts.ageSeconds). */
  youngSeconds: number;
  moderation?: ModerationFlags | undefined;
  /** An account was throttled (for metrics and the log: names of signals, never content). */
  onThrottled?: (account: string, signals: TrippedSignal[]) => void;
  /** A request was refused because of a throttle (`abuse_throttled_groups`, `abuse_throttled_first_contacts`). */
  onRefused?: (limit: string) => void;
  /** Something failed where failing must not refuse the user's request (a message already stored). */
  onError?: (e: Error) => void;
}

export class AbuseSignals {
  readonly #d: AbuseSignalsDeps;
  readonly #counters: WindowCounters;
  readonly #conversations: ConversationTracker;
  /** A throttled account's next allowed first contact, for the throttle that began at `since` (lost on restart). */
  readonly #slow = new Map<string, { since: number; nextAt: number }>();
  /** One evaluation at a time per account, so that a throttle is set and flagged once. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(deps: AbuseSignalsDeps) {
    this.#d = deps;
    const windowMs = deps.config.windowSeconds * 1000;
    this.#counters = new WindowCounters(deps.store, windowMs);
    this.#conversations = new ConversationTracker(deps.store, deps.facts, windowMs);
  }

  get enabled(): boolean {
    return this.#d.config.enabled;
  }

  /** Refuses a new group (LIMIT_EXCEEDED) while the account is throttled. */
  async beforeGroupCreated(account: string, now: number): Promise<void> {
    if (!this.enabled) return;
    const t = await this.#activeThrottle(account, now);
    if (!t) return;
    this.#d.onRefused?.('abuse_throttled_groups');
    throw new SottoError('LIMIT_EXCEEDED', 'this account may not create groups for now: it is throttled for unusual activity', {
      retryAfter: Math.ceil((t.until - now) / 1000),
    });
  }

  /** A group was created (it is stored: never throws). */
  async onGroupCreated(account: string, now: number): Promise<void> {
    if (!this.enabled) return;
    try {
      await this.#counters.add(account, 'groupsCreated', 1, now);
      await this.#evaluate(account, now);
    } catch (e) {
      this.#d.onError?.(e as Error);
    }
  }

  /**
   * Before a verified commit that adds devices is stored: which added accounts are strangers to the committer (no
   * other group shared at this moment). A throttled account gets RATE_LIMITED unless its slow bucket allows one.
   */
  async beforeCommit(
    c: { account: string; groupId: Uint8Array; addedDevices: readonly string[]; kind: ConversationKind },
    now: number,
  ): Promise<CommitCheck | undefined> {
    if (!this.enabled || c.addedDevices.length === 0) return undefined;
    const added = new Set<string>();
    for (const d of c.addedDevices) {
      const a = await this.#d.facts.accountOfDevice(d);
      if (a !== undefined && a !== c.account) added.add(a);
    }
    const strangers: string[] = [];
    for (const a of added) {
      if (await this.#d.facts.isMember(c.groupId, a)) continue; // another device of an account already there
      if (await this.#d.facts.shareGroup(c.account, a, c.groupId)) continue;
      strangers.push(a);
    }
    if (strangers.length > 0) await this.#takeSlowFirstContact(c.account, strangers.length, now);
    return { account: c.account, kind: c.kind, strangers };
  }

  /**
   * After a commit that changed members was stored: counts its first contacts, remembers them (for declines), and has
   * the group's accounts read again. The commit is stored: never throws.
   */
  async afterCommit(groupId: Uint8Array, check: CommitCheck | undefined, now: number): Promise<void> {
    if (!this.enabled) return;
    this.#conversations.membershipChanged(groupId);
    if (!check || check.strangers.length === 0) return;
    try {
      const n = check.strangers.length;
      for (const s of check.strangers) await this.#d.store.recordRequest(check.account, s, now);
      await this.#counters.add(check.account, 'firstContacts', n, now);
      await this.#counters.add(check.account, check.kind === 'direct' ? 'messageRequests' : 'strangersAddedToGroups', n, now);
      await this.#evaluate(check.account, now);
    } catch (e) {
      this.#d.onError?.(e as Error);
    }
  }

  /** An application message was stored (the hot path: a map lookup for an answered group). Never throws. */
  async onApplicationMessage(account: string, groupId: Uint8Array, now: number): Promise<void> {
    if (!this.enabled) return;
    try {
      if (!(await this.#conversations.onMessage(groupId, account, now))) return;
      await this.#counters.addLater(account, 'unansweredMessages', 1, now);
      await this.#evaluate(account, now);
    } catch (e) {
      this.#d.onError?.(e as Error);
    }
  }

  /**
   * `caller` blocked a message request from `declined`. Counted only when `declined` made a first contact with
   * `caller` within the request memory, the two still share a group, and that request was not declined before.
   */
  async onDeclined(caller: string, declined: string, now: number): Promise<boolean> {
    if (!this.enabled || caller === declined) return false;
    if (!(await this.#d.facts.shareGroup(caller, declined))) return false;
    const since = now - this.#d.config.requestMemorySeconds * 1000;
    if (!(await this.#d.store.declineRequest(declined, caller, since, now))) return false;
    await this.#counters.add(declined, 'declinedRequests', 1, now);
    await this.#evaluate(declined, now);
    return true;
  }

  /** An abuse report against `account` was accepted (called by the report intake). */
  async onReported(account: string, now: number): Promise<void> {
    if (!this.enabled) return;
    await this.#counters.add(account, 'reports', 1, now);
    await this.#evaluate(account, now);
  }

  /** The account's current signals, thresholds and throttle (for operators). */
  async signals(account: string, now: number): Promise<AccountSignals> {
    const a = await this.#d.accounts.getAccount(account);
    if (!a) throw new SottoError('NOT_FOUND', `no account ${account}`);
    const young = now - a.createdAt < this.#d.youngSeconds * 1000;
    const t = await this.#activeThrottle(account, now);
    return {
      account,
      createdAt: a.createdAt,
      ageHours: Math.floor((now - a.createdAt) / 3_600_000),
      young,
      windowSeconds: this.#d.config.windowSeconds,
      counts: await this.#counters.counts(account, now),
      thresholds: thresholdsFor(this.#d.config, young),
      throttle: t ? { ...t, firstContactRetryAfter: Math.max(0, Math.ceil((this.#nextFirstContact(t) - now) / 1000)) } : null,
    };
  }

  /** Lifts an account's throttle (an operator's decision): its signals start again from zero. True when it had one. */
  async unthrottle(account: string): Promise<boolean> {
    const had = await this.#d.store.deleteThrottle(account);
    this.#counters.forget(account);
    await this.#d.store.clearCounts(account);
    this.#slow.delete(account);
    return had;
  }

  /** The account was deleted: nothing about it is kept (its requests made and received included). */
  async forgetAccount(account: string): Promise<void> {
    this.#counters.forget(account);
    this.#slow.delete(account);
    await this.#d.store.deleteAccount(account);
  }

  /** Writes the counts held in memory (the sweep and shutdown call it). */
  flush(): Promise<void> {
    return this.#counters.flush();
  }

  /** Flushes, then deletes what fell out of the window; returns how many rows went. */
  async sweep(now: number): Promise<number> {
    await this.flush();
    for (const [a, s] of this.#slow) if (s.nextAt < now - this.#d.config.throttleSeconds * 1000) this.#slow.delete(a);
    return this.#d.store.prune({
      counts: this.#counters.windowStart(now),
      requests: now - this.#d.config.requestMemorySeconds * 1000,
      conversations: now - this.#d.config.windowSeconds * 1000,
      throttles: now,
    });
  }

  async #activeThrottle(account: string, now: number): Promise<ThrottleRecord | undefined> {
    const t = await this.#d.store.getThrottle(account);
    return t && t.until > now ? t : undefined;
  }

  #nextFirstContact(t: ThrottleRecord): number {
    const s = this.#slow.get(t.account);
    return s && s.since === t.since ? s.nextAt : t.since + this.#d.config.throttledFirstContactSeconds * 1000;
  }

  /** A throttled account makes one first contact per throttledFirstContactSeconds; others are RATE_LIMITED. */
  async #takeSlowFirstContact(account: string, n: number, now: number): Promise<void> {
    const t = await this.#activeThrottle(account, now);
    if (!t) return;
    const interval = this.#d.config.throttledFirstContactSeconds * 1000;
    const next = this.#nextFirstContact(t);
    if (n > 1 || now < next) {
      this.#d.onRefused?.('abuse_throttled_first_contacts');
      throw new SottoError(
        'RATE_LIMITED',
        n > 1
          ? 'this account is throttled for unusual activity: it may add one new contact at a time'
          : 'this account is throttled for unusual activity: new contacts are slowed down',
        { retryAfter: Math.max(1, Math.ceil((next - now) / 1000)) },
      );
    }
    this.#slow.set(account, { since: t.since, nextAt: now + interval });
  }

  /** Throttles and flags the account when a signal is past its threshold and it is not throttled already. */
  #evaluate(account: string, now: number): Promise<void> {
    const prev = this.#queues.get(account) ?? Promise.resolve();
    const run = prev.then(() => this.#evaluateNow(account, now));
    // The tail settles after `run` either way and forgets the queue once nothing else waits behind it.
    const settle = (): void => {
      if (this.#queues.get(account) === tail) this.#queues.delete(account);
    };
    const tail: Promise<void> = run.then(settle, settle);
    this.#queues.set(account, tail);
    return run;
  }

  async #evaluateNow(account: string, now: number): Promise<void> {
    if (await this.#activeThrottle(account, now)) return;
    const a = await this.#d.accounts.getAccount(account);
    if (!a) return;
    const limits = thresholdsFor(this.#d.config, now - a.createdAt < this.#d.youngSeconds * 1000);
    const counts = await this.#counters.counts(account, now);
    const tripped = THRESHOLD_SIGNALS.filter((s) => counts[s] > limits[s]).map((s) => ({
      signal: s,
      value: counts[s],
      threshold: limits[s],
    }));
    if (tripped.length === 0) return;
    await this.#d.store.putThrottle({ account, since: now, until: now + this.#d.config.throttleSeconds * 1000, signals: tripped });
    this.#slow.delete(account);
    this.#d.onThrottled?.(account, tripped);
    try {
      await this.#d.moderation?.flagAccount(account, tripped, now);
    } catch (e) {
      this.#d.onError?.(e as Error);
    }
  }
}
