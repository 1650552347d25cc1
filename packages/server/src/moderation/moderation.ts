// Builds the moderation object graph (store, log, tokens, intake, service) on the server's database; called once by
// startServer and by each `sotto-server admin` command. Randomness arrives from the caller (the composition root).
import { join } from 'node:path';
import type { AdminService } from '../admin/admin-service.js';
import type { BlobStore } from '../blobs/blob-store.js';
import type { Config } from '../config/config.js';
import { loadOrCreateStampKey, Stamper } from '../franking/stamp-key.js';
import { SqliteModerationStore } from '../storage/sqlite/sqlite-moderation-store.js';
import type { SqliteStorage } from '../storage/sqlite/sqlite-storage.js';
import { AdminTokens } from './admin-tokens.js';
import type { BlobSource } from './attachment-check.js';
import { ModerationLog } from './moderation-log.js';
import { ModerationService } from './moderation-service.js';
import type { ModerationStore } from './moderation-store.js';
import { ReportFiles } from './report-files.js';
import { ReportIntake } from './report-intake.js';
import { SigningKey } from './signing-key.js';

export interface Moderation {
  store: ModerationStore;
  log: ModerationLog;
  tokens: AdminTokens;
  intake: ReportIntake;
  service: ModerationService;
  /** The server's Ed25519 signing key (evidence, transparency heads and reports), loaded or created on first use. */
  signingKey: () => SigningKey;
}

export interface ModerationWiring {
  config: Config;
  storage: SqliteStorage;
  admin: Pick<AdminService, 'setAccountStatus'>;
  /** The blobs the server still holds: a blob whose record has expired counts as gone. */
  blobs: BlobSource;
  /** base64url characters from a CSPRNG. */
  randomChars: (n: number) => string;
  /** Called for each verified report with the reported account (the abuse signals count it). */
  onReported?: (account: string, now: number) => Promise<void>;
  /** The server's stamper (one per process); a new one from the data directory's key otherwise (admin commands). */
  stamper?: Stamper;
}

/** Reads a held blob only while its record is live (an expired blob awaiting the sweep is "no longer held"). */
export function liveBlobs(storage: SqliteStorage, blobs: BlobStore, now: () => number): BlobSource {
  return {
    async open(hash) {
      if (!(await storage.getBlob(hash, now()))) return undefined;
      return blobs.open(hash);
    },
  };
}

export function buildModeration(w: ModerationWiring): Moderation {
  const store = new SqliteModerationStore(w.storage.db);
  const log = new ModerationLog(store);
  const files = new ReportFiles(join(w.config.dataDir, 'reports'));
  let key: SigningKey | undefined;
  const signingKey = () => (key ??= SigningKey.loadOrCreate(w.config.dataDir));
  const newId = () => w.randomChars(16);
  const service = new ModerationService({
    store,
    log,
    admin: w.admin,
    files,
    signingKey,
    domain: w.config.server.domain,
    resolvedRetentionDays: w.config.moderation.resolvedRetentionDays,
    newId,
  });
  const intake = new ReportIntake({
    store,
    log,
    stamper: w.stamper ?? new Stamper(loadOrCreateStampKey(w.config.dataDir)),
    onReported: w.onReported,
    blobs: w.blobs,
    files,
    reportsPerHour: w.config.moderation.reportsPerHour,
    maxAttachmentBytes: w.config.moderation.maxAttachmentBytesPerReport,
    newId,
  });
  return { store, log, tokens: new AdminTokens(store, log, w.randomChars), intake, service, signingKey };
}
