#!/usr/bin/env -S node --max-semi-space-size=64
// Launches src/main.ts through tsx (the server runs from TypeScript sources). The larger young generation
// (V8 semi-space 64 MB) cuts garbage-collection pauses under load: see bench/RESULTS.md.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
