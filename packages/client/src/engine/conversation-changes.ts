// What a commit changed in a conversation, as the system items its history shows: members added or removed, roles,
// the disappearing timer; and a rename (which travels as content). Pure: old and new facts in, changes out.

import type { GroupMeta, MemberRole } from '../conversation/group-meta.js';

export type SystemChange =
  | { type: 'members-added'; by: string; accounts: string[] }
  | { type: 'members-removed'; by: string; accounts: string[] }
  | { type: 'role'; by: string; account: string; role: MemberRole }
  | { type: 'timer'; by: string; seconds: number }
  | { type: 'rename'; by: string; name: string }
  | { type: 'device'; account: string; added: string[]; removed: string[] };

export interface ConversationFacts {
  meta: GroupMeta | undefined;
  /** Accounts with at least one device in the group. */
  accounts: readonly string[];
}

const roleIn = (meta: GroupMeta, account: string): MemberRole =>
  meta.owner === account ? 'owner' : meta.admins.includes(account) ? 'admin' : 'member';

/** The changes between two epochs of one conversation, committed by `by`. */
export function conversationChanges(before: ConversationFacts, after: ConversationFacts, by: string): SystemChange[] {
  const out: SystemChange[] = [];
  const was = new Set(before.accounts);
  const now = new Set(after.accounts);
  const b = before.meta;
  const a = after.meta;
  // A 1:1's two people are the conversation itself: its (re)joins are not news. A group's membership is.
  if (a?.kind !== 'direct') {
    const added = after.accounts.filter((x) => !was.has(x));
    const removed = before.accounts.filter((x) => !now.has(x));
    if (added.length > 0) out.push({ type: 'members-added', by, accounts: [...added].sort() });
    if (removed.length > 0) out.push({ type: 'members-removed', by, accounts: [...removed].sort() });
  }
  if (!a || !b) return out;
  // A 1:1's "admins" are both people: roles mean nothing there.
  if (a.kind === 'group')
    for (const account of after.accounts) {
      if (!was.has(account)) continue;
      const r0 = roleIn(b, account);
      const r1 = roleIn(a, account);
      if (r0 !== r1) out.push({ type: 'role', by, account, role: r1 });
    }
  if (a.timerSeconds !== b.timerSeconds) out.push({ type: 'timer', by, seconds: a.timerSeconds });
  return out;
}

function duration(s: number): string {
  const unit = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  if (s % 604800 === 0) return unit(s / 604800, 'week');
  if (s % 86400 === 0) return unit(s / 86400, 'day');
  if (s % 3600 === 0) return unit(s / 3600, 'hour');
  if (s % 60 === 0) return unit(s / 60, 'minute');
  return unit(s, 'second');
}

/** The English line for a change (apps translate from the structured `system` field; the CLI prints this). */
export function systemText(c: SystemChange): string {
  switch (c.type) {
    case 'members-added':
      return `${c.by} added ${c.accounts.join(', ')}`;
    case 'members-removed':
      return c.accounts.length === 1 && c.accounts[0] === c.by ? `${c.by} left` : `${c.by} removed ${c.accounts.join(', ')}`;
    case 'role':
      return c.role === 'member' ? `${c.by} made ${c.account} a member (no longer an admin)` : `${c.by} made ${c.account} an ${c.role}`;
    case 'timer':
      return c.seconds === 0 ? `${c.by} turned disappearing messages off` : `${c.by} set disappearing messages to ${duration(c.seconds)}`;
    case 'rename':
      return `${c.by} renamed the group to "${c.name}"`;
    case 'device': {
      const n = (k: number) => (k === 1 ? 'a device' : `${k} devices`);
      const parts: string[] = [];
      if (c.added.length > 0) parts.push(`added ${n(c.added.length)} (${c.added.join(', ')})`);
      if (c.removed.length > 0) parts.push(`removed ${n(c.removed.length)} (${c.removed.join(', ')})`);
      return `${c.account} ${parts.join(' and ')}: compare safety numbers if you did not expect it`;
    }
  }
}
