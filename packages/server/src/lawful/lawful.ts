// Builds the lawful-request register (store, account records, register) on the server's database; called once by
// startServer and by each `sotto-server admin requests` command. Randomness arrives from the caller (the composition
// root).
import { GENESIS_HEX, type LogHead } from '@sotto/protocol';
import type { Config } from '../config/config.js';
import type { SigningKey } from '../moderation/signing-key.js';
import { DATA_INVENTORY, ELSEWHERE, NOT_HELD } from '../storage/data-inventory.js';
import { SqliteAccountRecords } from '../storage/sqlite/sqlite-account-records.js';
import { SqliteLawfulStore } from '../storage/sqlite/sqlite-lawful-store.js';
import type { SqliteStorage } from '../storage/sqlite/sqlite-storage.js';
import type { LawfulStore } from './lawful-store.js';
import { LawfulRegister } from './register.js';
import { publicEntry } from './request-log.js';

export interface Lawful {
  store: LawfulStore;
  register: LawfulRegister;
  /** The public request log (what a transparency report carries). */
  publicLog: () => Promise<ReturnType<typeof publicEntry>[]>;
  /** The request log's head (seq 0 and the genesis hash when empty), read without the entries. */
  publicHead: () => Promise<LogHead>;
}

export interface LawfulWiring {
  config: Config;
  storage: SqliteStorage;
  /** base64url characters from a CSPRNG. */
  randomChars: (n: number) => string;
  randomBytes: (n: number) => Uint8Array;
  /** The server's signing key (Moderation.signingKey: one loader per process). */
  signingKey: () => SigningKey;
}

export function buildLawful(w: LawfulWiring): Lawful {
  const store = new SqliteLawfulStore(w.storage.db);
  const register = new LawfulRegister({
    store,
    records: new SqliteAccountRecords(w.storage.db),
    signingKey: w.signingKey,
    domain: w.config.server.domain,
    gagDays: w.config.lawful.gagDays,
    emergencyApprovalHours: w.config.lawful.emergencyApprovalHours,
    notHeld: NOT_HELD,
    elsewhere: ELSEWHERE,
    columnCategory: (table, column) => {
      const t = DATA_INVENTORY[table];
      const c = t?.columns[column];
      return t && c ? (c.category ?? t.category) : undefined;
    },
    newId: () => w.randomChars(16),
    randomBytes: w.randomBytes,
  });
  return {
    store,
    register,
    publicLog: async () => (await store.logEntries()).map(publicEntry),
    publicHead: async () => (await store.logHead()) ?? { seq: 0, hash: GENESIS_HEX },
  };
}
