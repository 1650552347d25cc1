// The moderation admin API under /v1/admin (docs/moderation.md): the report queue, one item, resolving it, its evidence
// package, and the server key. Authenticated only by an admin token (`Authorization: Bearer sat_...`, with scopes);
// a user's session token is never accepted here. The acting admin recorded in the moderation log is the token's name.
import { MODERATION_ACTIONS, type AdminResolveRequest, type AdminScope, REPORT_STATUSES, type ReportStatus } from '@sotto/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ADMIN_SECURITY, adminPrincipal } from '../admin-auth.js';
import type { AppContext } from '../context.js';

const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } } } as const;
const str = { type: 'string' } as const;
const nstr = { type: ['string', 'null'] } as const;
const summary = {
  id: str,
  kind: str,
  reportedAccount: str,
  reporterAccount: nstr,
  category: nstr,
  verified: { type: 'boolean' },
  createdAt: { type: 'integer' },
  status: str,
} as const;

export function adminReportRoutes(app: FastifyInstance, ctx: AppContext): void {
  const admin = (req: FastifyRequest, scope: AdminScope) => adminPrincipal(ctx, req, scope);
  const security = ADMIN_SECURITY;

  app.get<{ Querystring: { status?: ReportStatus | 'all' } }>(
    '/admin/reports',
    {
      config: { admin: true },
      schema: {
        summary: 'The moderation queue',
        description: `${security}; scope reports:read. Newest first; status open (default), resolved or all.`,
        tags: ['admin'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { type: 'string', enum: [...REPORT_STATUSES, 'all'] } },
        },
        response: { 200: { type: 'object', properties: { reports: { type: 'array', items: { type: 'object', properties: summary } } } } },
      },
    },
    async (req) => {
      await admin(req, 'reports:read');
      return { reports: await ctx.moderation.service.list(req.query.status ?? 'open') };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/admin/reports/:id',
    {
      config: { admin: true },
      schema: {
        summary: 'One queue item: messages with their text and verification, or the signals that tripped',
        description: `${security}; scope reports:read.`,
        tags: ['admin'],
        params: idParam,
      },
    },
    async (req) => {
      await admin(req, 'reports:read');
      return ctx.moderation.service.detail(req.params.id);
    },
  );

  app.post<{ Params: { id: string }; Body: AdminResolveRequest }>(
    '/admin/reports/:id/resolve',
    {
      config: { admin: true },
      schema: {
        summary: 'Resolve a queue item: dismiss, warn (a notice to the account) or suspend the account',
        description: `${security}; scope reports:act. 409 CONFLICT when it is already resolved.`,
        tags: ['admin'],
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['action'],
          properties: { action: { type: 'string', enum: [...MODERATION_ACTIONS] }, note: { type: 'string', maxLength: 2000 } },
        },
        response: { 200: { type: 'object', properties: { id: str, status: str, action: str } } },
      },
    },
    async (req) => {
      const p = await admin(req, 'reports:act');
      return ctx.moderation.service.resolve(req.params.id, req.body.action, req.body.note ?? '', p.name, ctx.clock.now());
    },
  );

  app.get<{ Params: { id: string } }>(
    '/admin/reports/:id/evidence',
    {
      config: { admin: true },
      schema: {
        summary: 'The signed evidence package of a report (sotto-evidence/v1)',
        description: `${security}; scope evidence:export. Verify offline with \`sotto-server verify-evidence FILE\`.`,
        tags: ['admin'],
        params: idParam,
      },
    },
    async (req) => {
      const p = await admin(req, 'evidence:export');
      return ctx.moderation.service.evidence(req.params.id, p.name, ctx.clock.now());
    },
  );

  app.get(
    '/admin/server-key',
    {
      config: { admin: true },
      schema: {
        summary: "The server's Ed25519 evidence-signing key",
        description: `${security}; any scope. Also public at GET /v1/server-key.`,
        tags: ['admin'],
        response: { 200: { type: 'object', properties: { domain: str, publicKey: str } } },
      },
    },
    async (req) => {
      await adminPrincipal(ctx, req);
      return ctx.moderation.service.serverKey();
    },
  );
}
