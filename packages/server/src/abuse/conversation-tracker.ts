// Whether a conversation is "answered", for the unanswered-messages signal: a group is answered once application
// messages from two different accounts have been seen in it. Kept in a bounded in-memory cache (the application
// message path stays a map lookup once a group is answered), written through to the store at most twice per group:
// at its first application message and when it becomes answered.
import type { AbuseStore } from './abuse-store.js';
import type { GroupFacts } from './group-facts.js';

/**
 * Unanswered messages counted per conversation, at most: many messages to one person who has not replied yet (or a
 * channel only its owner writes in) is not many people contacted. Counted in memory: a restart may count as many again.
 */
export const MAX_UNANSWERED_PER_CONVERSATION = 3;

interface Tracked {
  /** The account of the first application message seen, undefined before one. */
  firstSender: string | undefined;
  answered: boolean;
  at: number;
  /** How many accounts the group has (messages to oneself are never "unanswered"); -1: to be read again. */
  accounts: number;
  /** Unanswered messages counted in this group since it was loaded. */
  counted: number;
}

export class ConversationTracker {
  readonly #cache = new Map<string, Tracked>();

  constructor(
    private readonly store: AbuseStore,
    private readonly facts: GroupFacts,
    private readonly windowMs: number,
    private readonly cacheSize = 10_000,
  ) {}

  /**
   * Records an application message by `account` in the group; true when it counts as unanswered: the group has
   * another account, no account but `account` has sent an application message there, and fewer than
   * MAX_UNANSWERED_PER_CONVERSATION were counted in it.
   */
  async onMessage(groupId: Uint8Array, account: string, now: number): Promise<boolean> {
    const key = Buffer.from(groupId).toString('base64');
    let t = this.#cache.get(key);
    if (t?.answered) return false;
    if (!t) {
      t = await this.#load(groupId, now);
      this.#remember(key, t);
    }
    if (t.answered) return false;
    if (t.accounts < 0) t.accounts = (await this.facts.group(groupId))?.accounts ?? 0;
    if (t.firstSender === undefined) {
      t.firstSender = account;
      t.at = now;
      await this.store.putConversation(groupId, { firstSender: account, answered: false, at: now });
    } else if (t.firstSender !== account) {
      t.answered = true;
      await this.store.putConversation(groupId, { firstSender: t.firstSender, answered: true, at: t.at });
      return false;
    }
    if (t.accounts < 2 || t.counted >= MAX_UNANSWERED_PER_CONVERSATION) return false;
    t.counted++;
    return true;
  }

  /** A commit changed the group's members: its account count is read again on the next message. */
  membershipChanged(groupId: Uint8Array): void {
    const t = this.#cache.get(Buffer.from(groupId).toString('base64'));
    if (t) t.accounts = -1;
  }

  /**
   * A group not in the store is new unless it was created before the window: its record is pruned a window after its
   * first message, by which time it counts as an established conversation.
   */
  async #load(groupId: Uint8Array, now: number): Promise<Tracked> {
    const [rec, g] = await Promise.all([this.store.getConversation(groupId), this.facts.group(groupId)]);
    const accounts = g?.accounts ?? 0;
    if (rec) return { ...rec, accounts, counted: 0 };
    const established = g !== undefined && g.createdAt < now - this.windowMs;
    return { firstSender: undefined, answered: established, at: now, accounts, counted: 0 };
  }

  #remember(key: string, t: Tracked): void {
    this.#cache.delete(key);
    this.#cache.set(key, t);
    if (this.#cache.size > this.cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
  }
}
