// Operator actions on invites and accounts (the `sotto-server admin` commands). The rules live here; storage only
// stores. An admin command runs in its own process, so an action that must reach open connections (suspend,
// delete) is also written as an admin event, which the running server reads within a fraction of a second
// (watchAdminEvents) and turns into disconnects through the Fanout.
import { SottoError } from '../errors.js';
import type { Fanout } from '../fanout/fanout.js';
import type { AccountRecord, Storage } from '../storage/storage.js';
import type { Clock } from '../util/clock.js';

/** How often the server looks for admin events; the longest an open socket outlives a suspension. */
export const ADMIN_EVENT_POLL_MS = 200;
/** Admin events older than this are deleted by the sweep (the server has read them long before). */
export const ADMIN_EVENT_KEEP_MS = 3600_000;

export class AdminService {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
  ) {}

  /** A revoked invite admits no one; registration refuses it exactly as an unknown one. */
  async revokeInvite(id: string): Promise<void> {
    if (!(await this.storage.revokeInvite(id, this.clock.now()))) throw new SottoError('NOT_FOUND', `no invite ${id}`);
  }

  /** Suspending refuses the account's tokens at once and closes its open sockets. */
  async setAccountStatus(account: string, status: AccountRecord['status']): Promise<void> {
    if (!(await this.storage.setAccountStatus(account, status))) throw new SottoError('NOT_FOUND', `no account ${account}`);
    if (status === 'active') return;
    const devices = (await this.storage.listDevices(account)).map((d) => d.deviceId);
    await this.storage.addAdminEvent({ kind: 'suspended', account, devices, at: this.clock.now() });
  }

  /** Deletes the account, its devices, queues, KeyPackages and tokens, and closes its open sockets. */
  async deleteAccount(account: string): Promise<void> {
    const devices = (await this.storage.listDevices(account)).map((d) => d.deviceId);
    if (!(await this.storage.deleteAccount(account))) throw new SottoError('NOT_FOUND', `no account ${account}`);
    await this.storage.addAdminEvent({ kind: 'deleted', account, devices, at: this.clock.now() });
  }
}

/**
 * Runs in the server: reads admin events every `intervalMs` and disconnects the devices they name. The first
 * read skips events recorded before the server started (no socket was open then).
 */
export function watchAdminEvents(
  storage: Storage,
  fanout: Fanout,
  onError: (e: Error) => void,
  intervalMs = ADMIN_EVENT_POLL_MS,
): { stop(): void } {
  let cursor: number | undefined;
  let busy = false;
  const poll = async () => {
    if (busy) return;
    busy = true;
    try {
      for (;;) {
        const events = await storage.adminEventsAfter(cursor ?? 0);
        for (const e of events) {
          if (cursor !== undefined)
            for (const d of e.devices) fanout.disconnect(d, e.kind === 'deleted' ? 'account deleted' : 'account suspended');
        }
        const last = events[events.length - 1];
        if (!last) break;
        cursor = last.id;
      }
      cursor ??= 0;
    } catch (e) {
      onError(e as Error);
    } finally {
      busy = false;
    }
  };
  const run = (): void => void poll().catch((e: unknown) => onError(e as Error));
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
