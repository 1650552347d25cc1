// The PSK input to the key schedule (RFC 9420 §8.4): psk_secret chained from an ordered list of pre-shared keys.
import { expandWithLabel } from '../crypto/labels.js';
import type { CipherSuite } from '../crypto/provider.js';
import { encodePskLabel } from '../wire/proposal.js';
import type { Bytes, PreSharedKeyID } from '../wire/types.js';

/** One PSK to inject: its identifier (as carried in the PreSharedKey proposal / GroupSecrets) and its value. */
export interface PskInput {
  id: PreSharedKeyID;
  psk: Bytes;
}

/**
 * RFC 9420 §8.4:
 *   psk_extracted_[i] = KDF.Extract(0, psk_[i])
 *   psk_input_[i]     = ExpandWithLabel(psk_extracted_[i], "derived psk", PSKLabel, KDF.Nh)
 *   psk_secret_[0]    = 0;  psk_secret_[i] = KDF.Extract(psk_input_[i-1], psk_secret_[i-1])
 * With no PSKs the result is the all-zero vector of length KDF.Nh. The order of `psks` matters.
 */
export function computePskSecret(cs: CipherSuite, psks: readonly PskInput[]): Bytes {
  if (psks.length > 0xffff) throw new RangeError('too many PSKs');
  const zero = new Uint8Array(cs.hashLength);
  let secret: Bytes = zero;
  const count = psks.length;
  psks.forEach(({ id, psk }, index) => {
    const extracted = cs.extract(zero, psk);
    const input = expandWithLabel(cs, extracted, 'derived psk', encodePskLabel({ id, index, count }), cs.hashLength);
    secret = cs.extract(input, secret);
  });
  return secret;
}
