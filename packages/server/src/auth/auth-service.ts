// The Authentication Service: accounts, invites, device certificates and revocations, challenge login
// and session tokens. Secrets (invite and session tokens) are stored only as SHA-256 hashes and
// compared in constant time; a token is `<id>.<secret>`, looked up by id.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  decodeDeviceCertificate,
  decodeDeviceRevocation,
  ED25519_SUITES,
  IdentityError,
  parseAccountName,
  verifyAuthChallenge,
  verifyDeviceCertificate,
  verifyDeviceRevocation,
} from '@sotto/identity';
import type { Config } from '../config/config.js';
import { SottoError } from '../errors.js';
import type { Fanout } from '../fanout/fanout.js';
import type { DeviceRecord, InviteRecord, Storage } from '../storage/storage.js';
import type { Clock } from '../util/clock.js';

export interface Session {
  deviceId: string;
  account: string;
}

const sha256 = (b: Uint8Array | string) => new Uint8Array(createHash('sha256').update(b).digest());

export function makeSecret(): { id: string; secret: string; token: string; hash: Uint8Array } {
  const id = randomBytes(12).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, token: `${id}.${secret}`, hash: sha256(secret) };
}

function splitToken(token: string): { id: string; secret: string } | undefined {
  if (typeof token !== 'string' || token.length > 200) return undefined;
  const dot = token.indexOf('.');
  if (dot < 1) return undefined;
  return { id: token.slice(0, dot), secret: token.slice(dot + 1) };
}

function hashMatches(secret: string, stored: Uint8Array): boolean {
  const h = sha256(secret);
  return h.length === stored.length && timingSafeEqual(h, stored);
}

function keysEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === 32 && b.length === 32 && timingSafeEqual(a, b);
}

/** Creates an invite (used by the admin CLI and tests); returns the token to hand out once. */
export async function createInvite(
  storage: Storage,
  now: number,
  maxUses: number,
  ttlSeconds: number,
  note = '',
): Promise<{ token: string; invite: InviteRecord }> {
  const s = makeSecret();
  const invite: InviteRecord = {
    id: s.id,
    secretHash: s.hash,
    createdAt: now,
    expiresAt: now + ttlSeconds * 1000,
    maxUses,
    uses: 0,
    note,
    revokedAt: null,
  };
  await storage.createInvite(invite);
  return { token: s.token, invite };
}

/** Most outstanding challenges kept in total (all devices); past it, expired ones are pruned, then requests refused. */
const MAX_PENDING_CHALLENGES = 100_000;

export class AuthService {
  /** Outstanding login challenges per device id, oldest first; each is single-use and short-lived. */
  private readonly challenges = new Map<string, { challenge: Uint8Array; expiresAt: number }[]>();
  private pendingChallenges = 0;

  constructor(
    private readonly storage: Storage,
    private readonly config: Config,
    private readonly clock: Clock,
    private readonly fanout: Fanout,
    /** Called with the limit's name whenever an abuse limit refuses or evicts something (for metrics). */
    private readonly onLimit: (limit: string) => void = () => {},
  ) {}

  private certify(certBytes: Uint8Array): DeviceRecord {
    try {
      const cert = verifyDeviceCertificate(decodeDeviceCertificate(certBytes), this.clock.now());
      const { host } = parseAccountName(cert.accountName);
      if (host !== this.config.server.domain)
        throw new SottoError('BAD_CERTIFICATE', `accounts here are name@${this.config.server.domain}`);
      if (!ED25519_SUITES.has(cert.cipherSuite) || cert.signatureKey.length !== 32) {
        throw new SottoError('BAD_CERTIFICATE', 'only Ed25519 cipher suites (0x0001, 0x0003) are supported for devices');
      }
      const now = this.clock.now();
      return {
        deviceId: cert.deviceId,
        account: cert.accountName,
        certificate: certBytes,
        signatureKey: cert.signatureKey,
        cipherSuite: cert.cipherSuite,
        createdAt: now,
        revokedAt: null,
        accountKey: cert.accountKey,
      } as DeviceRecord & { accountKey: Uint8Array };
    } catch (e) {
      if (e instanceof IdentityError) throw new SottoError('BAD_CERTIFICATE', `device certificate refused: ${e.message}`);
      throw e;
    }
  }

  /** Registers an account with its first device; the certificate proves possession of the account key. */
  async register(certBytes: Uint8Array, inviteToken: string | undefined): Promise<{ account: string; deviceId: string }> {
    const device = this.certify(certBytes) as DeviceRecord & { accountKey: Uint8Array };
    let inviteId: string | undefined;
    if (!this.config.registration.open || inviteToken !== undefined) {
      if (inviteToken === undefined) throw new SottoError('REGISTRATION_CLOSED', 'registration needs an invite token on this server');
      const parts = splitToken(inviteToken);
      const inv = parts && (await this.storage.getInvite(parts.id));
      // A revoked invite gets the same answer as an unknown one.
      const live = inv !== undefined && inv.revokedAt === null && inv.uses < inv.maxUses && inv.expiresAt > this.clock.now();
      if (!parts || !inv || !hashMatches(parts.secret, inv.secretHash) || !live)
        throw new SottoError('INVITE_INVALID', 'invite token is unknown, expired or used up');
      inviteId = inv.id;
    }
    const now = this.clock.now();
    try {
      await this.storage.createAccount(
        { name: device.account, accountKey: device.accountKey, status: 'active', createdAt: now },
        device,
        inviteId,
        now,
      );
    } catch (e) {
      // A taken name with a valid invite still uses up one use of the invite, so one invite cannot probe names for ever.
      if (e instanceof SottoError && e.code === 'CONFLICT' && inviteId !== undefined) {
        await this.storage.consumeInvite(inviteId, now);
        this.onLimit('registration_failures');
      }
      throw e;
    }
    return { account: device.account, deviceId: device.deviceId };
  }

  /** Adds a device to an existing account: the certificate must be signed by that account's key. */
  async addDevice(certBytes: Uint8Array): Promise<{ account: string; deviceId: string }> {
    const device = this.certify(certBytes) as DeviceRecord & { accountKey: Uint8Array };
    const account = await this.storage.getAccount(device.account);
    // An unknown name and a known name with another key get the same answer: this route is no name oracle.
    if (!account || !keysEqual(account.accountKey, device.accountKey))
      throw new SottoError('BAD_CERTIFICATE', 'device certificate refused: no such account, or not signed by its account key');
    if (account.status !== 'active') throw new SottoError('ACCOUNT_SUSPENDED', 'the account is suspended');
    await this.storage.addDevice(device, this.config.registration.maxDevicesPerAccount);
    return { account: device.account, deviceId: device.deviceId };
  }

  async revokeDevice(revocationBytes: Uint8Array): Promise<void> {
    let rev: ReturnType<typeof decodeDeviceRevocation>;
    try {
      rev = verifyDeviceRevocation(decodeDeviceRevocation(revocationBytes));
    } catch (e) {
      if (e instanceof IdentityError) throw new SottoError('BAD_CERTIFICATE', `revocation refused: ${e.message}`);
      throw e;
    }
    const account = await this.storage.getAccount(rev.accountName);
    const device = await this.storage.getDevice(rev.deviceId);
    // An unknown account or device and a known one under another key get the same answer (no name oracle).
    if (!account || !device || device.account !== account.name || !keysEqual(account.accountKey, rev.accountKey))
      throw new SottoError('BAD_CERTIFICATE', 'revocation refused: no such device, or not signed by its account key');
    await this.storage.revokeDevice(rev.deviceId, revocationBytes, this.clock.now());
    this.fanout.disconnect(rev.deviceId, 'device revoked');
  }

  /**
   * Issues a login challenge. Up to `auth.maxChallengesPerDevice` stay valid at once per device (the oldest is
   * evicted), so anyone asking for a challenge for someone else's device cannot void the one that device holds.
   */
  async challenge(deviceId: string): Promise<{ challenge: Uint8Array; expiresAt: number }> {
    const now = this.clock.now();
    if (this.pendingChallenges >= MAX_PENDING_CHALLENGES) this.pruneChallenges(now);
    if (this.pendingChallenges >= MAX_PENDING_CHALLENGES) {
      this.onLimit('login_challenges');
      throw new SottoError('RATE_LIMITED', 'too many pending challenges');
    }
    const challenge = new Uint8Array(randomBytes(32));
    const expiresAt = now + this.config.auth.challengeTtlSeconds * 1000;
    const list = (this.challenges.get(deviceId) ?? []).filter((c) => c.expiresAt > now);
    list.push({ challenge, expiresAt });
    while (list.length > this.config.auth.maxChallengesPerDevice) {
      list.shift();
      this.onLimit('login_challenges');
    }
    this.setChallenges(deviceId, list);
    return { challenge, expiresAt };
  }

  private setChallenges(deviceId: string, list: { challenge: Uint8Array; expiresAt: number }[]): void {
    this.pendingChallenges -= this.challenges.get(deviceId)?.length ?? 0;
    if (list.length === 0) this.challenges.delete(deviceId);
    else this.challenges.set(deviceId, list);
    this.pendingChallenges += list.length;
  }

  private pruneChallenges(now: number): void {
    for (const [k, v] of this.challenges)
      this.setChallenges(
        k,
        v.filter((c) => c.expiresAt > now),
      );
  }

  /** Removes and returns the outstanding challenge equal to `challenge`; the others stay valid. */
  private takeChallenge(deviceId: string, challenge: Uint8Array, now: number): boolean {
    const list = this.challenges.get(deviceId) ?? [];
    let hit = -1;
    for (const [i, c] of list.entries()) {
      if (c.challenge.length === challenge.length && timingSafeEqual(c.challenge, challenge)) hit = i;
    }
    if (hit < 0) return false;
    const found = list[hit] as { expiresAt: number };
    this.setChallenges(
      deviceId,
      list.filter((c, i) => i !== hit && c.expiresAt > now),
    );
    return found.expiresAt > now;
  }

  /**
   * Checks the signed challenge and issues a session token. A challenge is single use: it is consumed by any
   * answer that names it, right or wrong; an answer naming an unknown challenge consumes nothing.
   */
  async login(deviceId: string, challenge: Uint8Array, signature: Uint8Array): Promise<{ token: string; expiresAt: number }> {
    const now = this.clock.now();
    const fail = () => new SottoError('UNAUTHORIZED', 'challenge response refused');
    if (!this.takeChallenge(deviceId, challenge, now)) throw fail();
    const device = await this.storage.getDevice(deviceId);
    if (!device || device.revokedAt !== null) throw fail();
    if (!verifyAuthChallenge(device.signatureKey, this.config.server.domain, deviceId, challenge, signature)) throw fail();
    const account = await this.storage.getAccount(device.account);
    if (account?.status !== 'active') throw new SottoError('ACCOUNT_SUSPENDED', 'the account is suspended');
    const s = makeSecret();
    const expiresAt = now + this.config.auth.tokenTtlSeconds * 1000;
    await this.storage.putToken({ id: s.id, secretHash: s.hash, deviceId, account: device.account, expiresAt });
    return { token: s.token, expiresAt };
  }

  /** Resolves a bearer token to a session, or throws UNAUTHORIZED / ACCOUNT_SUSPENDED. */
  async authenticate(token: string | undefined): Promise<Session> {
    const parts = token === undefined ? undefined : splitToken(token);
    const fail = () => new SottoError('UNAUTHORIZED', 'a valid session token is required');
    if (!parts) throw fail();
    const t = await this.storage.getToken(parts.id);
    if (!t || !hashMatches(parts.secret, t.secretHash) || t.expiresAt <= this.clock.now()) throw fail();
    const account = await this.storage.getAccount(t.account);
    if (!account) throw fail();
    if (account.status !== 'active') throw new SottoError('ACCOUNT_SUSPENDED', 'the account is suspended');
    return { deviceId: t.deviceId, account: t.account };
  }
}
