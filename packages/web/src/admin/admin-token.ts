// Where the operator's admin token lives in this browser: sessionStorage only (gone when the tab closes), never
// localStorage, never a cookie.

import { ADMIN_TOKEN_PREFIX } from '@sotto/protocol';

const KEY = 'sotto.adminToken';

export function savedAdminToken(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function saveAdminToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetAdminToken(): void {
  sessionStorage.removeItem(KEY);
}

/** Whether a pasted string has the shape of an admin token (the server decides whether it is one). */
export function looksLikeAdminToken(s: string): boolean {
  return s.startsWith(ADMIN_TOKEN_PREFIX) && s.length > ADMIN_TOKEN_PREFIX.length && !/\s/.test(s);
}
