// Key-change tracker: compares a contact's stored account key and device list with a new observation and reports every change.

import type { LocalStore, StoreWriter } from '../store/local-store.js';
import { StoreError } from '../store/store-error.js';
import { constantTimeEqual, fromHex, toHex, utf8, utf8DecodeStrict } from '../util/bytes.js';

export interface DeviceKey {
  deviceId: string;
  /** The device's MLS signature public key. */
  signatureKey: Uint8Array;
}

export interface ContactKeys {
  accountKey: Uint8Array;
  devices: DeviceKey[];
}

export type KeyChangeEvent =
  | { type: 'account-key-changed'; contact: string; previousKey: Uint8Array; newKey: Uint8Array }
  | { type: 'device-added'; contact: string; deviceId: string; signatureKey: Uint8Array }
  | { type: 'device-removed'; contact: string; deviceId: string; signatureKey: Uint8Array };

/**
 * Every difference between what we knew and what we now see. A device whose key changed under the same id is
 * reported as removed and added: to the user it is a new device. No stored state means first contact: no events.
 */
export function diffContactKeys(contact: string, stored: ContactKeys | undefined, observed: ContactKeys): KeyChangeEvent[] {
  if (!stored) return [];
  const events: KeyChangeEvent[] = [];
  if (!constantTimeEqual(stored.accountKey, observed.accountKey)) {
    events.push({ type: 'account-key-changed', contact, previousKey: stored.accountKey, newKey: observed.accountKey });
  }
  const id = (d: DeviceKey) => `${d.deviceId}\u0000${toHex(d.signatureKey)}`;
  const before = new Map(stored.devices.map((d) => [id(d), d]));
  const now = new Map(observed.devices.map((d) => [id(d), d]));
  for (const [k, d] of before) {
    if (!now.has(k)) events.push({ type: 'device-removed', contact, deviceId: d.deviceId, signatureKey: d.signatureKey });
  }
  for (const [k, d] of now) {
    if (!before.has(k)) events.push({ type: 'device-added', contact, deviceId: d.deviceId, signatureKey: d.signatureKey });
  }
  return events;
}

const NAMESPACE = 'contact-keys';

function encode(keys: ContactKeys): Uint8Array {
  return utf8(JSON.stringify({ a: toHex(keys.accountKey), d: keys.devices.map((d) => [d.deviceId, toHex(d.signatureKey)]) }));
}

function decode(bytes: Uint8Array): ContactKeys {
  try {
    const j = JSON.parse(utf8DecodeStrict(bytes)) as { a: string; d: [string, string][] };
    return { accountKey: fromHex(j.a), devices: j.d.map(([deviceId, key]) => ({ deviceId, signatureKey: fromHex(key) })) };
  } catch {
    throw new StoreError('CORRUPT', 'stored contact keys do not parse');
  }
}

/** Keeps the last seen keys of each contact in a LocalStore and reports changes on each new observation. */
export class KeyChangeTracker {
  readonly #store: LocalStore;

  constructor(store: LocalStore) {
    this.#store = store;
  }

  /** The last observation of `contact`; pass `tx` to read inside a transaction. */
  async known(contact: string, tx?: StoreWriter): Promise<ContactKeys | undefined> {
    const b = tx ? await tx.get(NAMESPACE, contact) : await this.#store.get(NAMESPACE, contact);
    return b === undefined ? undefined : decode(b);
  }

  /** Record an observation (e.g. a verified key-transparency lookup) and return what changed. Pass `tx` to join a transaction. */
  async observe(contact: string, observed: ContactKeys, tx?: StoreWriter): Promise<{ firstSeen: boolean; events: KeyChangeEvent[] }> {
    const run = async (w: StoreWriter) => {
      const b = await w.get(NAMESPACE, contact);
      const stored = b === undefined ? undefined : decode(b);
      await w.put(NAMESPACE, contact, encode(observed));
      return { firstSeen: stored === undefined, events: diffContactKeys(contact, stored, observed) };
    };
    return tx ? run(tx) : this.#store.transaction(run);
  }
}
