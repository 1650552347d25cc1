// Fan-out: tells whichever connection holds a device that new queued messages exist for it.
// In-process today; a Redis pub/sub implementation will let several server processes share the work.
import type { QueuedMessage } from '../storage/storage.js';

export type DeviceListener = (message: QueuedMessage) => void;

export interface Fanout {
  /** Registers the one live listener of a device; returns an unsubscribe function. */
  subscribe(deviceId: string, listener: DeviceListener, close?: (reason: string) => void): () => void;
  /** Delivers an already-stored message to the listeners of `deviceIds` that are connected here. */
  publish(deviceIds: readonly string[], message: QueuedMessage): void;
  /** Asks the connection of a device to close (revoked, suspended, deleted). */
  disconnect(deviceId: string, reason: string): void;
  close(): Promise<void>;
}
