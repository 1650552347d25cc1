// A small typed event emitter (portable: no node:events), used for the client's public events.

import { ClientError } from '../client/client-error.js';

type Listener<T> = (payload: T) => void;

export class Emitter<Events extends Record<string, unknown>> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();
  /** Called when a listener throws: listeners must not break the client. */
  onListenerError: (error: unknown) => void = () => {};

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.#listeners.get(event)?.delete(listener as Listener<never>);
  }

  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(event, (p) => {
      off();
      listener(p);
    });
    return off;
  }

  /** Resolves with the first event for which `match` holds (default: any), or rejects after `timeoutMs`. */
  waitFor<K extends keyof Events>(event: K, match: (p: Events[K]) => boolean = () => true, timeoutMs = 30_000): Promise<Events[K]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new ClientError('TIMEOUT', `timed out waiting for ${String(event)}`));
      }, timeoutMs);
      const off = this.on(event, (p) => {
        if (!match(p)) return;
        clearTimeout(timer);
        off();
        resolve(p);
      });
    });
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const l of [...(this.#listeners.get(event) ?? [])]) {
      try {
        (l as Listener<Events[K]>)(payload);
      } catch (e) {
        this.onListenerError(e);
      }
    }
  }
}
