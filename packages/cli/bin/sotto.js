#!/usr/bin/env node
// Launcher of `sotto`. When the built CLI (dist/main.js, `npm run build -w packages/cli`) matches the sources as they are
// now (build-freshness.js says how that is decided), runs it with plain Node: a start in a fraction of the time that
// tsx takes to compile the sources. Otherwise (never built, or a source edited since) registers tsx in this process and
// runs src/main.ts, so a source edit always takes effect. In-process rather than a child process either way, so the
// exit status, signals and the terminal are the program's own.
import { resolve } from 'node:path';
import { buildIsFresh } from './build-freshness.js';

// Specifiers resolved first, so that the type check does not look for a dist/ that may not be built.
if (buildIsFresh(resolve(import.meta.dirname, '..'))) {
  await import(import.meta.resolve('../dist/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(import.meta.resolve('../src/main.ts'));
}
