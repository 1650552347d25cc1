// Starts and stops the WAL checkpoint worker (checkpoint-worker.js).
import { Worker } from 'node:worker_threads';

export class Checkpointer {
  private readonly worker: Worker;

  constructor(file: string, intervalMs = 500) {
    this.worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: { file, intervalMs } });
    this.worker.unref();
    this.worker.on('error', () => {});
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
    this.worker.postMessage('stop');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    await this.worker.terminate();
  }
}
