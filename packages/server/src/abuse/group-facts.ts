// What the abuse signals read of the Delivery Service's metadata: which accounts have devices in which groups (the
// delivery lists the verifier derives from each verified tree), and when a group was created. Read-only port;
// implemented over the server's tables (sqlite-group-facts.ts) and in memory for tests (memory-group-facts.ts).

export interface GroupFacts {
  /** The account of a registered device. */
  accountOfDevice(deviceId: string): Promise<string | undefined>;
  /** Whether any device of `account` is in the group's delivery list. */
  isMember(groupId: Uint8Array, account: string): Promise<boolean>;
  /** Whether `a` and `b` both have a device in some group other than `except`. */
  shareGroup(a: string, b: string, except?: Uint8Array): Promise<boolean>;
  /** How many accounts a group has and when it was created; undefined for an unknown group. */
  group(groupId: Uint8Array): Promise<{ accounts: number; createdAt: number } | undefined>;
}
