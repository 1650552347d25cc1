// Groups as the Delivery Service sees them: an id, the current epoch, the public MLS state and a delivery list of devices.
import type { CreateGroupRequest, DeleteGroupResponse, GroupInfoResponse, GroupView } from '@sotto/protocol';
import type { FastifyInstance } from 'fastify';
import { SottoError } from '../../errors.js';
import { fromB64 } from '../../util/encoding.js';
import { type AppContext, sessionOf } from '../context.js';
import { b64 } from '../schemas.js';

const groupView = {
  type: 'object',
  properties: { groupId: { type: 'string' }, epoch: { type: 'string' }, members: { type: 'array', items: { type: 'string' } } },
} as const;

const groupIdParams = {
  type: 'object',
  required: ['groupId'],
  properties: { groupId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,340}$', description: 'base64url, no padding' } },
} as const;

export function groupRoutes(app: FastifyInstance, ctx: AppContext): void {
  const max = ctx.config.limits.maxMessageBytes;
  app.post<{ Body: CreateGroupRequest }>(
    '/groups',
    {
      config: { auth: true },
      schema: {
        summary: 'Start routing a new MLS group, with the calling device as its only member',
        description:
          "The body is the creator's GroupInfo of epoch 0 with the ratchet_tree extension (RFC 9420 §12.4.3.1), made right after creating the group: signed by the tree's one leaf, which must be the calling device. The server keeps the group's public state from it and verifies every later proposal and commit against that state.",
        tags: ['groups'],
        body: {
          type: 'object',
          required: ['groupInfo'],
          additionalProperties: false,
          properties: { groupInfo: b64(max, 'MLSMessage GroupInfo, epoch 0, with the ratchet tree') },
        },
        response: { 201: groupView },
      },
    },
    async (req, reply) => {
      const s = sessionOf(req);
      const groupInfo = fromB64(req.body.groupInfo, 'groupInfo', max);
      await ctx.abuse.beforeGroupCreated(s.account, ctx.clock.now()); // a throttled account creates no group (abuse/)
      await ctx.groupCaps.onGroupCreated(s.account, ctx.clock.now()); // young accounts: groups per hour (limits/group-caps.ts)
      const g = await ctx.delivery.createGroup(s, groupInfo);
      const view = {
        groupId: Buffer.from(g.groupId).toString('base64'),
        epoch: g.epoch.toString(),
        members: g.members,
      } satisfies GroupView;
      return reply.status(201).send(view);
    },
  );

  app.get<{ Params: { groupId: string } }>(
    '/groups/:groupId',
    {
      config: { auth: true },
      schema: {
        summary: 'Current epoch and delivery list of a group (members only)',
        tags: ['groups'],
        params: groupIdParams,
        response: { 200: groupView },
      },
    },
    async (req) => {
      const s = sessionOf(req);
      const gid = new Uint8Array(Buffer.from(req.params.groupId, 'base64url'));
      const g = await ctx.storage.getGroup(gid);
      if (!g?.members.includes(s.deviceId)) throw new SottoError('UNKNOWN_GROUP', 'no such group, or the calling device is not a member');
      return { groupId: Buffer.from(gid).toString('base64'), epoch: g.epoch.toString(), members: g.members } satisfies GroupView;
    },
  );

  app.delete<{ Params: { groupId: string } }>(
    '/groups/:groupId',
    {
      config: { auth: true },
      schema: {
        summary: 'Delete a group that never got past its creation (epoch 0, the calling device its only member)',
        description:
          'For a creator whose first commit failed: the group, its public state and anything queued for it are deleted. Refused (FORBIDDEN) once the group has another member or has left epoch 0; a device that is not in the group gets UNKNOWN_GROUP, as for GET.',
        tags: ['groups'],
        params: groupIdParams,
        response: { 200: { type: 'object', properties: { deleted: { type: 'boolean' } } } },
      },
    },
    async (req) => {
      const gid = new Uint8Array(Buffer.from(req.params.groupId, 'base64url'));
      await ctx.delivery.deleteGroup(sessionOf(req), gid);
      return { deleted: true } satisfies DeleteGroupResponse;
    },
  );

  app.get<{ Params: { groupId: string } }>(
    '/groups/:groupId/group-info',
    {
      config: { auth: true },
      schema: {
        summary: 'What a device needs to rejoin a group by external commit (resync, RFC 9420 §12.4.3.2)',
        description:
          "The GroupInfo of the current epoch that the last committer uploaded, and the server's ratchet tree. Only for a device of an account that is in the group; the external commit that follows is verified like any commit.",
        tags: ['groups'],
        params: groupIdParams,
        response: {
          200: {
            type: 'object',
            properties: { epoch: { type: 'string' }, groupInfo: { type: 'string' }, ratchetTree: { type: 'string' } },
          },
        },
      },
    },
    async (req) => {
      const gid = new Uint8Array(Buffer.from(req.params.groupId, 'base64url'));
      const g = await ctx.delivery.groupInfo(sessionOf(req), gid);
      return {
        epoch: g.epoch.toString(),
        groupInfo: Buffer.from(g.groupInfo).toString('base64'),
        ratchetTree: Buffer.from(g.ratchetTree).toString('base64'),
      } satisfies GroupInfoResponse;
    },
  );
}
