// Welcome cryptography (RFC 9420 §12.4.3.1, §12.4.3): GroupSecrets under EncryptWithLabel "Welcome", the GroupInfo
// under welcome_key/welcome_nonce, and the GroupInfo signature ("GroupInfoTBS"). Group-level checks live in group/.
import { decryptWithLabel, encryptWithLabel, signWithLabel, verifyWithLabel } from '../crypto/labels.js';
import type { CipherSuite, Rng } from '../crypto/provider.js';
import { CryptoError } from '../errors.js';
import { bytesEqual } from '../util/bytes.js';
import type { Bytes, EncryptedGroupSecrets, GroupInfo, GroupSecrets, HpkeCiphertext, Welcome } from '../wire/types.js';
import { decodeGroupInfo, decodeGroupSecrets, encodeGroupInfo, encodeGroupInfoTbs, encodeGroupSecrets } from '../wire/welcome.js';
import { welcomeKeyNonce } from './key-schedule.js';

const EMPTY = new Uint8Array(0);

function welcomeUndecryptable(): CryptoError {
  return new CryptoError('Welcome could not be decrypted');
}

/** RFC 9420 §12.4.3.1: encrypted_group_secrets = EncryptWithLabel(init_key, "Welcome", encrypted_group_info, group_secrets). */
export function encryptGroupSecrets(
  cs: CipherSuite,
  initKey: Bytes,
  encryptedGroupInfo: Bytes,
  secrets: GroupSecrets,
  rng: Rng,
): HpkeCiphertext {
  return encryptWithLabel(cs, initKey, 'Welcome', encryptedGroupInfo, encodeGroupSecrets(secrets), rng);
}

/**
 * RFC 9420 §12.4.3.1: group_secrets = DecryptWithLabel(init_key_priv, "Welcome", encrypted_group_info, kem_output, ciphertext).
 * HPKE failure and a malformed plaintext are the same CryptoError.
 */
export function decryptGroupSecrets(cs: CipherSuite, initPrivateKey: Bytes, encryptedGroupInfo: Bytes, ct: HpkeCiphertext): GroupSecrets {
  try {
    const pt = decryptWithLabel(cs, initPrivateKey, 'Welcome', encryptedGroupInfo, ct.kemOutput, ct.ciphertext);
    return decodeGroupSecrets(pt);
  } catch {
    throw welcomeUndecryptable();
  }
}

/** RFC 9420 §12.4.3.1: the `secrets` entry whose new_member is our KeyPackageRef, if any. */
export function findGroupSecretsFor(welcome: Welcome, keyPackageRef: Bytes): EncryptedGroupSecrets | undefined {
  return welcome.secrets.find((s) => bytesEqual(s.newMember, keyPackageRef));
}

/** RFC 9420 §12.4.3.1: AEAD-encrypt the encoded GroupInfo under welcome_key / welcome_nonce, empty AAD. */
export function encryptGroupInfo(cs: CipherSuite, welcomeSecret: Bytes, groupInfo: GroupInfo): Bytes {
  const { key, nonce } = welcomeKeyNonce(cs, welcomeSecret);
  return cs.aeadSeal(key, nonce, EMPTY, encodeGroupInfo(groupInfo));
}

/** Inverse of encryptGroupInfo; an AEAD failure and a malformed GroupInfo are the same CryptoError. */
export function decryptGroupInfo(cs: CipherSuite, welcomeSecret: Bytes, encryptedGroupInfo: Bytes): GroupInfo {
  const { key, nonce } = welcomeKeyNonce(cs, welcomeSecret);
  try {
    return decodeGroupInfo(cs.aeadOpen(key, nonce, EMPTY, encryptedGroupInfo));
  } catch {
    throw welcomeUndecryptable();
  }
}

/** RFC 9420 §12.4.3: signature = SignWithLabel(., "GroupInfoTBS", GroupInfoTBS). */
export function signGroupInfo(cs: CipherSuite, signaturePrivateKey: Bytes, tbs: Omit<GroupInfo, 'signature'>): GroupInfo {
  return { ...tbs, signature: signWithLabel(cs, signaturePrivateKey, 'GroupInfoTBS', encodeGroupInfoTbs(tbs)) };
}

/** RFC 9420 §12.4.3: VerifyWithLabel(signer key, "GroupInfoTBS", GroupInfoTBS, signature). */
export function verifyGroupInfoSignature(cs: CipherSuite, signerPublicKey: Bytes, groupInfo: GroupInfo): boolean {
  return verifyWithLabel(cs, signerPublicKey, 'GroupInfoTBS', encodeGroupInfoTbs(groupInfo), groupInfo.signature);
}
