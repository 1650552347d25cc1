// Groups as the Delivery Service sees them: an id, the current epoch and a delivery list of devices.
import type { FastifyInstance } from 'fastify';
import { SottoError } from '../../errors.js';
import { fromB64 } from '../../util/encoding.js';
import { type AppContext, sessionOf } from '../context.js';
import { b64, epoch } from '../schemas.js';

const groupView = {
  type: 'object',
  properties: { groupId: { type: 'string' }, epoch: { type: 'string' }, members: { type: 'array', items: { type: 'string' } } },
} as const;

export function groupRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: { groupId: string; epoch: string } }>(
    '/groups',
    {
      config: { auth: true },
      schema: {
        summary: 'Start routing a new MLS group, with the calling device as its only member',
        tags: ['groups'],
        body: { type: 'object', required: ['groupId', 'epoch'], additionalProperties: false, properties: { groupId: b64(255), epoch } },
        response: { 201: groupView },
      },
    },
    async (req, reply) => {
      const s = sessionOf(req);
      const gid = fromB64(req.body.groupId, 'groupId', 255);
      if (gid.length === 0) throw new SottoError('VALIDATION', 'groupId is empty');
      await ctx.groupCaps.onGroupCreated(s.account, ctx.clock.now()); // young accounts: groups per hour (limits/group-caps.ts)
      await ctx.storage.createGroup(gid, BigInt(req.body.epoch), s.deviceId, ctx.clock.now());
      return reply.status(201).send({ groupId: req.body.groupId, epoch: req.body.epoch, members: [s.deviceId] });
    },
  );

  app.get<{ Params: { groupId: string } }>(
    '/groups/:groupId',
    {
      config: { auth: true },
      schema: {
        summary: 'Current epoch and delivery list of a group (members only)',
        tags: ['groups'],
        params: {
          type: 'object',
          required: ['groupId'],
          properties: { groupId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,340}$', description: 'base64url, no padding' } },
        },
        response: { 200: groupView },
      },
    },
    async (req) => {
      const s = sessionOf(req);
      const gid = new Uint8Array(Buffer.from(req.params.groupId, 'base64url'));
      const g = await ctx.storage.getGroup(gid);
      if (!g?.members.includes(s.deviceId)) throw new SottoError('UNKNOWN_GROUP', 'no such group, or the calling device is not a member');
      return { groupId: Buffer.from(gid).toString('base64'), epoch: g.epoch.toString(), members: g.members };
    },
  );
}
