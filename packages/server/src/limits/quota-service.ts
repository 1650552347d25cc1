// Per-account storage quotas: bytes an account has sent that still wait in queues, and bytes of its unexpired
// blobs. Checked before the bytes are accepted; sends in flight at the same moment may overshoot by their own size.
import type { Config } from '../config/config.js';
import { SottoError } from '../errors.js';
import type { Storage } from '../storage/storage.js';

/** Accounts whose queued-bytes estimate is kept (least recently used goes). */
const ESTIMATES = 10_000;

export class QuotaService {
  /**
   * Per account: the queued bytes last measured plus every byte accepted since. Acknowledgements and expiry only ever
   * lower the real figure, so this is an upper bound: while it stays under half the quota no send can exceed the quota,
   * and the sum over the account's queued messages (a query per send, the largest single cost of a 1:1 message in the
   * server's profile) is skipped. Near the quota every send is measured exactly.
   */
  readonly #queued = new Map<string, number>();

  constructor(
    private readonly storage: Storage,
    private readonly quotas: Config['quotas'],
    private readonly onLimit: (limit: string) => void = () => {},
  ) {}

  /** Throws QUOTA_EXCEEDED when `account` may not queue `bytes` more (a message plus its Welcome). */
  async checkSubmit(account: string, bytes: number): Promise<void> {
    const bound = this.#queued.get(account);
    if (bound !== undefined && bound + bytes <= this.quotas.queuedBytesPerAccount / 2) {
      this.#remember(account, bound + bytes);
      return;
    }
    const used = await this.storage.queuedBytesOf(account);
    this.#remember(account, used + bytes);
    if (used + bytes > this.quotas.queuedBytesPerAccount) {
      this.onLimit('queued_bytes');
      throw new SottoError(
        'QUOTA_EXCEEDED',
        `the account has ${used} bytes waiting in queues; the quota is ${this.quotas.queuedBytesPerAccount} (space frees as recipients acknowledge)`,
      );
    }
  }

  #remember(account: string, bytes: number): void {
    this.#queued.delete(account);
    this.#queued.set(account, bytes);
    if (this.#queued.size > ESTIMATES) this.#queued.delete(this.#queued.keys().next().value!);
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
