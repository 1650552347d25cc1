// The server's Ed25519 evidence-signing key (RFC 8032), in <dataDir>/server-signing.key (PKCS#8 DER, mode 0600),
// created on first use. It signs evidence packages (evidence.ts); its public key is served at GET /v1/server-key.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir } from '../storage/file-modes.js';

export const SIGNING_KEY_FILE = 'server-signing.key';

export class SigningKey {
  readonly #key: KeyObject;
  /** The raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;

  constructor(key: KeyObject) {
    if (key.asymmetricKeyType !== 'ed25519') throw new TypeError('the signing key must be Ed25519');
    this.#key = key;
    const jwk = createPublicKey(key).export({ format: 'jwk' });
    this.publicKey = new Uint8Array(Buffer.from(jwk.x as string, 'base64url'));
  }

  /** Reads <dataDir>/server-signing.key, creating it (mode 0600) if it does not exist. */
  static loadOrCreate(dataDir: string): SigningKey {
    const file = join(dataDir, SIGNING_KEY_FILE);
    if (!existsSync(file)) {
      makePrivateDir(dataDir);
      const { privateKey } = generateKeyPairSync('ed25519');
      writeFileSync(file, privateKey.export({ format: 'der', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
    }
    return new SigningKey(createPrivateKey({ key: readFileSync(file), format: 'der', type: 'pkcs8' }));
  }

  get publicKeyBase64(): string {
    return Buffer.from(this.publicKey).toString('base64');
  }

  sign(data: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, data, this.#key));
  }

  toString(): string {
    return '[SigningKey redacted]';
  }
  toJSON(): string {
    return '[SigningKey redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[SigningKey redacted]';
  }
}

/** Verifies an Ed25519 signature under a raw 32-byte public key (for the offline evidence verifier). */
export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new RangeError('an Ed25519 public key is 32 bytes');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}
