// `sotto report`: report a received message to the server's operator (docs/moderation.md). The reporter is shown exactly
// what the operator will receive and confirms before anything is sent.
import { MAX_REPORT_PREVIOUS, REPORT_CATEGORIES, type ReportCategory, type SottoClient } from '@sotto/client';
import type { Command } from 'commander';
import { findConversation } from '../chat-target.js';
import { CliError, usage } from '../cli-error.js';
import type { Context } from '../context.js';
import { formatTime } from '../output.js';
import { readLine } from '../read-line.js';
import type { Action } from './action.js';

interface ReportCliOptions {
  withPrevious?: string;
  reason?: string;
  category?: string;
  block?: boolean;
  yes?: boolean;
}

export function reportCommands(program: Command, action: Action): void {
  program
    .command('report')
    .description("report a message you received to your server's operator, with proof that its sender sent it")
    .argument('<chat>', 'the conversation: an account (1:1), a group name, or a conversation id')
    .argument('<message>', 'the message id, or its first characters (`sotto read CHAT --ids` shows them)')
    .option('--with-previous <n>', `also include the n earlier messages you received in this conversation (at most ${MAX_REPORT_PREVIOUS})`)
    .option('--reason <text>', 'what is wrong, in your words (the operator reads it)')
    .option('--category <c>', REPORT_CATEGORIES.join(' | '), 'other')
    .option('--block', 'also block the sender (report and block, e.g. a message request)')
    .option('-y, --yes', 'send without asking (the report is still printed first)')
    .addHelpText(
      'after',
      '\nExample:\n  sotto read bob --ids\n  sotto report bob 3f2a91 --with-previous 2 --category harassment --reason "threats" --block',
    )
    .action(action(async (ctx, chat: string, message: string, o: ReportCliOptions) => report(ctx, chat, message, o)));

  program
    .command('notices')
    .description("notices from your server's operator to your account (a warning after a report about you)")
    .action(action(async (ctx) => notices(ctx)));
}

async function notices(ctx: Context): Promise<void> {
  const client = await ctx.session.client({ start: true });
  const list = await client.operatorNotices({ refresh: true });
  ctx.out.result(
    list,
    list.length ? list.map((n) => `[${formatTime(n.at)}] ${n.kind} from the operator: ${n.text}`) : '(no notices from the operator)',
  );
}

/** A message id from its full hex or a unique prefix of at least 6 characters. */
async function messageIdOf(client: SottoClient, conversationId: string, given: string): Promise<string> {
  const p = given.trim().toLowerCase().replace(/^#/, '');
  if (!/^[0-9a-f]{6,32}$/.test(p))
    throw usage('the message id is hexadecimal, at least its first 6 characters (see `sotto read CHAT --ids`)');
  const all = await client.listMessages(conversationId);
  const hits = all.filter((m) => m.id.startsWith(p));
  if (hits.length === 0) throw new CliError('UNKNOWN_MESSAGE', `no message starting with ${p} in this conversation`);
  if (hits.length > 1) throw usage(`${p} matches ${hits.length} messages: give more characters`);
  return hits[0]!.id;
}

async function report(ctx: Context, chat: string, message: string, o: ReportCliOptions): Promise<void> {
  const n = o.withPrevious === undefined ? 0 : Number(o.withPrevious);
  if (!Number.isInteger(n) || n < 0 || n > MAX_REPORT_PREVIOUS) throw usage(`--with-previous must be 0 to ${MAX_REPORT_PREVIOUS}`);
  const category = (o.category ?? 'other') as ReportCategory;
  if (!REPORT_CATEGORIES.includes(category)) throw usage(`--category must be one of ${REPORT_CATEGORIES.join(', ')}`);
  const client = await ctx.session.client({ start: true });
  const conv = findConversation(client, chat, (a) => ctx.session.hint(a));
  const id = await messageIdOf(client, conv.id, message);
  const previous = n > 0 ? await client.reportablePrevious(conv.id, id, n) : [];
  const draft = await client.reportDraft(conv.id, id, { previous, category, ...(o.reason !== undefined ? { reason: o.reason } : {}) });
  const server = new URL(client.me.serverUrl).host;
  const lines = [
    `The operator of ${server} will receive this report about ${draft.reportedAccount} (${category}${o.reason ? `: "${o.reason}"` : ''}):`,
    ...draft.messages.map((m) => `  [${formatTime(m.receivedAt)}] ${m.sender}${m.part === 'edit' ? ' (edit)' : ''}: ${m.shown}`),
    `With each message, the key that opens its commitment and the server's stamp, which prove that ${draft.reportedAccount} sent it.`,
    'Nothing else from this or any other conversation is sent.',
  ];
  if (!ctx.out.json) for (const l of lines) ctx.out.note(l);
  if (!o.yes) {
    ctx.out.note(`Type "yes" to send it${o.block ? ` and block ${draft.reportedAccount}` : ''} (anything else cancels):`);
    if ((await readLine()).trim().toLowerCase() !== 'yes') throw new CliError('NOT_SENT', 'the report was not sent');
  }
  const r = await client.report(draft, { block: o.block === true });
  ctx.out.result(
    { ...r, reported: draft.reportedAccount, messages: draft.messages.length, blocked: o.block === true, request: draft.request },
    [
      `Report ${r.id} sent: ${r.verified ? 'the server verified every message' : 'the server could NOT verify every message (it is queued anyway, marked unverified)'}.`,
      ...(o.block ? [`${draft.reportedAccount} is blocked.`] : []),
    ],
  );
}
