// Builds the OpenAPI 3.1 document from the JSON schemas the routes declare (collected by an onRoute hook).
import type { RouteOptions } from 'fastify';

interface Collected {
  method: string;
  url: string;
  schema: Record<string, unknown>;
  auth: boolean;
  /** Authenticated by an admin token (routes/admin-reports.ts), not a session token. */
  admin: boolean;
}

export class OpenApiCollector {
  private readonly routes: Collected[] = [];

  onRoute = (r: RouteOptions): void => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    const schema = (r.schema ?? {}) as Record<string, unknown>;
    if (schema.hide) return;
    for (const m of methods) {
      if (m === 'HEAD') continue;
      const config = r.config as { auth?: boolean; admin?: boolean } | undefined;
      this.routes.push({ method: m.toLowerCase(), url: r.url, schema, auth: Boolean(config?.auth), admin: Boolean(config?.admin) });
    }
  };

  document(version: string): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
      const op: Record<string, unknown> = {
        summary: r.schema.summary,
        description: r.schema.description,
        tags: r.schema.tags,
        operationId: `${r.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      };
      const params: unknown[] = [];
      for (const where of ['params', 'querystring'] as const) {
        const s = r.schema[where] as { properties?: Record<string, unknown>; required?: string[] } | undefined;
        for (const [name, sch] of Object.entries(s?.properties ?? {})) {
          params.push({
            name,
            in: where === 'params' ? 'path' : 'query',
            required: where === 'params' || (s?.required ?? []).includes(name),
            schema: sch,
          });
        }
      }
      if (params.length) op.parameters = params;
      if (r.schema.body) op.requestBody = { required: true, content: { 'application/json': { schema: r.schema.body } } };
      if (r.schema.consumes)
        op.requestBody = { required: true, content: { [String(r.schema.consumes)]: { schema: { type: 'string', format: 'binary' } } } };
      const responses: Record<string, unknown> = {};
      for (const [code, sch] of Object.entries((r.schema.response ?? {}) as Record<string, unknown>)) {
        responses[code] = {
          description: (sch as { description?: string }).description ?? code,
          content: { 'application/json': { schema: sch } },
        };
      }
      responses['4XX'] = { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
      op.responses = responses;
      if (r.auth) op.security = [{ bearer: [] }];
      if (r.admin) op.security = [{ adminToken: [] }];
      paths[path] = { ...(paths[path] ?? {}), [r.method]: op };
    }
    return {
      openapi: '3.1.0',
      info: {
        title: 'Sotto server API',
        version,
        description: 'Delivery and authentication service of Sotto. WebSocket frames: docs/websocket.md.',
      },
      paths,
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Session token from POST /v1/auth/token' },
          adminToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'Admin token (sat_...) from `sotto-server admin tokens create` (docs/moderation.md)',
          },
        },
        schemas: {
          Error: {
            type: 'object',
            required: ['error'],
            properties: {
              error: {
                type: 'object',
                required: ['code', 'message'],
                properties: { code: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
    };
  }
}
