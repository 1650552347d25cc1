#!/usr/bin/env node
// Launches src/main.ts through tsx (the server runs from TypeScript sources).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
