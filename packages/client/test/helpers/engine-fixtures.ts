// Shared fixtures of the engine tests (engine-handshake, engine-intents): plain data, no store, server or MLS.
import type { ConvRecord } from '../../src/client/records.js';
import type { LeafData } from '../../src/engine/index.js';

export const CONV = 'conv-1';
export const NOW = 1_700_000_000_000;
export const ME = 'alice@localhost';
export const BOB = 'bob@localhost';

/** A leaf; its device id defaults to `name-index`. */
export const leaf = (leafIndex: number, account: string, deviceId = `${account.split('@')[0]}-${leafIndex}`): LeafData => ({
  leafIndex,
  account,
  deviceId,
});

/** An active conversation record of CONV. */
export const record = (over: Partial<ConvRecord> = {}): ConvRecord => ({
  id: CONV,
  state: 'active',
  createdAt: 1,
  lastUpdateAt: 1,
  ...over,
});
