// Resolves the CHAT argument of a command: a conversation id, a group name, or an account (a 1:1).

import { ApiError, type ConversationInfo, type SottoClient } from '@sotto/client';
import { CliError, usage } from './cli-error.js';

const GONE = new Set(['removed', 'left', 'deleted']);

/** `bob` means `bob@<my host>`; `bob@host` is kept. */
export function qualifyAccount(client: SottoClient, name: string): string {
  if (name.includes('@')) return name;
  const me = client.me.account;
  return `${name}@${me.slice(me.indexOf('@') + 1)}`;
}

/** Whether the 1:1's peer has a device in it (an older client could leave one whose peer was never added). */
const peerPresent = (c: ConversationInfo): boolean => c.members.some((m) => m.account === c.peer);

/**
 * The 1:1 conversations with `account` (two may exist if both sides started one at once): those the peer is in
 * first, then oldest first.
 */
export function directsWith(client: SottoClient, account: string): ConversationInfo[] {
  return client
    .listConversations()
    .filter((c) => c.kind === 'direct' && c.peer === account && !GONE.has(c.state))
    .sort((a, b) => Number(peerPresent(b)) - Number(peerPresent(a)) || a.createdAt - b.createdAt);
}

/** Prints a command line in a hint (the session's, with --profile when one is in use). */
export type Hint = (args: string) => string;
const plain: Hint = (args) => `sotto ${args}`;

export type Target = { kind: 'conversation'; conversation: ConversationInfo } | { kind: 'account'; account: string };

/** What CHAT names: an existing conversation, or an account with no 1:1 yet. */
export function resolveTarget(client: SottoClient, chat: string): Target {
  const all = client.listConversations();
  const byId = all.find((c) => c.id === chat);
  if (byId) return { kind: 'conversation', conversation: byId };
  const groups = all.filter((c) => c.kind === 'group' && c.name === chat && !GONE.has(c.state));
  if (groups.length > 1)
    throw new CliError('AMBIGUOUS', `${groups.length} groups are named "${chat}": use an id (${groups.map((g) => g.id).join(', ')})`, 2);
  if (groups[0]) return { kind: 'conversation', conversation: groups[0] };
  if (!/^[^\s@]+(@[^\s@]+)?$/.test(chat)) throw new CliError('UNKNOWN_CHAT', `no conversation named "${chat}"`);
  const account = qualifyAccount(client, chat);
  const direct = directsWith(client, account)[0];
  return direct ? { kind: 'conversation', conversation: direct } : { kind: 'account', account };
}

/**
 * What CHAT names, for a chat to open: as resolveTarget, and an account with no 1:1 yet must exist. The directory is
 * asked now, as the first message would ask it (the SDK's safetyNumber looks up an account it does not know yet): a
 * missing account is an error that names it, and nothing is created.
 */
export async function resolveChat(client: SottoClient, chat: string): Promise<Target> {
  const t = resolveTarget(client, chat);
  if (t.kind === 'account' && t.account === client.me.account) throw usage('a chat needs an account other than yours');
  if (t.kind === 'account')
    await client.safetyNumber(t.account).catch((e: unknown) => {
      if (e instanceof ApiError && e.code === 'NOT_FOUND') throw new CliError('UNKNOWN_ACCOUNT', `no such account: ${t.account}`);
      throw e;
    });
  return t;
}

/** An existing conversation for CHAT, or a clear error. */
export function findConversation(client: SottoClient, chat: string, hint: Hint = plain): ConversationInfo {
  const t = resolveTarget(client, chat);
  if (t.kind === 'conversation') return t.conversation;
  throw new CliError('UNKNOWN_CHAT', `no conversation with ${t.account} yet (start one with \`${hint(`send ${t.account} TEXT`)}\`)`);
}

/**
 * The conversation to send to: an existing one, or a new 1:1 with the account (created whole by the SDK: a missing
 * account is an error and leaves nothing behind). Offline, only an existing conversation will do.
 */
export async function conversationForSending(
  client: SottoClient,
  chat: string,
  o: { hint?: Hint; online?: boolean } = {},
): Promise<ConversationInfo> {
  const hint = o.hint ?? plain;
  const t = resolveTarget(client, chat);
  if (t.kind === 'account' && o.online === false)
    throw new CliError(
      'NETWORK',
      `cannot reach the server to start a conversation with ${t.account}; nothing was queued (is the server running? check --server / SOTTO_SERVER)`,
      3,
    );
  const conv = t.kind === 'conversation' ? t.conversation : await client.createDirect(t.account);
  if (conv.state === 'request') {
    const who = conv.kind === 'direct' ? (conv.peer ?? conv.owner) : conv.owner;
    throw new CliError(
      'REQUEST_PENDING',
      `"${conv.name}" is a message request from ${conv.owner}: accept it first with \`${hint(`requests accept ${who}`)}\``,
    );
  }
  if (conv.state === 'blocked') throw new CliError('BLOCKED', `"${conv.name}" is blocked (\`${hint(`unblock ${conv.owner}`)}\`)`);
  return conv;
}
