// Schema migrations of the SQLite store, applied in order; PRAGMA user_version records the last one applied.
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  // 1: initial schema
  `
  CREATE TABLE invites (
    id TEXT PRIMARY KEY, secret_hash BLOB NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
    max_uses INTEGER NOT NULL, uses INTEGER NOT NULL DEFAULT 0, note TEXT NOT NULL DEFAULT ''
  );
  CREATE TABLE accounts (
    name TEXT PRIMARY KEY, account_key BLOB NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL
  );
  CREATE TABLE devices (
    device_id TEXT PRIMARY KEY, account TEXT NOT NULL, certificate BLOB NOT NULL, signature_key BLOB NOT NULL,
    cipher_suite INTEGER NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER, revocation BLOB
  );
  CREATE INDEX devices_account ON devices(account);
  CREATE TABLE tokens (
    id TEXT PRIMARY KEY, secret_hash BLOB NOT NULL, device_id TEXT NOT NULL, account TEXT NOT NULL, expires_at INTEGER NOT NULL
  );
  CREATE INDEX tokens_device ON tokens(device_id);
  CREATE TABLE key_packages (
    id INTEGER PRIMARY KEY, device_id TEXT NOT NULL, data BLOB NOT NULL, last_resort INTEGER NOT NULL
  );
  CREATE INDEX key_packages_device ON key_packages(device_id, last_resort, id);
  CREATE TABLE groups (
    group_id BLOB PRIMARY KEY, epoch INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
  );
  CREATE TABLE group_members (
    group_id BLOB NOT NULL, device_id TEXT NOT NULL, PRIMARY KEY (group_id, device_id)
  ) WITHOUT ROWID;
  CREATE INDEX group_members_device ON group_members(device_id);
  CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, group_id BLOB NOT NULL, kind INTEGER NOT NULL, payload BLOB NOT NULL,
    created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, pending INTEGER NOT NULL
  );
  CREATE INDEX messages_expiry ON messages(expires_at);
  CREATE TABLE deliveries (
    device_id TEXT NOT NULL, message_id INTEGER NOT NULL, PRIMARY KEY (device_id, message_id)
  ) WITHOUT ROWID;
  CREATE TABLE blobs (
    hash TEXT PRIMARY KEY, size INTEGER NOT NULL, owner TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL
  );
  CREATE INDEX blobs_expiry ON blobs(expires_at);
  `,
  // 2: verified delivery: each group keeps its public MLS state (PublicGroup), versioned for compare-and-set.
  // Groups created before this have no state and take no further handshake (they must be created again).
  `
  ALTER TABLE groups ADD COLUMN state BLOB;
  ALTER TABLE groups ADD COLUMN state_version INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE groups ADD COLUMN group_info BLOB;
  `,
  // 3: revoked invites; admin events (an admin command, in another process, tells the server to close sockets)
  `
  ALTER TABLE invites ADD COLUMN revoked_at INTEGER;
  CREATE TABLE admin_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, account TEXT NOT NULL, devices TEXT NOT NULL, at INTEGER NOT NULL
  );
  `,
  // 4: per-account quotas: the sending account of each queued message (NULL: sent before), blobs by uploader
  `
  ALTER TABLE messages ADD COLUMN sender_account TEXT;
  CREATE INDEX messages_sender ON messages(sender_account);
  CREATE INDEX blobs_owner ON blobs(owner);
  `,
  // 5: a group's public state is stored incrementally: a snapshot (group_states, of version snapshot_version) plus the
  // handshakes applied since (group_log), replayed on load; a full snapshot only every so many handshakes. The
  // snapshot leaves the groups row, which every commit updates: SQLite rewrites a whole row, blob included, on UPDATE.
  `
  CREATE TABLE group_states (group_id BLOB PRIMARY KEY, snapshot_version INTEGER NOT NULL, state BLOB NOT NULL);
  INSERT INTO group_states (group_id, snapshot_version, state) SELECT group_id, state_version, state FROM groups WHERE state IS NOT NULL;
  ALTER TABLE groups DROP COLUMN state;
  CREATE TABLE group_log (
    group_id BLOB NOT NULL, version INTEGER NOT NULL, message BLOB NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (group_id, version)
  );
  `,
  // 6: a device's name, chosen by the account's own devices and shown only to them (never in a directory lookup).
  // Linked devices share no secret to encrypt it under, so the server holds it: bounded and validated by the route.
  `
  ALTER TABLE devices ADD COLUMN name TEXT NOT NULL DEFAULT '';
  `,
  // 7: message franking: a queued application message keeps its sending device and franking commitment, which the
  // server stamps for each recipient when it delivers the message (docs/franking.md); both go with the message.
  `
  ALTER TABLE messages ADD COLUMN sender_device TEXT;
  ALTER TABLE messages ADD COLUMN commitment BLOB;
  `,
  // 8: moderation (docs/moderation.md): the report queue (user reports and metadata-signal items), each reported
  // message with its verification, hashes of reported stamps (replay), admin tokens (hash only), notices to accounts,
  // and the hash-chained moderation log.
  `
  CREATE TABLE reports (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, reported_account TEXT NOT NULL, reporter_account TEXT, reporter_device TEXT,
    group_id BLOB, category TEXT, reason TEXT NOT NULL DEFAULT '', signals TEXT, verified INTEGER NOT NULL,
    status TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    resolved_at INTEGER, resolution TEXT, resolved_by TEXT, resolution_note TEXT, content_deleted_at INTEGER
  );
  CREATE INDEX reports_status ON reports(status, created_at);
  CREATE INDEX reports_reporter ON reports(reporter_account, created_at);
  CREATE UNIQUE INDEX reports_open_signals ON reports(reported_account) WHERE kind = 'signals' AND status = 'open';
  CREATE TABLE report_messages (
    report_id TEXT NOT NULL, idx INTEGER NOT NULL, sender_device TEXT NOT NULL, sender_account TEXT NOT NULL,
    received_at INTEGER NOT NULL, franking_key BLOB, content BLOB, content_sha256 BLOB NOT NULL, commitment BLOB NOT NULL,
    stamp BLOB, stamp_sha256 BLOB NOT NULL, verified INTEGER NOT NULL, failure TEXT, content_type TEXT, text TEXT,
    attachment TEXT, PRIMARY KEY (report_id, idx)
  ) WITHOUT ROWID;
  CREATE TABLE reported_stamps (
    device_id TEXT NOT NULL, stamp_sha256 BLOB NOT NULL, report_id TEXT NOT NULL, PRIMARY KEY (device_id, stamp_sha256)
  ) WITHOUT ROWID;
  CREATE TABLE admin_tokens (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, token_hash BLOB NOT NULL, scopes TEXT NOT NULL, created_at INTEGER NOT NULL,
    expires_at INTEGER, revoked_at INTEGER
  );
  CREATE TABLE notices (
    id TEXT PRIMARY KEY, account TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL, created_at INTEGER NOT NULL,
    read_at INTEGER
  );
  CREATE INDEX notices_account ON notices(account, read_at);
  CREATE TABLE moderation_log (
    seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, admin TEXT NOT NULL, action TEXT NOT NULL, report_id TEXT,
    account TEXT, detail TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL
  );
  `,
  // 9: abuse signals from metadata (src/abuse/, docs/abuse-signals.md): per-account counters in time buckets of the
  // sliding window, first contacts (who added which stranger, for declines), whether a conversation was answered, and
  // throttled accounts. All pruned by the sweep; no content, no contact list beyond the request memory.
  `
  CREATE TABLE abuse_counts (
    account TEXT NOT NULL, signal TEXT NOT NULL, bucket INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (account, signal, bucket)
  ) WITHOUT ROWID;
  CREATE INDEX abuse_counts_bucket ON abuse_counts(bucket);
  CREATE TABLE abuse_requests (
    requester TEXT NOT NULL, recipient TEXT NOT NULL, at INTEGER NOT NULL, declined_at INTEGER,
    PRIMARY KEY (requester, recipient)
  ) WITHOUT ROWID;
  CREATE INDEX abuse_requests_at ON abuse_requests(at);
  CREATE TABLE abuse_conversations (
    group_id BLOB PRIMARY KEY, first_sender TEXT NOT NULL, answered INTEGER NOT NULL, at INTEGER NOT NULL
  );
  CREATE INDEX abuse_conversations_at ON abuse_conversations(at);
  CREATE TABLE abuse_throttles (
    account TEXT PRIMARY KEY, since INTEGER NOT NULL, until INTEGER NOT NULL, signals TEXT NOT NULL
  );
  `,
  // 10: the lawful-request register (src/lawful/, docs/for-law-enforcement.md): requests with their decisions and
  // sign-offs, preservation holds (a sealed snapshot whose key is split among custodians; only counts stay after the
  // hold is deleted), and the hash-chained request log (public part, and the detail kept by the operator with its salted digest).
  `
  CREATE TABLE lawful_requests (
    id TEXT PRIMARY KEY, instrument TEXT NOT NULL, authority TEXT NOT NULL, country TEXT NOT NULL, reference TEXT NOT NULL,
    received_at INTEGER NOT NULL, due_at INTEGER, accounts TEXT NOT NULL, categories TEXT NOT NULL,
    notice_delay_until INTEGER, follows TEXT, note TEXT NOT NULL, received_by TEXT NOT NULL, status TEXT NOT NULL,
    decision TEXT, disclosed TEXT, reason TEXT NOT NULL, decided_by TEXT, second_approval TEXT,
    second_approval_due_at INTEGER, flagged_at INTEGER, review TEXT, answered_at INTEGER, answer_sha256 TEXT,
    notice_due_at INTEGER, notice_given_at INTEGER, version INTEGER NOT NULL
  );
  CREATE TABLE preservation_holds (
    id TEXT PRIMARY KEY, request_id TEXT NOT NULL, accounts TEXT NOT NULL, custodians TEXT NOT NULL,
    threshold INTEGER NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, extended INTEGER NOT NULL,
    sealed BLOB, share_hashes TEXT, row_counts TEXT NOT NULL, deleted_at INTEGER, deleted_why TEXT
  );
  CREATE INDEX preservation_holds_request ON preservation_holds(request_id);
  CREATE TABLE request_log (
    seq INTEGER PRIMARY KEY, month TEXT NOT NULL, request TEXT NOT NULL, event TEXT NOT NULL, public TEXT NOT NULL,
    detail_digest TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, detail TEXT NOT NULL, salt TEXT NOT NULL
  );
  `,
];

export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) throw new Error(`database schema version ${current} is newer than this server (${MIGRATIONS.length})`);
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
  return MIGRATIONS.length;
}
