// Admin API tokens (docs/moderation.md "Tokens and scopes"): `sat_` + 12 base64url characters of public id + 32 of
// secret (264 random bits in all), shown once; the store keeps only SHA-256(token). A request is authenticated by
// looking the id up and comparing hashes in constant time; unknown, revoked and expired tokens are the same error.
import { createHash, timingSafeEqual } from 'node:crypto';
import { ADMIN_SCOPES, ADMIN_TOKEN_PREFIX, type AdminScope } from '@sotto/protocol';
import { SottoError } from '../errors.js';
import type { ModerationLog } from './moderation-log.js';
import type { AdminTokenRecord, ModerationStore } from './moderation-store.js';

const ID_CHARS = 12;
const SECRET_CHARS = 32;
const TOKEN = new RegExp(`^${ADMIN_TOKEN_PREFIX}[A-Za-z0-9_-]{${ID_CHARS + SECRET_CHARS}}$`);
const DAY_MS = 86400_000;

const hashOf = (token: string) => new Uint8Array(createHash('sha256').update(token, 'utf8').digest());

/** The identity of an authenticated admin request. */
export interface AdminPrincipal {
  tokenId: string;
  /** Recorded in the moderation log as the acting admin. */
  name: string;
  scopes: AdminScope[];
}

export interface TokenSummary {
  id: string;
  name: string;
  scopes: AdminScope[];
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

export function parseScopes(text: string): AdminScope[] {
  const scopes = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const s of scopes)
    if (!(ADMIN_SCOPES as readonly string[]).includes(s))
      throw new SottoError('VALIDATION', `unknown scope ${s} (known: ${ADMIN_SCOPES.join(', ')})`);
  if (scopes.length === 0) throw new SottoError('VALIDATION', 'a token needs at least one scope');
  return [...new Set(scopes)] as AdminScope[];
}

export class AdminTokens {
  constructor(
    private readonly store: ModerationStore,
    private readonly log: ModerationLog,
    /** base64url characters from a CSPRNG (injected at the composition root). */
    private readonly randomChars: (n: number) => string,
  ) {}

  /** Creates a token; the returned `token` is the only time it exists outside the caller. */
  async create(
    name: string,
    scopes: AdminScope[],
    expiresInDays: number | null,
    admin: string,
    now: number,
  ): Promise<{ token: string; summary: TokenSummary }> {
    if (name.trim() === '' || name.length > 100) throw new SottoError('VALIDATION', 'a token name is 1 to 100 characters');
    const id = this.randomChars(ID_CHARS);
    const token = `${ADMIN_TOKEN_PREFIX}${id}${this.randomChars(SECRET_CHARS)}`;
    const rec: AdminTokenRecord = {
      id,
      name,
      tokenHash: hashOf(token),
      scopes,
      createdAt: now,
      expiresAt: expiresInDays === null ? null : now + expiresInDays * DAY_MS,
      revokedAt: null,
    };
    await this.store.insertAdminToken(rec);
    await this.log.append(now, admin, 'token-create', {}, { tokenId: id, name, scopes, expiresAt: rec.expiresAt });
    return { token, summary: summary(rec) };
  }

  async list(): Promise<TokenSummary[]> {
    return (await this.store.listAdminTokens()).map(summary);
  }

  async revoke(id: string, admin: string, now: number): Promise<void> {
    if (!(await this.store.revokeAdminToken(id, now))) throw new SottoError('NOT_FOUND', `no admin token ${id}`);
    await this.log.append(now, admin, 'token-revoke', {}, { tokenId: id });
  }

  /** The principal of an `Authorization: Bearer sat_...` value; UNAUTHORIZED for anything else. */
  async authenticate(token: string | undefined, now: number): Promise<AdminPrincipal> {
    const refused = new SottoError('UNAUTHORIZED', 'a valid admin token is required (Authorization: Bearer sat_...)');
    if (token === undefined || !TOKEN.test(token)) throw refused;
    const rec = await this.store.getAdminToken(token.slice(ADMIN_TOKEN_PREFIX.length, ADMIN_TOKEN_PREFIX.length + ID_CHARS));
    const hash = hashOf(token);
    const match = rec !== undefined && rec.tokenHash.length === hash.length && timingSafeEqual(rec.tokenHash, hash);
    if (!rec || !match || rec.revokedAt !== null || (rec.expiresAt !== null && rec.expiresAt <= now)) throw refused;
    return { tokenId: rec.id, name: rec.name, scopes: rec.scopes };
  }
}

/** FORBIDDEN unless the principal holds `scope`. */
export function requireScope(p: AdminPrincipal, scope: AdminScope): void {
  if (!p.scopes.includes(scope)) throw new SottoError('FORBIDDEN', `this token lacks the ${scope} scope`);
}

function summary(r: AdminTokenRecord): TokenSummary {
  return { id: r.id, name: r.name, scopes: r.scopes, createdAt: r.createdAt, expiresAt: r.expiresAt, revokedAt: r.revokedAt };
}
