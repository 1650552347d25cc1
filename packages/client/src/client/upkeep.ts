// Upkeep: the client's timers: disappearing-message sweep, KeyPackage top-up, periodic own-leaf key updates.

import { dueExpiries, dueKeyUpdates } from '../engine/index.js';
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
    const due = dueExpiries(this.c.expiry, this.c.now());
    if (due.length === 0) return;
    await this.c.store.transaction(async (tx) => {
      for (const d of due) {
        await tx.deleteMessage(d.conversationId, d.messageId);
        await tx.delete(NS.expiry, d.key);
      }
    });
    for (const d of due) {
      // A sweep that ran at the same time (the timer, a read) already announced it.
      if (!this.c.cache.expired(d.key)) continue;
      this.c.events.emit('message-removed', { conversationId: d.conversationId, id: d.messageId, reason: 'expired' });
    }
  }

  async maintain(): Promise<void> {
    if (!this.c.connection.started) return;
    await this.c.topUpKeyPackages(false);
    const recs = new Map(this.c.convs); // the records as they were when the decision was made
    for (const id of dueKeyUpdates(recs.values(), this.c.now(), this.c.updateMs)) {
      const rec = recs.get(id)!;
      await this.c.events.rotateKeys(rec.id).catch((e) => this.c.warnErr('KEY_UPDATE', e));
      const next = { ...rec, lastUpdateAt: this.c.now() };
      await this.c.store.put(NS.conv, rec.id, json(next));
      this.c.cache.putRecord(rec.id, { ...(this.c.convs.get(rec.id) ?? next), lastUpdateAt: next.lastUpdateAt });
    }
  }
}
