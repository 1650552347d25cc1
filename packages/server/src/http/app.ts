// Builds the Fastify application: validation, auth hook, one error handler, OpenAPI, and the routes.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { SottoError } from '../errors.js';
import type { AppContext } from './context.js';
import { OpenApiCollector } from './openapi.js';
import { httpServerOptions, installRequestTimeouts } from './request-timeouts.js';
import { accountRoutes } from './routes/accounts.js';
import { adminReportRoutes } from './routes/admin-reports.js';
import { adminRequestRoutes } from './routes/admin-requests.js';
import { authRoutes } from './routes/auth.js';
import { blobRoutes } from './routes/blobs.js';
import { groupRoutes } from './routes/groups.js';
import { inventoryRoutes } from './routes/inventory.js';
import { keyPackageRoutes } from './routes/key-packages.js';
import { messageRoutes } from './routes/messages.js';
import { reportRoutes } from './routes/reports.js';
import { requestRoutes } from './routes/requests.js';
import { adminTransparencyRoutes, wellKnownTransparencyRoutes } from './routes/transparency.js';
import { maxSubmitBytes } from './schemas.js';
import { webRoutes } from '../web/web-routes.js';

export interface AppOptions {
  logger: boolean | Record<string, unknown>;
}

function toSottoError(err: FastifyError | Error): SottoError {
  if (err instanceof SottoError) return err;
  const e = err as FastifyError;
  if (e.validation) return new SottoError('VALIDATION', `invalid request: ${e.message}`);
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new SottoError('PAYLOAD_TOO_LARGE', 'request body is too large');
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new SottoError('UNSUPPORTED_MEDIA_TYPE', 'unsupported content type');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 413) return new SottoError('PAYLOAD_TOO_LARGE', 'request body is too large');
    if (e.statusCode === 415) return new SottoError('UNSUPPORTED_MEDIA_TYPE', 'unsupported content type');
    return new SottoError('VALIDATION', 'malformed request');
  }
  return new SottoError('INTERNAL', 'internal error');
}

export function buildApp(ctx: AppContext, opts: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: opts.logger,
    bodyLimit: maxSubmitBytes(ctx.config.limits),
    trustProxy: (address: string) => ctx.proxies.trusts(address),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    http: httpServerOptions(ctx), // headers timeout (request-timeouts.ts)
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.decorateRequest('session', undefined);
  app.removeContentTypeParser('text/plain');
  const openapi = new OpenApiCollector();
  app.addHook('onRoute', openapi.onRoute);

  app.addHook('onRequest', async (req) => {
    const auth = (req.routeOptions.config as { auth?: boolean; ipLimit?: boolean } | undefined) ?? {};
    if (auth.ipLimit && !ctx.limits.ip.take(req.ip, ctx.clock.now())) {
      ctx.metrics.limitRefusals('limit="ip_rate"');
      throw new SottoError('RATE_LIMITED', 'too many requests from this address');
    }
    if (auth.auth) {
      const h = req.headers.authorization;
      const token = typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7) : undefined;
      req.session = await ctx.auth.authenticate(token);
    }
  });
  installRequestTimeouts(app, ctx);
  app.addHook('onResponse', async (req, reply) => {
    ctx.metrics.httpRequests(`status="${Math.floor(reply.statusCode / 100)}xx"`);
    ctx.metrics.httpLatency(reply.elapsedTime / 1000, `route="${req.routeOptions.url ?? 'unknown'}"`);
  });

  app.setErrorHandler((error, req, reply) => {
    const err = error instanceof Error ? error : new Error(String(error));
    const e = toSottoError(err);
    ctx.metrics.errors(`code="${e.code}"`);
    if (e.status >= 500) req.log.error({ code: e.code, err: { type: err.name, message: err.message, stack: err.stack } }, 'request failed');
    else req.log.info({ code: e.code }, 'request refused');
    void reply.status(e.status).send(e.toBody());
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.status(404).send(new SottoError('NOT_FOUND', 'no such route').toBody());
  });

  const health = { type: 'object', properties: { status: { type: 'string' }, version: { type: 'string' } } } as const;
  app.get(
    '/health',
    { schema: { summary: 'Liveness and readiness', tags: ['ops'], response: { 200: health, 503: health } } },
    async (_req, reply) => {
      if (ctx.isShuttingDown()) return reply.status(503).send({ status: 'shutting-down', version: ctx.version });
      return { status: 'ok', version: ctx.version };
    },
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => openapi.document(ctx.version));
  wellKnownTransparencyRoutes(app, ctx);

  app.register(
    async (v1) => {
      accountRoutes(v1, ctx);
      authRoutes(v1, ctx);
      keyPackageRoutes(v1, ctx);
      groupRoutes(v1, ctx);
      messageRoutes(v1, ctx);
      requestRoutes(v1, ctx);
      blobRoutes(v1, ctx);
      inventoryRoutes(v1, ctx);
      reportRoutes(v1, ctx);
      adminReportRoutes(v1, ctx);
      adminRequestRoutes(v1, ctx);
      adminTransparencyRoutes(v1, ctx);
    },
    { prefix: '/v1' },
  );
  // The web app at `/`: a GET outside the API prefixes reaches it; unknown API paths keep the JSON 404.
  if (ctx.config.web.enabled) webRoutes(app, { dir: ctx.config.web.dir, publicUrl: ctx.config.server.publicUrl });
  return app;
}
