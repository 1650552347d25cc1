// The pending-commit decision (RFC 9420 §14: the Delivery Service accepts one commit per epoch): after the answer to
// our commit was lost, adopt its state only on proof that it won its epoch, keep waiting, or discard it. Pure: the
// shell asks the server and compares the GroupInfo bytes.

export type PendingCommitOutcome = 'adopt' | 'keep' | 'discard';

/** A pending commit still applies only while the group is at the epoch it was built on. */
export function pendingStillApplies(localEpoch: bigint | undefined, pendingEpoch: bigint): boolean {
  return localEpoch === pendingEpoch;
}

/** The server's GroupInfo is worth fetching only when the server is exactly one epoch past the pending commit's. */
export function needsServerGroupInfo(pendingEpoch: bigint, serverEpoch: bigint): boolean {
  return serverEpoch === pendingEpoch + 1n;
}

export interface PendingCommitFacts {
  /** The group epoch the pending commit was built on. */
  pendingEpoch: bigint;
  /** The server's epoch of the group; undefined when the server could not be asked. */
  serverEpoch: bigint | undefined;
  /** The server's GroupInfo (fetched when `needsServerGroupInfo`): its epoch, and whether its bytes equal ours. */
  serverGroupInfo?: { epoch: bigint; equalsOurs: boolean };
}

/**
 * Ours won the epoch when the server is one epoch past it and its GroupInfo of that epoch is the one we uploaded with
 * the commit (its bytes are a function of the new state): adopt. Further on, keep it: a message of the epoch after it
 * (which only our state can read) settles it. Unreachable: keep. Otherwise another commit won: discard.
 */
export function decidePendingCommit(f: PendingCommitFacts): PendingCommitOutcome {
  if (f.serverEpoch === undefined) return 'keep';
  if (f.serverEpoch > f.pendingEpoch + 1n) return 'keep';
  const info = f.serverGroupInfo;
  const ours = needsServerGroupInfo(f.pendingEpoch, f.serverEpoch) && info !== undefined && info.epoch === f.serverEpoch && info.equalsOurs;
  return ours ? 'adopt' : 'discard';
}
