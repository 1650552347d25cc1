// A refused action, said plainly: the SDK's code picks a translated sentence; unknown codes show the SDK's message.
import type { StringKey, Translate } from '../i18n/i18n.js';

const KNOWN: Record<string, StringKey> = {
  INVITE_INVALID: 'error.INVITE_INVALID',
  REGISTRATION_CLOSED: 'error.REGISTRATION_CLOSED',
  CONFLICT: 'error.CONFLICT',
  NETWORK: 'error.NETWORK',
  FORBIDDEN: 'error.FORBIDDEN',
  NOT_MEMBER: 'error.NOT_MEMBER',
  UNKNOWN_ACCOUNT: 'error.UNKNOWN_ACCOUNT',
  NO_DEVICES: 'error.NO_DEVICES',
  KEY_CHANGE_UNACCEPTED: 'error.KEY_CHANGE_UNACCEPTED',
  EDIT_WINDOW: 'error.EDIT_WINDOW',
  CODE_MISMATCH: 'error.CODE_MISMATCH',
  BAD_LINK: 'error.BAD_LINK',
  LINK_TIMEOUT: 'error.LINK_TIMEOUT',
  NOT_PRIMARY: 'error.NOT_PRIMARY',
  RATE_LIMITED: 'error.RATE_LIMITED',
  LIMIT_EXCEEDED: 'error.LIMIT_EXCEEDED',
  QUOTA_EXCEEDED: 'error.QUOTA_EXCEEDED',
  PAYLOAD_TOO_LARGE: 'error.PAYLOAD_TOO_LARGE',
  ACCOUNT_SUSPENDED: 'error.ACCOUNT_SUSPENDED',
  WRONG_PASSPHRASE: 'error.WRONG_PASSPHRASE',
  INVALID_ARGUMENT: 'error.INVALID_ARGUMENT',
  PEER_MISSING: 'error.PEER_MISSING',
  VALIDATION: 'error.VALIDATION',
  UNKNOWN_MESSAGE: 'error.UNKNOWN_MESSAGE',
};

export function errorText(t: Translate, e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const key = typeof code === 'string' ? KNOWN[code] : undefined;
  if (key) return t(key);
  const message = e instanceof Error ? e.message : String(e);
  return t('error.generic', { message, code: typeof code === 'string' ? code : '?' });
}
