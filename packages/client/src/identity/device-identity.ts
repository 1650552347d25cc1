// Device identity: the account key (Ed25519, primary device only), the device's MLS signature key and its certificate.

import { sha256 } from '@noble/hashes/sha2.js';
import {
  type DeviceCertificate,
  decodeDeviceCertificate,
  encodeDeviceCertificate,
  encodeDeviceRevocation,
  parseAccountName,
  publicKeyOf,
  signDeviceCertificate,
  signDeviceRevocation,
  verifyDeviceCertificate,
} from '@sotto/identity';
import { ClientError } from '../client/client-error.js';
import { fromB64Url as fromB64UrlLocal, toB64Url } from '../util/b64.js';
import { type RandomBytes, redactOnPrototype, SecretBytes } from '../util/secret-bytes.js';

/** Sotto's mandatory suite: MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519 (RFC 9420 §17.1). */
export const CIPHER_SUITE = 1;

/** A device id is derived from its signature key, so it is globally unique and needs no coordination. */
export function deviceIdFor(signatureKey: Uint8Array): string {
  return toB64Url(sha256(signatureKey).subarray(0, 16));
}

/** Everything that identifies this device. Holds secret keys: prints redacted. */
export class DeviceIdentity {
  readonly accountName: string;
  readonly accountKey: Uint8Array;
  /** Present only on the device that created the account (the account key never leaves it). */
  readonly accountSecret: SecretBytes | undefined;
  readonly deviceId: string;
  readonly signatureSecret: SecretBytes;
  readonly signatureKey: Uint8Array;
  /** Encoded DeviceCertificate (packages/identity); also the identity of our MLS basic credential. */
  readonly certificate: Uint8Array;

  constructor(f: {
    accountName: string;
    accountKey: Uint8Array;
    accountSecret?: SecretBytes;
    signatureSecret: SecretBytes;
    certificate: Uint8Array;
  }) {
    this.accountName = f.accountName;
    this.accountKey = f.accountKey;
    this.accountSecret = f.accountSecret;
    this.signatureSecret = f.signatureSecret;
    this.signatureKey = publicKeyOf(f.signatureSecret.expose());
    this.deviceId = deviceIdFor(this.signatureKey);
    this.certificate = f.certificate;
  }

  get domain(): string {
    return parseAccountName(this.accountName).host;
  }

  get isPrimary(): boolean {
    return this.accountSecret !== undefined;
  }

  /** Sign a certificate for another device of this account (primary only). */
  certify(signatureKey: Uint8Array, now: number): Uint8Array {
    if (!this.accountSecret) throw new ClientError('NOT_PRIMARY', 'only the primary device holds the account key');
    return issueCertificate(this.accountName, this.accountSecret.expose(), signatureKey, now);
  }

  /** A signed revocation of one of this account's devices (primary only). */
  revoke(deviceId: string, now: number): Uint8Array {
    if (!this.accountSecret) throw new ClientError('NOT_PRIMARY', 'only the primary device holds the account key');
    return encodeDeviceRevocation(
      signDeviceRevocation(
        { version: 1, accountName: this.accountName, accountKey: this.accountKey, deviceId, revokedAt: BigInt(now) },
        this.accountSecret.expose(),
      ),
    );
  }

  toRecord(): Uint8Array {
    return new TextEncoder().encode(
      JSON.stringify({
        v: 1,
        accountName: this.accountName,
        accountKey: toB64Url(this.accountKey),
        accountSecret: this.accountSecret ? toB64Url(this.accountSecret.expose()) : null,
        signatureSecret: toB64Url(this.signatureSecret.expose()),
        certificate: toB64Url(this.certificate),
      }),
    );
  }
}
redactOnPrototype(DeviceIdentity.prototype, 'DeviceIdentity');

export function issueCertificate(accountName: string, accountSecret: Uint8Array, signatureKey: Uint8Array, now: number): Uint8Array {
  const cert = signDeviceCertificate(
    {
      version: 1,
      accountName,
      accountKey: publicKeyOf(accountSecret),
      deviceId: deviceIdFor(signatureKey),
      cipherSuite: CIPHER_SUITE,
      signatureKey,
      // A minute back, so a server with a slightly slow clock accepts it.
      issuedAt: BigInt(now - 60_000),
    },
    accountSecret,
  );
  return encodeDeviceCertificate(cert);
}

/** A new account on this device: fresh account key and device key, the first certificate. */
export function createAccountIdentity(accountName: string, randomBytes: RandomBytes, now: number): DeviceIdentity {
  parseAccountName(accountName);
  const accountSecret = randomBytes(32);
  const signatureSecret = randomBytes(32);
  const certificate = issueCertificate(accountName, accountSecret, publicKeyOf(signatureSecret), now);
  return new DeviceIdentity({
    accountName,
    accountKey: publicKeyOf(accountSecret),
    accountSecret: new SecretBytes(accountSecret),
    signatureSecret: new SecretBytes(signatureSecret),
    certificate,
  });
}

/** Decode and check a certificate (signature and validity); throws IdentityError. */
export function checkCertificate(bytes: Uint8Array, now: number): DeviceCertificate {
  return verifyDeviceCertificate(decodeDeviceCertificate(bytes), now);
}

export function identityFromRecord(bytes: Uint8Array): DeviceIdentity {
  const j = JSON.parse(new TextDecoder().decode(bytes)) as {
    accountName: string;
    accountKey: string;
    accountSecret: string | null;
    signatureSecret: string;
    certificate: string;
  };
  const d = (s: string) => fromB64UrlLocal(s);
  return new DeviceIdentity({
    accountName: j.accountName,
    accountKey: d(j.accountKey),
    ...(j.accountSecret ? { accountSecret: new SecretBytes(d(j.accountSecret)) } : {}),
    signatureSecret: new SecretBytes(d(j.signatureSecret)),
    certificate: d(j.certificate),
  });
}
