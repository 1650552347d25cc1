// Group commands: create, info, add, remove, rename, promote, demote, timer.

import type { ConversationInfo, SottoClient } from '@sotto/client';
import type { Command } from 'commander';
import { findConversation, qualifyAccount } from '../chat-target.js';
import { CliError, usage } from '../cli-error.js';
import type { Context } from '../context.js';
import { formatConversation } from '../output.js';
import type { Action } from './action.js';

export function groupCommands(program: Command, action: Action): void {
  const group = program.command('group').description('create and manage groups (changes need an admin)');
  group
    .command('create')
    .description('create a group with you as admin')
    .argument('<name>', 'the group name')
    .argument('<members...>', 'accounts to add (bob@localhost, or bob on your server)')
    .addHelpText('after', '\nExample:\n  sotto group create ops bob@localhost carol@localhost')
    .action(
      action(async (ctx, name: string, members: string[]) =>
        change(ctx, undefined, (c) => c.createGroup({ name, members: members.map((m) => qualifyAccount(c, m)) }), 'created'),
      ),
    );
  group
    .command('info')
    .description('show a group: members, roles, timer, state')
    .argument('<group>', 'group name or id')
    .action(action(async (ctx, g: string) => info(ctx, g)));
  group
    .command('add')
    .description('add members')
    .argument('<group>', 'group name or id')
    .argument('<members...>', 'accounts to add')
    .action(
      action(async (ctx, g: string, m: string[]) =>
        change(
          ctx,
          g,
          (c, id) =>
            c.addMembers(
              id,
              m.map((a) => qualifyAccount(c, a)),
            ),
          'updated',
        ),
      ),
    );
  group
    .command('remove')
    .description('remove members')
    .argument('<group>', 'group name or id')
    .argument('<members...>', 'accounts to remove')
    .action(
      action(async (ctx, g: string, m: string[]) =>
        change(
          ctx,
          g,
          (c, id) =>
            c.removeMembers(
              id,
              m.map((a) => qualifyAccount(c, a)),
            ),
          'updated',
        ),
      ),
    );
  group
    .command('rename')
    .description('rename a group')
    .argument('<group>', 'group name or id')
    .argument('<new-name>', 'the new name')
    .action(action(async (ctx, g: string, name: string) => change(ctx, g, (c, id) => c.rename(id, name), 'renamed')));
  group
    .command('promote')
    .description('make a member an admin')
    .argument('<group>', 'group name or id')
    .argument('<member>', 'the account')
    .action(
      action(async (ctx, g: string, m: string) => change(ctx, g, (c, id) => c.setRole(id, qualifyAccount(c, m), 'admin'), 'updated')),
    );
  group
    .command('demote')
    .description('make an admin a plain member')
    .argument('<group>', 'group name or id')
    .argument('<member>', 'the account')
    .action(
      action(async (ctx, g: string, m: string) => change(ctx, g, (c, id) => c.setRole(id, qualifyAccount(c, m), 'member'), 'updated')),
    );
  group
    .command('timer')
    .description('set the disappearing-message timer (0 = off)')
    .argument('<group>', 'group name or id (a 1:1 account works too)')
    .argument('<seconds>', 'lifetime of new messages in seconds')
    .action(
      action(async (ctx, g: string, s: string) => {
        const seconds = Number(s);
        if (!Number.isInteger(seconds) || seconds < 0) throw usage('<seconds> must be a non-negative integer');
        await change(ctx, g, (c, id) => c.setDisappearingTimer(id, seconds), 'updated');
      }),
    );
}

function describe(c: ConversationInfo): string[] {
  return [
    formatConversation(c),
    ...c.members.map((m) => `  ${m.account}${m.role === 'member' ? '' : `  (${m.role})`}  ${m.deviceIds.length} device(s)`),
    ...(c.timerSeconds ? [`  disappearing messages: ${c.timerSeconds}s`] : []),
    ...(c.policyViolation ? [`  WARNING: frozen after a commit that broke the admin rule: ${c.policyViolation}`] : []),
  ];
}

async function info(ctx: Context, g: string): Promise<void> {
  const client = await ctx.session.client({ start: true });
  const c = findConversation(client, g, (a) => ctx.session.hint(a));
  ctx.out.result(c, describe(c));
}

async function change(
  ctx: Context,
  target: string | undefined,
  op: (client: SottoClient, id: string) => Promise<ConversationInfo>,
  verb: string,
): Promise<void> {
  const client = await ctx.session.client({ start: true });
  let id = '';
  if (target !== undefined) {
    const c = findConversation(client, target, (a) => ctx.session.hint(a));
    if (c.state !== 'active') throw new CliError('NOT_ACTIVE', `"${c.name}" is ${c.state}`);
    id = c.id;
  }
  const result = await op(client, id);
  ctx.out.result(result, [`${verb}: ${result.name}`, ...describe(result).slice(1)]);
}
