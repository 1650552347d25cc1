// Login by challenge: the server sends random bytes, the device signs them with its MLS signature key.
//
// struct {
//   opaque server<V>;     // the server's account domain, binds the answer to one server
//   opaque device_id<V>;
//   opaque challenge<V>;  // 32 random bytes from the server, single use
// } AuthChallengeContent;
// signature = Ed25519(device signature key, labeled("AuthChallenge v1", content))
import { toUtf8, Writer } from './codec.js';
import { IdentityError } from './errors.js';
import { checkDeviceId } from './names.js';
import { signLabeled, verifyLabeled } from './signature.js';

export const AUTH_CHALLENGE_LABEL = 'AuthChallenge v1';

export function encodeAuthChallengeContent(server: string, deviceId: string, challenge: Uint8Array): Uint8Array {
  checkDeviceId(deviceId);
  if (challenge.length < 16 || challenge.length > 64) throw new IdentityError('INVALID_FIELD', 'challenge must be 16-64 bytes');
  return new Writer().bytes(toUtf8(server)).bytes(toUtf8(deviceId)).bytes(challenge).finish();
}

export function signAuthChallenge(deviceSecretKey: Uint8Array, server: string, deviceId: string, challenge: Uint8Array): Uint8Array {
  return signLabeled(deviceSecretKey, AUTH_CHALLENGE_LABEL, encodeAuthChallengeContent(server, deviceId, challenge));
}

/** Never throws on a bad signature: returns false. */
export function verifyAuthChallenge(
  devicePublicKey: Uint8Array,
  server: string,
  deviceId: string,
  challenge: Uint8Array,
  signature: Uint8Array,
): boolean {
  return verifyLabeled(devicePublicKey, AUTH_CHALLENGE_LABEL, encodeAuthChallengeContent(server, deviceId, challenge), signature);
}
