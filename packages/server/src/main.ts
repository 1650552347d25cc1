// Entry point of `sotto-server`: parses the command line and runs the command.
import { runCli } from './cli/cli.js';

await runCli(process.argv);
