// Transparency (docs/for-law-enforcement.md): the signed heads of the request log and the moderation log, public at
// /.well-known/sotto/transparency, and the signed transparency report of a period for the operator under /v1/admin
// (admin token with scope requests:read). Contract: @sotto/protocol lawful.ts.
import type { FastifyInstance } from 'fastify';
import { renderMarkdown } from '../../lawful/transparency-markdown.js';
import { ADMIN_SECURITY, adminPrincipal } from '../admin-auth.js';
import type { AppContext } from '../context.js';

const str = { type: 'string' } as const;
const logHead = { type: 'object', properties: { seq: { type: 'integer' }, hash: str } } as const;
/** A half-year (2026H1, 2026H2) or a quarter (2026Q3), as parsePeriod reads it. */
const PERIOD = '^[0-9]{4}(H[12]|Q[1-4])$';

/** GET /.well-known/sotto/transparency: outside /v1, like every well-known URI (RFC 8615). */
export function wellKnownTransparencyRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/.well-known/sotto/transparency',
    {
      // Anyone may ask, so it counts against the per-address request limit like the other unauthenticated routes.
      config: { ipLimit: true },
      schema: {
        summary: 'The signed heads of the request log and the moderation log',
        description:
          "Public, no authentication. Ed25519 over transparencyHeadSigningInput by the server's key (GET /v1/server-key). " +
          'Keep the heads you fetch: every later transparency report must extend them (`sotto-server admin transparency-report verify FILE --heads HEADS`).',
        tags: ['transparency'],
        response: {
          200: {
            type: 'object',
            properties: {
              format: str,
              domain: str,
              publicKey: str,
              at: { type: 'integer' },
              requestLog: logHead,
              moderationLog: logHead,
              signature: str,
            },
          },
        },
      },
    },
    async (_req, reply) => {
      void reply.header('cache-control', 'no-cache');
      return ctx.transparency.head(ctx.clock.now());
    },
  );
}

export function adminTransparencyRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Querystring: { period: string } }>(
    '/admin/transparency-report',
    {
      config: { admin: true },
      schema: {
        summary: 'The signed transparency report of a period (sotto-transparency-report/v1), with its Markdown',
        description:
          `${ADMIN_SECURITY}; scope requests:read. \`period\` is YYYYH1, YYYYH2 or YYYYQ1..4; one that has not started is 400 VALIDATION. ` +
          'Answers `{report, markdown}`. Verify offline with `sotto-server admin transparency-report verify FILE`.',
        tags: ['admin'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['period'],
          properties: { period: { type: 'string', pattern: PERIOD } },
        },
      },
    },
    async (req) => {
      await adminPrincipal(ctx, req, 'requests:read');
      const report = await ctx.transparency.report(req.query.period, ctx.clock.now());
      return { report, markdown: renderMarkdown(report) };
    },
  );
}
