// Entry point of `sotto`: builds the object graph (settings, session, output), runs one command, reports errors.

import { type Command, CommanderError } from 'commander';
import { describeError, EXIT } from './cli-error.js';
import type { Context } from './context.js';
import { Output } from './output.js';
import { buildProgram } from './program.js';
import { resolveSettings, Session } from './session.js';

async function main(argv: string[]): Promise<number> {
  const io = { stdout: process.stdout, stderr: process.stderr };
  let session: Session | undefined;
  let json = argv.includes('--json');
  let interrupt: () => void = () => {};
  const interrupted = new Promise<void>((r) => {
    interrupt = r;
  });
  let graceful = false;
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (graceful && signals === 1) return interrupt();
    session?.abandon(); // a one-shot command, or a second Ctrl-C: leave at once
    process.exit(sig === 'SIGINT' ? EXIT.interrupted : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  const program: Command = buildProgram((globals): Context => {
    const settings = resolveSettings(globals, process.env);
    json = settings.json;
    session = new Session(settings);
    return {
      session,
      out: new Output(settings.json, io),
      untilInterrupted: () => {
        graceful = true;
        return interrupted;
      },
    };
  });

  let status = 0;
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with exit code 0; usage errors were already printed by commander.
      status = e.exitCode === 0 ? 0 : EXIT.usage;
    } else {
      const d = describeError(e);
      status = d.exitCode;
      io.stderr.write(json ? `${JSON.stringify({ error: { code: d.code, message: d.message } })}\n` : `sotto: ${d.message}\n`);
    }
  }
  try {
    await session?.close({ flush: status === 0 });
  } catch (e) {
    if (status === 0) {
      io.stderr.write(`sotto: ${describeError(e).message}\n`);
      status = EXIT.failed;
    }
  }
  return status;
}

const status = await main(process.argv);
// Exit explicitly: a closed client may still hold sockets or timers for a moment; the store is already closed.
process.exit(status);
