// RFC 9420 §5.2 KeyPackageRef = RefHash("MLS 1.0 KeyPackage Reference", KeyPackage).
import type { CipherSuite } from '../crypto/provider.js';
import { makeKeyPackageRef } from '../crypto/labels.js';
import { type Bytes, type KeyPackage, encodeKeyPackage } from '../wire/index.js';

export function keyPackageRef(suite: CipherSuite, kp: KeyPackage): Bytes {
  return makeKeyPackageRef(suite, encodeKeyPackage(kp));
}
