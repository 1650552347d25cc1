// One line typed on standard input: the CLI's confirmations (approve a device, send a report).
import { createInterface } from 'node:readline';

/** One line from stdin (empty at end of input). */
export async function readLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of rl) return line;
    return '';
  } finally {
    rl.close();
  }
}
