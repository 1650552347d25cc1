// Shared setup of the end-to-end tests: one real server process, a temporary root for the client profiles, the
// agent processes to stop afterwards, and the plaintext markers the tests sent (grepped for on the server).
import { after, before } from 'node:test';
import type { Agent } from './agents.js';
import { cleanup, startServer, type TestServer, tempDir } from './server.js';

export interface E2eWorld {
  /** Set in `before`. */
  server: TestServer;
  /** Set in `before`. */
  root: string;
  agents: Agent[];
  markers: string[];
  /** A unique plaintext marker, remembered for the final grep. */
  mark(label: string): string;
}

/** Registers the suite's before/after hooks and returns the world they fill in. */
export function e2eWorld(): E2eWorld {
  const agents: Agent[] = [];
  const markers: string[] = [];
  const w = {
    agents,
    markers,
    mark(label: string) {
      const m = `PLAINTEXT-MARKER-${label}-${Math.random().toString(36).slice(2, 10)}`;
      markers.push(m);
      return m;
    },
  } as E2eWorld;
  before(async () => {
    w.server = await startServer();
    w.root = tempDir();
  });
  after(async () => {
    await Promise.all(agents.map((a) => a.exit().catch(() => {})));
    await w.server.stop();
    cleanup(w.root);
    cleanup(w.server.dataDir);
  });
  return w;
}
