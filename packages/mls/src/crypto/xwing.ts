// X-Wing hybrid KEM (ML-KEM-768 + X25519, draft-connolly-cfrg-xwing-kem §5) as the RFC 9180 §4 generic KEM of
// HPKE KEM 0x647A; SHA-3, X25519 and ML-KEM-768 (FIPS 203) are injected by the provider, nothing is implemented here.
import { CryptoError, UsageError } from '../errors.js';
import { concat, utf8Bytes } from '../util/bytes.js';
import type { Bytes } from '../wire/types.js';
import type { HpkeKem } from './hpke.js';
import type { KeyPair, Rng } from './provider.js';
import { XWING_KEM } from './suites.js';

/** An ML-KEM-768 encapsulation key whose public expansion (the matrix Â, FIPS 203 §5.2) is done once. */
export interface PreparedMlKem768 {
  /** ML-KEM.Encaps_internal(ek, m) (FIPS 203 §6.2). */
  encapsulate(m: Bytes): { sharedSecret: Bytes; cipherText: Bytes };
  /** ML-KEM.Decaps_internal(dk, c) (FIPS 203 §6.3) for an expanded dk that embeds this ek. */
  decapsulate(cipherText: Bytes, decapsulationKey: Bytes): Bytes;
}

/** ML-KEM-768 through its deterministic entry points. Every method may throw on malformed input. */
export interface MlKem768 {
  /** ML-KEM.KeyGen_internal(d, z) (FIPS 203 §6.1) with seed = d || z: ek (1184 bytes) and expanded dk (2400 bytes). */
  keygen(seed: Bytes): { encapsulationKey: Bytes; decapsulationKey: Bytes };
  /** Runs the encapsulation key check (FIPS 203 §7.2) and the public expansion once. */
  prepare(encapsulationKey: Bytes): PreparedMlKem768;
}

/** What X-Wing needs from a provider. */
export interface XWingPrimitives {
  /** SHAKE256(data, 8 * length) (FIPS 202). */
  shake256(data: Bytes, length: number): Bytes;
  sha3_256(data: Bytes): Bytes;
  /** X25519(sk, X25519_BASE) (RFC 7748 §6.1). */
  x25519Base(sk: Bytes): Bytes;
  /** X25519(sk, pk). Throws CryptoError for a key the curve rejects, including an all-zero result. */
  x25519(sk: Bytes, pk: Bytes): Bytes;
  mlkem: MlKem768;
}

/**
 * Which HPKE DeriveKeyPair(ikm) to use (GenerateKeyPair, Encap and Decap are the same for both):
 * - `xwing`: draft-connolly-cfrg-xwing-kem §5.6 "Use in HPKE" (-06 to -10; -06 is the reference of the IANA 0x647A
 *   entry): GenerateKeyPairDerand(SHAKE256(ikm, 32)). OpenMLS derives its 0x004D keys this way (hpke-rs XWingDraft06).
 * - `hpke-pq`: draft-ietf-hpke-pq §4: GenerateKeyPairDerand(SHAKE256.LabeledDerive(ikm, "DeriveKeyPair", "", 32)),
 *   which the HPKE working group's 0x647A test vectors use. The two give different keys from the same ikm.
 */
export type XWingDerivation = 'xwing' | 'hpke-pq';

export interface XWingOptions {
  /** Default `xwing` (OpenMLS-compatible; see `XWingDerivation`). */
  derivation?: XWingDerivation;
  /** Entries per cache (expanded decapsulation keys, prepared encapsulation keys); default 256, 0 disables. */
  cacheSize?: number;
}

/** The X-Wing KEM: the §4 generic KEM interface plus the draft's derandomized functions (§5.2.1, §5.4.1). */
export interface XWingKem extends HpkeKem {
  /** GenerateKeyPairDerand(sk) for a 32-byte seed `sk` (the decapsulation key itself). */
  generateKeyPairDerand(sk: Bytes): KeyPair;
  /** EncapsulateDerand(pk, eseed) for a 64-byte eseed: (ss, ct). */
  encapsulateDerand(pk: Bytes, eseed: Bytes): { sharedSecret: Bytes; enc: Bytes };
}

const PK_M = 1184;
const CT_M = 1088;
/** §5.3 XWingLabel = "\./" || "/^\" (hex 5c2e2f2f5e5c). */
const XWING_LABEL = Uint8Array.of(0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c);

/** The expanded form of a decapsulation key (§5.2 expandDecapsulationKey), cached per seed (§5.5.1). */
interface Expanded {
  readonly publicKey: Bytes;
  readonly dkM: Bytes;
  readonly skX: Bytes;
  readonly pkX: Bytes;
  /** Prepared on the first decapsulation only: most derived keys (UpdatePath nodes we send) are never decapsulated with. */
  pkM: PreparedMlKem768 | undefined;
}

/** Bounded insertion-order map: the oldest entry goes first when full. One per KEM instance, never shared. */
class Bounded<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): void {
    if (this.max <= 0) return;
    if (this.map.size >= this.max) {
      const first = this.map.keys().next();
      if (first.done !== true) this.map.delete(first.value);
    }
    this.map.set(key, value);
  }
}

/** Bytes as a map key (one UTF-16 unit per byte). */
function keyOf(b: Bytes): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  return s;
}

function i2osp2(n: number): Bytes {
  return Uint8Array.of((n >> 8) & 0xff, n & 0xff);
}

/** draft-ietf-hpke-pq §4: suite_id = "KEM" || I2OSP(0x647A, 2); LabeledDerive of draft-ietf-hpke-hpke §4. */
const HPKE_PQ_DKP_SUFFIX = concat(
  utf8Bytes('HPKE-v1'),
  utf8Bytes('KEM'),
  i2osp2(XWING_KEM.id),
  i2osp2(13),
  utf8Bytes('DeriveKeyPair'),
  i2osp2(XWING_KEM.Nsk),
);

/** Builds the X-Wing KEM over one provider's primitives. Caches live in this object only. */
export function createXWingKem(p: XWingPrimitives, opts: XWingOptions = {}): XWingKem {
  const derivation = opts.derivation ?? 'xwing';
  const expandedCache = new Bounded<Expanded>(opts.cacheSize ?? 256);
  const preparedCache = new Bounded<PreparedMlKem768>(opts.cacheSize ?? 256);

  // §5.2 expandDecapsulationKey(sk)
  function expand(sk: Bytes): Expanded {
    if (sk.length !== XWING_KEM.Nsk) throw new CryptoError('X-Wing: private key has the wrong length');
    const id = keyOf(sk);
    const hit = expandedCache.get(id);
    if (hit !== undefined) return hit;
    const e = p.shake256(sk, 96);
    let m: { encapsulationKey: Bytes; decapsulationKey: Bytes };
    try {
      m = p.mlkem.keygen(e.subarray(0, 64));
    } catch {
      throw new CryptoError('X-Wing: ML-KEM key generation failed');
    }
    const skX = e.slice(64, 96);
    const pkX = p.x25519Base(skX);
    const publicKey = concat(m.encapsulationKey, pkX);
    const out: Expanded = { publicKey, dkM: m.decapsulationKey, skX, pkX, pkM: undefined };
    expandedCache.set(id, out);
    return out;
  }

  function preparedFor(pkM: Bytes): PreparedMlKem768 {
    const id = keyOf(pkM);
    let prepared = preparedCache.get(id);
    if (prepared === undefined) {
      try {
        prepared = p.mlkem.prepare(pkM);
      } catch {
        throw new CryptoError('X-Wing: invalid ML-KEM encapsulation key'); // FIPS 203 §7.2 check: HPKE EncapError
      }
      preparedCache.set(id, prepared);
    }
    return prepared;
  }

  // §5.3 Combiner
  const combiner = (ssM: Bytes, ssX: Bytes, ctX: Bytes, pkX: Bytes): Bytes => p.sha3_256(concat(ssM, ssX, ctX, pkX, XWING_LABEL));

  // §5.2.1 GenerateKeyPairDerand
  function generateKeyPairDerand(sk: Bytes): KeyPair {
    // Copies: the cached expansion must not change if a caller mutates what it got.
    return { privateKey: sk.slice(), publicKey: expand(sk).publicKey.slice() };
  }

  // §5.4.1 EncapsulateDerand
  function encapsulateDerand(pk: Bytes, eseed: Bytes): { sharedSecret: Bytes; enc: Bytes } {
    if (pk.length !== XWING_KEM.Npk) throw new CryptoError('X-Wing: public key has the wrong length');
    if (eseed.length !== 64) throw new UsageError('X-Wing: eseed must be 64 bytes');
    const pkX = pk.subarray(PK_M);
    const ekX = eseed.subarray(32, 64);
    const ctX = p.x25519Base(ekX);
    const ssX = p.x25519(ekX, pkX);
    let m: { sharedSecret: Bytes; cipherText: Bytes };
    try {
      m = preparedFor(pk.subarray(0, PK_M)).encapsulate(eseed.subarray(0, 32));
    } catch (e) {
      if (e instanceof CryptoError) throw e;
      throw new CryptoError('X-Wing: ML-KEM encapsulation failed');
    }
    return { sharedSecret: combiner(m.sharedSecret, ssX, ctX, pkX), enc: concat(m.cipherText, ctX) };
  }

  // §5.5 Decapsulate
  function decap(enc: Bytes, skR: Bytes): Bytes {
    if (enc.length !== XWING_KEM.Nenc) throw new CryptoError('X-Wing: ciphertext has the wrong length');
    const k = expand(skR);
    const ctX = enc.subarray(CT_M);
    k.pkM ??= preparedFor(k.publicKey.subarray(0, PK_M));
    let ssM: Bytes;
    try {
      ssM = k.pkM.decapsulate(enc.subarray(0, CT_M), k.dkM);
    } catch {
      throw new CryptoError('X-Wing: ML-KEM decapsulation failed');
    }
    return combiner(ssM, p.x25519(k.skX, ctX), ctX, k.pkX);
  }

  // §5.6 Use in HPKE: DeriveKeyPair (see XWingDerivation)
  function deriveKeyPair(ikm: Bytes): KeyPair {
    if (ikm.length === 0) throw new UsageError('DeriveKeyPair: empty ikm');
    const seed = derivation === 'xwing' ? p.shake256(ikm, XWING_KEM.Nsk) : p.shake256(concat(ikm, HPKE_PQ_DKP_SUFFIX), XWING_KEM.Nsk);
    return generateKeyPairDerand(seed);
  }

  return {
    id: XWING_KEM.id,
    Nsecret: XWING_KEM.Nsecret,
    Nenc: XWING_KEM.Nenc,
    Npk: XWING_KEM.Npk,
    Nsk: XWING_KEM.Nsk,
    // §5.2: GenerateKeyPair() = GenerateKeyPairDerand(random(32)).
    generateKeyPair: (rng: Rng) => generateKeyPairDerand(rng(XWING_KEM.Nsk)),
    deriveKeyPair,
    generateKeyPairDerand,
    encapsulateDerand,
    // §5.4.1: Encapsulate(pk) = EncapsulateDerand(pk, random(64)).
    encap: (pkR: Bytes, rng: Rng) => encapsulateDerand(pkR, rng(64)),
    decap,
  };
}
