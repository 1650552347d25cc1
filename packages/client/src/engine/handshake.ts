// What the handshake reducers read and decide: plain data the shell computes from MLS (leaves, committer, metadata)
// and from the identity rule (verdicts), and the refusal they hand back (RFC 9420 §12.4, §12.4.3.1).

import type { SecurityCode } from '../client/types.js';

/** One leaf of the ratchet tree, as its verified credential names it (the shell's LeafInfo has this shape). */
export interface LeafData {
  leafIndex: number;
  account: string;
  deviceId: string;
}

/** Why a Welcome or commit is refused: the account named and a reason safe to show and log (no key bytes). */
export interface Refusal {
  code: SecurityCode;
  account: string;
  reason: string;
}

/** A verdict of the identity rule, computed by the shell (it may ask the directory). */
export type RuleVerdict = { ok: true } | ({ ok: false } & Refusal);

/** What this device knows of an account it is not: whether the user accepted or blocked it. */
export interface ContactFacts {
  accepted: boolean;
  blocked: boolean;
}

/** Distinct accounts of some leaves, in first-seen order. */
export const accountsOf = (leaves: readonly LeafData[]): string[] => [...new Set(leaves.map((l) => l.account))];
