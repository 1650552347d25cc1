// KeyPackages (RFC 9420 §10): upload a batch, read the remaining count, claim one per device of an account.

import { isAccountName } from '@sotto/identity';
import {
  type KeyPackageClaimResponse,
  type KeyPackageCountResponse,
  type KeyPackageUploadRequest,
  type KeyPackageUploadResponse,
  MAX_KEY_PACKAGE_BYTES,
  MAX_KEY_PACKAGES_PER_UPLOAD,
  MIN_KEY_PACKAGE_BYTES,
} from '@sotto/protocol';
import type { FastifyInstance } from 'fastify';
import { SottoError } from '../../errors.js';
import { fromB64, toB64 } from '../../util/encoding.js';
import { type AppContext, sessionOf } from '../context.js';
import { accountName, b64 } from '../schemas.js';

const KP_MAX = MAX_KEY_PACKAGE_BYTES;

export function keyPackageRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: KeyPackageUploadRequest }>(
    '/key-packages',
    {
      config: { auth: true },
      schema: {
        summary: "Upload a batch of the calling device's KeyPackages",
        description: 'A lastResort KeyPackage replaces the previous one; it is handed out when the others are gone and never consumed.',
        tags: ['key-packages'],
        body: {
          type: 'object',
          required: ['keyPackages'],
          additionalProperties: false,
          properties: {
            keyPackages: { type: 'array', maxItems: MAX_KEY_PACKAGES_PER_UPLOAD, items: b64(KP_MAX) },
            lastResort: b64(KP_MAX),
          },
        },
        response: { 200: { type: 'object', properties: { count: { type: 'integer' } } } },
      },
    },
    async (req) => {
      const s = sessionOf(req);
      const kps = req.body.keyPackages.map((k, i) => fromB64(k, `keyPackages[${i}]`, KP_MAX));
      for (const k of kps)
        if (k.length < MIN_KEY_PACKAGE_BYTES) throw new SottoError('VALIDATION', `a KeyPackage is at least ${MIN_KEY_PACKAGE_BYTES} bytes`);
      const lr = req.body.lastResort === undefined ? undefined : fromB64(req.body.lastResort, 'lastResort', KP_MAX);
      const count = await ctx.storage.addKeyPackages(s.deviceId, kps, lr, ctx.config.keyPackages.maxPerDevice);
      return { count } satisfies KeyPackageUploadResponse;
    },
  );

  app.get(
    '/key-packages/count',
    {
      config: { auth: true },
      schema: {
        summary: 'How many KeyPackages the calling device has left',
        tags: ['key-packages'],
        response: { 200: { type: 'object', properties: { count: { type: 'integer' }, lastResort: { type: 'boolean' } } } },
      },
    },
    async (req): Promise<KeyPackageCountResponse> => ctx.storage.countKeyPackages(sessionOf(req).deviceId),
  );

  app.post<{ Params: { name: string } }>(
    '/accounts/:name/key-packages/claim',
    {
      config: { auth: true },
      schema: {
        summary: 'Claim one KeyPackage for each live device of an account',
        description:
          'Consumed atomically: two claims never receive the same KeyPackage. Rate-limited per calling device; past the hourly budgets per claiming account, per claiming and target account, and per target account, the last-resort KeyPackages are handed out instead.',
        tags: ['key-packages'],
        params: { type: 'object', required: ['name'], properties: { name: accountName } },
        response: {
          200: {
            type: 'object',
            properties: {
              keyPackages: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { deviceId: { type: 'string' }, keyPackage: { type: 'string' }, lastResort: { type: 'boolean' } },
                },
              },
            },
          },
        },
      },
    },
    async (req) => {
      const s = sessionOf(req);
      if (!isAccountName(req.params.name)) throw new SottoError('VALIDATION', 'not an account name');
      if (!ctx.limits.claims.take(s.deviceId, ctx.clock.now()))
        throw new SottoError('RATE_LIMITED', 'too many KeyPackage claims; retry later');
      const a = await ctx.storage.getAccount(req.params.name);
      if (a?.status !== 'active') throw new SottoError('NOT_FOUND', 'no such account');
      const oneTime = ctx.limits.keyPackageClaims.allowOneTime(s.account, a.name, ctx.clock.now());
      const claimed = await ctx.storage.claimKeyPackages(a.name, oneTime);
      if (claimed.length === 0) throw new SottoError('NO_KEY_PACKAGE', 'the account has no KeyPackage left');
      return {
        keyPackages: claimed.map((c) => ({ deviceId: c.deviceId, keyPackage: toB64(c.keyPackage), lastResort: c.lastResort })),
      } satisfies KeyPackageClaimResponse;
    },
  );
}
