// Account and device commands: register, link (new device), approve (existing device), devices.

import type { Command } from 'commander';
import { CliError, usage } from '../cli-error.js';
import type { Context } from '../context.js';
import { renderQr } from '../qr-terminal.js';
import type { Action } from './action.js';

const ACCOUNT = /^[^\s@]+@[^\s@]+$/;

export function accountCommands(program: Command, action: Action): void {
  program
    .command('register')
    .description('create an account with this profile as its first (primary) device')
    .argument('<account>', 'the account name, NAME@HOST (HOST is the server domain, e.g. localhost)')
    .option('--invite <token>', 'invite token from the server operator')
    .addHelpText('after', '\nExample:\n  sotto --profile /tmp/alice register alice@localhost --invite inv_...')
    .action(action(async (ctx, account: string, o: { invite?: string }) => register(ctx, account, o.invite)));

  program
    .command('link')
    .description('make this profile a new device of an existing account: shows a QR code and waits for approval')
    .argument('<account>', 'the account, NAME@HOST')
    .option('--timeout <seconds>', 'how long to wait for the approval', '600')
    .addHelpText('after', '\nOn a device of the account, run: sotto approve "sotto-link:1:..."')
    .action(action(async (ctx, account: string, o: { timeout: string }) => link(ctx, account, Number(o.timeout))));

  program
    .command('approve')
    .description('approve a new device of this account (run on the primary device)')
    .argument('<link>', 'the link text printed (and drawn as a QR code) by `sotto link`: sotto-link:1:...')
    .action(action(async (ctx, text: string) => approve(ctx, text)));

  const devices = program.command('devices').description("list this account's devices, or remove one");
  devices
    .command('list', { isDefault: true })
    .description("list this account's devices")
    .action(action(async (ctx) => listDevices(ctx)));
  devices
    .command('remove')
    .description('unlink a device (primary device only): it is revoked and removed from every conversation')
    .argument('<device-id>', 'the device id shown by `sotto devices` (put -- before an id that starts with -)')
    .action(action(async (ctx, id: string) => removeDevice(ctx, id)));
}

async function register(ctx: Context, account: string, invite: string | undefined): Promise<void> {
  if (!ACCOUNT.test(account)) throw usage(`"${account}" is not an account name: use NAME@HOST, e.g. alice@localhost`);
  const client = await ctx.session.client({ registered: false });
  if (client.registered)
    throw new CliError('ALREADY_REGISTERED', `profile ${ctx.session.settings.profileDir} already holds ${client.me.account}`);
  const serverUrl = ctx.session.settings.serverUrl;
  await client.register({ serverUrl, account, ...(invite ? { invite } : {}) });
  const me = client.me;
  ctx.out.result(me, `registered ${me.account} (device ${me.deviceId}) on ${serverUrl}`);
}

async function link(ctx: Context, account: string, timeoutSeconds: number): Promise<void> {
  if (!ACCOUNT.test(account)) throw usage(`"${account}" is not an account name: use NAME@HOST`);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw usage('--timeout must be a positive number of seconds');
  const client = await ctx.session.client({ registered: false });
  if (client.registered)
    throw new CliError('ALREADY_REGISTERED', `profile ${ctx.session.settings.profileDir} already holds ${client.me.account}`);
  const serverUrl = ctx.session.settings.serverUrl;
  const l = await client.beginLink({ serverUrl, account, timeoutMs: timeoutSeconds * 1000 });
  ctx.out.result({ qr: l.qr, code: l.code, deviceId: l.deviceId }, [
    renderQr(l.qr),
    '',
    `On a device of ${account}, scan this code or run:`,
    `  sotto approve ${l.qr}`,
    '',
    `Confirmation code: ${l.code}  (it must match the code shown by the approving device)`,
    'Waiting for approval... (Ctrl-C to give up)',
  ]);
  await Promise.race([l.done, ctx.untilInterrupted().then(() => Promise.reject(new CliError('INTERRUPTED', 'linking abandoned', 130)))]);
  ctx.out.result({ linked: true, account, deviceId: l.deviceId }, `linked: this profile is now device ${l.deviceId} of ${account}`);
}

async function approve(ctx: Context, text: string): Promise<void> {
  const t = text.trim();
  if (/^[A-Z0-9]{4}-[A-Z0-9]{4}$/i.test(t))
    throw usage(
      'that is the confirmation code: approve with the link text (sotto-link:1:...) shown by `sotto link`, then compare the codes',
    );
  if (!t.startsWith('sotto-link:')) throw usage('not a link: pass the text sotto-link:1:... printed by `sotto link` on the new device');
  const client = await ctx.session.client({ start: true });
  const r = await client.approveLink(t);
  ctx.out.result(r, [
    `approved device ${r.deviceId}; added to ${r.conversations} conversation(s)`,
    `Confirmation code: ${r.code}`,
    `Check that the new device shows the same code; if not, remove it now: sotto devices remove -- ${r.deviceId}`,
  ]);
}

async function listDevices(ctx: Context): Promise<void> {
  const client = await ctx.session.client();
  const list = await client.listDevices();
  const primary = client.me.isPrimary ? client.me.deviceId : undefined;
  const rows = list.map((d) => ({ ...d, primary: d.deviceId === primary }));
  ctx.out.result(
    rows,
    rows.map((d) => `${d.deviceId}${d.current ? '  (this device)' : ''}${d.primary ? '  (primary)' : ''}`),
  );
}

async function removeDevice(ctx: Context, id: string): Promise<void> {
  const client = await ctx.session.client({ start: true });
  const known = await client.listDevices();
  if (!known.some((d) => d.deviceId === id)) throw new CliError('NOT_FOUND', `no device ${id} on this account (see \`sotto devices\`)`);
  await client.unlinkDevice(id);
  ctx.out.result({ removed: id }, `device ${id} removed`);
}
