// Device changes of other accounts in a group: which known accounts gained or lost a device leaf in one commit
// (RFC 9420 §12.4: the tree before and after a commit). Pure: the caller hands it the leaves and says who it is.

/** What a leaf says about who holds it (from its verified credential). */
export interface LeafIdentity {
  account: string;
  deviceId: string;
}

/** One account that was in the group before the commit and still is, with the devices it gained or lost. */
export interface DeviceChange {
  account: string;
  added: string[];
  removed: string[];
}

/**
 * The device changes to show to `me`: an account other than `me` that had a leaf before and has one after, whose set
 * of devices changed (a new device of a known account, or one of its devices gone). An account joining or leaving
 * the group as a whole is a membership change, not a device change, and is left out. Sorted by account, then id.
 */
export function deviceChanges(before: readonly LeafIdentity[], after: readonly LeafIdentity[], me: string): DeviceChange[] {
  const devicesOf = (leaves: readonly LeafIdentity[]) => {
    const m = new Map<string, Set<string>>();
    for (const l of leaves) {
      if (l.account === me) continue;
      const set = m.get(l.account) ?? new Set<string>();
      set.add(l.deviceId);
      m.set(l.account, set);
    }
    return m;
  };
  const was = devicesOf(before);
  const now = devicesOf(after);
  const out: DeviceChange[] = [];
  for (const [account, old] of was) {
    const cur = now.get(account);
    if (!cur) continue;
    const added = [...cur].filter((d) => !old.has(d)).sort();
    const removed = [...old].filter((d) => !cur.has(d)).sort();
    if (added.length > 0 || removed.length > 0) out.push({ account, added, removed });
  }
  return out.sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
}
