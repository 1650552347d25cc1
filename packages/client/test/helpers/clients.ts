// Test helper: in-process SDK clients on temporary directories, registered against a TestServer.
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { SottoClient } from '../../src/client/sotto-client.js';
import { openNodeClient } from '../../src/node/node-client.js';
import { cleanup, startServer, type TestServer, tempDir } from './server.js';

export interface TestClientOptions {
  sweepIntervalMs?: number;
  retryBaseMs?: number;
  updateIntervalMs?: number;
  maintenanceIntervalMs?: number;
  /** Register with an invite from the admin CLI (default: the test server's open registration). */
  invite?: boolean;
}

export async function newClient(server: TestServer, root: string, account: string, o: TestClientOptions = {}): Promise<SottoClient> {
  const { invite, ...rest } = o;
  const c = await openNodeClient({ dir: join(root, `${account}-${Math.random().toString(36).slice(2, 8)}`), retryBaseMs: 100, ...rest });
  await c.register({ serverUrl: server.url, account, ...(invite ? { invite: server.invite() } : {}) });
  await c.start();
  return c;
}

/** A fresh (unregistered) client in its own directory. */
export async function blankClient(root: string, name: string, o: TestClientOptions = {}): Promise<SottoClient> {
  const { invite: _i, ...rest } = o;
  return openNodeClient({ dir: join(root, `${name}-${Math.random().toString(36).slice(2, 8)}`), retryBaseMs: 100, ...rest });
}

export async function eventually<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface ClientWorld {
  /** Set in `before`. */
  server: TestServer;
  /** Set in `before`: a temporary root for the clients' directories. */
  root: string;
  /** Closed in `after`. */
  clients: SottoClient[];
  /** A registered, started client of `name@localhost`, closed in `after`. */
  user(name: string, o?: TestClientOptions): Promise<SottoClient>;
}

/** Registers the suite's before/after hooks (one real server, a temporary root) and returns the world they fill in. */
export function clientWorld(): ClientWorld {
  const w = { clients: [] as SottoClient[] } as ClientWorld;
  w.user = async (name, o) => {
    const c = await newClient(w.server, w.root, `${name}@localhost`, o);
    w.clients.push(c);
    return c;
  };
  before(async () => {
    w.server = await startServer();
    w.root = tempDir();
  });
  after(async () => {
    for (const c of w.clients) await c.close().catch(() => {});
    await w.server.stop();
    cleanup(w.root);
    cleanup(w.server.dataDir);
  });
  return w;
}
