// Message commands: chats, send, read (--follow), attach, download, export.

import { existsSync, openAsBlob } from 'node:fs';
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { AttachmentInfo, SottoClient, StoredMessage } from '@sotto/client';
import type { Command } from 'commander';
import { conversationForSending, findConversation, resolveTarget } from '../chat-target.js';
import { CliError, EXIT, usage } from '../cli-error.js';
import { type Context, startOrOffline } from '../context.js';
import { formatConversation, formatMessage, formatNotice } from '../output.js';
import { ProgressBar } from '../progress-bar.js';
import type { Action } from './action.js';

const positiveInt = (name: string, v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw usage(`${name} must be a positive integer`);
  return n;
};

export function messageCommands(program: Command, action: Action): void {
  program
    .command('chats')
    .description('list conversations (1:1s and groups), with their state')
    .action(action(async (ctx) => chats(ctx)));

  program
    .command('send')
    .description('send a text message (CHAT: an account for a 1:1, or a group name or id)')
    .argument('<chat>', 'bob@localhost (or just bob on the same server), a group name, or a conversation id')
    .argument('<text...>', 'the message ("-" reads it from stdin)')
    .addHelpText('after', '\nExamples:\n  sotto send bob@localhost "hello"\n  echo hi | sotto send ops -')
    .action(action(async (ctx, chat: string, text: string[]) => send(ctx, chat, text)));

  program
    .command('read')
    .description('print the history of a conversation; --follow keeps printing new messages')
    .argument('<chat>', 'an account (1:1), a group name, or a conversation id')
    .option('-n, --limit <n>', 'how many of the latest messages', '50')
    .option('-f, --follow', 'keep running and print messages as they arrive (Ctrl-C to stop)')
    .option('--ids', 'start each line with the message id (to react, report...)')
    .action(
      action(async (ctx, chat: string, o: { limit: string; follow?: boolean; ids?: boolean }) =>
        read(ctx, chat, positiveInt('--limit', o.limit), o.follow === true, o.ids === true),
      ),
    );

  program
    .command('attach')
    .description('send a file (encrypted with a fresh key, streamed from disk)')
    .argument('<chat>', 'an account (1:1), a group name, or a conversation id')
    .argument('<file>', 'the file to send')
    .option('--type <mime>', 'MIME type (default: application/octet-stream)')
    .action(action(async (ctx, chat: string, file: string, o: { type?: string }) => attach(ctx, chat, file, o.type)));

  program
    .command('download')
    .description('download and decrypt the file of a message (its id is shown by `sotto read`)')
    .argument('<message-id>', 'the message id')
    .argument('[path]', 'where to write it (default: the file name, in the current directory)')
    .option('--force', 'overwrite an existing file')
    .action(action(async (ctx, id: string, path: string | undefined, o: { force?: boolean }) => download(ctx, id, path, o.force === true)));

  program
    .command('export')
    .description('write the local history (every conversation and message) as JSON')
    .option('-o, --out <file>', 'write to this file (mode 0600) instead of stdout')
    .action(action(async (ctx, o: { out?: string }) => exportHistory(ctx, o.out)));
}

async function chats(ctx: Context): Promise<void> {
  const client = await startOrOffline(ctx);
  const list = client.listConversations().sort((a, b) => a.createdAt - b.createdAt);
  ctx.out.result(list, list.length ? list.map(formatConversation) : '(no conversations)');
}

async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of process.stdin) parts.push(c as Buffer);
  return Buffer.concat(parts)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Waits (bounded) until the outbox is empty; says so honestly when it is not. */
async function flushOrExplain(client: SottoClient, to: string): Promise<void> {
  try {
    await client.flush(30_000);
  } catch {
    throw new CliError(
      'NOT_SENT',
      `queued for ${to} but not yet accepted by the server: it will be sent the next time sotto runs with this profile`,
    );
  }
  const failed = (await client.pendingSends()).filter((p) => p.state === 'failed');
  if (failed.length > 0)
    throw new CliError('SEND_FAILED', `the server refused the message to ${to} (${failed[0]?.lastError ?? 'unknown reason'})`);
}

async function send(ctx: Context, chat: string, words: string[]): Promise<void> {
  const text = words.length === 1 && words[0] === '-' ? await readStdin() : words.join(' ');
  if (text.trim() === '') throw usage('the message is empty');
  // Without the server the message still goes into the profile's outbox; the next run that connects sends it.
  const { client, online } = await ctx.session.connect();
  const conv = await conversationForSending(client, chat, { hint: (a) => ctx.session.hint(a), online });
  const id = await client.sendText(conv.id, text);
  if (!online) {
    ctx.out.result({ id, conversationId: conv.id, queued: true }, `queued for ${conv.name} (${id})`);
    throw new CliError(
      'QUEUED',
      `the server cannot be reached: the message to ${conv.name} is queued and will be sent the next time sotto runs with this profile (e.g. \`${ctx.session.hint('chats')}\` or \`${ctx.session.hint(`chat ${chat}`)}\`)`,
    );
  }
  await flushOrExplain(client, conv.name);
  ctx.out.result({ id, conversationId: conv.id }, `sent to ${conv.name} (${id})`);
}

async function read(ctx: Context, chat: string, limit: number, follow: boolean, ids = false): Promise<void> {
  const client = await startOrOffline(ctx);
  const conv = findConversation(client, chat, (a) => ctx.session.hint(a));
  const me = client.me.account;
  const show = (m: StoredMessage) => ctx.out.result(m, `${ids ? `#${m.id.slice(0, 8)} ` : ''}${formatMessage(m, me)}`);
  if (!ctx.out.json) for (const n of conv.notices ?? []) ctx.out.note(formatNotice(n, (a) => ctx.session.hint(a)));
  const history = await client.listMessages(conv.id, { limit });
  if (ctx.out.json && !follow) ctx.out.result(history, '');
  else for (const m of history) show(m);
  // Lines about the conversation itself (who added whom, the timer) are shown, but nobody has written yet.
  if (history.every((m) => m.kind === 'system') && !ctx.out.json) ctx.out.note(emptyHistory(client));
  await markRead(client, conv.id, history);
  if (!follow) return;
  const off = client.on('message', (m) => {
    if (m.conversationId !== conv.id) return;
    show(m);
    void markRead(client, conv.id, [m]).catch(() => {}); // receipts are best effort
  });
  await ctx.untilInterrupted();
  off();
}

/** What an empty history means: nothing yet, and on a linked device, nothing from before it joined. */
export function emptyHistory(client: SottoClient): string {
  return client.me.isPrimary
    ? '(no messages yet)'
    : '(no messages on this device yet: a linked device receives only what is sent after it joined; earlier history stays on the other devices)';
}

/** Read receipts for shown incoming messages (the SDK sends them only if enabled and the conversation is accepted). */
export async function markRead(client: SottoClient, conversationId: string, shown: StoredMessage[]): Promise<void> {
  const ids = shown.filter((m) => !m.outgoing && !m.deleted && m.kind !== 'system').map((m) => m.id);
  await client.markRead(conversationId, ids).catch(() => {});
}

/** A file Blob that reports the bytes read from it (the SDK reads it twice: once to hash, once to upload). */
class CountingBlob extends Blob {
  readonly #inner: Blob;
  readonly #onBytes: (n: number, pass: number) => void;
  #pass = 0;
  constructor(inner: Blob, onBytes: (n: number, pass: number) => void) {
    super([]);
    this.#inner = inner;
    this.#onBytes = onBytes;
    // Blob's size and type are accessors of its prototype: these own properties answer for the wrapped file.
    Object.defineProperties(this, { size: { get: () => inner.size }, type: { get: () => inner.type } });
  }
  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    const pass = ++this.#pass;
    const report = this.#onBytes;
    return this.#inner.stream().pipeThrough(
      new TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>>({
        transform(chunk, ctl) {
          report(chunk.byteLength, pass);
          ctl.enqueue(chunk);
        },
      }),
    );
  }
}

async function attach(ctx: Context, chat: string, file: string, mimeType: string | undefined): Promise<void> {
  if (!(await stat(file).catch(() => undefined))?.isFile()) throw usage(`no such file: ${file}`);
  const { client, online } = await ctx.session.connect();
  // A file is uploaded before its message can be queued: without the server there is nothing to queue.
  if (!online) {
    const t = resolveTarget(client, chat);
    const to = t.kind === 'conversation' ? t.conversation.name : t.account;
    throw new CliError(
      'NETWORK',
      `the server cannot be reached: ${basename(file)} was not sent to ${to} and nothing was queued (a file needs its upload); send it again when the server can be reached`,
      EXIT.network,
    );
  }
  const conv = await conversationForSending(client, chat, { hint: (a) => ctx.session.hint(a) });
  const sent = await sendFile(client, conv.id, file, mimeType);
  await flushOrExplain(client, conv.name);
  ctx.out.result({ id: sent.id, conversationId: conv.id, size: sent.size }, `sent ${sent.fileName} to ${conv.name} (${sent.id})`);
}

/** Sends a file into a conversation (streamed from disk, with progress bars on a terminal); the outbox delivers it. */
export async function sendFile(
  client: SottoClient,
  conversationId: string,
  file: string,
  mimeType?: string,
): Promise<{ id: string; size: number; fileName: string }> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw usage(`no such file: ${file}`);
  // The SDK reads the file twice: a first pass hashes the encrypted stream, the second uploads it.
  const bars = [new ProgressBar('encrypting', info.size), new ProgressBar('uploading ', info.size)];
  let pass = 0;
  const blob = new CountingBlob(await openAsBlob(file, mimeType ? { type: mimeType } : {}), (n, p) => {
    if (p !== pass) {
      bars[pass - 1]?.finish();
      pass = p;
    }
    bars[p - 1]?.add(n);
  });
  const fileName = basename(file);
  const id = await client.sendAttachment(conversationId, blob, { fileName, ...(mimeType ? { mimeType } : {}) });
  bars[pass - 1]?.finish();
  return { id, size: info.size, fileName };
}

async function findMessage(client: SottoClient, id: string): Promise<StoredMessage> {
  if (!/^[0-9a-f]{32}$/.test(id)) throw usage(`"${id}" is not a message id (32 hex characters, shown by \`sotto read CHAT\`)`);
  for (const c of client.listConversations()) {
    const m = await client.getMessage(c.id, id);
    if (m) return m;
  }
  throw new CliError('UNKNOWN_MESSAGE', `no message ${id} in this profile (or it has disappeared)`);
}

async function download(ctx: Context, id: string, path: string | undefined, force: boolean): Promise<void> {
  const client = await ctx.session.client({ start: true });
  const saved = await saveAttachment(client, id, path, force);
  ctx.out.result({ path: saved.path, ...saved.attachment }, `saved ${saved.path}`);
}

/**
 * Downloads and decrypts the file of message `id` to `path`: a file path, or a directory (an existing one, or a path
 * written with a trailing slash) where it is saved under the file's own name; by default the current directory.
 */
export async function saveAttachment(
  client: SottoClient,
  id: string,
  path: string | undefined,
  force: boolean,
): Promise<{ path: string; attachment: AttachmentInfo }> {
  const m = await findMessage(client, id);
  if (!m.attachment) throw new CliError('NO_ATTACHMENT', `message ${id} has no file`);
  const safeName = basename(m.attachment.fileName).replace(/^\.+/, '_') || 'attachment';
  const intoDir = path !== undefined && (/[/\\]$/.test(path) || (await stat(path).catch(() => undefined))?.isDirectory() === true);
  const target = resolve(intoDir ? join(path, safeName) : (path ?? safeName));
  if (intoDir) await mkdir(path, { recursive: true });
  if (existsSync(target) && !force) throw new CliError('EXISTS', `${target} exists (use --force to overwrite)`);
  const part = `${target}.part`;
  const fh = await open(part, 'w', 0o600);
  const bar = new ProgressBar('download', m.attachment.size);
  try {
    await client.downloadAttachment(m.conversationId, id, async (chunk) => {
      await fh.write(chunk);
      bar.add(chunk.byteLength);
    });
    await fh.sync();
    await fh.close();
    await rename(part, target);
    bar.finish();
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(part, { force: true });
    throw e;
  }
  return { path: target, attachment: m.attachment };
}

async function exportHistory(ctx: Context, out: string | undefined): Promise<void> {
  const client = await ctx.session.client();
  const conversations = [];
  for (const c of client.listConversations()) conversations.push({ ...c, messages: await client.listMessages(c.id) });
  const doc = { format: 'sotto-export', version: 1, exportedAt: new Date().toISOString(), account: client.me.account, conversations };
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (!out) return void ctx.out.io.stdout.write(text);
  await writeFile(out, text, { mode: 0o600 });
  const count = conversations.reduce((n, c) => n + c.messages.length, 0);
  ctx.out.note(`wrote ${conversations.length} conversation(s), ${count} message(s) to ${out}`);
}
