// `sotto chat NAME`: an interactive conversation: recent history, then a prompt; incoming messages appear as they arrive.

import { clearLine, createInterface, cursorTo, moveCursor } from 'node:readline';
import type { ConversationInfo, SecurityNotice, SottoClient, StoredMessage } from '@sotto/client';
import type { Command } from 'commander';
import { directsWith, resolveChat, type Target } from '../chat-target.js';
import { CliError, describeError } from '../cli-error.js';
import type { Context } from '../context.js';
import { formatMessage, formatNotice, noticeKey } from '../output.js';
import type { Action } from './action.js';
import { CHAT_HELP, type ChatCommandEnv, parseChatLine, runChatLine } from './chat-commands.js';
import { emptyHistory, markRead } from './messages.js';

const HELP = 'Type a message and press Enter to send. Commands: /open, /attach, /download, /verify, /who, /help, /quit (or Ctrl-D)';

export function chatCommand(program: Command, action: Action): void {
  program
    .command('chat')
    .description('interactive chat: shows recent history, then a prompt; incoming messages appear as they arrive')
    .argument('<chat>', 'an account (1:1), a group name, or a conversation id')
    .option('-n, --history <n>', 'how many earlier messages to show', '20')
    .addHelpText('after', `\n${CHAT_HELP.join('\n')}\nExample:\n  sotto --profile /tmp/alice chat bob@localhost`)
    .action(action(async (ctx, chat: string, o: { history: string }) => runChat(ctx, chat, Math.max(0, Number(o.history) || 0))));
}

/** Which conversations the chat shows: one group, or every 1:1 with the peer (two if both started one at once). */
class ChatScope {
  readonly peer: string | undefined;
  readonly ids = new Set<string>();
  title: string;

  constructor(target: Target, client: SottoClient) {
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
  let scope = new ChatScope(await resolveChat(client, chat), client);
  const me = client.me.account;
  const out = ctx.out.io.stdout;
  const tty = out.isTTY === true && process.stdin.isTTY === true;
  await enterScope(ctx, client, scope, (line) => ctx.out.note(line));
  out.write(`Chat with ${scope.title}. ${HELP}\n`);
  const notices = new NoticeLines((a) => ctx.session.hint(a));
  const members = new KnownMembers(client);
  notices.showAll(client, scope, (line) => out.write(`${line}\n`));
  await showHistory(client, scope, historyCount, (line) => out.write(`${line}\n`));

  const prompt = createInterface({ input: process.stdin, output: out, prompt: '> ', terminal: tty });
  /** Prints a line above the prompt without losing what the user is typing. */
  const show = (line: string) => {
    if (tty) {
      cursorTo(out, 0);
      clearLine(out, 0);
    }
    out.write(`${line}\n`);
    if (tty) prompt.prompt(true);
  };
  const typing = new TypingIndicator(
    client,
    () => scope,
    me,
    (p) => {
      prompt.setPrompt(p);
      if (tty) {
        cursorTo(out, 0);
        clearLine(out, 0);
        prompt.prompt(true);
      }
    },
  );
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
      members.note(c);
      if (scope.adopt(c) && c.state === 'request') void client.acceptRequest(c.id).catch(() => {});
      if (scope.ids.has(c.id)) notices.showNew(c, show);
      if (scope.ids.has(c.id) && c.kind === 'group' && c.name !== scope.title) {
        scope.title = c.name;
        show(`* the group is now called "${c.name}"`);
      }
    }),
    client.on('membership', (e) => {
      if (!scope.ids.has(e.conversationId)) return;
      // An account that was a member already gained a device: the device-change item in the conversation says so.
      const added = e.added.filter((a) => !members.had(e.conversationId, a));
      if (added.length) show(`* ${e.by} added ${added.join(', ')}`);
      if (e.removed.length) show(`* ${e.by} removed ${e.removed.join(', ')}`);
    }),
    // A device added or removed is shown by the system item the same commit puts in the conversation ('message').
    client.on('key-change', (e) => {
      if (e.type === 'account-key-changed')
        notices.showOne({ code: 'KEY_CHANGED', account: e.account, ...(e.pending ? { pending: true } : {}) }, show);
    }),
    client.on('send-failed', (e) => {
      if (scope.ids.has(e.conversationId)) show(`* a message could not be sent (${e.code})`);
    }),
  ];

  /** The conversation to write into: the chat's, or (a first line to an account) a new 1:1 created whole. */
  const target = async (): Promise<string> => {
    const id = [...scope.ids][0];
    if (id !== undefined) return id;
    if (!scope.peer) throw new CliError('UNKNOWN_CHAT', 'no conversation');
    const c = await client.createDirect(scope.peer);
    scope.adopt(c);
    return c.id;
  };
  const commands: ChatCommandEnv = {
    client,
    show,
    hint: (a) => ctx.session.hint(a),
    scope: () => scope,
    target,
    open: async (name) => {
      const to = await resolveChat(client, name).catch((e: unknown) => {
        if (e instanceof CliError && e.code === 'UNKNOWN_ACCOUNT') throw new CliError(e.code, `${e.message}; still in ${scope.title}`);
        throw e;
      });
      const next = new ChatScope(to, client);
      await enterScope(ctx, client, next, show);
      typing.reset();
      scope = next;
      show(`* now in ${scope.title}`);
      notices.showAll(client, scope, show);
      await showHistory(client, scope, historyCount, show);
    },
  };

  // Lines run one after the other: a message typed after /open goes to the chat it opened.
  let work = Promise.resolve();
  let closed = false;
  await new Promise<void>((done) => {
    prompt.on('line', (line) => {
      if (closed) return; // lines read in the same chunk as /quit still arrive after close()
      const parsed = parseChatLine(line);
      if (tty) {
        moveCursor(out, 0, -1); // the echoed input is replaced by the message line the 'message' event prints
        clearLine(out, 0);
      }
      if (parsed.kind === 'quit') {
        closed = true;
        return void prompt.close();
      }
      if (parsed.kind === 'text') typing.sent();
      work = work
        .then(() => runChatLine(parsed, commands))
        .catch((e) => show(`* ${parsed.kind === 'text' ? 'not sent' : 'failed'}: ${describeError(e).message}`))
        .then(() => {
          if (!closed) prompt.prompt();
        });
    });
    prompt.on('SIGINT', () => prompt.close());
    prompt.on('close', () => {
      closed = true;
      done();
    });
    const close = (): void => prompt.close();
    void ctx.untilInterrupted().then(close, close);
    prompt.prompt();
  });
  await work;
  for (const off of offs) off();
  process.stdin.off('keypress', typing.onKeypress);
  typing.stop();
  out.write('\n');
}

/** The security notices of the chat's conversations, each shown once (and again only if it changes). */
class NoticeLines {
  readonly #shown = new Set<string>();
  readonly #hint: (args: string) => string;

  constructor(hint: (args: string) => string) {
    this.#hint = hint;
  }

  showAll(client: SottoClient, scope: ChatScope, show: (line: string) => void): void {
    for (const id of scope.ids) {
      const c = client.getConversation(id);
      if (c) this.showNew(c, show);
    }
  }

  showNew(c: ConversationInfo, show: (line: string) => void): void {
    for (const n of c.notices ?? []) this.showOne(n, show);
  }

  showOne(n: SecurityNotice, show: (line: string) => void): void {
    const key = noticeKey(n);
    if (this.#shown.has(key)) return;
    this.#shown.add(key);
    show(formatNotice(n, this.#hint));
  }
}

/**
 * The members of each conversation as the chat last saw them (a 'conversation' event follows each 'membership' one):
 * tells a new member from a member that only added a device.
 */
class KnownMembers {
  readonly #members = new Map<string, Set<string>>();

  constructor(client: SottoClient) {
    for (const c of client.listConversations()) this.note(c);
  }

  note(c: ConversationInfo): void {
    this.#members.set(c.id, new Set(c.members.map((m) => m.account)));
  }

  had(conversationId: string, account: string): boolean {
    return this.#members.get(conversationId)?.has(account) ?? false;
  }
}

/** Before a chat opens: a blocked conversation is refused, and a message request is accepted by opening it. */
async function enterScope(ctx: Context, client: SottoClient, scope: ChatScope, show: (line: string) => void): Promise<void> {
  for (const id of scope.ids) {
    const c = client.getConversation(id);
    if (c?.state === 'blocked') throw new CliError('BLOCKED', `"${c.name}" is blocked (\`${ctx.session.hint(`unblock ${c.owner}`)}\`)`);
  }
  for (const id of scope.ids) {
    const c = client.getConversation(id);
    if (c?.state === 'request') {
      await client.acceptRequest(id);
      show(`(accepted the message request from ${c.owner}: opening the chat accepts it)`);
    }
  }
}

/** The last `count` messages of the chat (marked read), or what an empty history means. */
async function showHistory(client: SottoClient, scope: ChatScope, count: number, show: (line: string) => void): Promise<void> {
  const me = client.me.account;
  const history: StoredMessage[] = [];
  for (const id of scope.ids) history.push(...(await client.listMessages(id, { limit: count })));
  history.sort((a, b) => a.sentAt - b.sentAt || a.seq - b.seq);
  for (const m of history.slice(-count)) show(formatMessage(m, me));
  if (history.length === 0 && count > 0) show(emptyHistory(client));
  for (const id of scope.ids)
    await markRead(
      client,
      id,
      history.filter((m) => m.conversationId === id),
    );
}

/** Typing notifications: sent while the user types (the SDK sends them only if enabled and the chat is accepted),
 * and shown in the prompt for others. */
class TypingIndicator {
  readonly #client: SottoClient;
  readonly #scope: () => ChatScope;
  readonly #me: string;
  readonly #setPrompt: (prompt: string) => void;
  readonly #others = new Map<string, ReturnType<typeof setTimeout>>();
  #idle: ReturnType<typeof setTimeout> | undefined;
  #typingIn: string | undefined;

  constructor(client: SottoClient, scope: () => ChatScope, me: string, setPrompt: (prompt: string) => void) {
    this.#client = client;
    this.#scope = scope;
    this.#me = me;
    this.#setPrompt = setPrompt;
  }

  readonly onKeypress = (_s: string | undefined, key: { name?: string } | undefined): void => {
    if (key?.name === 'return' || key?.name === 'enter') return;
    const id = [...this.#scope().ids][0];
    if (id === undefined) return;
    if (this.#typingIn === undefined) {
      this.#typingIn = id;
      void this.#client.setTyping(id, true).catch(() => {});
    }
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.#stopTyping(true), 4000);
  };

  readonly onTyping = (e: { conversationId: string; account: string; typing: boolean }): void => {
    if (!this.#scope().ids.has(e.conversationId) || e.account === this.#me) return;
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

  /** The chat switched to another conversation: nobody types there yet. */
  reset(): void {
    this.stop();
    this.#render();
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
