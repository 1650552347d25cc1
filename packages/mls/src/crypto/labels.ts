// RFC 9420 §5 labelled crypto over a CipherSuite: ExpandWithLabel, DeriveSecret, DeriveTreeSecret (§9),
// RefHash and the KeyPackage/Proposal references (§5.2), SignWithLabel (§5.1.2), EncryptWithLabel (§5.1.3).
import { opaqueSize, Writer } from '../codec/tls-codec.js';
import { utf8Bytes } from '../util/bytes.js';
import type { Bytes } from '../wire/types.js';
import type { CipherSuite, Rng } from './provider.js';

const EMPTY = new Uint8Array(0);

// Labels are a small fixed set: encode "MLS 1.0 " + label once.
const mlsLabels = new Map<string, Bytes>();
function mlsLabel(label: string): Bytes {
  let b = mlsLabels.get(label);
  if (b === undefined) {
    b = utf8Bytes(`MLS 1.0 ${label}`);
    mlsLabels.set(label, b);
  }
  return b;
}

/** Encodes `struct { opaque label<V>; opaque second<V>; }`, the shape of SignContent, EncryptContext, RefHashInput. */
function labelled(label: Bytes, second: Bytes): Bytes {
  return new Writer(opaqueSize(label.length) + opaqueSize(second.length)).bytes(label).bytes(second).finish();
}

/** §5.1 ExpandWithLabel: KDF.Expand(secret, KDFLabel{length, "MLS 1.0 " + label, context}, length). */
export function expandWithLabel(cs: CipherSuite, secret: Bytes, label: string, context: Bytes, length: number): Bytes {
  const lbl = mlsLabel(label);
  const info = new Writer(2 + opaqueSize(lbl.length) + opaqueSize(context.length)).u16(length).bytes(lbl).bytes(context).finish();
  return cs.expand(secret, info, length);
}

/** §5.1 DeriveSecret(secret, label) = ExpandWithLabel(secret, label, "", Nh). */
export function deriveSecret(cs: CipherSuite, secret: Bytes, label: string): Bytes {
  return expandWithLabel(cs, secret, label, EMPTY, cs.hashLength);
}

/** §9 DeriveTreeSecret(secret, label, generation, length) = ExpandWithLabel(secret, label, uint32 generation, length). */
export function deriveTreeSecret(cs: CipherSuite, secret: Bytes, label: string, generation: number, length: number): Bytes {
  const ctx = new Uint8Array(4);
  new DataView(ctx.buffer).setUint32(0, generation);
  return expandWithLabel(cs, secret, label, ctx, length);
}

/** §5.2 RefHash(label, value) = Hash(RefHashInput{label, value}); the label is used as given (no prefix). */
export function refHash(cs: CipherSuite, label: string | Bytes, value: Bytes): Bytes {
  return cs.hash(labelled(typeof label === 'string' ? utf8Bytes(label) : label, value));
}

const KP_REF = utf8Bytes('MLS 1.0 KeyPackage Reference');
const PROPOSAL_REF = utf8Bytes('MLS 1.0 Proposal Reference');

/** §5.2 MakeKeyPackageRef(value) over the encoded KeyPackage. */
export function makeKeyPackageRef(cs: CipherSuite, keyPackageBytes: Bytes): Bytes {
  return refHash(cs, KP_REF, keyPackageBytes);
}

/** §5.2 MakeProposalRef(value) over the encoded AuthenticatedContent carrying the proposal. */
export function makeProposalRef(cs: CipherSuite, authenticatedContentBytes: Bytes): Bytes {
  return refHash(cs, PROPOSAL_REF, authenticatedContentBytes);
}

/** §5.1.2 SignWithLabel: Signature.Sign(key, SignContent{"MLS 1.0 " + label, content}). */
export function signWithLabel(cs: CipherSuite, signKey: Bytes, label: string, content: Bytes): Bytes {
  return cs.sign(signKey, labelled(mlsLabel(label), content));
}

/** §5.1.2 VerifyWithLabel; false (never throws) for a bad signature or key. */
export function verifyWithLabel(cs: CipherSuite, verKey: Bytes, label: string, content: Bytes, signature: Bytes): boolean {
  return cs.verify(verKey, labelled(mlsLabel(label), content), signature);
}

/** §5.1.3 EncryptWithLabel: SealBase(pk, EncryptContext{"MLS 1.0 " + label, context}, "", plaintext). */
export function encryptWithLabel(
  cs: CipherSuite,
  publicKey: Bytes,
  label: string,
  context: Bytes,
  plaintext: Bytes,
  rng: Rng,
): { kemOutput: Bytes; ciphertext: Bytes } {
  return cs.hpke.seal(publicKey, encryptContext(label, context), EMPTY, plaintext, rng);
}

// EncryptContext bytes of large contexts, kept per context object: a Welcome encrypts to every joiner with the
// same (large) encrypted GroupInfo as context, and the HPKE layer then hashes that info only once.
const encryptContexts = new WeakMap<Bytes, { label: string; info: Bytes }>();
function encryptContext(label: string, context: Bytes): Bytes {
  if (context.length <= 1024) return labelled(mlsLabel(label), context);
  const hit = encryptContexts.get(context);
  if (hit !== undefined && hit.label === label) return hit.info;
  const info = labelled(mlsLabel(label), context);
  encryptContexts.set(context, { label, info });
  return info;
}

/** §5.1.3 DecryptWithLabel; throws CryptoError when HPKE open fails. */
export function decryptWithLabel(
  cs: CipherSuite,
  privateKey: Bytes,
  label: string,
  context: Bytes,
  kemOutput: Bytes,
  ciphertext: Bytes,
): Bytes {
  return cs.hpke.open(privateKey, kemOutput, labelled(mlsLabel(label), context), EMPTY, ciphertext);
}
