// Collects submits and acks from many connections and writes them in one transaction per turn of
// the event loop (group commit); each caller's promise settles only after that transaction commits.
import { SottoError } from '../errors.js';
import type { BatchOp, BatchResult, Storage } from '../storage/storage.js';

interface Pending {
  op: BatchOp;
  resolve: (r: BatchResult) => void;
  reject: (e: unknown) => void;
}

export class Batcher {
  private queue: Pending[] = [];
  private scheduled = false;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly storage: Storage,
    private readonly onBatch: (ops: number) => void = () => {},
    private readonly maxOps = 2000,
  ) {}

  submit(op: BatchOp): Promise<BatchResult> {
    if (this.closed) return Promise.reject(new SottoError('SHUTTING_DOWN', 'the server is shutting down'));
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.running = this.flush().finally(() => {
        this.running = undefined;
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, this.maxOps);
    if (batch.length === 0) return;
    // Sends first, in their own transaction, so their senders and recipients hear back before the
    // (larger, less urgent) acknowledgements of the same turn are written.
    const sends = batch.filter((p) => p.op.type === 'submit');
    const acks = batch.filter((p) => p.op.type === 'ack');
    if (sends.length > 0 && acks.length > 0) {
      await this.write(sends);
      await new Promise((r) => setImmediate(r));
      await this.write(acks);
    } else await this.write(batch);
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      const results = await this.storage.applyBatch(batch.map((p) => p.op));
      this.onBatch(batch.length);
      for (const [i, p] of batch.entries()) p.resolve(results[i] as BatchResult);
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  }

  /** Stops taking new work and waits until everything queued is written. */
  async drain(): Promise<void> {
    this.closed = true;
    while (this.queue.length > 0 || this.running || this.scheduled) {
      if (this.running) await this.running;
      else await new Promise((r) => setImmediate(r));
    }
  }
}
