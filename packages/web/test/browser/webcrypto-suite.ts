// Browser suite: which WebCrypto algorithms this browser's crypto.subtle really supports (each one exercised, not just
// looked up): Ed25519, X25519, AES-GCM, HKDF, HMAC-SHA256. The store's device key needs AES-GCM; attachments use
// AES-GCM and HKDF. MLS itself runs on @noble (its CryptoProvider is synchronous, WebCrypto is async-only).
// Bundled and run in Chromium by test/browser-suites.test.ts.
import { browserAssert as assert } from './browser-assert.js';
import { type NamedCase, runCases, type SuiteResult } from './harness.js';

const data = new TextEncoder().encode('sotto webcrypto probe');

type Probe = () => Promise<void>;

const PROBES: Record<string, Probe> = {
  Ed25519: async () => {
    const kp = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const sig = await crypto.subtle.sign({ name: 'Ed25519' }, kp.privateKey, data);
    assert.equal(sig.byteLength, 64);
    assert.ok(await crypto.subtle.verify({ name: 'Ed25519' }, kp.publicKey, sig, data));
    assert.ok(!(await crypto.subtle.verify({ name: 'Ed25519' }, kp.publicKey, sig, data.slice(1))));
  },
  X25519: async () => {
    const a = (await crypto.subtle.generateKey({ name: 'X25519' }, false, ['deriveBits'])) as CryptoKeyPair;
    const b = (await crypto.subtle.generateKey({ name: 'X25519' }, false, ['deriveBits'])) as CryptoKeyPair;
    const ab = new Uint8Array(await crypto.subtle.deriveBits({ name: 'X25519', public: b.publicKey }, a.privateKey, 256));
    const ba = new Uint8Array(await crypto.subtle.deriveBits({ name: 'X25519', public: a.publicKey }, b.privateKey, 256));
    assert.equal(ab.length, 32);
    assert.deepEqual(ab, ba);
  },
  'AES-GCM': async () => {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, data);
    assert.equal(ct.byteLength, data.length + 16);
    assert.deepEqual(new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, ct)), data);
  },
  HKDF: async () => {
    // RFC 5869 Appendix A.1 (test case 1).
    const ikm = new Uint8Array(22).fill(0x0b);
    const salt = Uint8Array.from({ length: 13 }, (_, i) => i);
    const info = Uint8Array.from({ length: 10 }, (_, i) => 0xf0 + i);
    const key = await crypto.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
    const okm = new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info }, key, 42 * 8));
    const hex = Array.from(okm, (x) => x.toString(16).padStart(2, '0')).join('');
    assert.equal(hex, '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  },
  'HMAC-SHA256': async () => {
    // RFC 4231 §4.2 (test case 1).
    const key = await crypto.subtle.importKey('raw', new Uint8Array(20).fill(0x0b), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode('Hi There')));
    const hex = Array.from(mac, (x) => x.toString(16).padStart(2, '0')).join('');
    assert.equal(hex, 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
  },
};

export async function run(): Promise<SuiteResult> {
  const available: Record<string, boolean> = {};
  const cases: NamedCase[] = Object.entries(PROBES).map(([name, probe]) => ({
    name: `WebCrypto ${name}`,
    run: async () => {
      try {
        await probe();
        available[name] = true;
      } catch (e) {
        available[name] = false;
        throw e;
      }
    },
  }));
  const results = await runCases(cases);
  return {
    suite: 'webcrypto',
    cases: results,
    counts: { probed: cases.length, available: Object.values(available).filter(Boolean).length },
    facts: { ...available, userAgent: navigator.userAgent },
  };
}
