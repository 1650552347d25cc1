// Deadlines for slow clients: request headers (Node's headersTimeout), the whole request of every route, and a
// minimum transfer rate for streamed uploads (blobs), which may legitimately take longer than any fixed deadline.
import type { ServerOptions } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { SottoError } from '../errors.js';
import type { AppContext } from './context.js';

/** Options of the Node HTTP server: headers must arrive within server.headersTimeoutSeconds (checked every second). */
export function httpServerOptions(ctx: AppContext): ServerOptions {
  return { headersTimeout: ctx.config.server.headersTimeoutSeconds * 1000, requestTimeout: 0, connectionsCheckingInterval: 1000 };
}

/**
 * Every route must have received its whole request within server.requestTimeoutSeconds of its headers, except a
 * route declared with `config: { streamed: true }`, which meters its own body (see minimumRate). A late request is
 * answered 408 REQUEST_TIMEOUT and its connection closed. A slow handler is not cut off: only the client's bytes count.
 */
export function installRequestTimeouts(app: FastifyInstance, ctx: AppContext): void {
  const ms = ctx.config.server.requestTimeoutSeconds * 1000;
  app.server.on('clientError', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') ctx.metrics.limitRefusals('limit="headers_timeout"');
  });
  app.addHook('onRequest', async (req, reply) => {
    if ((req.routeOptions.config as { streamed?: boolean } | undefined)?.streamed || req.raw.complete) return;
    const timer = setTimeout(() => {
      if (req.raw.complete || reply.raw.headersSent) return;
      ctx.metrics.limitRefusals('limit="request_timeout"');
      const body = JSON.stringify(new SottoError('REQUEST_TIMEOUT', 'the request was not received in time').toBody());
      reply.raw.writeHead(408, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
      reply.raw.end(body, () => req.raw.socket?.destroy());
    }, ms);
    timer.unref();
    reply.raw.once('close', () => clearTimeout(timer));
    req.raw.once('end', () => clearTimeout(timer));
  });
}

/** Fails a streamed body that delivers fewer than `bytesPerSecond` over any window of `windowSeconds`. */
export interface MinimumRate {
  bytesPerSecond: number;
  windowSeconds: number;
}
