// The `sotto-server` command line: serve, generate-config, admin (invites, accounts, tokens, reports, moderation-log,
// requests, holds, transparency-report), backup, restore, verify-evidence.
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { AccountSignals } from '../abuse/abuse-signals.js';
import { AdminService } from '../admin/admin-service.js';
import { BlobStore } from '../blobs/blob-store.js';
import { createInvite } from '../auth/auth-service.js';
import { type Config, generateConfigYaml, loadConfig, parsePublicUrl, publicBaseUrl } from '../config/config.js';
import { SottoError } from '../errors.js';
import { transparencyFor } from '../lawful/transparency.js';
import { STAMP_KEY_FILE } from '../franking/stamp-key.js';
import { SIGNING_KEY_FILE } from '../moderation/signing-key.js';
import { databasePath, openAbuseSignals, openStorage, startServer, VERSION } from '../server.js';
import { buildLawful, type Lawful } from '../lawful/lawful.js';
import { buildModeration, liveBlobs, type Moderation } from '../moderation/moderation.js';
import { dataInventory } from '../storage/data-inventory.js';
import { inventoryMarkdown } from '../storage/inventory-markdown.js';
import { systemClock } from '../util/clock.js';
import { randomChars } from '../util/random-chars.js';
import { addLawfulCommands } from './lawful-commands.js';
import { addModerationCommands } from './moderation-commands.js';
import { addTransparencyCommands } from './transparency-commands.js';

interface CommonOpts {
  config?: string;
  dataDir?: string;
  port?: number;
  host?: string;
  json?: boolean;
  init?: boolean;
}

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
};

function common(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'config file (YAML); env SOTTO_CONFIG')
    .option('-d, --data-dir <dir>', 'data directory; env SOTTO_DATA_DIR');
}

function configFrom(o: CommonOpts): Config {
  // Under `npm start` npm runs us in the workspace folder; relative paths mean the folder npm was run from.
  return loadConfig({
    file: o.config,
    cwd: process.env.INIT_CWD ?? process.cwd(),
    overrides: { dataDir: o.dataDir, 'server.port': o.port, 'server.host': o.host },
  });
}

/**
 * Says on stderr (stdout stays parseable under --json) which data directory a command acts on, and refuses one
 * without a database: opening it would create an empty database that no running server reads.
 */
function existingDataDir(o: CommonOpts): Config {
  const cfg = configFrom(o);
  process.stderr.write(`sotto-server: data directory ${cfg.dataDir}\n`);
  if (!o.init && !existsSync(databasePath(cfg))) {
    throw new SottoError(
      'NOT_FOUND',
      `no database in ${cfg.dataDir} (${databasePath(cfg)} does not exist): check --data-dir/--config, ` +
        'or create it by starting the server with `sotto-server serve` there' +
        (o.init === undefined ? '' : ' or by passing --init'),
    );
  }
  return cfg;
}

async function withStorage<T>(o: CommonOpts, fn: (s: ReturnType<typeof openStorage>) => Promise<T>): Promise<T> {
  const cfg = existingDataDir(o);
  const s = openStorage(cfg);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

function moderationOn(s: ReturnType<typeof openStorage>, cfg: Config): Moderation {
  const blobs = liveBlobs(s, new BlobStore(cfg.blobs.dir), () => systemClock.now());
  return buildModeration({ config: cfg, storage: s, admin: new AdminService(s, systemClock), blobs, randomChars });
}

async function withModeration<T>(o: CommonOpts, fn: (m: Moderation) => Promise<T>): Promise<T> {
  return withStorage(o, async (s) => fn(moderationOn(s, configFrom(o))));
}

/** The register, and the moderation graph whose signing key it shares, on the data directory's store. */
async function withLawful<T>(o: CommonOpts, fn: (l: Lawful, m: Moderation) => Promise<T>): Promise<T> {
  return withStorage(o, async (s) => {
    const cfg = configFrom(o);
    const m = moderationOn(s, cfg);
    const random = (n: number) => new Uint8Array(randomBytes(n));
    return fn(buildLawful({ config: cfg, storage: s, randomChars, randomBytes: random, signingKey: m.signingKey }), m);
  });
}

/**
 * The link a new user opens to register with an invite: the web app at `base` reads the token from the fragment, which
 * browsers never send to a server (so the token stays out of request logs and Referer headers).
 */
export function inviteLink(base: string, token: string): string {
  return `${base}/#invite=${encodeURIComponent(token)}`;
}

/**
 * The server's keys (the franking stamp key, the evidence-signing key) and the reports' decrypted attachments go with
 * a backup and come back with a restore, mode 0600 (0700 for directories): without the keys, a restored server could
 * verify no stamp it made before, and would sign evidence under a new key.
 */
function copyServerSecrets(from: string, to: string): void {
  for (const f of [STAMP_KEY_FILE, SIGNING_KEY_FILE]) {
    if (!existsSync(join(from, f))) continue;
    copyFileSync(join(from, f), join(to, f));
    chmodSync(join(to, f), 0o600);
  }
  if (existsSync(join(from, 'reports'))) cpSync(join(from, 'reports'), join(to, 'reports'), { recursive: true });
}

function print(o: CommonOpts, value: unknown, text: string): void {
  process.stdout.write(o.json ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

/** `admin accounts signals` as text: one line per signal, its threshold when it has one, then the throttle. */
function signalsText(s: AccountSignals): string {
  const lines = [`${s.account}  ${s.young ? 'young' : 'established'} account, ${s.ageHours} h old  (window ${s.windowSeconds / 3600} h)`];
  for (const [name, value] of Object.entries(s.counts)) {
    const limit = (s.thresholds as Record<string, number>)[name];
    lines.push(`  ${name.padEnd(24)} ${String(value).padStart(6)}${limit === undefined ? '' : ` / ${limit}`}`);
  }
  const t = s.throttle;
  lines.push(
    t
      ? `throttled until ${new Date(t.until).toISOString()} (${t.signals.map((x) => `${x.signal} ${x.value} > ${x.threshold}`).join(', ')})`
      : 'not throttled',
  );
  return lines.join('\n');
}

export function buildCli(): Command {
  const program = new Command('sotto-server').version(VERSION).description('Sotto delivery and authentication service');
  program.showHelpAfterError();

  common(program.command('serve').description('run the server'))
    .option('-p, --port <port>', 'listen port; env SOTTO_PORT', int)
    .option('-H, --host <host>', 'listen address; env SOTTO_HOST')
    .action(async (o: CommonOpts) => {
      const cfg = configFrom(o);
      // Signals are taken from the start: one that arrives while the server starts stops it once it is up.
      let signalled: string | undefined;
      const running: { server?: Awaited<ReturnType<typeof startServer>> } = {};
      const shut = (s: NonNullable<typeof running.server>, sig: string) => {
        s.app.log.info({ event: 'signal', signal: sig }, 'signal received');
        s.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      const onSignal = (sig: string) => {
        if (signalled) return;
        signalled = sig;
        if (running.server) shut(running.server, sig);
      };
      process.on('SIGTERM', () => onSignal('SIGTERM'));
      process.on('SIGINT', () => onSignal('SIGINT'));
      running.server = await startServer(cfg);
      if (signalled) shut(running.server, signalled);
    });

  program
    .command('generate-config')
    .description('write a commented config file (YAML); every key has an environment-variable override')
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .option('-f, --force', 'overwrite an existing file')
    .action((o: { out?: string; force?: boolean }) => {
      const text = generateConfigYaml();
      if (!o.out) return void process.stdout.write(text);
      if (existsSync(o.out) && !o.force) throw new SottoError('CONFLICT', `${o.out} exists (use --force)`);
      writeFileSync(o.out, text, { mode: 0o600 });
      process.stdout.write(`wrote ${o.out}\n`);
    });

  const admin = program.command('admin').description('operator commands (work on the data directory; safe while the server runs)');
  common(admin.command('inventory').description('what this server stores, for how long, and what it does not have (as GET /v1/inventory)'))
    .option('--markdown', 'as Markdown (docs/data-inventory.md is this output under the default configuration)')
    .option('--json', 'machine-readable output')
    .action((o: CommonOpts & { markdown?: boolean }) => {
      const inv = dataInventory(configFrom(o), VERSION);
      if (o.markdown) process.stdout.write(inventoryMarkdown(inv));
      else print(o, inv, inventoryMarkdown(inv));
    });
  const invites = admin.command('invites').description('registration invites');
  common(invites.command('create').description('create an invite token (shown once)'))
    .option('-u, --max-uses <n>', 'how many accounts it may register', int, 1)
    .option('-e, --expires-in-hours <h>', 'lifetime in hours', int, 168)
    .option('-n, --note <text>', 'a note for operators', '')
    .option('--init', 'create the database if the data directory has none (to hand out invites before the first start)', false)
    .option('--url <url>', 'base URL of the invite link (default: server.publicUrl, else http://server.host:server.port)')
    .option('--json', 'machine-readable output')
    .action(async (o: CommonOpts & { maxUses: number; expiresInHours: number; note: string; url?: string }) => {
      const base = o.url === undefined ? undefined : parsePublicUrl(o.url, '--url'); // checked before anything is written
      return withStorage(o, async (s) => {
        if (o.maxUses < 1) throw new SottoError('VALIDATION', '--max-uses must be at least 1');
        const { token, invite } = await createInvite(s, Date.now(), o.maxUses, o.expiresInHours * 3600, o.note);
        const link = inviteLink(base ?? publicBaseUrl(configFrom(o)), token);
        print(
          o,
          { token, link, id: invite.id, maxUses: invite.maxUses, expiresAt: invite.expiresAt },
          `invite token: ${token}\ninvite link: ${link}\n(id ${invite.id}, ${invite.maxUses} use(s), expires ${new Date(invite.expiresAt).toISOString()})`,
        );
      });
    });
  common(invites.command('list').description('list invites (tokens are not shown: only their hash is stored)'))
    .option('--json', 'machine-readable output')
    .action(async (o: CommonOpts) =>
      withStorage(o, async (s) => {
        const list = (await s.listInvites()).map((i) => ({
          id: i.id,
          uses: i.uses,
          maxUses: i.maxUses,
          expiresAt: i.expiresAt,
          expired: i.expiresAt <= Date.now(),
          revoked: i.revokedAt !== null,
          note: i.note,
        }));
        print(
          o,
          list,
          list
            .map(
              (i) =>
                `${i.id}  ${i.uses}/${i.maxUses} used  ${i.revoked ? 'revoked' : i.expired ? 'expired' : `expires ${new Date(i.expiresAt).toISOString()}`}  ${i.note}`,
            )
            .join('\n') || '(no invites)',
        );
      }),
    );
  common(invites.command('revoke <id>').description('revoke an invite (its id from `invites list`): it admits no one after this'))
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: CommonOpts) =>
      withStorage(o, async (s) => {
        await new AdminService(s, systemClock).revokeInvite(id);
        print(o, { id, revoked: true }, `invite ${id} revoked`);
      }),
    );

  const accounts = admin.command('accounts').description('accounts');
  common(accounts.command('list').description('list accounts'))
    .option('--json', 'machine-readable output')
    .action(async (o: CommonOpts) =>
      withStorage(o, async (s) => {
        const list = (await s.listAccounts()).map((a) => ({ name: a.name, status: a.status, devices: a.devices, createdAt: a.createdAt }));
        print(o, list, list.map((a) => `${a.name}  ${a.status}  ${a.devices} device(s)`).join('\n') || '(no accounts)');
      }),
    );
  for (const [name, status] of [
    ['suspend', 'suspended'],
    ['unsuspend', 'active'],
  ] as const) {
    common(accounts.command(`${name} <account>`).description(`${name} an account`))
      .option('--json', 'machine-readable output')
      .action(async (account: string, o: CommonOpts) =>
        withStorage(o, async (s) => {
          await new AdminService(s, systemClock).setAccountStatus(account, status);
          print(o, { account, status }, `${account} is now ${status}`);
        }),
      );
  }
  common(accounts.command('delete <account>').description('delete an account, its devices, queues and KeyPackages'))
    .option('-y, --yes', 'do not ask for confirmation (required)')
    .option('--json', 'machine-readable output')
    .action(async (account: string, o: CommonOpts & { yes?: boolean }) =>
      withStorage(o, async (s) => {
        if (!o.yes) throw new SottoError('VALIDATION', 'deleting an account cannot be undone: pass --yes');
        await new AdminService(s, systemClock).deleteAccount(account);
        await openAbuseSignals(configFrom(o), s).forgetAccount(account); // its abuse signals go with it
        print(o, { account, deleted: true }, `${account} deleted`);
      }),
    );

  const actor = `cli:${process.env.USER ?? 'operator'}`;
  const cwd = process.env.INIT_CWD ?? process.cwd();
  addModerationCommands(program, admin, { common, withModeration, print, actor, now: () => systemClock.now(), cwd });
  addLawfulCommands(admin, { common, withLawful, print, actor, now: () => systemClock.now(), cwd });
  addTransparencyCommands(admin, {
    common,
    withModeration,
    withTransparency: (o, fn) =>
      withLawful(o, async (l, m) => fn(transparencyFor(m, configFrom(o).server.domain, l.publicLog, l.publicHead))),
    print,
    now: () => systemClock.now(),
    cwd,
  });
  common(
    accounts
      .command('signals <account>')
      .description("an account's abuse signals over the window, its thresholds, and whether it is throttled"),
  )
    .option('--json', 'machine-readable output')
    .action(async (account: string, o: CommonOpts) =>
      withStorage(o, async (s) => {
        const sig = await openAbuseSignals(configFrom(o), s).signals(account, systemClock.now());
        print(o, sig, signalsText(sig));
      }),
    );
  common(accounts.command('unthrottle <account>').description('lift the throttle of an account; its abuse signals start again from zero'))
    .option('--json', 'machine-readable output')
    .action(async (account: string, o: CommonOpts) =>
      withStorage(o, async (s) => {
        if (!(await s.getAccount(account))) throw new SottoError('NOT_FOUND', `no account ${account}`);
        const was = await openAbuseSignals(configFrom(o), s).unthrottle(account);
        print(
          o,
          { account, throttled: false, wasThrottled: was },
          was ? `${account} is no longer throttled` : `${account} was not throttled`,
        );
      }),
    );

  common(program.command('backup').description('online backup of the database (and blobs) into a directory'))
    .requiredOption('-o, --out <dir>', 'backup directory (created)')
    .option('--no-blobs', 'skip the attachment blobs')
    .option('--json', 'machine-readable output')
    .action(async (o: CommonOpts & { out: string; blobs: boolean }) => {
      const out = resolve(o.out);
      const cfg = await withStorage(o, async (s) => {
        await s.backup(join(out, 'sotto.db'));
        return configFrom(o);
      });
      if (o.blobs && existsSync(cfg.blobs.dir))
        cpSync(cfg.blobs.dir, join(out, 'blobs'), { recursive: true, filter: (src) => !src.includes(`${join(cfg.blobs.dir, 'tmp')}`) });
      copyServerSecrets(cfg.dataDir, out);
      print(o, { out }, `backup written to ${out}`);
    });

  common(program.command('restore').description('copy a backup into a data directory that has no database (server stopped)'))
    .requiredOption('-f, --from <dir>', 'backup directory written by `sotto-server backup`')
    .option('--json', 'machine-readable output')
    .action(async (o: CommonOpts & { from: string }) => {
      const cfg = configFrom(o);
      process.stderr.write(`sotto-server: data directory ${cfg.dataDir}\n`);
      const from = resolve(process.env.INIT_CWD ?? process.cwd(), o.from);
      const db = databasePath(cfg);
      if (!existsSync(join(from, 'sotto.db'))) throw new SottoError('NOT_FOUND', `${from} is not a backup: it has no sotto.db`);
      if (existsSync(db))
        throw new SottoError('CONFLICT', `${cfg.dataDir} already has a database: stop the server and move the directory aside first`);
      mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
      copyFileSync(join(from, 'sotto.db'), db);
      chmodSync(db, 0o600);
      const s = openStorage(cfg); // runs the migrations a newer server needs
      const check = s.db.pragma('quick_check', { simple: true });
      await s.close();
      if (check !== 'ok') {
        rmSync(db, { force: true });
        throw new SottoError('VALIDATION', `${join(from, 'sotto.db')} is damaged (quick_check: ${String(check)}); nothing restored`);
      }
      if (existsSync(join(from, 'blobs'))) cpSync(join(from, 'blobs'), cfg.blobs.dir, { recursive: true });
      copyServerSecrets(from, cfg.dataDir);
      print(o, { dataDir: cfg.dataDir, from }, `restored ${from} into ${cfg.dataDir}`);
    });
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (e) {
    if (e instanceof SottoError) {
      process.stderr.write(`error ${e.code}: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
