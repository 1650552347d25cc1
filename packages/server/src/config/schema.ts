// Every configuration key: its default, its environment variable and its documentation, in one table.
// `generate-config` writes this table as a commented YAML file; the loader reads file, then env, then flags.

export type KeyType = 'string' | 'int' | 'bool';

export interface ConfigKey {
  path: string;
  env: string;
  type: KeyType;
  default: string | number | boolean | null;
  doc: string;
  min?: number;
  max?: number;
}

export const CONFIG_KEYS: readonly ConfigKey[] = [
  { path: 'server.host', env: 'SOTTO_HOST', type: 'string', default: '127.0.0.1', doc: 'Address the HTTP/WebSocket listener binds. Put TLS in a reverse proxy in front.' },
  { path: 'server.port', env: 'SOTTO_PORT', type: 'int', default: 8750, min: 0, max: 65535, doc: 'TCP port of the HTTP/WebSocket listener (0 = any free port).' },
  { path: 'server.domain', env: 'SOTTO_DOMAIN', type: 'string', default: 'localhost', doc: 'The host part of account names (name@domain) served here.' },
  { path: 'server.trustProxy', env: 'SOTTO_TRUST_PROXY', type: 'bool', default: false, doc: 'Trust X-Forwarded-For from the reverse proxy (for per-IP rate limits).' },
  { path: 'server.shutdownGraceSeconds', env: 'SOTTO_SHUTDOWN_GRACE_SECONDS', type: 'int', default: 10, min: 0, max: 600, doc: 'How long a graceful shutdown waits for in-flight work.' },
  { path: 'dataDir', env: 'SOTTO_DATA_DIR', type: 'string', default: './.sotto', doc: 'Directory of the SQLite database and the attachment blobs (relative to the working directory).' },
  { path: 'storage.synchronous', env: 'SOTTO_STORAGE_SYNCHRONOUS', type: 'string', default: 'full', doc: 'SQLite synchronous mode: full (survives power loss) or normal (survives a process crash).' },
  { path: 'registration.open', env: 'SOTTO_REGISTRATION_OPEN', type: 'bool', default: false, doc: 'When false (default) a new account needs an invite token from `sotto-server admin invites create`.' },
  { path: 'registration.maxDevicesPerAccount', env: 'SOTTO_MAX_DEVICES_PER_ACCOUNT', type: 'int', default: 100, min: 1, max: 10000, doc: 'Devices (certified MLS signature keys) one account may register.' },
  { path: 'auth.tokenTtlSeconds', env: 'SOTTO_TOKEN_TTL_SECONDS', type: 'int', default: 3600, min: 10, max: 86400 * 7, doc: 'Lifetime of a device session token obtained by signing a challenge.' },
  { path: 'auth.challengeTtlSeconds', env: 'SOTTO_CHALLENGE_TTL_SECONDS', type: 'int', default: 60, min: 5, max: 3600, doc: 'Lifetime of a login challenge.' },
  { path: 'auth.ratePerMinute', env: 'SOTTO_AUTH_RATE_PER_MINUTE', type: 'int', default: 600, min: 1, max: 1_000_000, doc: 'Unauthenticated requests (register, challenge, token) per client IP per minute.' },
  { path: 'keyPackages.maxPerDevice', env: 'SOTTO_MAX_KEY_PACKAGES_PER_DEVICE', type: 'int', default: 200, min: 1, max: 10000, doc: 'KeyPackages a device may keep stored.' },
  { path: 'keyPackages.claimsPerMinute', env: 'SOTTO_KEY_PACKAGE_CLAIMS_PER_MINUTE', type: 'int', default: 120, min: 1, max: 1_000_000, doc: 'KeyPackage claims one device may make per minute.' },
  { path: 'limits.maxMessageBytes', env: 'SOTTO_MAX_MESSAGE_BYTES', type: 'int', default: 262144, min: 1024, max: 16 * 1024 * 1024, doc: 'Largest MLS message (or Welcome) accepted.' },
  { path: 'limits.maxGroupMembers', env: 'SOTTO_MAX_GROUP_MEMBERS', type: 'int', default: 1000, min: 2, max: 100000, doc: 'Largest delivery list of one group.' },
  { path: 'limits.wsFramesPerSecond', env: 'SOTTO_WS_FRAMES_PER_SECOND', type: 'int', default: 2000, min: 1, max: 1_000_000, doc: 'Sustained WebSocket frames per second per connection (burst: twice that).' },
  { path: 'limits.maxConnections', env: 'SOTTO_MAX_CONNECTIONS', type: 'int', default: 50000, min: 1, max: 1_000_000, doc: 'Concurrent WebSocket connections.' },
  { path: 'retention.maxDays', env: 'SOTTO_RETENTION_MAX_DAYS', type: 'int', default: 30, min: 1, max: 3650, doc: 'A queued message not acknowledged within this many days is deleted.' },
  { path: 'retention.sweepSeconds', env: 'SOTTO_SWEEP_SECONDS', type: 'int', default: 30, min: 1, max: 3600, doc: 'How often expired messages and blobs are deleted.' },
  { path: 'blobs.dir', env: 'SOTTO_BLOBS_DIR', type: 'string', default: null, doc: 'Directory of attachment blobs (default: <dataDir>/blobs).' },
  { path: 'blobs.maxBytes', env: 'SOTTO_BLOB_MAX_BYTES', type: 'int', default: 104857600, min: 1, max: 2 ** 40, doc: 'Largest attachment blob.' },
  { path: 'blobs.ttlDays', env: 'SOTTO_BLOB_TTL_DAYS', type: 'int', default: 30, min: 1, max: 3650, doc: 'Default and maximum lifetime of an attachment blob.' },
  { path: 'metrics.enabled', env: 'SOTTO_METRICS_ENABLED', type: 'bool', default: true, doc: 'Serve Prometheus metrics at /metrics on a separate loopback listener.' },
  { path: 'metrics.host', env: 'SOTTO_METRICS_HOST', type: 'string', default: '127.0.0.1', doc: 'Address of the metrics listener; must be a loopback address.' },
  { path: 'metrics.port', env: 'SOTTO_METRICS_PORT', type: 'int', default: null, min: 0, max: 65535, doc: 'Port of the metrics listener (default: server.port + 1; 0 = any free port).' },
  { path: 'log.level', env: 'SOTTO_LOG_LEVEL', type: 'string', default: 'info', doc: 'fatal, error, warn, info, debug, trace or silent. Logs never contain message content, keys or tokens.' },
];
