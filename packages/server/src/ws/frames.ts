// WebSocket frames (JSON text), validated against schemas before anything acts on them. See docs/websocket.md.
import Ajv from 'ajv';
import { submitProperties } from '../http/schemas.js';

const rid = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER };

export type ClientFrame =
  | { type: 'auth'; token: string }
  | { type: 'send'; rid: number; message: string; welcome?: string; groupInfo?: string; ttlSeconds?: number }
  | { type: 'ack'; ids: number[]; rid?: number }
  | { type: 'ping'; rid?: number };

export function clientFrameSchema(limits: { maxMessageBytes: number; maxWelcomeBytes: number }) {
  return {
    type: 'object',
    discriminator: { propertyName: 'type' },
    required: ['type'],
    oneOf: [
      {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'token'],
        properties: { type: { const: 'auth' }, token: { type: 'string', maxLength: 200 } },
      },
      {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'rid', 'message'],
        properties: { type: { const: 'send' }, rid, ...submitProperties(limits.maxMessageBytes, limits.maxWelcomeBytes) },
      },
      {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'ids'],
        properties: {
          type: { const: 'ack' },
          rid,
          ids: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
        },
      },
      { type: 'object', additionalProperties: false, required: ['type'], properties: { type: { const: 'ping' }, rid } },
    ],
  };
}

export function compileFrameValidator(limits: { maxMessageBytes: number; maxWelcomeBytes: number }) {
  const ajv = new Ajv.default({ discriminator: true, allErrors: false, strict: false });
  const validate = ajv.compile(clientFrameSchema(limits));
  return (v: unknown): { ok: true; frame: ClientFrame } | { ok: false; message: string } => {
    if (validate(v)) return { ok: true, frame: v as ClientFrame };
    const e = validate.errors?.[0];
    return { ok: false, message: e ? `frame${e.instancePath} ${e.message ?? 'is invalid'}` : 'invalid frame' };
  };
}
