// Action: wraps a command body so it receives the Context (built from the global options) and its own arguments.

import type { Command } from 'commander';
import type { Context } from '../context.js';

// biome-ignore lint/suspicious/noExplicitAny: commander passes positional arguments of the command's own shape
export type Body = (ctx: Context, ...args: any[]) => Promise<void>;
export type Action = (body: Body) => (...args: unknown[]) => Promise<void>;

/** Makes the commander action for `body`; `context` builds the Context from the command's options (with globals). */
export function makeAction(context: (cmd: Command) => Context): Action {
  return (body) =>
    async (...args) => {
      const cmd = args[args.length - 1] as Command;
      await body(context(cmd), ...args.slice(0, -1));
    };
}
