// Attachment blobs: already-encrypted bytes, uploaded by streaming, addressed by their SHA-256, with an expiry.

import type { Readable } from 'node:stream';
import type { BlobUploadResponse } from '@sotto/protocol';
import type { FastifyInstance } from 'fastify';
import { BLOB_HASH } from '../../blobs/blob-store.js';
import { SottoError } from '../../errors.js';
import { type AppContext, sessionOf } from '../context.js';

const hashParam = { type: 'object', required: ['hash'], properties: { hash: { type: 'string', pattern: '^[0-9a-f]{64}$' } } } as const;

export function blobRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

  app.put<{ Params: { hash: string }; Querystring: { ttlSeconds?: string } }>(
    '/blobs/:hash',
    {
      config: { auth: true, streamed: true }, // no fixed deadline: a minimum rate instead (request-timeouts.ts)
      bodyLimit: Number.MAX_SAFE_INTEGER,
      schema: {
        summary: 'Upload an encrypted attachment; the path is the SHA-256 (hex) of the bytes',
        description: 'Content-Type: application/octet-stream. Refused with HASH_MISMATCH if the bytes do not hash to the id.',
        tags: ['blobs'],
        consumes: 'application/octet-stream',
        params: hashParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ttlSeconds: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
        },
        response: {
          201: { type: 'object', properties: { hash: { type: 'string' }, size: { type: 'integer' }, expiresAt: { type: 'integer' } } },
        },
      },
    },
    async (req, reply) => {
      const s = sessionOf(req);
      if (req.headers['content-type'] !== 'application/octet-stream')
        throw new SottoError('UNSUPPORTED_MEDIA_TYPE', 'upload blobs as application/octet-stream');
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > ctx.config.blobs.maxBytes)
        throw new SottoError('PAYLOAD_TOO_LARGE', `blobs are limited to ${ctx.config.blobs.maxBytes} bytes`);
      await ctx.quota.checkBlob(s.account, declared, ctx.clock.now()); // before a byte is read
      const { minBytesPerSecond, rateWindowSeconds } = ctx.config.blobs;
      const minRate = { bytesPerSecond: minBytesPerSecond, windowSeconds: rateWindowSeconds };
      const size = await ctx.blobs.put(req.params.hash, req.body as Readable, ctx.config.blobs.maxBytes, minRate).catch((e: unknown) => {
        if (e instanceof SottoError && e.code === 'REQUEST_TIMEOUT') ctx.metrics.limitRefusals('limit="blob_min_rate"');
        throw e;
      });
      const now = ctx.clock.now();
      try {
        await ctx.quota.checkBlob(s.account, size, now); // the declared length may have been absent (chunked)
      } catch (e) {
        if (!(await ctx.storage.getBlob(req.params.hash, now))) await ctx.blobs.delete(req.params.hash);
        throw e;
      }
      const maxTtl = ctx.config.blobs.ttlDays * 86400;
      const ttl = Math.min(maxTtl, Number(req.query.ttlSeconds ?? maxTtl));
      const expiresAt = now + ttl * 1000;
      await ctx.storage.putBlob(req.params.hash, size, s.deviceId, now, expiresAt);
      return reply.status(201).send({ hash: req.params.hash, size, expiresAt } satisfies BlobUploadResponse);
    },
  );

  app.get<{ Params: { hash: string } }>(
    '/blobs/:hash',
    {
      config: { auth: true },
      schema: { summary: 'Download an encrypted attachment', tags: ['blobs'], params: hashParam },
    },
    async (req, reply) => {
      if (!BLOB_HASH.test(req.params.hash)) throw new SottoError('VALIDATION', 'bad blob id');
      const rec = await ctx.storage.getBlob(req.params.hash, ctx.clock.now());
      const file = rec && (await ctx.blobs.open(req.params.hash));
      if (!file) throw new SottoError('NOT_FOUND', 'no such blob, or it has expired');
      return reply.header('content-type', 'application/octet-stream').header('content-length', file.size).send(file.stream);
    },
  );
}
