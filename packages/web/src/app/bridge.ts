// The page's side of the worker contract: `api.method(...)` posts a call to the worker and resolves with its answer;
// `onEvent` subscribes to the client's events. A refused call rejects with a BridgeError carrying the SDK's code.

import type { PageToWorker, WireError, WorkerApi, WorkerEvents, WorkerMethod, WorkerToPage } from '../worker/protocol.js';

export class BridgeError extends Error {
  readonly code: string;
  constructor(e: WireError) {
    super(e.message);
    this.name = e.name;
    this.code = e.code;
  }
}

type Listener = (payload: unknown) => void;

export class Bridge {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  readonly #listeners = new Map<PropertyKey, Set<Listener>>();
  #next = 1;
  readonly api: WorkerApi;

  constructor(worker: Worker) {
    this.#worker = worker;
    worker.onmessage = (ev: MessageEvent<WorkerToPage>) => this.#receive(ev.data);
    this.api = new Proxy({} as WorkerApi, {
      get:
        (_t, method: string) =>
        (...args: unknown[]) =>
          this.call(method as WorkerMethod, args),
    });
  }

  call(method: WorkerMethod, args: unknown[]): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, method, args } satisfies PageToWorker);
    });
  }

  on<K extends keyof WorkerEvents>(event: K, fn: (payload: WorkerEvents[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(fn as Listener);
    return () => set.delete(fn as Listener);
  }

  terminate(): void {
    this.#worker.terminate();
    for (const p of this.#pending.values()) p.reject(new BridgeError({ name: 'BridgeError', code: 'CLOSED', message: 'closed' }));
    this.#pending.clear();
  }

  #receive(m: WorkerToPage): void {
    if ('event' in m) {
      for (const fn of this.#listeners.get(m.event) ?? []) fn(m.payload);
      return;
    }
    const p = this.#pending.get(m.id);
    if (!p) return;
    this.#pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new BridgeError(m.error));
  }
}

export function startWorker(): Bridge {
  return new Bridge(new Worker(new URL('../worker/sotto-worker.ts', import.meta.url), { type: 'module', name: 'sotto' }));
}
