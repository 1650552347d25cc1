// ML-KEM-768 (FIPS 203) for X-Wing from @noble/post-quantum, behind the `MlKem768` interface of xwing.ts.
// Both providers use it: node:crypto offers no derandomized ML-KEM (X-Wing's EncapsulateDerand, §5.4.1, needs one).
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import type { MlKem768 } from './xwing.js';

/** A stateless adapter; the caches that make it fast live in each X-Wing KEM instance (xwing.ts). */
export function nobleMlKem768(): MlKem768 {
  return {
    // FIPS 203 §6.1 ML-KEM.KeyGen_internal(d, z): noble's keygen takes the 64-byte seed d || z.
    keygen(seed) {
      const k = ml_kem768.keygen(seed);
      return { encapsulationKey: k.publicKey, decapsulationKey: k.secretKey };
    },
    // noble's prepare runs the FIPS 203 §7.2 modulus check and expands Â once (throws on a bad ek).
    prepare(encapsulationKey) {
      const p = ml_kem768.prepare(encapsulationKey);
      return {
        encapsulate: (m) => p.encapsulate(m),
        decapsulate: (cipherText, decapsulationKey) => p.decapsulate(cipherText, decapsulationKey),
      };
    },
  };
}
