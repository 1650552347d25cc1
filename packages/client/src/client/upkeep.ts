// Upkeep: the client's timers: disappearing-message sweep, KeyPackage top-up, periodic own-leaf key updates.

import type { Core } from './ports.js';
import { json, NS } from './records.js';

export class Upkeep {
  #sweepTimer: ReturnType<typeof setInterval> | undefined;
  #maintTimer: ReturnType<typeof setInterval> | undefined;

  constructor(readonly c: Core) {}

  /** Run the sweep and the maintenance periodically until stop(). */
  start(sweepMs: number, maintMs: number): void {
    this.stop();
    this.#sweepTimer = setInterval(() => void this.sweep().catch((e) => this.c.warnErr('SWEEP', e)), sweepMs);
    this.#maintTimer = setInterval(() => void this.maintain().catch((e) => this.c.warnErr('MAINTENANCE', e)), maintMs);
  }

  stop(): void {
    for (const t of [this.#sweepTimer, this.#maintTimer]) if (t) clearInterval(t);
    this.#sweepTimer = this.#maintTimer = undefined;
  }

  async sweep(): Promise<void> {
    const now = this.c.now();
    const due = [...this.c.expiry].filter(([, at]) => at <= now).map(([k]) => k);
    if (due.length === 0) return;
    await this.c.store.transaction(async (tx) => {
      for (const k of due) {
        const slash = k.indexOf('/');
        await tx.deleteMessage(k.slice(0, slash), k.slice(slash + 1));
        await tx.delete(NS.expiry, k);
      }
    });
    for (const k of due) {
      // A sweep that ran at the same time (the timer, a read) already announced it.
      if (!this.c.cache.expired(k)) continue;
      const slash = k.indexOf('/');
      this.c.events.emit('message-removed', { conversationId: k.slice(0, slash), id: k.slice(slash + 1), reason: 'expired' });
    }
  }

  async maintain(): Promise<void> {
    if (!this.c.connection.started) return;
    await this.c.topUpKeyPackages(false);
    const now = this.c.now();
    for (const rec of [...this.c.convs.values()]) {
      if (rec.state !== 'active' || rec.policyViolation || now - rec.lastUpdateAt < this.c.updateMs) continue;
      await this.c.events.rotateKeys(rec.id).catch((e) => this.c.warnErr('KEY_UPDATE', e));
      const next = { ...rec, lastUpdateAt: this.c.now() };
      await this.c.store.put(NS.conv, rec.id, json(next));
      this.c.cache.putRecord(rec.id, { ...(this.c.convs.get(rec.id) ?? next), lastUpdateAt: next.lastUpdateAt });
    }
  }
}
