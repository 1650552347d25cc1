// Leaving a group (RFC 9420 §12.1.3: a member cannot commit its own removal, so it proposes it and another member
// commits): whether this account may leave and which leaves it proposes to remove, whether a received Remove proposal is
// kept, and what a member commits for the pending ones. Pure: the shell reads the tree and the pending proposals.

import type { ConvRecord } from '../client/records.js';
import { encodeGroupMeta, type GroupMeta, withoutAdmins } from '../conversation/group-meta.js';
import type { LeafData } from './handshake.js';
import { commitRefusal, type IntentRefusal, refusal } from './intent.js';

/** A Remove proposal cached in this epoch: the leaf it removes and the member leaf that proposed it. */
export interface PendingRemoval {
  removed: number;
  proposer?: number;
}

/** Leave: only a group (a 1:1 is deleted, not left); every leaf of this account is proposed for removal. */
export function reduceLeave(f: {
  me: string;
  meta: GroupMeta;
  record: ConvRecord;
  leaves: readonly LeafData[];
}): { kind: 'refuse'; refusal: IntentRefusal } | { kind: 'noop' } | { kind: 'leave'; leaves: number[] } {
  if (f.meta.kind !== 'group') return refusal('INVALID_ARGUMENT', 'a 1:1 conversation cannot be left; delete it instead');
  if (f.record.state === 'left') return { kind: 'noop' };
  if (f.record.state === 'removed') return refusal('FORBIDDEN', `this device is no longer in conversation ${f.record.id}`);
  const leaves = f.leaves.filter((l) => l.account === f.me).map((l) => l.leafIndex);
  if (leaves.length === 0) return refusal('INTERNAL', 'none of this account’s devices is in the group');
  return { kind: 'leave', leaves };
}

/**
 * A received Remove proposal: kept (cached for a commit by reference) only when the proposer removes a device of its
 * own account; anything else is an attempt to remove another account without being an admin's commit, and is dropped.
 * `commit`: this device commits it promptly (it is not itself being removed, and may commit here). `left`: another
 * device of this account is leaving the group, taking this one along: this device is left from now on too.
 */
export function reduceRemoveProposal(f: {
  me: string;
  ownLeaf: number;
  record: ConvRecord;
  leaves: readonly LeafData[];
  proposal: PendingRemoval;
}): { kind: 'keep'; commit: boolean; left: boolean } | { kind: 'drop'; warning: { code: 'POLICY_VIOLATION'; message: string } } {
  const removed = f.leaves.find((l) => l.leafIndex === f.proposal.removed);
  const proposer = f.leaves.find((l) => l.leafIndex === f.proposal.proposer);
  if (!removed || !proposer || removed.account !== proposer.account) {
    const who = proposer?.account ?? 'a non-member';
    const message = `dropped a proposal by ${who} to remove ${removed?.account ?? 'an unknown leaf'}: only an admin's commit removes another account`;
    return { kind: 'drop', warning: { code: 'POLICY_VIOLATION', message } };
  }
  const commit = removed.account !== f.me && commitRefusal(f.record) === undefined;
  return { kind: 'keep', commit, left: removed.leafIndex === f.ownLeaf && f.record.state !== 'left' && f.record.state !== 'removed' };
}

/**
 * The commit of the pending self-removals, by reference: undefined when there is none, or when one removes this
 * account (it cannot commit its own removal). Accounts that leave entirely also leave the admin list in the same commit
 * (the owner stays one: the owner proof names the creator for good). `departing`: the accounts with no device left after.
 */
export function leaveCommit(f: {
  me: string;
  meta: GroupMeta;
  leaves: readonly LeafData[];
  pending: readonly PendingRemoval[];
}): { meta?: GroupMeta; departing: string[] } | undefined {
  const accountOf = (i: number | undefined) => f.leaves.find((l) => l.leafIndex === i)?.account;
  const own = f.pending.filter((p) => accountOf(p.removed) !== undefined && accountOf(p.removed) === accountOf(p.proposer));
  if (own.length === 0 || own.some((p) => accountOf(p.removed) === f.me)) return undefined;
  const removed = new Set(own.map((p) => p.removed));
  const leaving = [...new Set(own.map((p) => accountOf(p.removed)!))];
  const departing = leaving.filter((a) => f.leaves.every((l) => l.account !== a || removed.has(l.leafIndex)));
  const meta = withoutAdmins(f.meta, departing);
  const same = JSON.stringify(encodeGroupMeta(meta)) === JSON.stringify(encodeGroupMeta(f.meta));
  return same ? { departing } : { meta, departing };
}
