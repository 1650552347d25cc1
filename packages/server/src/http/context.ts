// What every route module receives: the services built in main (no module singletons).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AbuseSignals } from '../abuse/abuse-signals.js';
import type { AuthService, Session } from '../auth/auth-service.js';
import type { BlobStore } from '../blobs/blob-store.js';
import type { Config } from '../config/config.js';
import type { DeliveryService } from '../delivery/delivery-service.js';
import type { Transparency } from '../lawful/transparency.js';
import type { GroupCaps } from '../limits/group-caps.js';
import type { Stamper } from '../franking/stamp-key.js';
import type { KeyPackageClaimLimits } from '../limits/key-package-claims.js';
import type { QuotaService } from '../limits/quota-service.js';
import type { Lawful } from '../lawful/lawful.js';
import type { Moderation } from '../moderation/moderation.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import type { Storage } from '../storage/storage.js';
import type { Clock } from '../util/clock.js';
import type { RateLimiter } from '../util/rate-limiter.js';
import type { TrustedProxies } from '../util/trusted-proxies.js';

export interface AppContext {
  config: Config;
  storage: Storage;
  auth: AuthService;
  delivery: DeliveryService;
  blobs: BlobStore;
  clock: Clock;
  metrics: ServerMetrics;
  quota: QuotaService;
  groupCaps: GroupCaps;
  /** Reports, the moderation queue, admin tokens and notices (docs/moderation.md). */
  moderation: Moderation;
  /** The lawful-request register (docs/for-law-enforcement.md). */
  lawful: Lawful;
  /** The signed heads of the request and moderation logs, and the transparency report (src/lawful/transparency.ts). */
  transparency: Transparency;
  /** Abuse signals from metadata (src/abuse/). */
  abuse: AbuseSignals;
  /** Stamps each delivery of a franked application message for its recipient (docs/franking.md). */
  stamper: Stamper;
  /** Reverse proxies whose X-Forwarded-For is believed (server.trustedProxies). */
  proxies: TrustedProxies;
  limits: {
    ip: RateLimiter;
    claims: RateLimiter;
    /** Refused registrations, device additions and revocations per client IP. */
    failures: RateLimiter;
    keyPackageClaims: KeyPackageClaimLimits;
    /** Directory lookups per calling account. */
    lookups: RateLimiter;
  };
  version: string;
  isShuttingDown: () => boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    session: Session | undefined;
  }
  /** Documentation fields read by the OpenAPI generator (src/http/openapi.ts). */
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: string[];
    consumes?: string;
    hide?: boolean;
  }
}

/** The authenticated session of a route declared with `config: { auth: true }`. */
export function sessionOf(req: FastifyRequest): Session {
  if (!req.session) throw new Error('route is missing config.auth');
  return req.session;
}

export type Reply = FastifyReply;
