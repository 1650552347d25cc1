// Message requests: the client tells the server that its user blocked a message request (a first contact) from an
// account, which counts toward that account's abuse signals (src/abuse/, docs/abuse-signals.md). Metadata only.
import type { DeclinedRequestRequest, DeclinedRequestResponse } from '@sotto/protocol';
import type { FastifyInstance } from 'fastify';
import { type AppContext, sessionOf } from '../context.js';
import { accountName } from '../schemas.js';

export function requestRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: DeclinedRequestRequest }>(
    '/requests/declined',
    {
      config: { auth: true },
      schema: {
        summary: "The calling account's user blocked a message request from `account`",
        description:
          'Counted toward the abuse signals of `account` only when `account` added the caller to a conversation as a stranger (sharing no other group) within abuse.requestMemorySeconds, the two still share a group, and that request was not declined before (idempotent per pair). `counted` says whether it was.',
        tags: ['requests'],
        body: { type: 'object', required: ['account'], additionalProperties: false, properties: { account: accountName } },
        response: { 200: { type: 'object', properties: { counted: { type: 'boolean' } } } },
      },
    },
    async (req) => {
      const s = sessionOf(req);
      const counted = await ctx.abuse.onDeclined(s.account, req.body.account, ctx.clock.now());
      return { counted } satisfies DeclinedRequestResponse;
    },
  );
}
