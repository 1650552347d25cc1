// Shared JSON-schema fragments of the HTTP API. The body types they check are the contract in @sotto/protocol.
import { MAX_TTL_SECONDS } from '@sotto/protocol';

export const b64 = (maxBytes: number, description?: string) => ({
  type: 'string',
  maxLength: Math.ceil(maxBytes / 3) * 4,
  pattern: '^[A-Za-z0-9+/]*={0,2}$',
  ...(description ? { description } : {}),
});
export const deviceId = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;
export const accountName = { type: 'string', minLength: 3, maxLength: 320 } as const;
export const epoch = { type: 'string', pattern: '^(0|[1-9][0-9]{0,15})$', description: 'MLS epoch (u64) as a decimal string' } as const;
export const ok = { type: 'object', properties: { ok: { type: 'boolean' } } } as const;

/** Fields of a message submission, shared by POST /v1/messages and the WebSocket `send` frame. */
export function submitProperties(maxMessageBytes: number, maxWelcomeBytes: number) {
  return {
    message: b64(
      maxMessageBytes,
      'MLSMessage (RFC 9420 §6): a PublicMessage proposal or commit, verified against the group state; or a PrivateMessage with application data',
    ),
    welcome: b64(
      maxWelcomeBytes,
      'With a commit that adds devices: MLSMessage Welcome, delivered to exactly the devices the commit adds, only if the commit wins',
    ),
    groupInfo: b64(
      maxMessageBytes,
      "With a commit: the committer's GroupInfo of the new epoch (with external_pub), kept so that a member's device can rejoin by external commit",
    ),
    ttlSeconds: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_TTL_SECONDS,
      description: 'Disappearing message: delete after this many seconds',
    },
  };
}

/** The largest submission body or frame: base64 of a message, a Welcome and a GroupInfo, plus room for the JSON. */
export function maxSubmitBytes(limits: { maxMessageBytes: number; maxWelcomeBytes: number }): number {
  return Math.ceil(((limits.maxMessageBytes * 2 + limits.maxWelcomeBytes) * 4) / 3) + 64 * 1024;
}
