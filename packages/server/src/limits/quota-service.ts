// Per-account storage quotas: bytes an account has sent that still wait in queues, and bytes of its unexpired
// blobs. Checked before the bytes are accepted; sends in flight at the same moment may overshoot by their own size.
import type { Config } from '../config/config.js';
import { SottoError } from '../errors.js';
import type { Storage } from '../storage/storage.js';

export class QuotaService {
  constructor(
    private readonly storage: Storage,
    private readonly quotas: Config['quotas'],
    private readonly onLimit: (limit: string) => void = () => {},
  ) {}

  /** Throws QUOTA_EXCEEDED when `account` may not queue `bytes` more (a message plus its Welcome). */
  async checkSubmit(account: string, bytes: number): Promise<void> {
    const used = await this.storage.queuedBytesOf(account);
    if (used + bytes > this.quotas.queuedBytesPerAccount) {
      this.onLimit('queued_bytes');
      throw new SottoError(
        'QUOTA_EXCEEDED',
        `the account has ${used} bytes waiting in queues; the quota is ${this.quotas.queuedBytesPerAccount} (space frees as recipients acknowledge)`,
      );
    }
  }

  /** Throws QUOTA_EXCEEDED when `account` may not store a blob of `bytes` more at time `now`. */
  async checkBlob(account: string, bytes: number, now: number): Promise<void> {
    const used = await this.storage.blobBytesOf(account, now);
    if (used + bytes > this.quotas.blobBytesPerAccount) {
      this.onLimit('blob_bytes');
      throw new SottoError(
        'QUOTA_EXCEEDED',
        `the account has ${used} bytes of blobs; the quota is ${this.quotas.blobBytesPerAccount} (space frees as blobs expire)`,
      );
    }
  }
}
