// RFC 9420 §10.1 validation of an incoming KeyPackage (IDs V-KP-* in group/checks.ts).

import { verifyWithLabel } from '../crypto/labels.js';
import type { CipherSuite, MlsDeps } from '../crypto/provider.js';
import { ValidationError } from '../errors.js';
import { bytesEqual } from '../util/bytes.js';
import {
  type Credential,
  encodeKeyPackageTbs,
  encodeLeafNodeTbs,
  type KeyPackage,
  LeafNodeSource,
  ProtocolVersion,
} from '../wire/index.js';

/** Hook through which the application checks a credential (e.g. a Sotto device certificate). */
export type CredentialValidator = (credential: Credential, signatureKey: Uint8Array) => boolean;

export interface KeyPackageContext {
  /** The group's version and suite, when validating for an Add. */
  version?: number;
  cipherSuite?: number;
  validateCredential?: CredentialValidator;
}

/** Throws ValidationError (V-KP-*) unless `kp` is acceptable now. */
export function validateKeyPackage(deps: MlsDeps, kp: KeyPackage, ctx: KeyPackageContext = {}): void {
  // RFC 9420 §10.1: version and cipher suite match the group.
  if (kp.version !== (ctx.version ?? ProtocolVersion.mls10)) throw new ValidationError('V-KP-01', 'KeyPackage version mismatch');
  if (ctx.cipherSuite !== undefined && kp.cipherSuite !== ctx.cipherSuite)
    throw new ValidationError('V-KP-02', 'KeyPackage cipher suite mismatch');
  let suite: CipherSuite;
  try {
    suite = deps.crypto.suite(kp.cipherSuite);
  } catch {
    throw new ValidationError('V-KP-02', 'KeyPackage cipher suite unsupported');
  }
  const leaf = kp.leafNode;
  if (leaf.leafNodeSource !== LeafNodeSource.key_package) throw new ValidationError('V-KP-04', 'leaf node source is not key_package');
  // Signature of the KeyPackage under the leaf's signature key.
  const { signature, ...tbs } = kp;
  if (!verifyWithLabel(suite, leaf.signatureKey, 'KeyPackageTBS', encodeKeyPackageTbs(tbs), signature)) {
    throw new ValidationError('V-KP-03', 'KeyPackage signature does not verify');
  }
  if (bytesEqual(kp.initKey, leaf.encryptionKey)) throw new ValidationError('V-KP-05', 'init_key equals encryption_key');
  // RFC 9420 §7.3: lifetime covers now.
  const now = deps.now();
  if (!leaf.lifetime || now < leaf.lifetime.notBefore || now > leaf.lifetime.notAfter) {
    throw new ValidationError('V-KP-06', 'KeyPackage lifetime does not cover the current time');
  }
  // RFC 9420 §7.3: leaf node signature, capabilities and credential.
  const { signature: leafSig, ...leafTbs } = leaf;
  if (!verifyWithLabel(suite, leaf.signatureKey, 'LeafNodeTBS', encodeLeafNodeTbs(leafTbs), leafSig)) {
    throw new ValidationError('V-KP-07', 'leaf node signature does not verify');
  }
  if (!leaf.capabilities.cipherSuites.includes(kp.cipherSuite) || !leaf.capabilities.versions.includes(kp.version)) {
    throw new ValidationError('V-KP-07', 'leaf capabilities do not list its own version and cipher suite');
  }
  if (!leaf.capabilities.credentials.includes(leaf.credential.credentialType)) {
    throw new ValidationError('V-KP-07', 'leaf capabilities do not list its credential type');
  }
  for (const e of leaf.extensions) {
    if (!isDefaultExtension(e.extensionType) && !leaf.capabilities.extensions.includes(e.extensionType)) {
      throw new ValidationError('V-KP-07', 'leaf carries an extension its capabilities do not list');
    }
  }
  if (ctx.validateCredential && !ctx.validateCredential(leaf.credential, leaf.signatureKey)) {
    throw new ValidationError('V-KP-07', 'credential rejected by the application');
  }
}

/** RFC 9420 §7.2: the default extension types (1-5) need not be listed in capabilities. */
export function isDefaultExtension(t: number): boolean {
  return t >= 1 && t <= 5;
}
