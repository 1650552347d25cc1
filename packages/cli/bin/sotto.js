#!/usr/bin/env node
// Launcher of `sotto`: registers tsx in this process and runs src/main.ts (the CLI runs from TypeScript sources).
// In-process rather than a child process, so the exit status, signals and the terminal are the program's own.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
