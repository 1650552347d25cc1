// GET /v1/inventory: the data inventory (storage/data-inventory.ts) under the running configuration; public.
import type { FastifyInstance } from 'fastify';
import { dataInventory } from '../../storage/data-inventory.js';
import type { AppContext } from '../context.js';

const str = { type: 'string' } as const;
const strs = { type: 'array', items: str } as const;

const item = {
  type: 'object',
  required: ['table', 'what', 'category', 'aboutAccount', 'retention'],
  properties: {
    table: str,
    column: str,
    what: str,
    category: str,
    aboutAccount: { type: 'boolean' },
    retention: { type: 'object', required: ['kind'], properties: { kind: str, seconds: { type: 'integer' } } },
  },
} as const;

export function inventoryRoutes(app: FastifyInstance, ctx: AppContext): void {
  const body = dataInventory(ctx.config, ctx.version); // the configuration does not change while the server runs
  app.get(
    '/inventory',
    {
      schema: {
        summary: 'What the server stores, for how long, and what it does not have',
        description:
          'Every table and column of the store with its category, whether it is about an account, and its retention under this ' +
          "server's configuration; what the server does not hold; protocol facts. Public: no authentication.",
        tags: ['transparency'],
        response: {
          200: {
            type: 'object',
            properties: {
              server: { type: 'object', properties: { version: str, domain: str } },
              items: { type: 'array', items: item },
              notHeld: strs,
              elsewhere: strs,
              protocol: {
                type: 'object',
                properties: {
                  mls: str,
                  ciphersuites: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, name: str } } },
                  facts: strs,
                },
              },
            },
          },
        },
      },
    },
    async () => body,
  );
}
