// @sotto/identity: Sotto's own signed formats (device certificates, revocations, login challenges), Ed25519.

export { AUTH_CHALLENGE_LABEL, encodeAuthChallengeContent, signAuthChallenge, verifyAuthChallenge } from './auth-challenge.js';
export {
  DEVICE_CERTIFICATE_LABEL,
  type DeviceCertificate,
  type DeviceCertificateFields,
  decodeDeviceCertificate,
  encodeDeviceCertificate,
  encodeDeviceCertificateTbs,
  checkDeviceCertificateTime,
  signDeviceCertificate,
  verifyDeviceCertificate,
} from './device-certificate.js';
export {
  DEVICE_REVOCATION_LABEL,
  type DeviceRevocation,
  type DeviceRevocationFields,
  decodeDeviceRevocation,
  encodeDeviceRevocation,
  signDeviceRevocation,
  verifyDeviceRevocation,
} from './device-revocation.js';
export { IdentityError } from './errors.js';
export { checkDeviceId, isAccountName, isDeviceId, parseAccountName } from './names.js';
export { ED25519_SUITES, labeled, publicKeyOf, signLabeled, verifyLabeled } from './signature.js';
export { GROUP_OWNER_LABEL, type GroupOwnerProof, signGroupOwner, verifyGroupOwner } from './group-owner.js';
