// The `sotto` command tree (commander): global options, then every command, each with its own --help.

import { Command, Option } from 'commander';
import { accountCommands } from './commands/account.js';
import { makeAction } from './commands/action.js';
import { chatCommand } from './commands/chat.js';
import { groupCommands } from './commands/groups.js';
import { messageCommands } from './commands/messages.js';
import { reportCommands } from './commands/report.js';
import { safetyCommands } from './commands/safety.js';
import type { Context } from './context.js';
import type { GlobalOptions } from './session.js';

export const VERSION = '0.1.0';

/** Builds the program; `context` turns the parsed global options into a Context when a command runs. */
export function buildProgram(context: (globals: GlobalOptions) => Context): Command {
  const program = new Command('sotto')
    .version(VERSION)
    .description('Sotto: end-to-end-encrypted messaging (MLS, RFC 9420) from the command line')
    .addOption(new Option('--server <url>', 'server URL (default http://127.0.0.1:8750)').env('SOTTO_SERVER'))
    .addOption(
      new Option('--profile <dir>', 'profile directory: one account device per profile (default ~/.sotto-cli)').env('SOTTO_PROFILE'),
    )
    .option('--json', 'machine-readable output (JSON)')
    .option(
      '--passphrase-file <file>',
      'file holding the passphrase of the local store (or env SOTTO_PASSPHRASE; default: a 0600 key file in the profile)',
    )
    .exitOverride() // before the subcommands are added, so they inherit it: main maps every exit to a status
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      '\nExit status: 0 ok, 1 the operation failed, 2 bad usage, 3 server unreachable.\nSee docs/cli.md for every command with an example.',
    );
  const action = makeAction((cmd) => context(cmd.optsWithGlobals<GlobalOptions>()));
  accountCommands(program, action);
  messageCommands(program, action);
  chatCommand(program, action);
  groupCommands(program, action);
  safetyCommands(program, action);
  reportCommands(program, action);
  return program;
}
