// Account names (`name@host`) and device ids: syntax shared by server and clients.
import { IdentityError } from './errors.js';

const LOCAL = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;
const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Splits and checks `name@host` (lower case, 1-64 char local part, DNS host). */
export function parseAccountName(s: string): { local: string; host: string } {
  if (typeof s !== 'string') throw new TypeError('account name must be a string');
  const at = s.indexOf('@');
  const local = s.slice(0, at);
  const host = s.slice(at + 1);
  if (at < 1 || !LOCAL.test(local) || !HOST.test(host)) {
    throw new IdentityError('INVALID_FIELD', 'account name must look like name@host (lower case)');
  }
  return { local, host };
}

export function isAccountName(s: unknown): s is string {
  try {
    parseAccountName(s as string);
    return true;
  } catch {
    return false;
  }
}

/** Device ids are chosen by the account owner: 1-64 of [A-Za-z0-9_-]. */
export function isDeviceId(s: unknown): s is string {
  return typeof s === 'string' && DEVICE_ID.test(s);
}

export function checkDeviceId(s: string): void {
  if (!isDeviceId(s)) throw new IdentityError('INVALID_FIELD', 'device id must be 1-64 of [A-Za-z0-9_-]');
}
