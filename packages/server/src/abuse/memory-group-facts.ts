// An in-memory GroupFacts (group-facts.ts) for unit tests: the test states who is in which group.

import type { GroupFacts } from './group-facts.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export class MemoryGroupFacts implements GroupFacts {
  readonly devices = new Map<string, string>();
  /** Group (hex id) -> its accounts and creation time. */
  readonly groups = new Map<string, { accounts: Set<string>; createdAt: number }>();

  setGroup(groupId: Uint8Array, accounts: string[], createdAt: number): void {
    this.groups.set(hex(groupId), { accounts: new Set(accounts), createdAt });
  }

  async accountOfDevice(deviceId: string): Promise<string | undefined> {
    return this.devices.get(deviceId);
  }

  async isMember(groupId: Uint8Array, account: string): Promise<boolean> {
    return this.groups.get(hex(groupId))?.accounts.has(account) ?? false;
  }

  async shareGroup(a: string, b: string, except?: Uint8Array): Promise<boolean> {
    const skip = except && hex(except);
    for (const [id, g] of this.groups) if (id !== skip && g.accounts.has(a) && g.accounts.has(b)) return true;
    return false;
  }

  async group(groupId: Uint8Array): Promise<{ accounts: number; createdAt: number } | undefined> {
    const g = this.groups.get(hex(groupId));
    return g && { accounts: g.accounts.size, createdAt: g.createdAt };
  }
}
