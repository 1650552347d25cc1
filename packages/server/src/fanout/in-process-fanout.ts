// In-process Fanout: a map from device id to its connection's listener.

import type { QueuedMessage } from '../storage/storage.js';
import type { DeviceListener, Fanout } from './fanout.js';

export class InProcessFanout implements Fanout {
  private readonly listeners = new Map<string, { listener: DeviceListener; close: (reason: string) => void }>();

  subscribe(deviceId: string, listener: DeviceListener, close: (reason: string) => void = () => {}): () => void {
    const entry = { listener, close };
    this.listeners.get(deviceId)?.close('replaced by a newer connection');
    this.listeners.set(deviceId, entry);
    return () => {
      if (this.listeners.get(deviceId) === entry) this.listeners.delete(deviceId);
    };
  }

  publish(deviceIds: readonly string[], message: QueuedMessage): void {
    for (const d of deviceIds) this.listeners.get(d)?.listener(message);
  }

  disconnect(deviceId: string, reason: string): void {
    this.listeners.get(deviceId)?.close(reason);
  }

  connectedDevices(): IterableIterator<string> {
    return this.listeners.keys();
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
