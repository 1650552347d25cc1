// ProfileLock: one sotto process per profile at a time (two processes on one MLS state would fork its epochs).

import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './cli-error.js';

export class ProfileLock {
  readonly #path: string;
  #held = false;

  constructor(profileDir: string) {
    this.#path = join(profileDir, 'sotto.lock');
  }

  acquire(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.#path, 'wx', 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        this.#held = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const pid = Number(readFileSync(this.#path, 'utf8').trim());
        if (Number.isInteger(pid) && pid > 0 && isAlive(pid))
          throw new CliError('PROFILE_IN_USE', `the profile is in use by another sotto process (pid ${pid}); stop it first`);
        rmSync(this.#path, { force: true }); // stale: its process is gone
      }
    }
    throw new CliError('PROFILE_IN_USE', 'could not lock the profile');
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    rmSync(this.#path, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
