// X-Wing primitives for the native provider: SHA-3, SHAKE256 and X25519 on node:crypto (OpenSSL 3), ML-KEM-768 from
// @noble/post-quantum (node:crypto has no derandomized ML-KEM); the construction (draft-connolly-cfrg-xwing-kem §5) is xwing.ts.
import { createHash, diffieHellman } from 'node:crypto';
import { CryptoError } from '../../errors.js';
import type { Bytes } from '../../wire/types.js';
import type { XWingPrimitives } from '../xwing.js';
import { nobleMlKem768 } from '../xwing-mlkem.js';
import { asBytes, type KeyCache } from './keys.js';

/** RFC 7748 §4.1: the X25519 base point u = 9. */
const X25519_BASE = Uint8Array.of(9, ...new Uint8Array(31));

/** X-Wing primitives bound to one provider's key cache (no module-level state). */
export function nativeXWingPrimitives(keys: KeyCache): XWingPrimitives {
  // OpenSSL fails the derivation for an all-zero X25519 output (RFC 7748 §6.1); both directions map to CryptoError.
  const x25519 = (sk: Bytes, pk: Bytes): Bytes => {
    const priv = keys.privateKey('x25519', sk); // throws CryptoError for a malformed key
    try {
      return asBytes(diffieHellman({ privateKey: priv, publicKey: keys.publicKey('x25519', pk) }));
    } catch (e) {
      if (e instanceof CryptoError) throw e;
      throw new CryptoError('X-Wing: X25519 failed');
    }
  };
  return {
    shake256: (data, length) => asBytes(createHash('shake256', { outputLength: length }).update(data).digest()),
    sha3_256: (data) => asBytes(createHash('sha3-256').update(data).digest()),
    x25519Base: (sk) => x25519(sk, X25519_BASE),
    x25519,
    mlkem: nobleMlKem768(),
  };
}
