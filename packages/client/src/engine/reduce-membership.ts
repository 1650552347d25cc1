// Local membership and settings intents: create a 1:1 or a group, add and remove members, rename, change roles or the
// disappearing timer. Each checks the admin rule (the one every member enforces on the commit, RFC 9420 §12.4.2) and
// the arguments before any KeyPackage is claimed or commit made, and says what to commit. Pure: the shell looked up
// the conversation, the group's leaves and the claimed KeyPackages, and runs the commits.

import type { ConvRecord } from '../client/records.js';
import type { ConversationInfo } from '../client/types.js';
import type { GroupRenameBody } from '../content/content-types.js';
import { type GroupMeta, isAdmin, policyViolation, withoutAdmins } from '../conversation/group-meta.js';
import type { LeafData } from './handshake.js';
import { type IntentRefusal, refusal } from './intent.js';

type Refused = { kind: 'refuse'; refusal: IntentRefusal };

/** A group or 1:1 to create: its metadata, the accounts to add, and its name. */
export type CreatePlan = { kind: 'create'; meta: GroupMeta; accounts: string[]; name?: string };

/** A 1:1 with `account`: refused with ourselves, the existing one if there is one, or a new one where both are admins. */
export function reduceCreateDirect(
  me: string,
  account: string,
  conversations: readonly ConversationInfo[],
): Refused | { kind: 'existing'; info: ConversationInfo } | CreatePlan {
  if (account === me) return refusal('INVALID_ARGUMENT', 'a 1:1 needs another account');
  const existing = conversations.find(
    (c) => c.kind === 'direct' && c.peer === account && !['removed', 'left', 'deleted'].includes(c.state),
  );
  if (existing) return { kind: 'existing', info: existing };
  return { kind: 'create', meta: { v: 2, kind: 'direct', owner: me, admins: [me, account], timerSeconds: 0 }, accounts: [account] };
}

/** A group owned by this account; the members are each account once, without us. */
export function reduceCreateGroup(
  me: string,
  o: { name: string; members: readonly string[]; admins?: readonly string[]; timerSeconds?: number },
): CreatePlan {
  const accounts = [...new Set(o.members)].filter((a) => a !== me);
  const meta: GroupMeta = { v: 2, kind: 'group', owner: me, admins: [me, ...(o.admins ?? [])], timerSeconds: o.timerSeconds ?? 0 };
  return { kind: 'create', meta, accounts, name: o.name };
}

/** A creation goes ahead only when every account has a device able to join: otherwise it fails naming them. */
export function createClaimsRefusal(accounts: readonly string[], claimed: readonly { account: string }[]): IntentRefusal | undefined {
  const without = accounts.filter((a) => !claimed.some((k) => k.account === a));
  if (without.length === 0) return undefined;
  return { code: 'NO_DEVICES', message: `${without.join(', ')}: no device able to join right now (it must come online once)` };
}

export interface MembershipFacts {
  me: string;
  meta: GroupMeta;
  leaves: readonly LeafData[];
}

/**
 * Add accounts: only those with no device in the group yet, each allowed by the admin rule. Says which to look up and
 * claim, and which devices are present already (their KeyPackages are skipped).
 */
export function reduceAdd(
  f: MembershipFacts,
  accounts: readonly string[],
): Refused | { kind: 'noop' } | { kind: 'add'; fresh: string[]; present: Set<string> } {
  const fresh = accounts.filter((a) => !f.leaves.some((l) => l.account === a));
  for (const a of fresh) {
    const v = policyViolation({ committer: f.me, addedAccounts: [a], removedAccounts: [], before: f.meta, after: f.meta });
    if (v) return refusal('FORBIDDEN', v);
  }
  if (fresh.length === 0) return { kind: 'noop' };
  return { kind: 'add', fresh, present: new Set(f.leaves.map((l) => l.deviceId)) };
}

/** An add needs at least one device to add. */
export function addClaimsRefusal(claimed: number): IntentRefusal | undefined {
  return claimed === 0 ? { code: 'NO_DEVICES', message: 'none of these accounts has a device to add' } : undefined;
}

/** KeyPackages of devices not in the group yet (the group may have moved since they were claimed). */
export function freshKeyPackages<K extends { deviceId: string }>(kps: readonly K[], leaves: readonly LeafData[]): K[] {
  const present = new Set(leaves.map((l) => l.deviceId));
  return kps.filter((k) => !present.has(k.deviceId));
}

/** Remove accounts: allowed by the admin rule, or refused. */
export function reduceRemove(f: Omit<MembershipFacts, 'leaves'>, accounts: readonly string[]): Refused | { kind: 'remove' } {
  const v = policyViolation({ committer: f.me, addedAccounts: [], removedAccounts: [...accounts], before: f.meta, after: f.meta });
  return v ? refusal('FORBIDDEN', v) : { kind: 'remove' };
}

/** The leaves of the accounts to remove (every device of each), or undefined when none is in the group. */
export function leavesToRemove(leaves: readonly LeafData[], accounts: readonly string[]): number[] | undefined {
  const out = leaves.filter((l) => accounts.includes(l.account)).map((l) => l.leafIndex);
  return out.length > 0 ? out : undefined;
}

/** A removed admin leaves the admin list too (the owner stays): the metadata to commit next, or undefined if none was. */
export function adminsAfterRemoval(meta: GroupMeta, accounts: readonly string[]): GroupMeta | undefined {
  if (!accounts.some((a) => meta.admins.includes(a) && a !== meta.owner)) return undefined;
  return withoutAdmins(meta, accounts);
}

/** The metadata without these accounts as admins (the owner stays one): the contract package's, which the server runs too. */
export { withoutAdmins };

/** Rename a group (admins only, at most 256 characters): the body to send and the record to store. */
export function reduceRename(
  f: { me: string; meta: GroupMeta; record: ConvRecord },
  name: string,
): Refused | { kind: 'rename'; body: GroupRenameBody; record: ConvRecord } {
  if (f.meta.kind !== 'group') return refusal('INVALID_ARGUMENT', 'only a group has a name');
  if (!isAdmin(f.meta, f.me)) return refusal('FORBIDDEN', 'only admins rename the group');
  if ([...name].length > 256) return refusal('INVALID_ARGUMENT', 'a group name has at most 256 characters');
  return { kind: 'rename', body: { type: 'group-rename', name }, record: { ...f.record, name } };
}

/** The metadata with `account` made an admin or a member (the owner stays an admin). */
export function withRole(meta: GroupMeta, account: string, role: 'admin' | 'member'): GroupMeta {
  return role === 'admin' ? { ...meta, admins: [...new Set([...meta.admins, account])] } : withoutAdmins(meta, [account]);
}

/** The disappearing timer must be a whole number of seconds (0 = off). */
export function timerRefusal(seconds: number): IntentRefusal | undefined {
  if (!Number.isInteger(seconds) || seconds < 0) return { code: 'INVALID_ARGUMENT', message: 'timer must be a whole number of seconds' };
  return undefined;
}

/** A change of roles or settings: allowed by the admin rule (admins only; owner, kind and proof stay), or refused. */
export function metaChangeRefusal(me: string, before: GroupMeta, after: GroupMeta): IntentRefusal | undefined {
  const v = policyViolation({ committer: me, addedAccounts: [], removedAccounts: [], before, after });
  return v ? { code: 'FORBIDDEN', message: v } : undefined;
}

/**
 * A 1:1 whose peer has no device in it would take messages nowhere: the peer to add back before sending, if any
 * (only for an accepted 1:1 of a started client; offline the message waits in the outbox).
 */
export function peerToRestore(f: MembershipFacts & { record: ConvRecord; started: boolean }): string | undefined {
  if (f.meta.kind !== 'direct' || f.record.state !== 'active' || !f.started) return undefined;
  const peer = f.meta.admins.find((a) => a !== f.me);
  if (!peer || f.leaves.some((l) => l.account === peer)) return undefined;
  return peer;
}
