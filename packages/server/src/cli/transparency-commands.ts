// The transparency commands of `sotto-server` (docs/for-law-enforcement.md): `admin transparency-report --period ID`
// writes the signed report of a period (JSON) and its Markdown; `admin transparency-report verify FILE` checks one
// offline against published heads, and in operator mode against the data directory's moderation log.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { decodeTransparencyHead, type TransparencyHead } from '@sotto/protocol';
import { SottoError } from '../errors.js';
import { periodOf, renderMarkdown, type Transparency, verifyTransparencyReport } from '../lawful/transparency.js';
import type { Moderation } from '../moderation/moderation.js';
import type { AdminCliBase } from './moderation-commands.js';

type Json = { json?: boolean };

export interface TransparencyCliDeps extends Omit<AdminCliBase, 'actor'> {
  /** Opens the data directory's store, builds the moderation graph, runs `fn`, closes. */
  withModeration: <T>(o: Json, fn: (m: Moderation) => Promise<T>) => Promise<T>;
  /** The same, with the Transparency built on it (cli.ts wires the request-log source). */
  withTransparency: <T>(o: Json, fn: (t: Transparency) => Promise<T>) => Promise<T>;
}

/** Heads as fetched from /.well-known/sotto/transparency: one head, or a JSON array of them. */
function readHeads(path: string): TransparencyHead[] {
  if (!existsSync(path)) throw new SottoError('NOT_FOUND', `${path} does not exist`);
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return (Array.isArray(v) ? v : [v]).map((h) => decodeTransparencyHead(h));
  } catch (e) {
    throw new SottoError('VALIDATION', `${path} is not a transparency head or an array of them (${(e as Error).message})`);
  }
}

export function addTransparencyCommands(admin: Command, d: TransparencyCliDeps): void {
  const report = d
    .common(admin.command('transparency-report').description('write the signed transparency report of a period, and its Markdown'))
    .option('-p, --period <id>', 'the period: YYYYH1, YYYYH2 or YYYYQ1..4 (e.g. 2026H2)')
    .option('-o, --out <dir>', 'the directory to write transparency-<period>.json and .md into (default: the current one)')
    .option('-f, --force', 'overwrite existing files')
    .option('--json', 'machine-readable output')
    .action(async (o: Json & { period?: string; out?: string; force?: boolean }) => {
      if (o.period === undefined) throw new SottoError('VALIDATION', '--period is required (e.g. --period 2026H2)');
      const period = periodOf(o.period); // checked before the data directory is opened
      const dir = resolve(d.cwd, o.out ?? '.');
      const json = join(dir, `transparency-${period.id}.json`);
      const md = join(dir, `transparency-${period.id}.md`);
      if (!o.force) for (const f of [json, md]) if (existsSync(f)) throw new SottoError('CONFLICT', `${f} exists (use --force)`);
      return d.withTransparency(o, async (t) => {
        const r = await t.report(period.id, d.now());
        mkdirSync(dir, { recursive: true });
        writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
        writeFileSync(md, renderMarkdown(r));
        const heads = { requestLog: r.requestLog.head, moderationLog: r.moderationLog.head };
        d.print(
          o,
          { json, markdown: md, ...heads },
          [
            `wrote ${json}`,
            `wrote ${md}`,
            `request log head: entry ${heads.requestLog.seq}, hash ${heads.requestLog.hash}`,
            `moderation log head: entry ${heads.moderationLog.seq}, hash ${heads.moderationLog.hash}`,
          ].join('\n'),
        );
      });
    });

  d.common(
    report.command('verify <file>').description('verify a transparency report offline: signature, hash chain, counts, published heads'),
  )
    .option('--heads <files...>', 'heads fetched from /.well-known/sotto/transparency (JSON: one head or an array of them)')
    .option('-k, --key <base64>', "the server's public key from GET /v1/server-key (default: the key embedded in the report)")
    .option(
      '--with-moderation-log',
      "operator mode: also check the moderation log's chain, head and counts against this data directory's log",
    )
    .option('--json', 'machine-readable output')
    .action(async (file: string, _local: unknown, cmd: Command) => {
      // The parent command reads --json, --config and --data-dir wherever they stand: its values are merged in.
      const o = cmd.optsWithGlobals<Json & { heads?: string[]; key?: string; withModerationLog?: boolean }>();
      const path = resolve(d.cwd, file);
      if (!existsSync(path)) throw new SottoError('NOT_FOUND', `${path} does not exist`);
      const heads = (o.heads ?? []).flatMap((h) => readHeads(resolve(d.cwd, h)));
      const moderationLog = o.withModerationLog ? await d.withModeration(o, (m) => m.log.entries()) : undefined;
      const r = verifyTransparencyReport(readFileSync(path, 'utf8'), {
        ...(o.key === undefined ? {} : { key: o.key }),
        heads,
        ...(moderationLog ? { moderationLog } : {}),
      });
      const text = [
        ...r.checks.map((c) => `${c.ok ? 'OK    ' : 'FAILED'}  ${c.check}${c.detail ? ` (${c.detail})` : ''}`),
        ...r.notes.map((n) => `note: ${n}`),
        r.ok ? 'transparency report OK' : 'transparency report FAILED',
      ];
      d.print(o, r, text.join('\n'));
      if (!r.ok) process.exitCode = 3;
    });
}
