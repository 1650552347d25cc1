// RFC 9420 §5.2 KeyPackageRef = RefHash("MLS 1.0 KeyPackage Reference", KeyPackage).

import { makeKeyPackageRef } from '../crypto/labels.js';
import type { CipherSuite } from '../crypto/provider.js';
import { type Bytes, encodeKeyPackage, type KeyPackage } from '../wire/index.js';

export function keyPackageRef(suite: CipherSuite, kp: KeyPackage): Bytes {
  return makeKeyPackageRef(suite, encodeKeyPackage(kp));
}
