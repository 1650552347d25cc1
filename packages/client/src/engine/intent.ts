// What the local-intent reducers share: the refusal they hand back (the shell throws it as a ClientError with the same
// code and message) and the gates every send or commit passes. Pure: the shell looked the facts up.

import type { ClientErrorCode } from '../client/client-error.js';
import type { ConvRecord } from '../client/records.js';

/** Why a local intent is refused: a stable code and a message safe to log. */
export interface IntentRefusal {
  code: ClientErrorCode;
  message: string;
}

export const refusal = (code: ClientErrorCode, message: string): { kind: 'refuse'; refusal: IntentRefusal } => ({
  kind: 'refuse',
  refusal: { code, message },
});

/** Why this device may not commit in the conversation now (removed, or frozen by a policy violation), if it may not. */
export function commitRefusal(record: ConvRecord): IntentRefusal | undefined {
  if (record.state === 'removed' || record.state === 'left')
    return { code: 'FORBIDDEN', message: `this device is no longer in conversation ${record.id}` };
  if (record.policyViolation) return { code: 'FORBIDDEN', message: 'the conversation is frozen after a policy violation' };
  return undefined;
}

/**
 * Whether the outbox may encrypt for the conversation: it exists, this device is still in it, and it is not frozen
 * (policy violation or refused commit). Otherwise its queued entries fail as NOT_MEMBER.
 */
export function outboxMaySend(record: ConvRecord | undefined): boolean {
  return record !== undefined && record.state !== 'removed' && record.state !== 'left' && !record.policyViolation && !record.security;
}
