// The moderation commands of `sotto-server` (docs/moderation.md): admin tokens, admin reports (list, show, resolve,
// export), admin moderation-log [--verify], and the offline verify-evidence. The acting admin is `cli:<OS user>`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { DISCLOSURE_FORMAT, MODERATION_ACTIONS, type ModerationAction, REPORT_STATUSES, type ReportStatus } from '@sotto/protocol';
import { SottoError } from '../errors.js';
import { parseScopes } from '../moderation/admin-tokens.js';
import { STAMP_NOTE, verifyEvidence } from '../moderation/evidence-verify.js';
import type { Moderation } from '../moderation/moderation.js';
import { logFields, verifyModerationLog } from '../moderation/moderation-log.js';

/** What every group of admin commands receives from cli.ts (the composition root of the command line). */
export interface AdminCliBase {
  /** Adds --config and --data-dir. */
  common: (cmd: Command) => Command;
  print: (o: { json?: boolean }, value: unknown, text: string) => void;
  /** The acting admin recorded in the logs: cli:<OS user>. */
  actor: string;
  now: () => number;
  cwd: string;
}

export interface ModerationCliDeps extends AdminCliBase {
  /** Opens the data directory's store, builds the moderation graph, runs `fn`, closes. */
  withModeration: <T>(o: { json?: boolean }, fn: (m: Moderation) => Promise<T>) => Promise<T>;
}

type Json = { json?: boolean };
const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString());
const days = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive number of days');
  return n;
};

export function addModerationCommands(program: Command, admin: Command, d: ModerationCliDeps): void {
  addTokenCommands(admin, d);
  addReportCommands(admin, d);

  d.common(admin.command('moderation-log').description('print the moderation log (append-only, hash-chained)'))
    .option('--verify', 'check the hash chain; exits non-zero if any entry was changed, removed or reordered')
    .option('--json', 'machine-readable output')
    .action(async (o: Json & { verify?: boolean }) =>
      d.withModeration(o, async (m) => {
        const entries = await m.log.entries();
        const rows = entries.map((e) => ({ ...logFields(e), hash: Buffer.from(e.hash).toString('hex') }));
        const check = o.verify ? verifyModerationLog(entries) : undefined;
        const lines = rows.map(
          (r) => `${r.seq}  ${iso(r.at)}  ${r.admin}  ${r.action}  ${r.reportId ?? '-'}  ${r.account ?? '-'}  ${r.detail}`,
        );
        if (check)
          lines.push(
            check.ok ? `chain OK: ${check.entries} entries, head ${check.head}` : `chain FAILED at entry ${check.seq}: ${check.problem}`,
          );
        d.print(o, { entries: rows, ...(check ? { verify: check } : {}) }, lines.join('\n') || '(empty log)');
        if (check && !check.ok) process.exitCode = 3;
      }),
    );

  program
    .command('verify-evidence <file>')
    .description(
      'verify an evidence package or a lawful answer offline: signature, manifest hashes, and every commitment (no server needed)',
    )
    .option('-k, --key <base64>', "the server's public key from GET /v1/server-key (default: the key embedded in the package)")
    .option('--json', 'machine-readable output')
    .action((file: string, o: Json & { key?: string }) => {
      const path = resolve(d.cwd, file);
      if (!existsSync(path)) throw new SottoError('NOT_FOUND', `${path} does not exist`);
      const r = verifyEvidence(readFileSync(path, 'utf8'), o.key);
      // The answer to a lawful request carries no franked message, hence no stamp to explain.
      const lawful = r.checks[0]?.check.includes(DISCLOSURE_FORMAT) === true;
      const text = [
        ...r.checks.map((c) => `${c.ok ? 'OK    ' : 'FAILED'}  ${c.check}${c.detail ? ` (${c.detail})` : ''}`),
        ...(lawful ? [] : [`note: ${STAMP_NOTE}`]),
        o.key === undefined
          ? 'note: checked against the key embedded in the package; pass --key with the key from GET /v1/server-key to tie it to the server.'
          : '',
        r.ok ? 'evidence OK' : 'evidence FAILED',
      ].filter((l) => l !== '');
      d.print(o, { ok: r.ok, checks: r.checks, ...(lawful ? {} : { note: STAMP_NOTE }) }, text.join('\n'));
      if (!r.ok) process.exitCode = 3;
    });
}

function addTokenCommands(admin: Command, d: ModerationCliDeps): void {
  const tokens = admin.command('tokens').description('admin API tokens (Authorization: Bearer sat_...)');
  d.common(tokens.command('create').description('create an admin API token (shown once; only its hash is stored)'))
    .requiredOption('-n, --name <name>', 'who or what uses it; recorded as the acting admin in the moderation log')
    .option('-s, --scopes <list>', 'comma-separated: reports:read, reports:act, evidence:export', 'reports:read')
    .option('-e, --expires-in-days <n>', 'lifetime in days (default: until revoked)', days)
    .option('--json', 'machine-readable output')
    .action(async (o: Json & { name: string; scopes: string; expiresInDays?: number }) =>
      d.withModeration(o, async (m) => {
        const { token, summary } = await m.tokens.create(o.name, parseScopes(o.scopes), o.expiresInDays ?? null, d.actor, d.now());
        d.print(
          o,
          { token, ...summary },
          `admin token: ${token}\n(id ${summary.id}, scopes ${summary.scopes.join(',')}, ${summary.expiresAt === null ? 'no expiry' : `expires ${iso(summary.expiresAt)}`}; shown once)`,
        );
      }),
    );
  d.common(tokens.command('list').description('list admin tokens (the tokens themselves are not stored)'))
    .option('--json', 'machine-readable output')
    .action(async (o: Json) =>
      d.withModeration(o, async (m) => {
        const list = await m.tokens.list();
        const now = d.now();
        const state = (t: (typeof list)[number]) =>
          t.revokedAt !== null ? 'revoked' : t.expiresAt !== null && t.expiresAt <= now ? 'expired' : 'active';
        d.print(
          o,
          list,
          list.map((t) => `${t.id}  ${t.name}  ${t.scopes.join(',')}  ${state(t)}  expires ${iso(t.expiresAt)}`).join('\n') ||
            '(no tokens)',
        );
      }),
    );
  d.common(tokens.command('revoke <id>').description('revoke an admin token: refused from the next request on'))
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: Json) =>
      d.withModeration(o, async (m) => {
        await m.tokens.revoke(id, d.actor, d.now());
        d.print(o, { id, revoked: true }, `admin token ${id} revoked`);
      }),
    );
}

function addReportCommands(admin: Command, d: ModerationCliDeps): void {
  const reports = admin.command('reports').description('the moderation queue: abuse reports and signal flags');
  d.common(reports.command('list').description('list queue items, newest first'))
    .option('--status <status>', 'open, resolved or all', 'open')
    .option('--json', 'machine-readable output')
    .action(async (o: Json & { status: string }) =>
      d.withModeration(o, async (m) => {
        if (![...REPORT_STATUSES, 'all'].includes(o.status)) throw new SottoError('VALIDATION', '--status is open, resolved or all');
        const list = await m.service.list(o.status as ReportStatus | 'all');
        d.print(
          o,
          list,
          list
            .map(
              (r) =>
                `${r.id}  ${r.kind}  ${r.status}  ${r.verified ? 'verified' : 'UNVERIFIED'}  ${r.reportedAccount}  by ${r.reporterAccount ?? '(signals)'}  ${r.category ?? '-'}  ${iso(r.createdAt)}`,
            )
            .join('\n') || '(no items)',
        );
      }),
    );
  d.common(reports.command('show <id>').description('one item: its messages with text and verification, or its signals'))
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: Json) =>
      d.withModeration(o, async (m) => {
        const r = await m.service.detail(id);
        const lines = [
          `${r.id}  ${r.kind}  ${r.status}  ${r.verified ? 'verified' : 'UNVERIFIED'}  created ${iso(r.createdAt)}`,
          `reported account: ${r.reportedAccount}   reporter: ${r.reporterAccount ?? '(signals)'}   category: ${r.category ?? '-'}`,
          ...(r.reason ? [`reason: ${r.reason}`] : []),
          ...r.signals.map((s) => `signal ${s.signal}: ${s.value} (threshold ${s.threshold})`),
          ...r.messages.map((msg, i) => {
            const what = msg.attachment
              ? `[attachment ${msg.attachment.fileName} ${msg.attachment.mimeType} ${msg.attachment.size} bytes${msg.attachment.held ? '' : ', bytes no longer held'}]`
              : (msg.text ?? `[${msg.contentType ?? 'content deleted or undecodable'}]`);
            return `#${i} ${iso(msg.receivedAt)} ${msg.senderAccount}/${msg.senderDevice} ${msg.verified ? 'verified' : `UNVERIFIED (${msg.failure})`}: ${what}`;
          }),
          ...(r.resolution
            ? [`resolved: ${r.resolution.action} by ${r.resolution.admin} at ${iso(r.resolution.at)} ${r.resolution.note}`]
            : []),
          ...(r.contentDeletedAt !== null ? [`content deleted by retention at ${iso(r.contentDeletedAt)}`] : []),
        ];
        d.print(o, r, lines.join('\n'));
      }),
    );
  d.common(reports.command('resolve <id>').description('resolve an item: dismiss, warn (a notice to the account) or suspend the account'))
    .requiredOption('-a, --action <action>', 'dismiss, warn or suspend')
    .option('--note <text>', 'a note for the record', '')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: Json & { action: string; note: string }) =>
      d.withModeration(o, async (m) => {
        if (!(MODERATION_ACTIONS as readonly string[]).includes(o.action))
          throw new SottoError('VALIDATION', '--action is dismiss, warn or suspend');
        const r = await m.service.resolve(id, o.action as ModerationAction, o.note, d.actor, d.now());
        d.print(o, r, `${id} resolved: ${r.action}`);
      }),
    );
  d.common(reports.command('export <id>').description('write the signed evidence package of a report'))
    .requiredOption('-o, --out <file>', 'the JSON file to write (mode 0600)')
    .option('-f, --force', 'overwrite an existing file')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: Json & { out: string; force?: boolean }) =>
      d.withModeration(o, async (m) => {
        const out = resolve(d.cwd, o.out);
        if (existsSync(out) && !o.force) throw new SottoError('CONFLICT', `${out} exists (use --force)`);
        const pkg = await m.service.evidence(id, d.actor, d.now());
        writeFileSync(out, JSON.stringify(pkg), { mode: 0o600 });
        d.print(o, { out, messages: pkg.report.messages.length, files: pkg.files.length }, `evidence written to ${out}`);
      }),
    );
}
