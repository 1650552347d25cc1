// Ed25519 (RFC 8032) signing with Sotto domain-separation labels, in the style of RFC 9420 §5.1.2 SignWithLabel.
import { ed25519 } from '@noble/curves/ed25519.js';
import { toUtf8, Writer } from './codec.js';

/** Every Sotto signature covers `opaque label<V> = "Sotto " + label` followed by the content. */
export function labeled(label: string, content: Uint8Array): Uint8Array {
  return new Writer()
    .bytes(toUtf8(`Sotto ${label}`))
    .raw(content)
    .finish();
}

export function signLabeled(secretKey: Uint8Array, label: string, content: Uint8Array): Uint8Array {
  if (secretKey.length !== 32) throw new RangeError('Ed25519 secret key must be 32 bytes');
  return ed25519.sign(labeled(label, content), secretKey);
}

/** Never throws: malformed keys or signatures verify as false. */
export function verifyLabeled(publicKey: Uint8Array, label: string, content: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    return ed25519.verify(signature, labeled(label, content), publicKey);
  } catch {
    return false;
  }
}

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(secretKey);
}

/** MLS cipher suites whose signature scheme is Ed25519 (RFC 9420 §17.1: 0x0001, 0x0003). */
export const ED25519_SUITES: ReadonlySet<number> = new Set([0x0001, 0x0003]);
