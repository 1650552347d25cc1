// The in-chat commands of `sotto chat` (/open, /attach, /download, /verify, /who, /help, /quit): a typed line parsed,
// then run against the open client, so that one chat process is enough (the profile lock allows only one).

import type { SottoClient } from '@sotto/client';
import { qualifyAccount } from '../chat-target.js';
import { sendFile, saveAttachment } from './messages.js';
import { safetyRows, verifiedLine } from './safety.js';

export type ChatLine =
  | { kind: 'empty' }
  | { kind: 'text'; text: string }
  | { kind: 'quit' }
  | { kind: 'help' }
  | { kind: 'who' }
  | { kind: 'open'; chat: string }
  | { kind: 'attach'; file: string }
  | { kind: 'download'; id: string; dir?: string }
  | { kind: 'verify'; account?: string }
  /** A command typed wrong (unknown, or a missing argument): `message` says what to type. */
  | { kind: 'invalid'; message: string };

export const CHAT_HELP = [
  'Type a message and press Enter to send it. Commands:',
  '  /open CHAT          switch to another conversation (an account, a group name, or an id)',
  '  /attach FILE        send a file',
  '  /download ID [DIR]  save the file of message ID (into DIR, default: the current directory)',
  '  /verify [ACCOUNT]   show the safety number with the 1:1 peer (or ACCOUNT)',
  '  /who                list the members',
  '  /help               this list',
  '  /quit               leave (or Ctrl-D)',
  '  //text              send a message that starts with "/"',
];

/** Removes one pair of matching quotes around a path typed with spaces. */
function unquote(s: string): string {
  const m = /^(["'])(.*)\1$/.exec(s);
  return m ? (m[2] ?? '') : s;
}

/** What a line typed in the chat asks for: a message to send, or a command. */
export function parseChatLine(line: string): ChatLine {
  const text = line.trim();
  if (text === '') return { kind: 'empty' };
  if (text.startsWith('//')) return { kind: 'text', text: line.trimStart().slice(1) };
  if (!text.startsWith('/')) return { kind: 'text', text: line };
  const space = text.search(/\s/);
  const name = (space < 0 ? text : text.slice(0, space)).toLowerCase();
  const rest = space < 0 ? '' : text.slice(space).trim();
  switch (name) {
    case '/quit':
    case '/exit':
      return { kind: 'quit' };
    case '/help':
      return { kind: 'help' };
    case '/who':
      return { kind: 'who' };
    case '/open':
      return rest === '' || /\s/.test(rest)
        ? { kind: 'invalid', message: 'usage: /open CHAT (an account, a group name, or a conversation id)' }
        : { kind: 'open', chat: rest };
    case '/attach':
      return rest === '' ? { kind: 'invalid', message: 'usage: /attach FILE' } : { kind: 'attach', file: unquote(rest) };
    case '/download': {
      const [id, ...dir] = rest.split(/\s+/);
      if (!id) return { kind: 'invalid', message: 'usage: /download ID [DIR] (the id is shown by the file line)' };
      const d = unquote(dir.join(' '));
      return d === '' ? { kind: 'download', id } : { kind: 'download', id, dir: d };
    }
    case '/verify':
      if (/\s/.test(rest)) return { kind: 'invalid', message: 'usage: /verify [ACCOUNT]' };
      return rest === '' ? { kind: 'verify' } : { kind: 'verify', account: rest };
    default:
      return { kind: 'invalid', message: `unknown command ${name} (type /help for the list; //text sends a line that starts with "/")` };
  }
}

/** What the in-chat commands need from the running chat. */
export interface ChatCommandEnv {
  client: SottoClient;
  /** Prints a line above the prompt. */
  show: (line: string) => void;
  hint: (args: string) => string;
  /** The conversations shown now (their peer for a 1:1). */
  scope: () => { peer?: string | undefined; ids: ReadonlySet<string>; title: string };
  /** The conversation to write into (a first line to an account creates the 1:1). */
  target: () => Promise<string>;
  /** Switches the chat to CHAT (same resolution as `sotto chat CHAT`). */
  open: (chat: string) => Promise<void>;
}

/** Runs one typed line (not /quit, which the chat handles); a failure is thrown for the chat to show. */
export async function runChatLine(line: ChatLine, env: ChatCommandEnv): Promise<void> {
  const { client, show } = env;
  switch (line.kind) {
    case 'empty':
    case 'quit':
      return;
    case 'text':
      await client.sendText(await env.target(), line.text);
      return;
    case 'help':
      for (const l of CHAT_HELP) show(l);
      return;
    case 'invalid':
      show(`* ${line.message}`);
      return;
    case 'who': {
      const members = [...env.scope().ids].flatMap((id) => client.getConversation(id)?.members.map((m) => m.account) ?? []);
      show(`* members: ${[...new Set(members)].join(', ') || '(none yet)'}`);
      return;
    }
    case 'open':
      await env.open(line.chat);
      return;
    case 'attach': {
      // The file line appears through the chat's message event, like a typed message.
      await sendFile(client, await env.target(), line.file);
      return;
    }
    case 'download': {
      // DIR is always a directory here: the file keeps its own name.
      const dir = line.dir === undefined ? undefined : /[/\\]$/.test(line.dir) ? line.dir : `${line.dir}/`;
      const saved = await saveAttachment(client, line.id, dir, false);
      show(`* saved ${saved.path}`);
      return;
    }
    case 'verify':
      await showSafetyNumber(env, line.account);
  }
}

async function showSafetyNumber(env: ChatCommandEnv, name: string | undefined): Promise<void> {
  const { client, show } = env;
  const account = name === undefined ? env.scope().peer : qualifyAccount(client, name);
  if (account === undefined) return void show('* /verify in a group needs an account: /verify ACCOUNT');
  if (account === client.me.account) return void show('* a safety number compares you with someone else');
  const sn = await client.safetyNumber(account);
  const contact = (await client.listContacts()).find((c) => c.account === account);
  show(`* safety number with ${account}:`);
  for (const row of safetyRows(sn.groups)) show(row);
  show(verifiedLine(account, contact?.verified ?? false, env.hint));
}
