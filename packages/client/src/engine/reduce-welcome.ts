// The Welcome decision (RFC 9420 §12.4.3.1): join the group as an active conversation, a message request or a blocked
// one, or refuse it with a security notice. Pure: the shell joined the group in MLS and checked its leaves.

import type { ConvRecord } from '../client/records.js';
import { constantTimeEqual } from '../util/bytes.js';
import type { ContactFacts, LeafData, Refusal, RuleVerdict } from './handshake.js';

/** One of this device's unused KeyPackages: its store key, its leaf's encryption key, and whether it is the last resort. */
export interface OwnKeyPackage {
  ref: string;
  encryptionKey: Uint8Array;
  lastResort: boolean;
}

export interface WelcomeInput {
  conversationId: string;
  /** The epoch the Welcome joins at. */
  epoch: bigint;
  leaves: readonly LeafData[];
  /** The leaf that signed the GroupInfo. */
  committer: number;
  /** The owner the group's metadata names. */
  metaOwner: string;
  /** The identity rule on the whole tree. */
  identity: RuleVerdict;
  /** The owner proof (ID-OWNER); the shell asks only once `identity` passed, so it is absent when that refused. */
  owner?: RuleVerdict;
  me: { account: string };
  /** What the user said about the adder (absent when the adder is this account, or not a contact). */
  adderContact?: ContactFacts;
  /** This device's own leaf encryption key in the joined group, and the KeyPackages it holds. */
  ownLeafKey?: Uint8Array;
  keyPackages: readonly OwnKeyPackage[];
  now: number;
}

export type WelcomeDecision =
  /** Not a member of the group it claims to come from: the shell throws FORBIDDEN (a warning, nothing joined). */
  | { kind: 'invalid'; reason: string }
  /** Not joined: tell the user which account and why. */
  | { kind: 'refuse'; notice: Refusal }
  | {
      kind: 'join';
      record: ConvRecord;
      /** KeyPackages this Welcome used up, deleted in the same transaction. */
      deleteKeyPackages: string[];
      /** States of an earlier membership of the same group are wiped before the new one is stored. */
      wipePast: true;
      /** Events raised once the join is durable, in order (`request` for a conversation the user must accept). */
      events: Array<'conversation' | 'request'>;
    };

/** Who added this device: the leaf that signed the GroupInfo, not what the metadata says. */
export function welcomeAdder(leaves: readonly LeafData[], committer: number): LeafData | undefined {
  return leaves.find((l) => l.leafIndex === committer);
}

export function reduceWelcome(w: WelcomeInput): WelcomeDecision {
  // The identity rule on the whole tree: one leaf that fails refuses the Welcome (the group is not joined).
  if (!w.identity.ok) return refuse(w.identity);
  const adder = welcomeAdder(w.leaves, w.committer);
  if (!adder) return { kind: 'invalid', reason: 'the Welcome is signed by no member' };
  // The owner is who created the group, proven at any epoch (ID-OWNER), not whatever the metadata's writer claims.
  if (w.owner && !w.owner.ok) return refuse(w.owner);
  // A Welcome of the group's first commit comes from its creator: the owner the metadata names must be that account.
  if (w.epoch === 1n && w.metaOwner !== adder.account) {
    const reason = `the group's metadata names ${w.metaOwner} as owner, but ${adder.account} created it`;
    return { kind: 'refuse', notice: { code: 'OWNER_MISMATCH', account: w.metaOwner, reason } };
  }
  // A request unless the account that verifiably added this device is ours or an accepted contact.
  const ours = adder.account === w.me.account;
  const contact = ours ? undefined : w.adderContact;
  const state: ConvRecord['state'] = contact?.blocked ? 'blocked' : ours || contact?.accepted ? 'active' : 'request';
  const record: ConvRecord = { id: w.conversationId, state, createdAt: w.now, lastUpdateAt: w.now, addedBy: adder.account };
  return {
    kind: 'join',
    record,
    deleteKeyPackages: usedKeyPackages(w.keyPackages, w.ownLeafKey),
    wipePast: true,
    events: state === 'request' ? ['conversation', 'request'] : ['conversation'],
  };
}

/** The KeyPackage the Welcome used: its leaf encryption key is now our leaf's. A last-resort one is kept. */
function usedKeyPackages(kps: readonly OwnKeyPackage[], ownLeafKey: Uint8Array | undefined): string[] {
  if (!ownLeafKey) return [];
  return kps.filter((k) => !k.lastResort && constantTimeEqual(k.encryptionKey, ownLeafKey)).map((k) => k.ref);
}

function refuse(v: Refusal): WelcomeDecision {
  return { kind: 'refuse', notice: { code: v.code, account: v.account, reason: v.reason } };
}
