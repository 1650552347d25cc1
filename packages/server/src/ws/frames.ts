// WebSocket frames (JSON text), validated against schemas before anything acts on them. See docs/websocket.md.
// The frame types are the contract in @sotto/protocol; the JSON-schema validation of client frames stays here (Ajv).
import { type ClientFrame, MAX_ACK_IDS, MAX_TOKEN_LENGTH } from '@sotto/protocol';
import Ajv from 'ajv';
import { submitProperties } from '../http/schemas.js';

export type { ClientFrame };

const rid = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER };

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
        properties: { type: { const: 'auth' }, token: { type: 'string', maxLength: MAX_TOKEN_LENGTH } },
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
          ids: {
            type: 'array',
            minItems: 1,
            maxItems: MAX_ACK_IDS,
            items: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
          },
        },
      },
      { type: 'object', additionalProperties: false, required: ['type'], properties: { type: { const: 'ping' }, rid } },
    ],
  };
}

export function compileFrameValidator(limits: { maxMessageBytes: number; maxWelcomeBytes: number }) {
  const ajv = new Ajv.default({ discriminator: true, allErrors: false, strict: false });
  const validate = ajv.compile<ClientFrame>(clientFrameSchema(limits));
  return (v: unknown): { ok: true; frame: ClientFrame } | { ok: false; message: string } => {
    if (validate(v)) return { ok: true, frame: v };
    const e = validate.errors?.[0];
    return { ok: false, message: e ? `frame${e.instancePath} ${e.message ?? 'is invalid'}` : 'invalid frame' };
  };
}
