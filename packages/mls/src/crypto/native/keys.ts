// Raw key bytes -> node:crypto KeyObjects, with a bounded cache so hot paths (sign, verify, DH) do not re-import a
// key per call. Private OKP keys (X25519, X448, Ed25519, Ed448) use the fastest import this runtime proves correct.
import { createECDH, createPrivateKey, createPublicKey, type KeyObject, type PrivateKeyInput } from 'node:crypto';
import { CryptoError } from '../../errors.js';
import type { Bytes } from '../../wire/types.js';

export type Curve = 'x25519' | 'x448' | 'ed25519' | 'ed448' | 'p256' | 'p384' | 'p521';
type OkpCurve = 'x25519' | 'x448' | 'ed25519' | 'ed448';

const OKP: Record<string, { oid: number; len: number; crv: string; type: OkpCurve }> = {
  x25519: { oid: 0x6e, len: 32, crv: 'X25519', type: 'x25519' },
  x448: { oid: 0x6f, len: 56, crv: 'X448', type: 'x448' },
  ed25519: { oid: 0x70, len: 32, crv: 'Ed25519', type: 'ed25519' },
  ed448: { oid: 0x71, len: 57, crv: 'Ed448', type: 'ed448' },
};

/**
 * How a raw OKP private key becomes a KeyObject. Each is correct where it is chosen (a known-answer probe decides);
 * they differ in speed and in which Node lines have them (import cost per key, measured by bench/key-import.ts):
 *  - `raw`: `format: 'raw-private'` (Node 24 has it; Node 20 and 22 do not).
 *  - `jwk`: a private JWK needs `x`, and OpenSSL 3.0's DER decoder is slow (about 0.5 ms per key on Node 20); Node 20
 *    and 22 build the key from `d` alone and only type-check `x`. Used only where the probe shows exactly that:
 *    given `x` = `d`, the key's public half is the RFC 7748/8032 public key. Node 24 rejects such a JWK.
 *  - `pkcs8`: RFC 8410 PKCS#8 DER, accepted by every line (slow on OpenSSL 3.0, fast on 3.5).
 */
export type OkpImport = 'raw' | 'jwk' | 'pkcs8';

const b64u = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');

/** RFC 8410 §7 OneAsymmetricKey (v1) for an OKP private key: SEQ { INTEGER 0, SEQ { OID 1.3.101.x }, OCTET STRING { OCTET STRING key } }. */
function pkcs8(oid: number, sk: Bytes): Buffer {
  const n = sk.length;
  const head = [0x30, 14 + n, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, oid, 0x04, n + 2, 0x04, n];
  return Buffer.concat([Buffer.from(head), sk]);
}

function importOkpPrivate(how: OkpImport, curve: OkpCurve, sk: Bytes): KeyObject {
  const okp = OKP[curve] as { oid: number; crv: string };
  if (how === 'jwk') {
    const d = b64u(sk);
    return createPrivateKey({ key: { kty: 'OKP', crv: okp.crv, d, x: d }, format: 'jwk' });
  }
  if (how === 'pkcs8') return createPrivateKey({ key: pkcs8(okp.oid, sk), format: 'der', type: 'pkcs8' });
  // `raw-private` is newer than @types/node 20 knows; the object is the documented Node 24 input.
  const input = { key: Buffer.from(sk.buffer, sk.byteOffset, sk.byteLength), format: 'raw-private', asymmetricKeyType: curve };
  return createPrivateKey(input as unknown as PrivateKeyInput);
}

/** Known answers: RFC 7748 §6.1 (Alice's X25519 key) and RFC 8032 §7.1 (TEST 1, Ed25519). */
const PROBES: readonly { curve: OkpCurve; sk: string; pk: string }[] = [
  {
    curve: 'x25519',
    sk: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
    pk: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
  },
  {
    curve: 'ed25519',
    sk: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    pk: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  },
];

/** True when `how` is available here and derives the right public keys for the probe keys. */
export function okpImportWorks(how: OkpImport): boolean {
  try {
    return PROBES.every((p) => {
      const k = importOkpPrivate(how, p.curve, Buffer.from(p.sk, 'hex'));
      const x = createPublicKey(k).export({ format: 'jwk' }).x;
      return k.asymmetricKeyType === p.curve && x === Buffer.from(p.pk, 'hex').toString('base64url');
    });
  } catch {
    return false;
  }
}

/** The fastest OKP private-key import that passes the probe on this runtime (PKCS#8 is the fallback of last resort). */
export function chooseOkpImport(): OkpImport {
  for (const how of ['raw', 'jwk'] as const) if (okpImportWorks(how)) return how;
  return 'pkcs8';
}

const EC: Record<string, { ecdh: string; crv: string; len: number }> = {
  p256: { ecdh: 'prime256v1', crv: 'P-256', len: 32 },
  p384: { ecdh: 'secp384r1', crv: 'P-384', len: 48 },
  p521: { ecdh: 'secp521r1', crv: 'P-521', len: 66 },
};

export function fieldLength(curve: Curve): number {
  return (EC[curve] ?? OKP[curve])?.len as number;
}

/** Uncompressed SEC1 point of a NIST-curve scalar (left-padded to the field length). */
export function ecPublicFromPrivate(curve: Curve, sk: Bytes): Bytes {
  const p = EC[curve];
  if (p === undefined || sk.length === 0 || sk.length > p.len) throw new CryptoError('invalid private key');
  try {
    const e = createECDH(p.ecdh);
    e.setPrivateKey(sk);
    return asBytes(e.getPublicKey());
  } catch {
    throw new CryptoError('invalid private key');
  }
}

function leftPad(b: Bytes, len: number): Bytes {
  if (b.length === len) return b;
  const out = new Uint8Array(len);
  out.set(b, len - b.length);
  return out;
}

function importPrivate(how: OkpImport, curve: Curve, sk: Bytes): KeyObject {
  const okp = OKP[curve];
  if (okp !== undefined) {
    if (sk.length !== okp.len) throw new CryptoError('invalid private key');
    return importOkpPrivate(how, okp.type, sk);
  }
  const ec = EC[curve] as { crv: string; len: number };
  const pub = ecPublicFromPrivate(curve, sk);
  return createPrivateKey({
    key: { kty: 'EC', crv: ec.crv, d: b64u(leftPad(sk, ec.len)), x: b64u(pub.subarray(1, 1 + ec.len)), y: b64u(pub.subarray(1 + ec.len)) },
    format: 'jwk',
  });
}

function importPublic(curve: Curve, pk: Bytes): KeyObject {
  const okp = OKP[curve];
  if (okp !== undefined) {
    if (pk.length !== okp.len) throw new CryptoError('invalid public key');
    return createPublicKey({ key: { kty: 'OKP', crv: okp.crv, x: b64u(pk) }, format: 'jwk' });
  }
  const ec = EC[curve] as { crv: string; len: number };
  if (pk.length !== 1 + 2 * ec.len || pk[0] !== 0x04) throw new CryptoError('invalid public key');
  return createPublicKey({
    key: { kty: 'EC', crv: ec.crv, x: b64u(pk.subarray(1, 1 + ec.len)), y: b64u(pk.subarray(1 + ec.len)) },
    format: 'jwk',
  });
}

/** Zero-copy view of a Buffer as a plain Uint8Array (callers compare with deepStrictEqual). */
export function asBytes(b: Buffer): Bytes {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Bounded insertion-order cache; the oldest entry goes first when full. One instance per provider (no singletons). */
export class KeyCache {
  private readonly priv = new Map<string, KeyObject>();
  private readonly pub = new Map<string, KeyObject>();
  /** How OKP private keys are imported here, chosen once per cache by a known-answer probe. */
  readonly okpImport: OkpImport;
  constructor(
    private readonly max = 512,
    okpImport: OkpImport = chooseOkpImport(),
  ) {
    this.okpImport = okpImport;
  }

  privateKey(curve: Curve, sk: Bytes): KeyObject {
    return this.get(this.priv, curve, sk, (c, k) => importPrivate(this.okpImport, c, k));
  }
  publicKey(curve: Curve, pk: Bytes): KeyObject {
    return this.get(this.pub, curve, pk, importPublic);
  }

  private get(map: Map<string, KeyObject>, curve: Curve, key: Bytes, make: (c: Curve, k: Bytes) => KeyObject): KeyObject {
    const id = curve + Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
    let k = map.get(id);
    if (k !== undefined) return k;
    try {
      k = make(curve, key);
    } catch (e) {
      if (e instanceof CryptoError) throw e;
      throw new CryptoError('invalid key');
    }
    if (map.size >= this.max) {
      const first = map.keys().next();
      if (first.done !== true) map.delete(first.value);
    }
    map.set(id, k);
    return k;
  }
}
