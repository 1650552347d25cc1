// Runs the server inside the test process on a loopback port, with a clock the test moves by hand.
import { loadConfig } from '../../src/config/config.js';
import { type RunningServer, startServer } from '../../src/server.js';
import type { Clock } from '../../src/util/clock.js';
import { cleanup, tempDir } from './server-process.js';

export class ManualClock implements Clock {
  constructor(public t = Date.now()) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface InProcessServer {
  url: string;
  wsUrl: string;
  port: number;
  /** The server's data directory (database, blobs, keys, reports). */
  dataDir: string;
  clock: ManualClock;
  server: RunningServer;
  /** The Prometheus text of the metrics listener. */
  metrics(): Promise<string>;
  /** The value of one sample, e.g. metric('sotto_limit_refusals_total{limit="x"}'), 0 when absent. */
  metric(sample: string): Promise<number>;
  stop(): Promise<void>;
}

/** Starts a server with SOTTO_* overrides in `env` (open registration unless told otherwise). */
export async function startInProcess(
  env: Record<string, string> = {},
  opts: Pick<NonNullable<Parameters<typeof startServer>[1]>, 'moderation'> = {},
): Promise<InProcessServer> {
  const dataDir = tempDir();
  const config = loadConfig({
    env: { SOTTO_REGISTRATION_OPEN: 'true', SOTTO_METRICS_PORT: '0', ...env },
    overrides: { dataDir, 'server.port': 0, 'server.host': '127.0.0.1' },
  });
  const clock = new ManualClock();
  const server = await startServer(config, { clock, logger: false, ...opts });
  const url = `http://127.0.0.1:${server.port}`;
  const metrics = async () => (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text();
  return {
    url,
    wsUrl: `ws://127.0.0.1:${server.port}/v1/ws`,
    port: server.port,
    dataDir,
    clock,
    server,
    metrics,
    async metric(sample: string) {
      const line = (await metrics()).split('\n').find((l) => l.startsWith(`${sample} `));
      return line === undefined ? 0 : Number(line.slice(sample.length + 1));
    },
    async stop() {
      await server.stop();
      cleanup(dataDir);
    },
  };
}
