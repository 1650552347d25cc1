// Micro-benchmark of the provider primitives on the app-message hot path: ops/s for native vs portable, one table.
// Run: node --import tsx packages/mls/bench/primitives.ts
import { performance } from 'node:perf_hooks';
import { deriveTreeSecret, signWithLabel, verifyWithLabel } from '../src/crypto/labels.js';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import { createPortableProvider } from '../src/crypto/portable/index.js';
import type { CryptoProvider } from '../src/crypto/provider.js';

function opsPerSec(fn: () => void, ms = 400): number {
  for (let i = 0; i < 50; i++) fn(); // warm-up
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 20; i++) fn();
    n += 20;
    now = performance.now();
  }
  return Math.round((n * 1000) / (now - start));
}

function measure(p: CryptoProvider): Record<string, number> {
  const cs = p.suite(1);
  const kp = cs.generateSignatureKeyPair(nativeRandom);
  const msg = nativeRandom(100);
  const sig = cs.sign(kp.privateKey, msg);
  const key = nativeRandom(16);
  const nonce = nativeRandom(12);
  const aad = nativeRandom(32);
  const ct = cs.aeadSeal(key, nonce, aad, msg);
  const secret = nativeRandom(32);
  return {
    'Ed25519 sign': opsPerSec(() => cs.sign(kp.privateKey, msg)),
    'Ed25519 verify': opsPerSec(() => cs.verify(kp.publicKey, msg, sig)),
    'AES-128-GCM seal 100 B': opsPerSec(() => cs.aeadSeal(key, nonce, aad, msg)),
    'AES-128-GCM open 100 B': opsPerSec(() => cs.aeadOpen(key, nonce, aad, ct)),
    'DeriveTreeSecret (HKDF)': opsPerSec(() => deriveTreeSecret(cs, secret, 'key', 7, 16)),
    // Approximates one app message both ways: 2 key derivations per side, seal+open, SignWithLabel+VerifyWithLabel.
    'app msg pair (approx.)': opsPerSec(() => {
      const k = deriveTreeSecret(cs, secret, 'key', 1, 16);
      const n = deriveTreeSecret(cs, secret, 'nonce', 1, 12);
      const s = signWithLabel(cs, kp.privateKey, 'FramedContentTBS', msg);
      const c = cs.aeadSeal(k, n, aad, msg);
      const k2 = deriveTreeSecret(cs, secret, 'key', 1, 16);
      const n2 = deriveTreeSecret(cs, secret, 'nonce', 1, 12);
      cs.aeadOpen(k2, n2, aad, c);
      if (!verifyWithLabel(cs, kp.publicKey, 'FramedContentTBS', msg, s)) throw new Error('bench: verify failed');
    }),
  };
}

const providers = [createNativeProvider(), createPortableProvider()];
const results = providers.map((p) => [p.name, measure(p)] as const);
const rows = Object.keys(results[0]?.[1] ?? {});
const pad = (s: string, n: number) => s.padStart(n);
console.log(`${'suite 0x0001, ops/s'.padEnd(26)}${results.map(([n]) => pad(n, 12)).join('')}`);
for (const r of rows) console.log(`${r.padEnd(26)}${results.map(([, m]) => pad((m[r] ?? 0).toLocaleString('en-US'), 12)).join('')}`);
