// Whether a conversation is "answered", for the unanswered-messages signal: a group is answered once application
// messages from two different accounts have been seen in it. Kept in a bounded in-memory cache (the application
// message path stays a map lookup once a group is answered), written through to the store at most twice per group:
// at its first application message and when it becomes answered.
import type { AbuseStore } from './abuse-store.js';
import type { GroupFacts } from './group-facts.js';

interface Tracked {
  /** The account of the first application message seen, undefined before one. */
  firstSender: string | undefined;
  answered: boolean;
  at: number;
  /** Whether the group has an account besides the sender's (messages to oneself are never "unanswered"). */
  accounts: number;
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
   * Records an application message by `account` in the group; true when it is unanswered: the group has another
   * account, and no account but `account` has sent an application message there.
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
    if (t.firstSender === undefined) {
      t.firstSender = account;
      t.at = now;
      await this.store.putConversation(groupId, { firstSender: account, answered: false, at: now });
    } else if (t.firstSender !== account) {
      t.answered = true;
      await this.store.putConversation(groupId, { firstSender: t.firstSender, answered: true, at: t.at });
      return false;
    }
    return t.accounts > 1;
  }

  /** A commit changed the group's members: its account count is read again on the next message. */
  membershipChanged(groupId: Uint8Array): void {
    this.#cache.delete(Buffer.from(groupId).toString('base64'));
  }

  /**
   * A group not in the store is new unless it was created before the window: its record is pruned a window after its
   * first message, by which time it counts as an established conversation.
   */
  async #load(groupId: Uint8Array, now: number): Promise<Tracked> {
    const [rec, g] = await Promise.all([this.store.getConversation(groupId), this.facts.group(groupId)]);
    const accounts = g?.accounts ?? 0;
    if (rec) return { ...rec, accounts };
    const established = g !== undefined && g.createdAt < now - this.windowMs;
    return { firstSender: undefined, answered: established, at: now, accounts };
  }

  #remember(key: string, t: Tracked): void {
    this.#cache.delete(key);
    this.#cache.set(key, t);
    if (this.#cache.size > this.cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
  }
}
