// Context: what every command action receives: the session (profile + client), the output, and interrupt handling.

import type { SottoClient } from '@sotto/client';
import type { Output } from './output.js';
import type { Session } from './session.js';

export interface Context {
  session: Session;
  out: Output;
  /**
   * Resolves on Ctrl-C / SIGTERM / SIGHUP. A command that calls it ends itself gracefully on a signal; any other
   * command is stopped at once (the SDK's store is crash-safe, and the stale profile lock is detected).
   */
  untilInterrupted(): Promise<void>;
}

/** Connects and catches up; if the server cannot be reached, says so and goes on with the local data. */
export async function startOrOffline(ctx: Context): Promise<SottoClient> {
  const { client, online } = await ctx.session.connect();
  if (!online) ctx.out.note('offline: the server cannot be reached; showing local data');
  return client;
}
