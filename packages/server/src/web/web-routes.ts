// Serves the web app's build (packages/web/dist) at `/`: index.html, content-hashed assets, the single-page-app
// fallback, and a 503 page while no build is there. Files are read from disk at request time and streamed; nothing
// outside the build directory is ever opened (web-path.ts refuses the path, then the real path is checked).
import { constants, type Stats } from 'node:fs';
import { type FileHandle, open, realpath } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SottoError } from '../errors.js';
import { securityHeaders } from './security-headers.js';
import { isWebBuilt, WEB_BUILD_COMMAND } from './web-build.js';
import { acceptsHtml, classifyWebPath } from './web-path.js';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

export interface WebRoutesOptions {
  /** The build directory (web.dir); null when none is configured or installed. */
  dir: string | null;
  /** server.publicUrl, for the WebSocket origins of the Content-Security-Policy. */
  publicUrl: string | null;
}

/** An open regular file inside the build directory, or undefined when there is none at that path. */
async function openInside(root: string, segments: readonly string[]): Promise<{ fh: FileHandle; stat: Stats } | undefined> {
  let real: string;
  let rootReal: string;
  try {
    rootReal = await realpath(root);
    real = await realpath(join(rootReal, ...segments));
  } catch {
    return undefined;
  }
  // A symbolic link may point anywhere: only what really lies under the build directory is served.
  if (!real.startsWith(rootReal + sep)) return undefined;
  let fh: FileHandle;
  try {
    fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  const stat = await fh.stat().catch(() => undefined);
  if (!stat?.isFile()) {
    await fh.close(); // a directory (no listing), or a file gone meanwhile
    return undefined;
  }
  return { fh, stat };
}

function notFound(reply: FastifyReply, headers: Record<string, string>): FastifyReply {
  return reply.status(404).headers(headers).header('cache-control', REVALIDATE).type('text/plain; charset=utf-8').send('not found\n');
}

function notBuilt(reply: FastifyReply, headers: Record<string, string>): FastifyReply {
  const page =
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Sotto: web app not built</title></head>\n' +
    `<body><h1>The web app is not built</h1><p>The server is running and its API answers under /v1. ` +
    `To serve the web app here, build it: <code>${WEB_BUILD_COMMAND}</code></p></body></html>\n`;
  return reply.status(503).headers(headers).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page);
}

async function sendFile(
  req: FastifyRequest,
  reply: FastifyReply,
  file: { fh: FileHandle; stat: Stats },
  name: string,
  cache: string,
  headers: Record<string, string>,
): Promise<FastifyReply> {
  // A validator, so that revalidating (no-cache) an unchanged index.html costs a 304 and no body (RFC 9110 §13.1.2).
  const etag = `W/"${file.stat.size.toString(16)}-${Math.floor(file.stat.mtimeMs).toString(16)}"`;
  void reply
    .headers(headers)
    .header('cache-control', cache)
    .header('content-type', contentTypeOf(name))
    .header('etag', etag)
    .header('last-modified', file.stat.mtime.toUTCString());
  const inm = req.headers['if-none-match'];
  if (inm !== undefined && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
    await file.fh.close();
    return reply.status(304).send();
  }
  void reply.header('content-length', String(file.stat.size));
  if (req.method === 'HEAD') {
    await file.fh.close();
    return reply.send();
  }
  return reply.send(file.fh.createReadStream({ autoClose: true }));
}

export function webRoutes(app: FastifyInstance, opts: WebRoutesOptions): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const path = classifyWebPath(req.raw.url ?? '');
    if (path.kind === 'api') throw new SottoError('NOT_FOUND', 'no such route');
    const headers = securityHeaders(opts.publicUrl, req.headers.host);
    if (path.kind === 'refused') {
      req.log.debug({ event: 'web-path-refused', reason: path.reason }, 'web path refused');
      return notFound(reply, headers);
    }
    if (!isWebBuilt(opts.dir)) return notBuilt(reply, headers);
    const dir = opts.dir;
    const index = async () => {
      const file = await openInside(dir, ['index.html']);
      return file ? sendFile(req, reply, file, 'index.html', REVALIDATE, headers) : notBuilt(reply, headers);
    };
    if (path.kind === 'index') return index();
    if (path.kind === 'file') {
      const file = await openInside(dir, path.segments);
      const name = path.segments[path.segments.length - 1] ?? '';
      if (file) return sendFile(req, reply, file, name, path.immutable ? IMMUTABLE : REVALIDATE, headers);
      if (path.immutable) return notFound(reply, headers);
    }
    // A path of the app itself (a browser opening /chats/abc): the app routes it. The answer depends on Accept.
    void reply.header('vary', 'Accept');
    return acceptsHtml(req.headers.accept) ? index() : notFound(reply, headers);
  };
  for (const url of ['/', '/*']) app.route({ method: ['GET', 'HEAD'], url, schema: { hide: true }, handler });
}
