// X-Wing primitives on @noble/* (SHA-3 from @noble/hashes, X25519 from @noble/curves, ML-KEM-768 from
// @noble/post-quantum) for the portable provider; the construction itself (draft-connolly-cfrg-xwing-kem §5) is xwing.ts.
import { x25519 } from '@noble/curves/ed25519.js';
import { sha3_256, shake256 } from '@noble/hashes/sha3.js';
import { CryptoError } from '../../errors.js';
import type { XWingPrimitives } from '../xwing.js';
import { nobleMlKem768 } from '../xwing-mlkem.js';

/** A fresh primitives object per call (no module-level state). */
export function portableXWingPrimitives(): XWingPrimitives {
  return {
    shake256: (data, length) => shake256(data, { dkLen: length }),
    sha3_256: (data) => sha3_256(data),
    x25519Base: (sk) => {
      try {
        return x25519.getPublicKey(sk);
      } catch {
        throw new CryptoError('X-Wing: invalid X25519 private key');
      }
    },
    // RFC 7748 §6.1: noble rejects an all-zero shared secret, as OpenSSL does in the native provider.
    x25519: (sk, pk) => {
      try {
        return x25519.getSharedSecret(sk, pk);
      } catch {
        throw new CryptoError('X-Wing: X25519 failed');
      }
    },
    mlkem: nobleMlKem768(),
  };
}
