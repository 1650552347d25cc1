#!/usr/bin/env -S node --max-semi-space-size=64
// Runs the built server (dist/, from `npm run build -w packages/server`; `npm start` builds first) with plain Node.
// The workspace packages it imports (@sotto/mls, @sotto/identity) export their TypeScript sources by default, for tsx
// and the tests; the resolve hook registered here adds the "sotto-dist" export condition, which selects their dist/.
// The larger young generation (V8 semi-space 64 MB) cuts garbage-collection pauses under load: see bench/RESULTS.md.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';

if (!existsSync(fileURLToPath(import.meta.resolve('../dist/main.js')))) {
  process.stderr.write('sotto-server is not built: run `npm run build -w packages/server` (`npm start` does it)\n');
  process.exit(1);
}
register('./dist-conditions.js', import.meta.url);
await import('../dist/main.js');
