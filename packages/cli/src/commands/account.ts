// Account and device commands: register, link (new device), approve (existing device), devices.

import { hostname } from 'node:os';
import { readLine } from '../read-line.js';
import { checkDeviceName, DEVICE_NAME_MAX_CHARS, type SottoClient } from '@sotto/client';
import type { Command } from 'commander';
import { CliError, describeError, usage } from '../cli-error.js';
import { formatTime } from '../output.js';
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
    .option('--device-name <name>', `a name for this device, shown by \`sotto devices\` (default: the host name)`)
    .addHelpText('after', '\nExample:\n  sotto --profile /tmp/alice register alice@localhost --invite inv_... --device-name laptop')
    .action(
      action(async (ctx, account: string, o: { invite?: string; deviceName?: string }) => register(ctx, account, o.invite, o.deviceName)),
    );

  program
    .command('link')
    .description('make this profile a new device of an existing account: shows a QR code and waits for approval')
    .argument('<account>', 'the account, NAME@HOST')
    .option('--timeout <seconds>', 'how long to wait for the approval', '600')
    .option('--device-name <name>', `a name for this device, shown by \`sotto devices\` (default: the host name)`)
    .addHelpText('after', '\nOn a device of the account, run: sotto approve "sotto-link:1:..."')
    .action(
      action(async (ctx, account: string, o: { timeout: string; deviceName?: string }) =>
        link(ctx, account, Number(o.timeout), o.deviceName),
      ),
    );

  program
    .command('approve')
    .description('approve a new device of this account (run on the primary device): shows the confirmation code and asks for it first')
    .argument('<link>', 'the link text printed (and drawn as a QR code) by `sotto link`: sotto-link:1:...')
    .option('--code <code>', 'the confirmation code shown by the new device (without it, you are asked to type it)')
    .addHelpText(
      'after',
      '\nNothing is signed until the code you confirm matches the one this link carries.\nExample:\n  sotto approve "sotto-link:1:..." --code WWS6-H3FE',
    )
    .action(action(async (ctx, text: string, o: { code?: string }) => approve(ctx, text, o.code)));

  const devices = program.command('devices').description("list this account's devices, or remove one");
  devices
    .command('list', { isDefault: true })
    .description("list this account's devices")
    .action(action(async (ctx) => listDevices(ctx)));
  devices
    .command('rename')
    .description("name a device of this account (the name is shown only to this account's devices)")
    .argument('<device-id>', 'the device id shown by `sotto devices` (put -- before an id that starts with -)')
    .argument('<name...>', 'the new name (at most 64 characters)')
    .action(action(async (ctx, id: string, name: string[]) => renameDevice(ctx, id, name.join(' '))));
  devices
    .command('remove')
    .description('unlink a device (primary device only): it is revoked and removed from every conversation')
    .argument('<device-id>', 'the device id shown by `sotto devices` (put -- before an id that starts with -)')
    .action(action(async (ctx, id: string) => removeDevice(ctx, id)));
}

async function register(ctx: Context, account: string, invite: string | undefined, deviceName: string | undefined): Promise<void> {
  if (!ACCOUNT.test(account)) throw usage(`"${account}" is not an account name: use NAME@HOST, e.g. alice@localhost`);
  const name = chosenName(deviceName);
  const client = await ctx.session.client({ registered: false });
  if (client.registered)
    throw new CliError('ALREADY_REGISTERED', `profile ${ctx.session.settings.profileDir} already holds ${client.me.account}`);
  const serverUrl = ctx.session.settings.serverUrl;
  await client.register({ serverUrl, account, ...(invite ? { invite } : {}) });
  const me = client.me;
  const named = await nameThisDevice(ctx, client, name);
  ctx.out.result(
    { ...me, deviceName: named },
    `registered ${me.account} (device ${me.deviceId}${named ? `, "${named}"` : ''}) on ${serverUrl}`,
  );
}

/** The name given with --device-name (checked now, before anything is created), or this host's name, or "CLI". */
function chosenName(given: string | undefined): string {
  if (given !== undefined) {
    try {
      return checkDeviceName(given);
    } catch (e) {
      throw usage(`--device-name: ${describeError(e).message}`);
    }
  }
  const host = [
    ...hostname()
      .replace(/[^\x20-\x7e]/g, '')
      .trim(),
  ]
    .slice(0, DEVICE_NAME_MAX_CHARS)
    .join('');
  return host === '' ? 'CLI' : host;
}

/** Names this device on the server; a refusal is a note, not a failure (the device works without a name). */
async function nameThisDevice(ctx: Context, client: SottoClient, name: string): Promise<string> {
  if (name === '') return '';
  try {
    return await client.renameDevice(client.me.deviceId, name);
  } catch (e) {
    ctx.out.note(
      `note: this device could not be named (${describeError(e).message}); name it later with \`${ctx.session.hint(`devices rename -- ${client.me.deviceId} NAME`)}\``,
    );
    return '';
  }
}

async function link(ctx: Context, account: string, timeoutSeconds: number, deviceName: string | undefined): Promise<void> {
  if (!ACCOUNT.test(account)) throw usage(`"${account}" is not an account name: use NAME@HOST`);
  const name = chosenName(deviceName);
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
  const named = await nameThisDevice(ctx, client, name);
  ctx.out.result(
    { linked: true, account, deviceId: l.deviceId, deviceName: named },
    `linked: this profile is now device ${l.deviceId}${named ? ` ("${named}")` : ''} of ${account}`,
  );
}

async function approve(ctx: Context, text: string, given: string | undefined): Promise<void> {
  const t = text.trim();
  if (/^[A-Z0-9]{4}-[A-Z0-9]{4}$/i.test(t))
    throw usage(
      'that is the confirmation code: approve with the link text (sotto-link:1:...) shown by `sotto link`, then compare the codes',
    );
  if (!t.startsWith('sotto-link:')) throw usage('not a link: pass the text sotto-link:1:... printed by `sotto link` on the new device');
  if (given !== undefined && !/^[A-Z0-9]{4}-?[A-Z0-9]{4}$/i.test(given.trim()))
    throw usage(`--code must be the 8-character code the new device shows, like WWS6-H3FE (got "${given}")`);
  const client = await ctx.session.client({ start: true });
  if (!client.me.isPrimary) throw new CliError('NOT_PRIMARY', 'only the device holding the account key can approve a new device');
  // Show the code and have it confirmed before anything is signed: approving a stranger's link would give them the account.
  const { deviceId, code } = client.inspectLink(t);
  ctx.out.note(`New device ${deviceId}. Confirmation code: ${code}`);
  let confirmed = given;
  if (confirmed === undefined) {
    ctx.out.note('Type the code the new device shows to approve it (anything else cancels):');
    confirmed = await readLine();
  }
  if (confirmed.trim() === '') throw new CliError('NOT_APPROVED', `device ${deviceId} was not approved (no code was confirmed)`);
  const r = await client.approveLink(t, { code: confirmed });
  ctx.out.result(r, [
    `approved device ${r.deviceId}; added to ${r.conversations} conversation(s)`,
    `Confirmation code: ${r.code}`,
    `If this was not your device, remove it now: ${ctx.session.hint(`devices remove -- ${r.deviceId}`)}`,
  ]);
}

async function listDevices(ctx: Context): Promise<void> {
  const client = await ctx.session.client();
  const list = await client.listDevices();
  const primary = client.me.isPrimary ? client.me.deviceId : undefined;
  const rows = list.map((d) => ({ ...d, primary: d.deviceId === primary }));
  ctx.out.result(
    rows,
    rows.map(
      (d) =>
        `${d.deviceId}  ${d.name ? `"${d.name}"` : '(no name)'}${d.addedAt ? `  added ${formatTime(d.addedAt)}` : ''}${d.current ? '  (this device)' : ''}${d.primary ? '  (primary)' : ''}`,
    ),
  );
}

async function renameDevice(ctx: Context, id: string, name: string): Promise<void> {
  const client = await ctx.session.client({ start: true });
  if (!(await client.listDevices()).some((d) => d.deviceId === id))
    throw new CliError('NOT_FOUND', `no device ${id} on this account (see \`${ctx.session.hint('devices')}\`)`);
  const named = await client.renameDevice(id, name);
  ctx.out.result({ deviceId: id, name: named }, named ? `device ${id} is now "${named}"` : `device ${id} has no name now`);
}

async function removeDevice(ctx: Context, id: string): Promise<void> {
  const client = await ctx.session.client({ start: true });
  const known = await client.listDevices();
  if (!known.some((d) => d.deviceId === id))
    throw new CliError('NOT_FOUND', `no device ${id} on this account (see \`${ctx.session.hint('devices')}\`)`);
  await client.unlinkDevice(id);
  ctx.out.result({ removed: id }, `device ${id} removed`);
}
