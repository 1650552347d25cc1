// The benchmark's franking-off server (not a product mode): the same server as `sotto-server serve` but with franking
// off (no commitment required, no stamp delivered), so that server-bench.ts can put the message rate with franking on
// beside the rate with it off in one run. Takes `--port` and `--data-dir` like `serve`; stops on SIGTERM/SIGINT.
import { loadConfig } from '../src/config/config.js';
import { startServer } from '../src/server.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const config = loadConfig({ cwd: process.cwd(), overrides: { dataDir: arg('--data-dir'), 'server.port': Number(arg('--port') ?? 0) } });
const server = await startServer(config, { franking: false });
for (const sig of ['SIGTERM', 'SIGINT'] as const)
  process.once(sig, () => {
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
