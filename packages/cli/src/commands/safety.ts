// Safety commands: verify (safety number), block / unblock, message requests, settings.

import type { ClientSettings, ConversationInfo, SottoClient } from '@sotto/client';
import type { Command } from 'commander';
import { qualifyAccount } from '../chat-target.js';
import { CliError, usage } from '../cli-error.js';
import type { Context } from '../context.js';
import { formatConversation } from '../output.js';
import { renderQr } from '../qr-terminal.js';
import type { Action } from './action.js';

export function safetyCommands(program: Command, action: Action): void {
  program
    .command('verify')
    .description('show the safety number with an account (compare it in person), as 12 groups of 5 digits and a QR code')
    .argument('<account>', 'the account, e.g. bob@localhost')
    .option('--mark-verified', 'record that you compared it and it matched')
    .option('--unverify', 'clear the verified mark')
    .option('--accept', "accept the account's new key after looking at its new safety number (sending to it resumes; not verified)")
    .action(action(async (ctx, a: string, o: VerifyOptions) => verify(ctx, a, o)));

  program
    .command('block')
    .description('block an account: its conversations with you are blocked and new messages dropped')
    .argument('<account>', 'the account')
    .action(action(async (ctx, a: string) => setBlocked(ctx, a, true)));
  program
    .command('unblock')
    .description('unblock an account')
    .argument('<account>', 'the account')
    .action(action(async (ctx, a: string) => setBlocked(ctx, a, false)));

  const requests = program.command('requests').description('conversations started by people you have not accepted yet');
  requests
    .command('list', { isDefault: true })
    .description('list message requests')
    .action(action(async (ctx) => listRequests(ctx)));
  for (const [verb, text] of [
    ['accept', 'accept a request (replies, receipts and typing are then possible)'],
    ['block', 'block the account behind a request'],
    ['delete', 'delete a request and its messages'],
  ] as const) {
    requests
      .command(verb)
      .description(text)
      .argument('<from>', 'the account that sent it, or the conversation name or id')
      .action(action(async (ctx, from: string) => answerRequest(ctx, verb, from)));
  }

  const settings = program.command('settings').description("show or change this profile's privacy settings");
  settings
    .command('show', { isDefault: true })
    .description('show the settings')
    .action(action(async (ctx) => showSettings(ctx)));
  settings
    .command('set')
    .description(`change a setting: ${Object.keys(SETTING_KEYS).join(', ')}`)
    .argument('<key>', Object.keys(SETTING_KEYS).join(' | '))
    .argument('<value>', 'on | off (edit-window: seconds)')
    .addHelpText('after', '\nExample:\n  sotto settings set read-receipts off')
    .action(action(async (ctx, k: string, v: string) => setSetting(ctx, k, v)));
}

interface VerifyOptions {
  markVerified?: boolean;
  unverify?: boolean;
  accept?: boolean;
}

async function verify(ctx: Context, name: string, o: VerifyOptions): Promise<void> {
  if ([o.markVerified, o.unverify, o.accept].filter(Boolean).length > 1)
    throw usage('--mark-verified, --unverify and --accept exclude each other');
  const client = await ctx.session.client({ start: true });
  const account = qualifyAccount(client, name);
  if (account === client.me.account) throw usage('a safety number compares you with someone else');
  // With a key change waiting, this is the number of the new key: the one to look at before accepting it.
  const sn = await client.safetyNumber(account);
  const pending = (await client.listContacts()).find((c) => c.account === account)?.pendingKey !== undefined;
  if (o.accept && !pending) throw new CliError('NOTHING_TO_ACCEPT', `no new account key of ${account} is waiting to be accepted`);
  if (o.accept) await client.acceptKeyChange(account);
  if (o.markVerified || o.unverify) await client.markVerified(account, o.markVerified === true);
  const now = (await client.listContacts()).find((c) => c.account === account);
  // A verified contact whose key changed keeps its mark on the old key: the number shown is not verified.
  const verified = now?.verified === true && now.pendingKey === undefined;
  const qr = `sotto-safety:1:${Buffer.from(sn.qrPayload).toString('base64url')}`;
  ctx.out.result({ account, safetyNumber: sn.digits, groups: sn.groups, qr, verified, ...(o.accept ? { accepted: true } : {}) }, [
    `Safety number with ${account}:`,
    '',
    ...safetyRows(sn.groups),
    '',
    renderQr(qr),
    '',
    verifiedLine(account, verified, (a) => ctx.session.hint(a)),
    ...keyChangeLines(account, { pending: now?.pendingKey !== undefined, accepted: o.accept === true }, (a) => ctx.session.hint(a)),
  ]);
}

/** What a waiting (or just accepted) key change means, and the command that answers it. */
function keyChangeLines(account: string, s: { pending: boolean; accepted: boolean }, hint: (args: string) => string): string[] {
  if (s.accepted) return [`Accepted the new account key of ${account}: sending to ${account} resumes.`];
  if (!s.pending) return [];
  return [
    `The account key of ${account} changed: this is the safety number of the new key. Sending to ${account} waits.`,
    `If it matches, mark it verified (above); to accept it without comparing: ${hint(`verify ${account} --accept`)}`,
  ];
}

/** The 60 digits as three rows of four groups, indented. */
export function safetyRows(groups: readonly string[]): string[] {
  return [0, 4, 8].map((i) => `  ${groups.slice(i, i + 4).join(' ')}`);
}

/** Whether `account` is marked verified, and if not, how to compare and mark it. */
export function verifiedLine(account: string, verified: boolean, hint: (args: string) => string): string {
  return verified
    ? `${account} is marked verified.`
    : `Not verified. Compare these digits with ${account} in person (or scan), then: ${hint(`verify ${account} --mark-verified`)}`;
}

async function setBlocked(ctx: Context, name: string, blocked: boolean): Promise<void> {
  const client = await ctx.session.client();
  const account = qualifyAccount(client, name);
  if (account === client.me.account) throw usage('you cannot block yourself');
  if (blocked) await client.block(account);
  else await client.unblock(account);
  ctx.out.result({ account, blocked }, `${account} ${blocked ? 'blocked' : 'unblocked'}`);
}

function pendingRequests(client: SottoClient): ConversationInfo[] {
  return client.listConversations().filter((c) => c.state === 'request');
}

async function listRequests(ctx: Context): Promise<void> {
  const client = await ctx.session.client({ start: true });
  const list = pendingRequests(client);
  ctx.out.result(list, list.length ? list.map((c) => `from ${c.owner}: ${formatConversation(c)}`) : '(no message requests)');
}

async function answerRequest(ctx: Context, verb: 'accept' | 'block' | 'delete', from: string): Promise<void> {
  const client = await ctx.session.client({ start: true });
  const list = pendingRequests(client);
  const account = qualifyAccount(client, from);
  const matches = list.filter((c) => c.id === from || c.owner === account || (c.kind === 'group' && c.name === from));
  if (matches.length === 0) throw new CliError('NOT_FOUND', `no message request from ${from} (see \`${ctx.session.hint('requests')}\`)`);
  for (const c of matches) {
    if (verb === 'accept') await client.acceptRequest(c.id);
    else if (verb === 'delete') await client.deleteRequest(c.id);
  }
  if (verb === 'block') for (const owner of new Set(matches.map((c) => c.owner))) await client.block(owner);
  const done = { accept: 'accepted', block: 'blocked', delete: 'deleted' }[verb];
  ctx.out.result(
    { [done]: matches.map((c) => c.id) },
    matches.map((c) => `${done}: ${c.name} (from ${c.owner})`),
  );
}

const SETTING_KEYS: Record<string, keyof ClientSettings> = {
  'delivery-receipts': 'sendDeliveryReceipts',
  'read-receipts': 'sendReadReceipts',
  typing: 'sendTyping',
  'edit-window': 'editWindowSeconds',
};

function settingLines(s: ClientSettings): string[] {
  const onOff = (b: boolean) => (b ? 'on' : 'off');
  return [
    `delivery-receipts  ${onOff(s.sendDeliveryReceipts)}`,
    `read-receipts      ${onOff(s.sendReadReceipts)}`,
    `typing             ${onOff(s.sendTyping)}`,
    `edit-window        ${s.editWindowSeconds}s`,
  ];
}

async function showSettings(ctx: Context): Promise<void> {
  const client = await ctx.session.client({ registered: false });
  ctx.out.result(client.settings, settingLines(client.settings));
}

async function setSetting(ctx: Context, key: string, value: string): Promise<void> {
  const field = SETTING_KEYS[key];
  if (!field) throw usage(`unknown setting "${key}": use one of ${Object.keys(SETTING_KEYS).join(', ')}`);
  let v: boolean | number;
  if (field === 'editWindowSeconds') {
    v = Number(value);
    if (!Number.isInteger(v) || v < 0) throw usage('edit-window is a number of seconds');
  } else {
    const b = { on: true, off: false, true: true, false: false, yes: true, no: false }[value.toLowerCase()];
    if (b === undefined) throw usage(`${key} is on or off`);
    v = b;
  }
  const client = await ctx.session.client({ registered: false });
  const next = await client.updateSettings({ [field]: v });
  ctx.out.result(next, settingLines(next));
}
