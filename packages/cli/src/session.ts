// Session: the global options, the profile lock and the open SDK client of one sotto invocation (built once in main).

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApiError, type SottoClient } from '@sotto/client';
import { openNodeClient } from '@sotto/client/node';
import { CliError, serverUnreachable } from './cli-error.js';
import { Passphrase } from './passphrase.js';
import { ProfileLock } from './profile-lock.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8750';

export interface GlobalOptions {
  server?: string;
  profile?: string;
  json?: boolean;
  passphraseFile?: string;
}

export interface Settings {
  serverUrl: string;
  /** True when --server / SOTTO_SERVER was given (not the default). */
  serverGiven: boolean;
  profileDir: string;
  /** True when --profile / SOTTO_PROFILE was given: printed hints then repeat it. */
  profileGiven: boolean;
  json: boolean;
  passphrase: Passphrase | undefined;
}

export function resolveSettings(o: GlobalOptions, env: NodeJS.ProcessEnv): Settings {
  const server = o.server || env.SOTTO_SERVER || undefined;
  const given = o.profile || env.SOTTO_PROFILE || undefined;
  const profile = given ?? join(homedir(), '.sotto-cli');
  let text = env.SOTTO_PASSPHRASE || undefined;
  if (o.passphraseFile) {
    try {
      text = readFileSync(o.passphraseFile, 'utf8').replace(/\r?\n$/, '');
    } catch {
      throw new CliError('USAGE', `cannot read the passphrase file ${o.passphraseFile}`, 2);
    }
    if (text === '') throw new CliError('USAGE', `the passphrase file ${o.passphraseFile} is empty`, 2);
  }
  const passphrase = text === undefined ? undefined : new Passphrase(text);
  return {
    serverUrl: (server ?? DEFAULT_SERVER).replace(/\/+$/, ''),
    serverGiven: server !== undefined,
    profileDir: resolve(profile),
    profileGiven: given !== undefined,
    json: o.json === true,
    passphrase,
  };
}

/** A command line to print in a hint: `sotto ARGS`, with `--profile DIR` when this run was given one. */
export function sottoCommand(settings: Pick<Settings, 'profileDir' | 'profileGiven'>, args: string): string {
  if (!settings.profileGiven) return `sotto ${args}`;
  const dir = /^[\w@%+=:,./-]+$/.test(settings.profileDir) ? settings.profileDir : `'${settings.profileDir.replace(/'/g, "'\\''")}'`;
  return `sotto --profile ${dir} ${args}`;
}

/** Opens the profile's client (locked against other sotto processes) and closes it when the command is done. */
export class Session {
  readonly settings: Settings;
  #client: SottoClient | undefined;
  #lock: ProfileLock | undefined;
  #warned = false;
  #online = false;

  constructor(settings: Settings) {
    this.settings = settings;
  }

  /** The client of the profile; `registered` demands an account, `start` connects and catches up first. */
  async client(o: { registered?: boolean; start?: boolean } = {}): Promise<SottoClient> {
    if (!this.#client) {
      const dir = this.settings.profileDir;
      // Without a passphrase the SDK would make a new key file; a store with no key file is passphrase-protected.
      if (this.settings.passphrase === undefined && existsSync(join(dir, 'sotto.db')) && !existsSync(join(dir, 'storage.key')))
        throw new CliError(
          'PASSPHRASE_REQUIRED',
          `profile ${dir} is protected by a passphrase: give --passphrase-file FILE or SOTTO_PASSPHRASE`,
        );
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.#lock = new ProfileLock(this.settings.profileDir);
      this.#lock.acquire();
      this.#client = await openNodeClient({
        dir: this.settings.profileDir,
        ...(this.settings.passphrase !== undefined ? { passphrase: this.settings.passphrase.expose() } : {}),
      });
    }
    const c = this.#client;
    if (c.registered && this.settings.serverGiven && c.me.serverUrl !== this.settings.serverUrl && !this.#warned) {
      this.#warned = true;
      process.stderr.write(`sotto: note: this profile uses ${c.me.serverUrl}; --server / SOTTO_SERVER is ignored\n`);
    }
    if ((o.registered ?? true) && !c.registered)
      throw new CliError(
        'NOT_REGISTERED',
        `no account in profile ${this.settings.profileDir}: run \`${this.hint('register NAME@HOST --invite TOKEN')}\` or \`${this.hint('link NAME@HOST')}\``,
      );
    if (o.start) {
      await c.start();
      // The SDK starts offline too (queueing, retrying); a command here wants the server now, or to say it is offline.
      if (!c.online) {
        await c.stop();
        throw new ApiError('NETWORK', `cannot reach ${c.me.serverUrl}`);
      }
      this.#online = true;
    }
    return c;
  }

  /** A command line to print in a hint (with --profile when one is in use). */
  hint(args: string): string {
    return sottoCommand(this.settings, args);
  }

  /**
   * The client, connected if the server can be reached: `online` false means the store is open and the client
   * stopped (local data only; sends wait in the outbox).
   */
  async connect(): Promise<{ client: SottoClient; online: boolean }> {
    try {
      return { client: await this.client({ start: true }), online: true };
    } catch (e) {
      if (!serverUnreachable(e)) throw e;
      const client = await this.client();
      await client.stop();
      return { client, online: false };
    }
  }

  /** On an abrupt exit: release the profile lock (the store is left to the SDK's crash safety). */
  abandon(): void {
    this.#lock?.release();
  }

  /** Sends what is queued (bounded wait, only if the client got online), then closes the store and releases the lock. Safe to call twice. */
  async close(o: { flush?: boolean } = {}): Promise<void> {
    const c = this.#client;
    this.#client = undefined;
    try {
      if (c && o.flush && this.#online) await c.flush(30_000).catch(() => {});
      await c?.close();
    } finally {
      this.#lock?.release();
      this.#lock = undefined;
    }
  }
}
