// Builds the server's object graph from a Config and runs it: HTTP + WebSocket listener, metrics
// listener on loopback, sweeper, and a graceful shutdown that finishes in-flight work first.
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AbuseSignals, type AbuseSignalsDeps, type ModerationFlags } from './abuse/abuse-signals.js';
import { SqliteAbuseStore } from './abuse/sqlite-abuse-store.js';
import { SqliteGroupFacts } from './abuse/sqlite-group-facts.js';
import { ADMIN_EVENT_KEEP_MS, AdminService, watchAdminEvents } from './admin/admin-service.js';
import { AuthService } from './auth/auth-service.js';
import { BlobStore } from './blobs/blob-store.js';
import type { Config } from './config/config.js';
import { Batcher } from './delivery/batcher.js';
import { DeliveryService } from './delivery/delivery-service.js';
import { GroupVerifier } from './delivery/group-verifier.js';
import { loadOrCreateStampKey, Stamper } from './franking/stamp-key.js';
import { InProcessFanout } from './fanout/in-process-fanout.js';
import { buildApp } from './http/app.js';
import { transparencyFor } from './lawful/transparency.js';
import type { AppContext } from './http/context.js';
import { GroupCaps } from './limits/group-caps.js';
import { KeyPackageClaimLimits } from './limits/key-package-claims.js';
import { QuotaService } from './limits/quota-service.js';
import { createServerMetrics, Metrics } from './metrics/metrics.js';
import { buildLawful, type Lawful } from './lawful/lawful.js';
import { buildModeration, liveBlobs, type Moderation } from './moderation/moderation.js';
import { tightenDataModes } from './storage/file-modes.js';
import { SqliteStorage } from './storage/sqlite/sqlite-storage.js';
import type { Storage } from './storage/storage.js';
import { type Clock, systemClock } from './util/clock.js';
import { prettyLogStream } from './util/pretty-log.js';
import { randomChars } from './util/random-chars.js';
import { RateLimiter } from './util/rate-limiter.js';
import { TrustedProxies } from './util/trusted-proxies.js';
import { isWebBuilt, WEB_BUILD_COMMAND } from './web/web-build.js';
import { WsGateway } from './ws/ws-gateway.js';

export const VERSION = '0.1.0';

export function databasePath(config: Config): string {
  return join(config.dataDir, 'sotto.db');
}

export function openStorage(config: Config, backgroundCheckpoints = false): SqliteStorage {
  return new SqliteStorage({
    backgroundCheckpoints,
    file: databasePath(config),
    synchronous: config.storage.synchronous === 'normal' ? 'normal' : 'full',
    maxGroupMembers: config.limits.maxGroupMembers,
  });
}

/** The abuse signals over the server's database (the server and the admin commands build it the same way). */
export function openAbuseSignals(
  config: Config,
  storage: SqliteStorage,
  hooks: Pick<AbuseSignalsDeps, 'moderation' | 'onThrottled' | 'onRefused' | 'onError'> = {},
): AbuseSignals {
  return new AbuseSignals({
    store: new SqliteAbuseStore(storage.db),
    facts: new SqliteGroupFacts(storage.db),
    accounts: storage,
    config: config.abuse,
    youngSeconds: config.newAccounts.ageSeconds,
    ...hooks,
  });
}

export interface RunningServer {
  port: number;
  metricsPort: number | undefined;
  app: FastifyInstance;
  storage: Storage;
  /** Reports, the moderation queue, admin tokens, notices; flagAccount is the abuse-signal detector's entry. */
  moderation: Moderation;
  /** The lawful-request register (docs/for-law-enforcement.md). */
  lawful: Lawful;
  /** The abuse signals (the report intake calls `onReported`). */
  abuse: AbuseSignals;
  /** One sweep of expired data now (the sweeper also runs every `retention.sweepSeconds`). */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

export async function startServer(
  config: Config,
  opts: {
    clock?: Clock;
    logger?: boolean | Record<string, unknown>;
    /** The moderation queue that accounts past an abuse threshold are flagged in (none: they are only throttled). */
    moderation?: ModerationFlags;
    /**
     * Franking (docs/franking.md) is always on for a served server; `false` exists only for the benchmark's
     * franking-off row (bench/unfranked-server.ts), to measure what stamping costs in the same run.
     */
    franking?: boolean;
  } = {},
): Promise<RunningServer> {
  const clock = opts.clock ?? systemClock;
  const loosePaths = tightenDataModes(config.dataDir, databasePath(config), config.blobs.dir);
  const storage = openStorage(config, true);
  const fanout = new InProcessFanout();
  const metrics = createServerMetrics(new Metrics());
  const batcher = new Batcher(storage, (n) => {
    metrics.batches();
    metrics.batchOps('', n);
  });
  let shuttingDown = false;
  const groupCaps = new GroupCaps(storage, config.newAccounts, (limit) => metrics.limitRefusals(`limit="${limit}"`));
  const blobs = new BlobStore(config.blobs.dir);
  const stamper = new Stamper(loadOrCreateStampKey(config.dataDir), { enabled: opts.franking !== false });
  // Moderation and the abuse signals refer to each other: a verified report counts as a signal, and an account past a
  // threshold is flagged in the moderation queue. `later.abuse` is set below, before the server takes any request.
  const later: { abuse?: AbuseSignals } = {};
  const moderation = buildModeration({
    config,
    storage,
    admin: new AdminService(storage, clock),
    blobs: liveBlobs(storage, blobs, () => clock.now()),
    randomChars,
    stamper,
    onReported: async (account, now) => later.abuse?.onReported(account, now),
  });
  const lawful = buildLawful({
    config,
    storage,
    randomChars,
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
    signingKey: moderation.signingKey,
  });
  const log: { warn(o: object, m: string): void; error(o: object, m: string): void } = { warn: () => {}, error: () => {} };
  const abuse = openAbuseSignals(config, storage, {
    moderation: opts.moderation ?? moderation.service,
    // Names of the signals and their numbers only: never content.
    onThrottled: (account, signals) =>
      log.warn({ event: 'abuse-throttle', account, signals: signals.map((x) => x.signal) }, 'account throttled for unusual activity'),
    onRefused: (limit) => metrics.limitRefusals(`limit="${limit}"`),
    onError: (e) => log.error({ event: 'abuse-signals', err: e.message }, 'abuse signals failed'),
  });
  later.abuse = abuse;
  const ctx: AppContext = {
    config,
    storage,
    auth: new AuthService(storage, config, clock, fanout, (limit) => metrics.limitRefusals(`limit="${limit}"`)),
    delivery: new DeliveryService(
      storage,
      batcher,
      fanout,
      clock,
      metrics,
      (config.retention.maxSeconds ?? config.retention.maxDays * 86400) * 1000,
      new GroupVerifier(storage, clock),
      groupCaps,
      abuse,
      opts.franking !== false,
    ),
    blobs,
    clock,
    metrics,
    quota: new QuotaService(storage, config.quotas, (limit) => metrics.limitRefusals(`limit="${limit}"`)),
    groupCaps,
    moderation,
    lawful,
    transparency: transparencyFor(moderation, config.server.domain, lawful.publicLog, lawful.publicHead),
    abuse,
    stamper,
    proxies: new TrustedProxies(config.server.trustedProxies),
    limits: {
      ip: new RateLimiter(config.auth.ratePerMinute / 60, config.auth.ratePerMinute),
      claims: new RateLimiter(config.keyPackages.claimsPerMinute / 60, config.keyPackages.claimsPerMinute),
      failures: new RateLimiter(config.registration.failuresPerHourPerIp / 3600, config.registration.failuresPerHourPerIp),
      keyPackageClaims: new KeyPackageClaimLimits(config.keyPackages, (limit) => metrics.limitRefusals(`limit="${limit}"`)),
      lookups: new RateLimiter(config.directory.lookupsPerMinute / 60, config.directory.lookupsPerMinute),
    },
    version: VERSION,
    isShuttingDown: () => shuttingDown,
  };
  const pretty = config.log.format === 'pretty' ? { stream: prettyLogStream(process.stdout) } : {};
  const app = buildApp(ctx, { logger: opts.logger ?? { level: config.log.level, ...pretty } });
  log.warn = (o, m) => app.log.warn(o, m);
  log.error = (o, m) => app.log.error(o, m);
  if (loosePaths.length > 0)
    app.log.warn({ event: 'permissions', paths: loosePaths }, 'other users could read these: made them private to the server (0700/0600)');
  if (config.web.enabled && !isWebBuilt(config.web.dir))
    app.log.warn(
      { event: 'web-not-built', dir: config.web.dir },
      `the web app is not built: / answers 503 until \`${WEB_BUILD_COMMAND}\` has run (the API works; web.enabled: false turns this off)`,
    );
  const gateway = new WsGateway(ctx, fanout, app.log);
  app.server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));

  metrics.registry.gauge('sotto_ws_connections', 'Open WebSocket connections', () => gateway.size);
  metrics.registry.gauge(
    'sotto_queued_deliveries',
    'Deliveries waiting for an acknowledgement',
    async () => (await storage.stats()).queuedDeliveries,
  );
  metrics.registry.gauge('sotto_accounts', 'Registered accounts', async () => (await storage.stats()).accounts);
  metrics.registry.gauge('sotto_process_resident_bytes', 'Resident memory of the server process', () => process.memoryUsage.rss());

  const sweep = async () => {
    try {
      const r = await storage.sweep(clock.now());
      await storage.pruneAdminEvents(clock.now() - ADMIN_EVENT_KEEP_MS);
      for (const h of r.blobs) await ctx.blobs.delete(h);
      const reports = await moderation.service.deleteExpiredContent(clock.now());
      if (reports > 0) app.log.info({ event: 'sweep', reports }, 'reported content past moderation.resolvedRetentionDays deleted');
      // Counts only in the log line: never a name, an authority or a reference.
      const l = await lawful.register.sweep(clock.now());
      if (l.expired + l.flagged + l.notices > 0)
        app.log.info({ event: 'sweep', lawful: l }, 'lawful register: holds expired, flags, notices');
      for (const name of await storage.inactiveAccounts()) {
        for (const d of await storage.listDevices(name)) fanout.disconnect(d.deviceId, 'account suspended');
      }
      if (r.messages > 0 || r.blobs.length > 0)
        app.log.info({ event: 'sweep', messages: r.messages, blobs: r.blobs.length }, 'expired data deleted');
    } catch (e) {
      app.log.error({ err: (e as Error).message }, 'sweep failed');
    }
    // The abuse signals' counters held in memory are written, and their window data pruned (src/abuse/).
    await abuse.sweep(clock.now()).catch((e: unknown) => app.log.error({ err: (e as Error).message }, 'abuse sweep failed'));
  };
  const sweeper = setInterval(
    () => void sweep().catch((e: unknown) => app.log.error({ err: (e as Error).message }, 'sweep failed')),
    config.retention.sweepSeconds * 1000,
  );
  sweeper.unref();
  await sweep();
  // Suspensions and deletions made by `sotto-server admin` (another process) close the account's sockets at once.
  const adminEvents = watchAdminEvents(storage, fanout, (e) => app.log.error({ err: e.message }, 'reading admin events failed'));

  await app.listen({ host: config.server.host, port: config.server.port });
  const port = (app.server.address() as AddressInfo).port;

  let metricsServer: Server | undefined;
  let metricsPort: number | undefined;
  if (config.metrics.enabled) {
    metricsServer = createHttpServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      metrics.registry.render().then(
        (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      metricsServer?.once('error', reject);
      metricsServer?.listen(config.metrics.port, config.metrics.host, () => resolve());
    });
    metricsPort = (metricsServer.address() as AddressInfo).port;
  }
  app.log.info({ event: 'ready', port, metricsPort, host: config.server.host }, 'sotto-server ready');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      shuttingDown = true;
      app.log.info({ event: 'shutdown' }, 'shutting down');
      clearInterval(sweeper);
      adminEvents.stop();
      const grace = new Promise<void>((r) => setTimeout(r, config.server.shutdownGraceSeconds * 1000).unref());
      const closeHttp = app.close();
      await Promise.race([batcher.drain(), grace]);
      await abuse.flush().catch((e: unknown) => app.log.error({ err: (e as Error).message }, 'writing abuse counters failed'));
      await gateway.close();
      await Promise.race([closeHttp, grace]);
      metricsServer?.close();
      await fanout.close();
      await storage.close();
      app.log.info({ event: 'stopped' }, 'stopped');
    })());
  return { port, metricsPort, app, storage, moderation, lawful, abuse, sweep, stop };
}
