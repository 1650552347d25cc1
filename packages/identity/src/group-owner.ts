// GroupOwnerProof: the device that creates a group signs, with its MLS signature key, the group id and the account it
// names as owner. With that device's certificate (signed by the owner's account key), any member that joins later, at
// any epoch, can check who created the group without having seen its first epoch, and without trusting the server or
// the member that added it: a creator can only name its own account.
//
// struct {
//   uint8 version = 1;
//   opaque group_id<V>;
//   opaque owner<V>;          // account name
// } GroupOwnerTBS;
// signature = Ed25519(certificate.signature_key, labeled("GroupOwner v1", GroupOwnerTBS))
import {
  decodeDeviceCertificate,
  type DeviceCertificate,
  encodeDeviceCertificateTbs,
  DEVICE_CERTIFICATE_LABEL,
} from './device-certificate.js';
import { toUtf8, Writer } from './codec.js';
import { IdentityError } from './errors.js';
import { parseAccountName } from './names.js';
import { ED25519_SUITES, signLabeled, verifyLabeled } from './signature.js';

export const GROUP_OWNER_LABEL = 'GroupOwner v1';

export interface GroupOwnerProof {
  /** Encoded DeviceCertificate of the creating device. */
  certificate: Uint8Array;
  /** The creating device's signature over GroupOwnerTBS. */
  signature: Uint8Array;
}

function tbs(groupId: Uint8Array, owner: string): Uint8Array {
  parseAccountName(owner);
  if (groupId.length < 1 || groupId.length > 255) throw new IdentityError('INVALID_FIELD', 'bad group id length');
  return new Writer().u8(1).bytes(groupId).bytes(toUtf8(owner)).finish();
}

/** Signed by the creating device: `certificate` is its own, `deviceSecretKey` its MLS signature key (Ed25519). */
export function signGroupOwner(certificate: Uint8Array, deviceSecretKey: Uint8Array, groupId: Uint8Array, owner: string): GroupOwnerProof {
  const cert = decodeDeviceCertificate(certificate);
  if (cert.accountName !== owner) throw new IdentityError('INVALID_FIELD', 'a device can only name its own account as owner');
  return { certificate, signature: signLabeled(deviceSecretKey, GROUP_OWNER_LABEL, tbs(groupId, owner)) };
}

/**
 * Checks a proof for `groupId` and `owner`: the certificate names `owner`, is signed by the account key inside it, and
 * its device signed the group id. Returns the certificate, whose `accountKey` the caller must still compare with the key
 * it holds for `owner` (a made-up account key certifies nothing). Validity dates are not checked: the proof records a
 * past fact (who created the group), which stays true after the device expires or is unlinked.
 * Throws IdentityError BAD_SIGNATURE / INVALID_FIELD / DECODE.
 */
export function verifyGroupOwner(proof: GroupOwnerProof, groupId: Uint8Array, owner: string): DeviceCertificate {
  const cert = decodeDeviceCertificate(proof.certificate);
  if (cert.accountName !== owner) throw new IdentityError('INVALID_FIELD', `the owner proof is for ${cert.accountName}, not ${owner}`);
  if (!ED25519_SUITES.has(cert.cipherSuite)) throw new IdentityError('UNSUPPORTED', 'the owner proof needs an Ed25519 device key');
  if (!verifyLabeled(cert.accountKey, DEVICE_CERTIFICATE_LABEL, encodeDeviceCertificateTbs(cert), cert.signature)) {
    throw new IdentityError('BAD_SIGNATURE', 'the owner proof certificate is not signed by its account key');
  }
  if (!verifyLabeled(cert.signatureKey, GROUP_OWNER_LABEL, tbs(groupId, owner), proof.signature)) {
    throw new IdentityError('BAD_SIGNATURE', 'the owner proof is not signed by the certified device for this group');
  }
  return cert;
}
