// The lawful-request commands of `sotto-server` (docs/for-law-enforcement.md): admin requests add|list|show|decide|
// approve|review|preserve|answer|log, and admin holds extend|release. The acting admin is `cli:<OS user>`.
// Custodian shares and answers are written to files (mode 0600), never printed: a terminal's scrollback is not a safe.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import {
  canonicalJson,
  LAWFUL_DECISIONS,
  LAWFUL_INSTRUMENTS,
  type LawfulDecision,
  type LawfulInstrument,
  type LawfulRequestDetail,
  REQUEST_CATEGORIES,
  type RequestCategory,
  sha256Hex,
} from '@sotto/protocol';
import { SottoError } from '../errors.js';
import type { Lawful } from '../lawful/lawful.js';
import { publicEntry, verifyStoredLog } from '../lawful/request-log.js';
import type { AdminCliBase } from './moderation-commands.js';

export interface LawfulCliDeps extends AdminCliBase {
  /** Opens the data directory's store, builds the register, runs `fn`, closes. */
  withLawful: <T>(o: { json?: boolean }, fn: (l: Lawful) => Promise<T>) => Promise<T>;
}

type Json = { json?: boolean };
const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString());
const list = (v: string) =>
  v
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
const oneOf =
  <T extends string>(values: readonly T[]) =>
  (v: string): T => {
    if (!(values as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${values.join(', ')}`);
    return v as T;
  };
const categories = (v: string): RequestCategory[] => list(v).map(oneOf(REQUEST_CATEGORIES));
/** A date (2026-12-01, midnight UTC) or a date and time (2026-12-01T14:30Z). */
const date = (v: string): number => {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (!Number.isFinite(t) || t < 0) throw new InvalidArgumentError('expected a date (YYYY-MM-DD) or an ISO date and time');
  return t;
};
const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

/** Writes `text` to a new file only the owner can read; refuses to overwrite. */
function writePrivate(path: string, text: string): void {
  if (existsSync(path)) throw new SottoError('CONFLICT', `${path} exists: choose another file`);
  writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
}

function detailText(d: LawfulRequestDetail): string {
  const sign = (s: { admin: string; at: number; note: string } | null) =>
    s ? `${s.admin} at ${iso(s.at)}${s.note ? `: ${s.note}` : ''}` : '-';
  return [
    `${d.id}  ${d.instrument}  ${d.country}  ${d.authority}  ref ${d.reference}`,
    `  accounts:       ${d.accounts.join(', ')}`,
    `  asked for:      ${d.categories.join(', ')}`,
    `  received:       ${iso(d.receivedAt)} by ${d.receivedBy}${d.dueAt === null ? '' : `, due ${iso(d.dueAt)}`}`,
    `  status:         ${d.status}${d.decision ? ` (${d.decision})` : ''}${d.flags.length ? `  FLAGS: ${d.flags.join(', ')}` : ''}`,
    `  decided:        ${sign(d.decisionBy)}`,
    ...(d.reason ? [`  reason:         ${d.reason}`] : []),
    ...(d.secondApprovalDueAt !== null ? [`  2nd approval:   ${sign(d.secondApproval)} (due ${iso(d.secondApprovalDueAt)})`] : []),
    ...(d.review ? [`  review:         ${sign(d.review)} — ${d.review.justified ? 'justified' : 'NOT justified'}`] : []),
    `  answered:       ${iso(d.answeredAt)}${d.answerSha256 ? ` sha256 ${d.answerSha256}` : ''}`,
    `  user notice:    ${d.noticeGivenAt !== null ? `given ${iso(d.noticeGivenAt)}` : d.noticeDueAt !== null ? `due ${iso(d.noticeDueAt)}` : '-'}${d.noticeDelayUntil !== null ? ` (court-ordered delay until ${iso(d.noticeDelayUntil)})` : ''}`,
    ...(d.follows ? [`  follows:        ${d.follows}`] : []),
    ...(d.note ? [`  note:           ${d.note}`] : []),
    ...d.holds.map(
      (h) =>
        `  hold ${h.id}: ${h.threshold} of ${h.custodians.join(', ')}; ${h.deletedAt === null ? `held until ${iso(h.expiresAt)}${h.extended ? ' (extended)' : ''}` : `deleted ${iso(h.deletedAt)} (${h.deletedWhy})`}`,
    ),
  ].join('\n');
}

export function addLawfulCommands(admin: Command, d: LawfulCliDeps): void {
  const requests = admin.command('requests').description('the lawful-request register (docs/for-law-enforcement.md)');
  const run = <T>(o: Json, fn: (l: Lawful) => Promise<T>) => d.withLawful(o, fn);

  d.common(requests.command('add').description('register a request received from an authority'))
    .requiredOption('--instrument <kind>', LAWFUL_INSTRUMENTS.join(' | '), oneOf(LAWFUL_INSTRUMENTS))
    .requiredOption('--authority <name>', 'the requesting authority')
    .requiredOption('--country <cc>', 'its country, ISO 3166-1 alpha-2 (BE, DE, US...)')
    .requiredOption('--reference <ref>', "the authority's reference")
    .requiredOption('--accounts <list>', 'the accounts named, comma-separated (name@domain)', list)
    .requiredOption('--categories <list>', `the data asked for, comma-separated: ${REQUEST_CATEGORIES.join(', ')}`, categories)
    .option('--received <date>', 'when it arrived (default: now)', date)
    .option('--due <date>', 'when the authority wants an answer', date)
    .option('--notice-delay-until <date>', 'a court-ordered delay of the user notice: its expiry', date)
    .option('--follows <id>', 'the preservation request this one follows')
    .option('--note <text>', 'a note')
    .option('--json', 'machine-readable output')
    .action(
      async (
        o: Json & {
          instrument: LawfulInstrument;
          authority: string;
          country: string;
          reference: string;
          accounts: string[];
          categories: RequestCategory[];
          received?: number;
          due?: number;
          noticeDelayUntil?: number;
          follows?: string;
          note?: string;
        },
      ) =>
        run(o, async (l) => {
          const r = await l.register.receive(
            {
              instrument: o.instrument,
              authority: o.authority,
              country: o.country,
              reference: o.reference,
              accounts: o.accounts,
              categories: o.categories,
              receivedAt: o.received,
              dueAt: o.due ?? null,
              noticeDelayUntil: o.noticeDelayUntil ?? null,
              follows: o.follows ?? null,
              note: o.note,
            },
            d.actor,
            d.now(),
          );
          d.print(o, r, `registered ${r.id}\n${detailText(r)}`);
        }),
    );

  d.common(requests.command('list').description('the register, newest first'))
    .option('--flagged', 'only the requests that need attention (overdue, second approval missing, review pending)')
    .option('--json', 'machine-readable output')
    .action(async (o: Json & { flagged?: boolean }) =>
      run(o, async (l) => {
        const rows = await l.register.list(d.now(), { flagged: o.flagged === true });
        const text = rows.map(
          (r) =>
            `${r.id}  ${iso(r.receivedAt).slice(0, 10)}  ${r.instrument.padEnd(14)}  ${r.country}  ${r.status.padEnd(8)}  ${(r.decision ?? '-').padEnd(8)}  ${r.accounts.length} account(s)${r.flags.length ? `  FLAGS: ${r.flags.join(', ')}` : ''}`,
        );
        d.print(o, { requests: rows }, text.join('\n') || '(no requests)');
      }),
    );

  d.common(requests.command('show <id>').description('one request: its sign-offs, answer hash, notice and holds'))
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: Json) =>
      run(o, async (l) => d.print(o, await l.register.detail(id, d.now()), detailText(await l.register.detail(id, d.now())))),
    );

  d.common(requests.command('decide <id>').description('decide a request: disclose, partial or reject, with a reason'))
    .requiredOption('--decision <decision>', LAWFUL_DECISIONS.join(' | '), oneOf(LAWFUL_DECISIONS))
    .requiredOption('--reason <text>', 'why (recorded in the register and the request log)')
    .option('--categories <list>', 'for partial: the categories disclosed', categories)
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: Json & { decision: LawfulDecision; reason: string; categories?: RequestCategory[] }) =>
      run(o, async (l) => {
        const r = await l.register.decide(id, o.decision, o.reason, d.actor, d.now(), o.categories);
        d.print(o, r, detailText(r));
      }),
    );

  d.common(requests.command('approve <id>').description("an emergency disclosure's second approval (by another admin)"))
    .option('--note <text>', 'a note', '')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: Json & { note: string }) =>
      run(o, async (l) => {
        const r = await l.register.approve(id, o.note, d.actor, d.now());
        d.print(o, r, detailText(r));
      }),
    );

  d.common(requests.command('review <id>').description('review an answered emergency disclosure after the fact'))
    .requiredOption('--note <text>', 'the review')
    .requiredOption('--justified <yes|no>', 'was the disclosure justified?', oneOf(['yes', 'no'] as const))
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: Json & { note: string; justified: 'yes' | 'no' }) =>
      run(o, async (l) => {
        const r = await l.register.review(id, o.note, o.justified === 'yes', d.actor, d.now());
        d.print(o, r, detailText(r));
      }),
    );

  d.common(
    requests
      .command('preserve <id>')
      .description("place a preservation hold; writes each custodian's share to its own file in --out (the server keeps none)"),
  )
    .requiredOption('--custodians <list>', 'the custodians, comma-separated (2 to 10)', list)
    .requiredOption('--threshold <k>', 'how many custodians are needed to open it', positive)
    .requiredOption('-o, --out <dir>', 'directory for the share files (created, mode 0700)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: Json & { custodians: string[]; threshold: number; out: string }) =>
      run(o, async (l) => {
        const dir = resolve(d.cwd, o.out);
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const { hold, shares } = await l.register.preserve(id, o.custodians, o.threshold, d.actor, d.now());
        const files = shares.map((s) => {
          const file = join(dir, `share-${hold.id}-${s.custodian.replace(/[^A-Za-z0-9._-]+/g, '_')}.txt`);
          writePrivate(file, `${s.share}\n`);
          return { custodian: s.custodian, file };
        });
        d.print(
          o,
          { hold, files },
          [
            `hold ${hold.id} placed on ${hold.accounts.join(', ')} until ${iso(hold.expiresAt)}: ${hold.threshold} of ${hold.custodians.length} custodians open it`,
            ...files.map((f) => `  ${f.custodian}: ${f.file}`),
            'Give each custodian their file and delete it here: the server keeps no share, and these are the only copies.',
          ].join('\n'),
        );
      }),
    );

  d.common(requests.command('answer <id>').description('generate the signed answer (sotto-disclosure/v1) from the data inventory'))
    .requiredOption('-o, --out <file>', 'where to write it (mode 0600; only its hash is kept)')
    .option('--shares <files>', 'custodian share files, comma-separated, to open the hold of the preservation request it follows', list)
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: Json & { out: string; shares?: string[] }) =>
      run(o, async (l) => {
        const shares = (o.shares ?? []).map((f) => {
          const path = resolve(d.cwd, f);
          if (!existsSync(path)) throw new SottoError('NOT_FOUND', `${path} does not exist`);
          return readFileSync(path, 'utf8').trim();
        });
        const out = resolve(d.cwd, o.out);
        if (existsSync(out)) throw new SottoError('CONFLICT', `${out} exists: choose another file`);
        const pkg = await l.register.answer(id, shares, d.actor, d.now());
        writePrivate(out, `${JSON.stringify(pkg, null, 2)}\n`);
        const sha256 = sha256Hex(canonicalJson(pkg));
        d.print(
          o,
          { id, file: out, sha256 },
          `answer written to ${out}\nsha256 ${sha256}\ncheck it with: sotto-server verify-evidence ${out}`,
        );
      }),
    );

  d.common(requests.command('log').description('the request log (append-only, hash-chained)'))
    .option('--verify', 'check the chain and every private part; exits non-zero if an entry was changed, removed or reordered')
    .option('--public', 'only the public part of each entry (what a transparency report publishes)')
    .option('--json', 'machine-readable output')
    .action(async (o: Json & { verify?: boolean; public?: boolean }) =>
      run(o, async (l) => {
        const entries = await l.store.logEntries();
        const rows = o.public ? entries.map(publicEntry) : entries;
        const check = o.verify ? verifyStoredLog(entries) : undefined;
        const lines = entries.map(
          (e) =>
            `${e.seq}  ${e.month}  ${e.request}  ${e.event.padEnd(15)}  ${JSON.stringify(e.public)}${o.public ? '' : `  ${e.private}`}`,
        );
        if (check)
          lines.push(
            check.ok
              ? `chain OK: ${check.head.seq} entries, head ${check.head.hash}`
              : `chain FAILED at entry ${check.seq}: ${check.problem}`,
          );
        d.print(o, { entries: rows, ...(check ? { verify: check } : {}) }, lines.join('\n') || '(empty log)');
        if (check && !check.ok) process.exitCode = 3;
      }),
    );

  const holds = admin.command('holds').description('preservation holds');
  for (const action of ['extend', 'release'] as const)
    d.common(
      holds
        .command(`${action} <holdId>`)
        .description(action === 'extend' ? 'extend a hold once, by 90 days' : 'release a hold: its snapshot is deleted'),
    )
      .option('--json', 'machine-readable output')
      .action(async (holdId: string, o: Json) =>
        run(o, async (l) => {
          const h =
            action === 'extend'
              ? await l.register.extendHold(holdId, d.actor, d.now())
              : await l.register.releaseHold(holdId, d.actor, d.now());
          d.print(
            o,
            h,
            h.deletedAt === null ? `hold ${h.id} held until ${iso(h.expiresAt)}` : `hold ${h.id} released: its snapshot is deleted`,
          );
        }),
      );
}
