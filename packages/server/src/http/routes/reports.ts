// Abuse reports and what reaches users from moderation (docs/moderation.md): POST /v1/reports (a recipient reports
// franked messages), GET /v1/notices (the operator's warnings to the account, marked read once fetched), and the public
// GET /v1/server-key (the evidence-signing key a hotline checks packages with).
import {
  FRANKING_KEY_BYTES,
  MAX_REPORT_MESSAGES,
  MAX_REPORT_REASON_CHARS,
  MAX_REPORTED_CONTENT_BYTES,
  type NoticesResponse,
  REPORT_CATEGORIES,
  type ReportRequest,
  type ReportResponse,
  STAMP_BYTES,
  COMMITMENT_BYTES,
} from '@sotto/protocol';
import type { FastifyInstance } from 'fastify';
import { SottoError } from '../../errors.js';
import { fromB64 } from '../../util/encoding.js';
import { type AppContext, sessionOf } from '../context.js';
import { accountName, b64, deviceId } from '../schemas.js';

const MAX_GROUP_ID_BYTES = 256;
/** The largest report body: every message at the content limit, plus its fields and the JSON around them. */
const MAX_REPORT_BODY = MAX_REPORT_MESSAGES * (Math.ceil(MAX_REPORTED_CONTENT_BYTES / 3) * 4 + 2048) + 16 * 1024;

const reportedMessage = {
  type: 'object',
  additionalProperties: false,
  required: ['senderDevice', 'senderAccount', 'receivedAt', 'frankingKey', 'content', 'commitment', 'stamp'],
  properties: {
    senderDevice: deviceId,
    senderAccount: accountName,
    receivedAt: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    frankingKey: b64(FRANKING_KEY_BYTES),
    content: b64(MAX_REPORTED_CONTENT_BYTES),
    commitment: b64(COMMITMENT_BYTES),
    stamp: b64(STAMP_BYTES),
  },
} as const;

export function reportRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: ReportRequest }>(
    '/reports',
    {
      config: { auth: true },
      bodyLimit: MAX_REPORT_BODY,
      schema: {
        summary: 'Report franked messages to the operator',
        description:
          'The first message is the one reported, the others earlier context. Each is checked on arrival: its franking key opens its ' +
          'commitment to its content, and the stamp is the one this server delivered to the calling device for that commitment, ' +
          'sender, group and time. A report lands in the queue verified or not; the same stamp reported twice by a device is ' +
          `refused (409 CONFLICT). At most moderation.reportsPerHour reports per account (429 RATE_LIMITED).`,
        tags: ['moderation'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['groupId', 'category', 'reason', 'messages'],
          properties: {
            groupId: b64(MAX_GROUP_ID_BYTES),
            category: { type: 'string', enum: [...REPORT_CATEGORIES] },
            reason: { type: 'string', maxLength: MAX_REPORT_REASON_CHARS * 2 },
            messages: { type: 'array', minItems: 1, maxItems: MAX_REPORT_MESSAGES, items: reportedMessage },
          },
        },
        response: { 201: { type: 'object', properties: { id: { type: 'string' }, verified: { type: 'boolean' } } } },
      },
    },
    async (req, reply) => {
      const s = sessionOf(req);
      const b = req.body;
      if ([...b.reason].length > MAX_REPORT_REASON_CHARS)
        throw new SottoError('VALIDATION', `reason is limited to ${MAX_REPORT_REASON_CHARS} characters`);
      const input = {
        groupId: fromB64(b.groupId, 'groupId', MAX_GROUP_ID_BYTES),
        category: b.category,
        reason: b.reason,
        messages: b.messages.map((m, i) => ({
          senderDevice: m.senderDevice,
          senderAccount: m.senderAccount,
          receivedAt: m.receivedAt,
          frankingKey: fromB64(m.frankingKey, `messages[${i}].frankingKey`, FRANKING_KEY_BYTES),
          content: fromB64(m.content, `messages[${i}].content`, MAX_REPORTED_CONTENT_BYTES),
          commitment: fromB64(m.commitment, `messages[${i}].commitment`, COMMITMENT_BYTES),
          stamp: fromB64(m.stamp, `messages[${i}].stamp`, STAMP_BYTES),
        })),
      };
      const r = await ctx.moderation.intake.submit(s, input, ctx.clock.now());
      return reply.status(201).send(r satisfies ReportResponse);
    },
  );

  app.get(
    '/notices',
    {
      config: { auth: true },
      schema: {
        summary: "The operator's notices to this account (warnings, lawful requests once their gag period ended), each returned once",
        description: 'Unread notices of the calling account, oldest first; this call marks them read, so the next returns only newer ones.',
        tags: ['moderation'],
        response: {
          200: {
            type: 'object',
            properties: {
              notices: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { id: { type: 'string' }, kind: { type: 'string' }, text: { type: 'string' }, at: { type: 'integer' } },
                },
              },
            },
          },
        },
      },
    },
    async (req) => {
      const s = sessionOf(req);
      return { notices: await ctx.moderation.service.takeNotices(s.account, ctx.clock.now()) } satisfies NoticesResponse;
    },
  );

  app.get(
    '/server-key',
    {
      schema: {
        summary: "The server's Ed25519 evidence-signing key",
        description: 'Public, no authentication: a hotline checks evidence packages against it (sotto-server verify-evidence --key).',
        tags: ['moderation'],
        response: { 200: { type: 'object', properties: { domain: { type: 'string' }, publicKey: { type: 'string' } } } },
      },
    },
    async () => ctx.moderation.service.serverKey(),
  );
}
