// Budgets of one-time KeyPackage claims (RFC 9420 §10, §16.8): per claiming account, per claiming account and
// target account, and per target account, each per hour. Past a budget a claim is answered with the target's
// last-resort KeyPackages instead of an error, so nobody can drain another account's one-time KeyPackages.
import type { Config } from '../config/config.js';
import { RateLimiter } from '../util/rate-limiter.js';

const HOUR = 3600;

export class KeyPackageClaimLimits {
  private readonly byClaimer: RateLimiter;
  private readonly byPair: RateLimiter;
  private readonly byTarget: RateLimiter;

  constructor(
    cfg: Config['keyPackages'],
    private readonly onLimit: (limit: string) => void = () => {},
  ) {
    this.byClaimer = new RateLimiter(cfg.claimsPerAccountPerHour / HOUR, cfg.claimsPerAccountPerHour);
    this.byPair = new RateLimiter(cfg.claimsPerAccountAndTargetPerHour / HOUR, cfg.claimsPerAccountAndTargetPerHour);
    this.byTarget = new RateLimiter(cfg.claimsPerTargetPerHour / HOUR, cfg.claimsPerTargetPerHour);
  }

  /**
   * True when `claimer` (an account) may consume one-time KeyPackages of `target` now, and then spends one unit of
   * each budget; false means "hand out last-resort KeyPackages only". An account claiming its own devices is free.
   */
  allowOneTime(claimer: string, target: string, now: number): boolean {
    if (claimer === target) return true;
    const pair = `${claimer}\n${target}`;
    if (!this.byClaimer.has(claimer, now) || !this.byPair.has(pair, now) || !this.byTarget.has(target, now)) {
      this.onLimit('key_package_claims');
      return false;
    }
    this.byClaimer.take(claimer, now);
    this.byPair.take(pair, now);
    this.byTarget.take(target, now);
    return true;
  }
}
