// Authentication of the admin API (/v1/admin/*): an admin token (`Authorization: Bearer sat_...`) holding the scope the
// route needs. A user's session token is never accepted. The principal's name is the acting admin the logs record.
import type { AdminScope } from '@sotto/protocol';
import type { FastifyRequest } from 'fastify';
import { type AdminPrincipal, requireScope } from '../moderation/admin-tokens.js';
import type { AppContext } from './context.js';

export const ADMIN_SECURITY = 'Admin token (Authorization: Bearer sat_..., from `sotto-server admin tokens create`)';

/** The admin behind the request; UNAUTHORIZED without a valid token, FORBIDDEN without `scope` (none: any scope). */
export async function adminPrincipal(ctx: AppContext, req: FastifyRequest, scope?: AdminScope): Promise<AdminPrincipal> {
  const h = req.headers.authorization;
  const token = typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7) : undefined;
  const p = await ctx.moderation.tokens.authenticate(token, ctx.clock.now());
  if (scope) requireScope(p, scope);
  return p;
}
