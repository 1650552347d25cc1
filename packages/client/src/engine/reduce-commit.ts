// The commit decision (RFC 9420 §12.4.2), taken after the shell processed the commit in MLS and checked its leaves:
// refuse and freeze, removed, policy violation, or apply with its membership and device-change notices. Pure.

import type { ConvRecord } from '../client/records.js';
import { type GroupMeta, policyViolation } from '../conversation/group-meta.js';
import { type DeviceChange, deviceChanges } from '../safety/device-changes.js';
import { accountsOf, type LeafData, type Refusal, type RuleVerdict } from './handshake.js';

/** Who sent the commit, as the framing says (RFC 9420 §6: sender types). */
export type CommitSender = { type: 'member'; leafIndex: number } | { type: 'new-member-commit' } | { type: 'other' };

/**
 * The committer's leaf: a member commits as its leaf; an external commit (a resync) must add a device of an account
 * already in the group. Undefined means a commit from a non-member, which the shell refuses before anything else.
 */
export function committerOf(sender: CommitSender, oldLeaves: readonly LeafData[], added: readonly LeafData[]): LeafData | undefined {
  if (sender.type === 'member') return oldLeaves.find((l) => l.leafIndex === sender.leafIndex);
  if (sender.type === 'new-member-commit') return added.find((l) => oldLeaves.some((o) => o.account === l.account));
  return undefined;
}

/** A removed leaf, with the leaf index of the member that proposed its removal (absent for another sender type). */
export interface RemovedLeaf extends LeafData {
  proposer?: number;
}

/**
 * Accounts that removed themselves (leaving, RFC 9420 §12.1.3): every leaf of theirs the commit removes was proposed
 * for removal by a device of that same account.
 */
export function selfRemovedAccounts(oldLeaves: readonly LeafData[], removed: readonly RemovedLeaf[]): string[] {
  const proposerAccount = (r: RemovedLeaf) => oldLeaves.find((l) => l.leafIndex === r.proposer)?.account;
  return accountsOf(removed).filter((a) => removed.every((r) => r.account !== a || proposerAccount(r) === a));
}

export interface CommitInput {
  conversationId: string;
  record: ConvRecord;
  committer: LeafData;
  oldLeaves: readonly LeafData[];
  newLeaves: readonly LeafData[];
  added: readonly LeafData[];
  removed: readonly RemovedLeaf[];
  removedSelf: boolean;
  before: GroupMeta;
  after: GroupMeta;
  /** The identity rule on the commit: no leaf changed identity, every new leaf checked. */
  identity: RuleVerdict;
  /** This device's account ('' when unknown: then no account is left out of the notices). */
  me: string;
}

export type CommitDecision =
  /** Refused and frozen at the last good epoch; the record carries the security notice. */
  | { kind: 'refuse'; record: ConvRecord; notice: Refusal }
  /**
   * This device was removed ('removed'), or its account left ('left'): the record says so, the pending commit and
   * past-epoch states are wiped.
   */
  | { kind: 'removed'; record: ConvRecord; wipePast: true }
  /** The commit breaks the admin policy: frozen with the reason, and a warning. */
  | { kind: 'violation'; record: ConvRecord; warning: { code: 'POLICY_VIOLATION'; message: string } }
  | {
      kind: 'apply';
      /** A `membership` event, when accounts (not only devices) came, were removed or left on their own. */
      membership?: { by: string; added: string[]; removed: string[]; left?: string[] };
      /** Accounts of other people whose devices came or went: their device lists are refreshed after the commit. */
      refreshContacts: string[];
      /** Known accounts that gained or lost a device: a notice in the conversation and a `device-change` event. */
      deviceChanges: DeviceChange[];
    };

export function reduceCommit(c: CommitInput): CommitDecision {
  // A failure of the identity rule refuses the commit and freezes the conversation, with a notice naming the account.
  if (!c.identity.ok) {
    const notice: Refusal = { code: c.identity.code, account: c.identity.account, reason: c.identity.reason };
    return { kind: 'refuse', record: { ...c.record, security: { code: notice.code, account: notice.account } }, notice };
  }
  const selfRemoved = selfRemovedAccounts(c.oldLeaves, c.removed);
  if (c.removedSelf) {
    const left = c.record.state === 'left' || (c.me !== '' && selfRemoved.includes(c.me));
    return { kind: 'removed', record: { ...c.record, state: left ? 'left' : 'removed' }, wipePast: true };
  }
  const violation = policyViolation({
    committer: c.committer.account,
    addedAccounts: accountsOf(c.added),
    removedAccounts: accountsOf(c.removed),
    selfRemovedAccounts: selfRemoved,
    before: c.before,
    after: c.after,
  });
  if (violation) {
    const message = `refused a commit by ${c.committer.account}: ${violation}`;
    return { kind: 'violation', record: { ...c.record, policyViolation: violation }, warning: { code: 'POLICY_VIOLATION', message } };
  }
  // Accounts, not devices: an account that gained a device was already a member, and one that lost a device but kept
  // another still is (device changes have their own notice).
  const addedAccounts = accountsOf(c.added).filter((a) => !c.oldLeaves.some((l) => l.account === a));
  const goneAccounts = accountsOf(c.removed).filter((a) => !c.newLeaves.some((l) => l.account === a));
  const left = goneAccounts.filter((a) => selfRemoved.includes(a));
  const removedAccounts = goneAccounts.filter((a) => !left.includes(a));
  const membership =
    addedAccounts.length || goneAccounts.length
      ? { by: c.committer.account, added: addedAccounts, removed: removedAccounts, ...(left.length ? { left } : {}) }
      : undefined;
  return {
    kind: 'apply',
    ...(membership ? { membership } : {}),
    refreshContacts: accountsOf([...c.added, ...c.removed]).filter((a) => a !== c.me),
    deviceChanges: deviceChanges(c.oldLeaves, c.newLeaves, c.me),
  };
}
