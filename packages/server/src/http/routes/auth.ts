// Challenge login: a device signs a server challenge with its MLS signature key and gets a session token.
import { type ChallengeRequest, type ChallengeResponse, MAX_CHALLENGE_BYTES, type TokenRequest, type TokenResponse } from '@sotto/protocol';
import type { FastifyInstance } from 'fastify';
import { fromB64, toB64 } from '../../util/encoding.js';
import type { AppContext } from '../context.js';
import { b64, deviceId } from '../schemas.js';

export function authRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: ChallengeRequest }>(
    '/auth/challenge',
    {
      config: { ipLimit: true },
      schema: {
        summary: 'Get a login challenge for a device',
        tags: ['auth'],
        body: { type: 'object', required: ['deviceId'], additionalProperties: false, properties: { deviceId } },
        response: { 200: { type: 'object', properties: { challenge: { type: 'string' }, expiresAt: { type: 'integer' } } } },
      },
    },
    async (req) => {
      const c = await ctx.auth.challenge(req.body.deviceId);
      return { challenge: toB64(c.challenge), expiresAt: c.expiresAt } satisfies ChallengeResponse;
    },
  );

  app.post<{ Body: TokenRequest }>(
    '/auth/token',
    {
      config: { ipLimit: true },
      schema: {
        summary: 'Answer a challenge and get a short-lived session token',
        description: 'signature = Ed25519 over the AuthChallenge v1 content (packages/identity) with the device MLS signature key.',
        tags: ['auth'],
        body: {
          type: 'object',
          required: ['deviceId', 'challenge', 'signature'],
          additionalProperties: false,
          properties: { deviceId, challenge: b64(MAX_CHALLENGE_BYTES), signature: b64(MAX_CHALLENGE_BYTES) },
        },
        response: { 200: { type: 'object', properties: { token: { type: 'string' }, expiresAt: { type: 'integer' } } } },
      },
    },
    async (req): Promise<TokenResponse> =>
      ctx.auth.login(
        req.body.deviceId,
        fromB64(req.body.challenge, 'challenge', MAX_CHALLENGE_BYTES),
        fromB64(req.body.signature, 'signature', MAX_CHALLENGE_BYTES),
      ),
  );
}
