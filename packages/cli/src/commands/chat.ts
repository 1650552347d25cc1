// `sotto chat NAME`: an interactive conversation: recent history, then a prompt; incoming messages appear as they arrive.

import { clearLine, createInterface, cursorTo, moveCursor } from 'node:readline';
import type { ConversationInfo, SottoClient, StoredMessage } from '@sotto/client';
import type { Command } from 'commander';
import { directsWith, resolveTarget } from '../chat-target.js';
import { CliError, describeError } from '../cli-error.js';
import type { Context } from '../context.js';
import { formatMessage } from '../output.js';
import type { Action } from './action.js';
import { emptyHistory, markRead } from './messages.js';

const HELP = 'Type a message and press Enter to send. Commands: /quit (or Ctrl-D), /help, /who';

export function chatCommand(program: Command, action: Action): void {
  program
    .command('chat')
    .description('interactive chat: shows recent history, then a prompt; incoming messages appear as they arrive')
    .argument('<chat>', 'an account (1:1), a group name, or a conversation id')
    .option('-n, --history <n>', 'how many earlier messages to show', '20')
    .addHelpText('after', `\n${HELP}\nExample:\n  sotto --profile /tmp/alice chat bob@localhost`)
    .action(action(async (ctx, chat: string, o: { history: string }) => runChat(ctx, chat, Math.max(0, Number(o.history) || 0))));
}

/** Which conversations the chat shows: one group, or every 1:1 with the peer (two if both started one at once). */
class ChatScope {
  readonly peer: string | undefined;
  readonly ids = new Set<string>();
  title: string;

  constructor(target: ReturnType<typeof resolveTarget>, client: SottoClient) {
    if (target.kind === 'account') {
      this.peer = target.account;
      this.title = target.account;
    } else {
      const c = target.conversation;
      this.peer = c.kind === 'direct' ? c.peer : undefined;
      this.title = c.name;
      this.ids.add(c.id);
    }
    if (this.peer) for (const c of directsWith(client, this.peer)) this.ids.add(c.id);
  }

  /** Takes a new 1:1 with the peer into the chat. */
  adopt(c: ConversationInfo): boolean {
    if (this.ids.has(c.id) || !this.peer || c.kind !== 'direct' || c.peer !== this.peer) return false;
    this.ids.add(c.id);
    return true;
  }
}

async function runChat(ctx: Context, chat: string, historyCount: number): Promise<void> {
  const client = await ctx.session.client({ start: true });
  const scope = new ChatScope(resolveTarget(client, chat), client);
  const me = client.me.account;
  const out = ctx.out.io.stdout;
  const tty = out.isTTY === true && process.stdin.isTTY === true;

  for (const id of scope.ids) {
    const c = client.getConversation(id);
    if (c?.state === 'blocked') throw new CliError('BLOCKED', `"${c.name}" is blocked (\`${ctx.session.hint(`unblock ${c.owner}`)}\`)`);
    if (c?.state === 'request') {
      await client.acceptRequest(id);
      ctx.out.note(`(accepted the message request from ${c.owner}: opening the chat accepts it)`);
    }
  }

  const history: StoredMessage[] = [];
  for (const id of scope.ids) history.push(...(await client.listMessages(id, { limit: historyCount })));
  history.sort((a, b) => a.sentAt - b.sentAt || a.seq - b.seq);
  out.write(`Chat with ${scope.title}. ${HELP}\n`);
  for (const m of history.slice(-historyCount)) out.write(`${formatMessage(m, me)}\n`);
  if (history.length === 0 && historyCount > 0) out.write(`${emptyHistory(client)}\n`);
  for (const id of scope.ids)
    await markRead(
      client,
      id,
      history.filter((m) => m.conversationId === id),
    );

  const rl = createInterface({ input: process.stdin, output: out, prompt: '> ', terminal: tty });
  /** Prints a line above the prompt without losing what the user is typing. */
  const show = (line: string) => {
    if (tty) {
      cursorTo(out, 0);
      clearLine(out, 0);
    }
    out.write(`${line}\n`);
    if (tty) rl.prompt(true);
  };
  const typing = new TypingIndicator(client, scope, me, (prompt) => {
    rl.setPrompt(prompt);
    if (tty) {
      cursorTo(out, 0);
      clearLine(out, 0);
      rl.prompt(true);
    }
  });
  if (tty) process.stdin.on('keypress', typing.onKeypress);
  const offs = [
    client.on('typing', typing.onTyping),
    client.on('message', (m) => {
      if (!scope.ids.has(m.conversationId)) return;
      typing.messageFrom(m.sender);
      show(formatMessage(m, me, { live: true }));
      if (!m.outgoing) void markRead(client, m.conversationId, [m]).catch(() => {}); // receipts are best effort
    }),
    client.on('conversation', (c) => {
      if (scope.adopt(c) && c.state === 'request') void client.acceptRequest(c.id).catch(() => {});
      if (scope.ids.has(c.id) && c.kind === 'group' && c.name !== scope.title) {
        scope.title = c.name;
        show(`* the group is now called "${c.name}"`);
      }
    }),
    client.on('membership', (e) => {
      if (!scope.ids.has(e.conversationId)) return;
      if (e.added.length) show(`* ${e.by} added ${e.added.join(', ')}`);
      if (e.removed.length) show(`* ${e.by} removed ${e.removed.join(', ')}`);
    }),
    client.on('key-change', (e) => {
      if (e.account === scope.peer || e.type === 'account-key-changed')
        show(
          `* security: ${e.account} ${e.type === 'account-key-changed' ? 'has a new account key (verify again)' : e.type.replace('-', ' ')}`,
        );
    }),
    client.on('send-failed', (e) => {
      if (scope.ids.has(e.conversationId)) show(`* a message could not be sent (${e.code})`);
    }),
  ];

  let sending = Promise.resolve();
  const send = async (text: string) => {
    let id = [...scope.ids][0];
    if (id === undefined) {
      if (!scope.peer) throw new CliError('UNKNOWN_CHAT', 'no conversation');
      const c = await client.createDirect(scope.peer);
      scope.adopt(c);
      id = c.id;
    }
    await client.sendText(id, text);
  };

  await new Promise<void>((done) => {
    rl.on('line', (line) => {
      const text = line.trim();
      if (tty) {
        moveCursor(out, 0, -1); // the echoed input is replaced by the message line the 'message' event prints
        clearLine(out, 0);
      }
      if (text === '/quit' || text === '/exit') return void rl.close();
      if (text === '/help') show(HELP);
      else if (text === '/who') {
        const members = [...scope.ids].flatMap((id) => client.getConversation(id)?.members.map((m) => m.account) ?? []);
        show(`* members: ${[...new Set(members)].join(', ')}`);
      } else if (text !== '') {
        typing.sent();
        sending = sending.then(() => send(line)).catch((e) => show(`* not sent: ${describeError(e).message}`));
      }
      rl.prompt();
    });
    rl.on('SIGINT', () => rl.close());
    rl.on('close', () => done());
    const close = (): void => rl.close();
    void ctx.untilInterrupted().then(close, close);
    rl.prompt();
  });
  for (const off of offs) off();
  process.stdin.off('keypress', typing.onKeypress);
  typing.stop();
  await sending;
  out.write('\n');
}

/** Typing notifications: sent while the user types (the SDK sends them only if enabled and the chat is accepted),
 * and shown in the prompt for others. */
class TypingIndicator {
  readonly #client: SottoClient;
  readonly #scope: ChatScope;
  readonly #me: string;
  readonly #setPrompt: (prompt: string) => void;
  readonly #others = new Map<string, ReturnType<typeof setTimeout>>();
  #idle: ReturnType<typeof setTimeout> | undefined;
  #typingIn: string | undefined;

  constructor(client: SottoClient, scope: ChatScope, me: string, setPrompt: (prompt: string) => void) {
    this.#client = client;
    this.#scope = scope;
    this.#me = me;
    this.#setPrompt = setPrompt;
  }

  readonly onKeypress = (_s: string | undefined, key: { name?: string } | undefined): void => {
    if (key?.name === 'return' || key?.name === 'enter') return;
    const id = [...this.#scope.ids][0];
    if (id === undefined) return;
    if (this.#typingIn === undefined) {
      this.#typingIn = id;
      void this.#client.setTyping(id, true).catch(() => {});
    }
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.#stopTyping(true), 4000);
  };

  readonly onTyping = (e: { conversationId: string; account: string; typing: boolean }): void => {
    if (!this.#scope.ids.has(e.conversationId) || e.account === this.#me) return;
    const t = this.#others.get(e.account);
    if (t) clearTimeout(t);
    this.#others.delete(e.account);
    if (e.typing)
      this.#others.set(
        e.account,
        setTimeout(() => this.messageFrom(e.account), 8000),
      );
    this.#render();
  };

  /** A message from `account` ends its typing. */
  messageFrom(account: string): void {
    const t = this.#others.get(account);
    if (!t) return;
    clearTimeout(t);
    this.#others.delete(account);
    this.#render();
  }

  /** The user sent a line: typing stopped. */
  sent(): void {
    this.#stopTyping(true);
  }

  stop(): void {
    this.#stopTyping(true);
    for (const t of this.#others.values()) clearTimeout(t);
    this.#others.clear();
  }

  #stopTyping(notify: boolean): void {
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = undefined;
    const id = this.#typingIn;
    this.#typingIn = undefined;
    if (notify && id !== undefined) void this.#client.setTyping(id, false).catch(() => {});
  }

  #render(): void {
    const who = [...this.#others.keys()];
    this.#setPrompt(who.length ? `(${who.join(', ')} typing) > ` : '> ');
  }
}
