// DeviceRevocation: the account key withdraws one device.
//
// struct {
//   uint8 version = 1;
//   opaque account_name<V>;
//   opaque account_key[32];
//   opaque device_id<V>;
//   uint64 revoked_at;        // ms since the Unix epoch
// } DeviceRevocationTBS;
// struct { DeviceRevocationTBS tbs; opaque signature<V>; } DeviceRevocation;
// signature = Ed25519(account_key, labeled("DeviceRevocation v1", tbs))
import { decodeAll, fromUtf8, toUtf8, Writer } from './codec.js';
import { IdentityError } from './errors.js';
import { checkDeviceId, parseAccountName } from './names.js';
import { signLabeled, verifyLabeled } from './signature.js';

export const DEVICE_REVOCATION_LABEL = 'DeviceRevocation v1';

export interface DeviceRevocationFields {
  version: 1;
  accountName: string;
  accountKey: Uint8Array;
  deviceId: string;
  revokedAt: bigint;
}

export interface DeviceRevocation extends DeviceRevocationFields {
  signature: Uint8Array;
}

function tbs(f: DeviceRevocationFields): Uint8Array {
  if (f.version !== 1) throw new IdentityError('UNSUPPORTED', 'unknown revocation version');
  parseAccountName(f.accountName);
  checkDeviceId(f.deviceId);
  if (f.accountKey.length !== 32) throw new IdentityError('INVALID_FIELD', 'account key must be 32 bytes');
  return new Writer().u8(1).bytes(toUtf8(f.accountName)).raw(f.accountKey).bytes(toUtf8(f.deviceId)).u64(f.revokedAt).finish();
}

export function signDeviceRevocation(fields: DeviceRevocationFields, accountSecretKey: Uint8Array): DeviceRevocation {
  return { ...fields, signature: signLabeled(accountSecretKey, DEVICE_REVOCATION_LABEL, tbs(fields)) };
}

export function encodeDeviceRevocation(r: DeviceRevocation): Uint8Array {
  return new Writer().raw(tbs(r)).bytes(r.signature).finish();
}

export function decodeDeviceRevocation(bytes: Uint8Array): DeviceRevocation {
  const v = decodeAll(bytes, (r): DeviceRevocation => {
    if (r.u8() !== 1) throw new IdentityError('UNSUPPORTED', 'unknown revocation version');
    const accountName = fromUtf8(r.bytes(320));
    const accountKey = r.raw(32);
    const deviceId = fromUtf8(r.bytes(64));
    const revokedAt = r.u64();
    const signature = r.bytes(64);
    return { version: 1, accountName, accountKey, deviceId, revokedAt, signature };
  });
  tbs(v);
  return v;
}

/** Throws IdentityError BAD_SIGNATURE unless the account key signed this revocation. */
export function verifyDeviceRevocation(r: DeviceRevocation): DeviceRevocation {
  if (!verifyLabeled(r.accountKey, DEVICE_REVOCATION_LABEL, tbs(r), r.signature)) {
    throw new IdentityError('BAD_SIGNATURE', 'device revocation signature does not verify under the account key');
  }
  return r;
}
