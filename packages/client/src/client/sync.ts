// Sync: bring this device up to date with the server before it sends: catch up with its queue (HTTP), settle
// interrupted commits, then let the outbox run. Runs at start, on every reconnect and after a send found the network
// gone; while the server cannot be reached it retries with backoff (the socket's own reconnect also triggers a run).

import { ApiError } from '../transport/api-error.js';
import type { Core } from './ports.js';

export class Syncer {
  constructor(readonly c: Core) {}

  /**
   * Catch up and settle pending commits. Concurrent callers share the run in progress (and ask for one more, since
   * messages may have arrived after its last page). A network failure is not thrown: the device works offline and a
   * retry is scheduled. Other failures are thrown.
   */
  run(): Promise<void> {
    if (this.c.syncing) {
      this.c.syncAgain = true;
      return this.c.syncing;
    }
    const p = this.#loop().finally(() => {
      if (this.c.syncing === p) this.c.syncing = undefined;
    });
    this.c.syncing = p;
    return p;
  }

  async #loop(): Promise<void> {
    do {
      this.c.syncAgain = false;
      try {
        await this.c.receiver.catchUp();
        await this.c.commits.resolvePendingCommits();
      } catch (e) {
        if (!(e instanceof ApiError && e.retryable)) throw e;
        this.c.connected = false;
        this.c.events.emit('connection', { state: 'offline' });
        this.schedule();
        return;
      }
      this.c.syncAttempt = 0;
    } while (this.c.syncAgain && this.c.started && !this.c.closed);
  }

  /** The server could not be reached: try again after a backoff (doubling, with jitter, at most 30 s). */
  schedule(): void {
    if (!this.c.started || this.c.closed || this.c.syncTimer) return;
    const base = Math.min(30_000, this.c.retryMs * 2 ** Math.min(this.c.syncAttempt++, 16));
    const jitter = ((this.c.rng(1)[0] ?? 0) / 255) * 0.25 * base;
    this.c.syncTimer = setTimeout(() => {
      this.c.syncTimer = undefined;
      if (this.c.started && !this.c.closed) void this.run().catch((e) => this.c.warnErr('SYNC', e));
    }, base + jitter);
  }
}
