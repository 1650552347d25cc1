// Caps for young accounts (younger than newAccounts.ageSeconds): groups created and devices added to groups per
// hour, so a freshly registered account cannot spam thousands of users into conversations. Older accounts are free.
import type { Config } from '../config/config.js';
import { SottoError } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import { RateLimiter } from '../util/rate-limiter.js';

const HOUR = 3600;

export class GroupCaps {
  private readonly groups: RateLimiter;
  private readonly devices: RateLimiter;

  constructor(
    private readonly storage: Storage,
    private readonly cfg: Config['newAccounts'],
    private readonly onLimit: (limit: string) => void = () => {},
  ) {
    this.groups = new RateLimiter(cfg.groupsPerHour / HOUR, cfg.groupsPerHour);
    this.devices = new RateLimiter(cfg.devicesAddedPerHour / HOUR, cfg.devicesAddedPerHour);
  }

  private async isYoung(account: string, now: number): Promise<boolean> {
    const a = await this.storage.getAccount(account);
    return a !== undefined && now - a.createdAt < this.cfg.ageSeconds * 1000;
  }

  /** Counts one group created by `account`; throws LIMIT_EXCEEDED when a young account is past its hourly cap. */
  async onGroupCreated(account: string, now: number): Promise<void> {
    if (!(await this.isYoung(account, now))) return;
    if (this.groups.take(account, now)) return;
    this.onLimit('new_account_groups');
    throw new SottoError('LIMIT_EXCEEDED', `a new account may create at most ${this.cfg.groupsPerHour} groups per hour`);
  }

  /** Counts `n` devices added to groups by `account`; throws LIMIT_EXCEEDED when a young account is past its hourly cap. */
  async onDevicesAdded(account: string, n: number, now: number): Promise<void> {
    if (n <= 0 || !(await this.isYoung(account, now))) return;
    if (this.devices.take(account, now, n)) return;
    this.onLimit('new_account_devices_added');
    throw new SottoError('LIMIT_EXCEEDED', `a new account may add at most ${this.cfg.devicesAddedPerHour} devices to groups per hour`);
  }
}
