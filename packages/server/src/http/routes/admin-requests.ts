// The lawful-request register's admin API under /v1/admin (docs/for-law-enforcement.md): list, intake, one request,
// decide, the emergency second approval and review, preservation holds, and the signed answer. Admin tokens only
// (scopes requests:read and requests:act); the acting admin recorded in the request log is the token's name.
import {
  LAWFUL_DECISIONS,
  LAWFUL_INSTRUMENTS,
  type LawfulAnswerRequest,
  type LawfulApproveRequest,
  type LawfulDecideRequest,
  type LawfulIntake,
  type LawfulPreserveRequest,
  type LawfulReviewRequest,
  MAX_CUSTODIANS,
  MAX_LAWFUL_NAME,
  MAX_LAWFUL_TEXT,
  MAX_REQUEST_ACCOUNTS,
  REQUEST_CATEGORIES,
} from '@sotto/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ADMIN_SECURITY, adminPrincipal } from '../admin-auth.js';
import type { AppContext } from '../context.js';

const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } } } as const;
const time = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const short = { type: 'string', maxLength: MAX_LAWFUL_NAME } as const;
const long = { type: 'string', maxLength: MAX_LAWFUL_TEXT } as const;
const categories = {
  type: 'array',
  maxItems: REQUEST_CATEGORIES.length,
  items: { type: 'string', enum: [...REQUEST_CATEGORIES] },
} as const;
const tags = ['admin'];

export function adminRequestRoutes(app: FastifyInstance, ctx: AppContext): void {
  const reg = ctx.lawful.register;
  const now = () => ctx.clock.now();
  const reader = (req: FastifyRequest) => adminPrincipal(ctx, req, 'requests:read');
  const actor = async (req: FastifyRequest) => (await adminPrincipal(ctx, req, 'requests:act')).name;

  app.get<{ Querystring: { flagged?: 'true' | 'false' } }>(
    '/admin/requests',
    {
      config: { admin: true },
      schema: {
        summary: 'The lawful-request register, newest first',
        description: `${ADMIN_SECURITY}; scope requests:read. flagged=true: only the requests that need attention.`,
        tags,
        querystring: { type: 'object', additionalProperties: false, properties: { flagged: { type: 'string', enum: ['true', 'false'] } } },
      },
    },
    async (req) => {
      await reader(req);
      return { requests: await reg.list(now(), { flagged: req.query.flagged === 'true' }) };
    },
  );

  app.post<{ Body: LawfulIntake }>(
    '/admin/requests',
    {
      config: { admin: true },
      schema: {
        summary: 'Register a request received from an authority',
        description: `${ADMIN_SECURITY}; scope requests:act. Answers 201 with the request.`,
        tags,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['instrument', 'authority', 'country', 'reference', 'accounts', 'categories'],
          properties: {
            instrument: { type: 'string', enum: [...LAWFUL_INSTRUMENTS] },
            authority: short,
            country: { type: 'string', maxLength: 2 },
            reference: short,
            receivedAt: time,
            dueAt: { anyOf: [time, { type: 'null' }] },
            accounts: { type: 'array', maxItems: MAX_REQUEST_ACCOUNTS, items: { type: 'string', maxLength: 300 } },
            categories,
            noticeDelayUntil: { anyOf: [time, { type: 'null' }] },
            follows: { anyOf: [{ type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' }, { type: 'null' }] },
            note: long,
          },
        },
      },
    },
    async (req, reply) => {
      const admin = await actor(req);
      return reply.status(201).send(await reg.receive(req.body, admin, now()));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/admin/requests/:id',
    {
      config: { admin: true },
      schema: {
        summary: 'One request, with its sign-offs and holds',
        description: `${ADMIN_SECURITY}; scope requests:read.`,
        tags,
        params: idParam,
      },
    },
    async (req) => {
      await reader(req);
      return reg.detail(req.params.id, now());
    },
  );

  app.post<{ Params: { id: string }; Body: LawfulDecideRequest }>(
    '/admin/requests/:id/decide',
    {
      config: { admin: true },
      schema: {
        summary: 'Decide a request: disclose, partial (name the categories disclosed) or reject, with a reason',
        description: `${ADMIN_SECURITY}; scope requests:act. 409 CONFLICT when it is already decided.`,
        tags,
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['decision', 'reason'],
          properties: { decision: { type: 'string', enum: [...LAWFUL_DECISIONS] }, reason: long, categories },
        },
      },
    },
    async (req) => {
      const admin = await actor(req);
      const b = req.body;
      return reg.decide(req.params.id, b.decision, b.reason, admin, now(), b.categories);
    },
  );

  app.post<{ Params: { id: string }; Body: LawfulApproveRequest }>(
    '/admin/requests/:id/approve',
    {
      config: { admin: true },
      schema: {
        summary: "An emergency disclosure's second approval, by another admin",
        description: `${ADMIN_SECURITY}; scope requests:act. 409 CONFLICT from the admin who decided it.`,
        tags,
        params: idParam,
        body: { type: 'object', additionalProperties: false, properties: { note: long } },
      },
    },
    async (req) => {
      const admin = await actor(req);
      return reg.approve(req.params.id, req.body?.note ?? '', admin, now());
    },
  );

  app.post<{ Params: { id: string }; Body: LawfulReviewRequest }>(
    '/admin/requests/:id/review',
    {
      config: { admin: true },
      schema: {
        summary: 'Review an answered emergency disclosure after the fact',
        description: `${ADMIN_SECURITY}; scope requests:act.`,
        tags,
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['note', 'justified'],
          properties: { note: long, justified: { type: 'boolean' } },
        },
      },
    },
    async (req) => {
      const admin = await actor(req);
      return reg.review(req.params.id, req.body.note, req.body.justified, admin, now());
    },
  );

  app.post<{ Params: { id: string }; Body: LawfulPreserveRequest }>(
    '/admin/requests/:id/preserve',
    {
      config: { admin: true },
      schema: {
        summary: "Place a preservation hold; answers each custodian's share, once",
        description: `${ADMIN_SECURITY}; scope requests:act. The server keeps no share: give each custodian theirs.`,
        tags,
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['custodians', 'threshold'],
          properties: {
            custodians: { type: 'array', maxItems: MAX_CUSTODIANS, items: { type: 'string', maxLength: 100 } },
            threshold: { type: 'integer', minimum: 2, maximum: MAX_CUSTODIANS },
          },
        },
      },
    },
    async (req, reply) => {
      const admin = await actor(req);
      reply.header('cache-control', 'no-store');
      return reg.preserve(req.params.id, req.body.custodians, req.body.threshold, admin, now());
    },
  );

  app.post<{ Params: { id: string }; Body: LawfulAnswerRequest }>(
    '/admin/requests/:id/answer',
    {
      config: { admin: true },
      schema: {
        summary: 'The signed answer (sotto-disclosure/v1), generated from the data inventory',
        description: `${ADMIN_SECURITY}; scope requests:act. Custodian shares open the hold of the preservation request it follows. Only the answer's hash is kept: save it.`,
        tags,
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { shares: { type: 'array', maxItems: MAX_CUSTODIANS, items: { type: 'string', maxLength: 500 } } },
        },
      },
    },
    async (req, reply) => {
      const admin = await actor(req);
      reply.header('cache-control', 'no-store');
      return reg.answer(req.params.id, req.body?.shares ?? [], admin, now());
    },
  );

  for (const action of ['extend', 'release'] as const)
    app.post<{ Params: { id: string } }>(
      `/admin/holds/:id/${action}`,
      {
        config: { admin: true },
        schema: {
          summary:
            action === 'extend' ? 'Extend a preservation hold once, by 90 days' : 'Release a preservation hold: its snapshot is deleted',
          description: `${ADMIN_SECURITY}; scope requests:act.`,
          tags,
          params: idParam,
        },
      },
      async (req) => {
        const admin = await actor(req);
        return action === 'extend' ? reg.extendHold(req.params.id, admin, now()) : reg.releaseHold(req.params.id, admin, now());
      },
    );
}
