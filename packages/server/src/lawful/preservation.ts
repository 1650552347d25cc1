// Preservation holds (docs/for-law-enforcement.md "Preservation"): a snapshot of what the server held about the named
// accounts, encrypted with AES-256-GCM under a fresh key that is split with Shamir's secret sharing (the audited
// `shamir-secret-sharing` package) among n named custodians, k of whom are needed to open it. The server keeps the
// ciphertext and the SHA-256 of each share, never a share or the key: no single operator can open a hold.
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { type CustodianShare, SHARE_PREFIX } from '@sotto/protocol';
import { combine, split } from 'shamir-secret-sharing';
import { SottoError } from '../errors.js';

/** A hold lasts this many days, and may be extended once by as many. */
export const HOLD_DAYS = 90;

const NONCE = 12;
const TAG = 16;
const SHARE = new RegExp(`^${SHARE_PREFIX.replace('/', '\\/')}:([A-Za-z0-9_-]{1,64}):([1-9][0-9]?):([A-Za-z0-9+/]+={0,2})$`);

const aad = (holdId: string) => Buffer.from(`sotto-hold/v1:${holdId}`, 'utf8');
export const shareHash = (share: string) => createHash('sha256').update(share, 'utf8').digest('hex');

export interface SealedSnapshot {
  /** nonce || ciphertext || tag */
  sealed: Uint8Array;
  /** One per custodian, in order: shown once, never stored. */
  shares: CustodianShare[];
  shareHashes: string[];
}

/** Encrypts `plaintext` for the hold and splits its key k-of-n among `custodians`. */
export async function sealSnapshot(
  holdId: string,
  plaintext: Uint8Array,
  custodians: readonly string[],
  threshold: number,
  randomBytes: (n: number) => Uint8Array,
): Promise<SealedSnapshot> {
  const key = randomBytes(32);
  const nonce = randomBytes(NONCE);
  try {
    const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(aad(holdId));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const sealed = new Uint8Array(Buffer.concat([nonce, body, cipher.getAuthTag()]));
    const parts = await split(key, custodians.length, threshold);
    const shares = parts.map((p, i) => ({
      custodian: custodians[i] as string,
      share: `${SHARE_PREFIX}:${holdId}:${i + 1}:${Buffer.from(p).toString('base64')}`,
    }));
    for (const p of parts) p.fill(0);
    return { sealed, shares, shareHashes: shares.map((s) => shareHash(s.share)) };
  } finally {
    key.fill(0);
  }
}

/** The hold id, custodian number and share bytes of a share string; VALIDATION for anything else. */
export function parseShare(text: string): { holdId: string; index: number; bytes: Uint8Array } {
  const m = SHARE.exec(text.trim());
  if (!m) throw new SottoError('VALIDATION', `a custodian share looks like ${SHARE_PREFIX}:<hold id>:<n>:<base64>`);
  return { holdId: m[1] as string, index: Number(m[2]), bytes: new Uint8Array(Buffer.from(m[3] as string, 'base64')) };
}

/**
 * Opens a sealed snapshot with custodian shares. Fewer shares than the threshold reconstruct a wrong key, and the
 * authenticated decryption refuses it; so do shares of another hold.
 */
export async function openSnapshot(holdId: string, sealed: Uint8Array, shares: readonly Uint8Array[]): Promise<Uint8Array> {
  const refused = new SottoError('FORBIDDEN', 'these custodian shares do not open this hold');
  if (shares.length < 2 || sealed.length < NONCE + TAG) throw refused;
  let key: Uint8Array;
  try {
    key = await combine([...shares]);
  } catch {
    throw refused;
  }
  try {
    if (key.length !== 32) throw refused;
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE)).setAAD(aad(holdId));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    return new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(NONCE, sealed.length - TAG)), decipher.final()]));
  } catch {
    throw refused;
  } finally {
    key.fill(0);
  }
}
