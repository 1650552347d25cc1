// Sync: bring this device up to date with the server before it sends: catch up with its queue (HTTP), settle
// interrupted commits, then let the outbox run. Runs at start, on every reconnect and after a send found the network
// gone; while the server cannot be reached it retries with backoff (the socket's own reconnect also triggers a run).

import { ApiError } from '../transport/api-error.js';
import type { Core } from './ports.js';

export class Syncer {
  /** The running sync, shared by concurrent callers; another one runs if asked meanwhile. */
  #running: Promise<void> | undefined;
  #again = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;

  constructor(readonly c: Core) {}

  /** Cancel a scheduled retry (the client stops). */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Catch up and settle pending commits. Concurrent callers share the run in progress (and ask for one more, since
   * messages may have arrived after its last page). A network failure is not thrown: the device works offline and a
   * retry is scheduled. Other failures are thrown.
   */
  run(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    const p = this.#loop().finally(() => {
      if (this.#running === p) this.#running = undefined;
    });
    this.#running = p;
    return p;
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.c.receiver.catchUp();
        await this.c.commits.resolvePendingCommits();
      } catch (e) {
        if (!(e instanceof ApiError && e.retryable)) throw e;
        this.c.connection.lost();
        this.c.events.emit('connection', { state: 'offline' });
        this.schedule();
        return;
      }
      this.#attempt = 0;
    } while (this.#again && this.c.connection.live);
  }

  /** The server could not be reached: try again after a backoff (doubling, with jitter, at most 30 s). */
  schedule(): void {
    if (!this.c.connection.live || this.#timer) return;
    const base = Math.min(30_000, this.c.retryMs * 2 ** Math.min(this.#attempt++, 16));
    const jitter = ((this.c.rng(1)[0] ?? 0) / 255) * 0.25 * base;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.c.connection.live) void this.run().catch((e) => this.c.warnErr('SYNC', e));
    }, base + jitter);
  }
}
