// Message submission, pull (catch-up) and acknowledgement over HTTP; the WebSocket carries the same operations.
import {
  type AckRequest,
  type AckResponse,
  type FetchMessagesResponse,
  MAX_ACK_IDS,
  MAX_FETCH_PAGE,
  type SubmitRequest,
  type SubmitResponse,
} from '@sotto/protocol';
import type { FastifyInstance } from 'fastify';
import { checkSubmitLimits } from '../../limits/submit-limits.js';
import { fromB64, toB64 } from '../../util/encoding.js';
import { type AppContext, sessionOf } from '../context.js';
import { submitProperties } from '../schemas.js';

export const queuedMessageSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    groupId: { type: 'string' },
    kind: { type: 'string', enum: ['message', 'welcome'] },
    data: { type: 'string' },
    createdAt: { type: 'integer' },
    franking: {
      type: 'object',
      properties: { device: { type: 'string' }, account: { type: 'string' }, stamp: { type: 'string' } },
    },
  },
} as const;

/** The submission body, shared with the WebSocket `send` frame. */
export type SubmitBody = SubmitRequest;

export function decodeSubmit(ctx: AppContext, b: SubmitBody) {
  const { maxMessageBytes: max, maxWelcomeBytes } = ctx.config.limits;
  return {
    message: fromB64(b.message, 'message', max),
    welcome: b.welcome === undefined ? undefined : fromB64(b.welcome, 'welcome', maxWelcomeBytes),
    groupInfo: b.groupInfo === undefined ? undefined : fromB64(b.groupInfo, 'groupInfo', max),
    ttlSeconds: b.ttlSeconds,
  };
}

export function messageRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { maxMessageBytes, maxWelcomeBytes } = ctx.config.limits;
  app.post<{ Body: SubmitBody }>(
    '/messages',
    {
      config: { auth: true },
      schema: {
        summary: 'Submit an MLS message to its group',
        description:
          'Proposals and commits are PublicMessages, verified against the group state (400 INVALID_COMMIT with the MLS rule otherwise); exactly one commit per epoch is accepted (409 STALE_EPOCH names the current epoch), and the delivery list follows the new tree. Application messages are PrivateMessages of the current epoch or of the past epochs members keep (older: 409 STALE_EPOCH). The reply comes after the message is durably stored.',
        tags: ['messages'],
        body: {
          type: 'object',
          required: ['message'],
          additionalProperties: false,
          properties: submitProperties(maxMessageBytes, maxWelcomeBytes),
        },
        response: { 200: { type: 'object', properties: { messageId: { type: 'integer' }, epoch: { type: 'string' } } } },
      },
    },
    async (req) => {
      const s = sessionOf(req);
      const input = decodeSubmit(ctx, req.body);
      await checkSubmitLimits(ctx, s, input); // the sender's queued-bytes quota (limits/submit-limits.ts), before anything is stored
      const r = await ctx.delivery.submit(s, input);
      return { messageId: r.messageId, epoch: r.epoch.toString() } satisfies SubmitResponse;
    },
  );

  app.get<{ Querystring: { after?: string; limit?: string } }>(
    '/messages',
    {
      config: { auth: true },
      schema: {
        summary: "Pull the calling device's queue (catch-up), in order",
        tags: ['messages'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { after: { type: 'string', pattern: '^[0-9]{1,15}$' }, limit: { type: 'string', pattern: '^[0-9]{1,4}$' } },
        },
        response: { 200: { type: 'object', properties: { messages: { type: 'array', items: queuedMessageSchema } } } },
      },
    },
    async (req) => {
      const after = Number(req.query.after ?? 0);
      const limit = Math.min(MAX_FETCH_PAGE, Math.max(1, Number(req.query.limit ?? 100)));
      const device = sessionOf(req).deviceId;
      const msgs = await ctx.delivery.fetch(device, after, limit);
      return {
        messages: msgs.map((m) => {
          const franking = ctx.stamper.wireFor(m, device);
          return {
            id: m.id,
            groupId: toB64(m.groupId),
            kind: m.kind,
            data: toB64(m.payload),
            createdAt: m.createdAt,
            ...(franking ? { franking } : {}),
          };
        }),
      } satisfies FetchMessagesResponse;
    },
  );

  app.post<{ Body: AckRequest }>(
    '/messages/ack',
    {
      config: { auth: true },
      schema: {
        summary: 'Acknowledge delivered messages; only then are they deleted',
        tags: ['messages'],
        body: {
          type: 'object',
          required: ['ids'],
          additionalProperties: false,
          properties: {
            ids: {
              type: 'array',
              minItems: 1,
              maxItems: MAX_ACK_IDS,
              items: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
            },
          },
        },
        response: { 200: { type: 'object', properties: { acked: { type: 'integer' } } } },
      },
    },
    async (req): Promise<AckResponse> => ({ acked: await ctx.delivery.ack(sessionOf(req).deviceId, req.body.ids) }),
  );
}
