// Output: what a command prints, as text for people or as JSON (--json) for scripts. Errors go to stderr.

import type { ConversationInfo, SecurityNotice, StoredMessage } from '@sotto/client';
import { formatBytes } from './progress-bar.js';

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export class Output {
  readonly json: boolean;
  readonly io: Io;

  constructor(json: boolean, io: Io) {
    this.json = json;
    this.io = io;
  }

  /** One result: `value` as a JSON line with --json, else `text` (a string or lines). */
  result(value: unknown, text: string | string[]): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(value)}\n`);
    else {
      const t = Array.isArray(text) ? text.join('\n') : text;
      if (t !== '') this.io.stdout.write(`${t}\n`);
    }
  }

  /** A progress or status note for people: stderr, never in the way of piped output. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }
}

export function formatTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

const STATUS_MARK: Record<string, string> = { sending: '…', sent: '✓', delivered: '✓✓', read: '✓✓ read', failed: '✗ failed' };

/** One message as one line: `[time] sender: text`, with attachment, edit, reactions and delivery marks. */
export function formatMessage(m: StoredMessage, me?: string, o: { live?: boolean } = {}): string {
  const who = m.outgoing || m.sender === me ? 'you' : m.sender;
  let body: string;
  if (m.deleted) body = '(deleted)';
  else if (m.kind === 'attachment' && m.attachment)
    body = `[file ${m.attachment.fileName}, ${formatBytes(m.attachment.size)}: sotto download ${m.id}]`;
  else if (m.kind === 'system') body = `* ${m.text ?? ''}`;
  else body = m.text ?? '';
  if (m.quote !== undefined) body = `> ${m.quote}\n  ${body}`;
  const extras: string[] = [];
  if (m.editedAt) extras.push('(edited)');
  const reactions = Object.entries(m.reactions).map(([emoji, who]) => `${emoji}${who.length > 1 ? who.length : ''}`);
  if (reactions.length > 0) extras.push(reactions.join(' '));
  if (m.outgoing && m.status && !(o.live && m.status === 'sending')) extras.push(STATUS_MARK[m.status] ?? m.status);
  return `[${formatTime(m.sentAt)}] ${who}: ${body}${extras.length ? `  ${extras.join(' ')}` : ''}`;
}

/** One conversation as one line: name, kind, state, members, id. */
export function formatConversation(c: ConversationInfo): string {
  const state = c.state === 'active' ? '' : ` [${c.state}]`;
  const kind = c.kind === 'direct' ? '1:1' : `group, ${c.members.length} members`;
  return `${c.name || '(unnamed)'}  (${kind})${state}  ${c.id}`;
}

/** One security notice of a conversation as one line, with the command that answers it. */
export function formatNotice(n: SecurityNotice, hint: (args: string) => string): string {
  const a = n.account;
  switch (n.code) {
    case 'KEY_CHANGED':
      return n.pending
        ? `! security: the account key of ${a} changed. Sending to ${a} waits until you look at the new safety number and accept it: \`${hint(`verify ${a} --accept`)}\``
        : `! security: the account key of ${a} changed (a reinstall, or someone else). Compare the new safety number: \`${hint(`verify ${a}`)}\``;
    case 'IDENTITY_MISMATCH':
      return `! security: a device claiming to be ${a} was not certified by the key this device holds for ${a}: the change was refused and the conversation is frozen`;
    case 'UNLISTED_DEVICE':
      return `! security: a device of ${a} that ${a}'s device list does not name was refused: the conversation is frozen`;
    case 'OWNER_MISMATCH':
      return `! security: this group names ${a} as its owner, but ${a} did not create it`;
    case 'FRANKING_INVALID':
      return `! security: a message from ${a} was dropped: its franking did not verify, so it could not have been reported`;
  }
}

/** A stable key for a notice (to show each one once in a long-running command). */
export function noticeKey(n: SecurityNotice): string {
  return `${n.code}:${n.account}:${n.pending === true ? 'pending' : ''}`;
}
