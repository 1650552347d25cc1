// Cost of importing a raw OKP private key (X25519, Ed25519) into node:crypto on this Node line, per import path
// (src/crypto/native/keys.ts), and which path the native provider chooses here. Run it under each supported Node.
import { randomBytes } from 'node:crypto';
import { chooseOkpImport, KeyCache, type OkpImport, okpImportWorks } from '../src/crypto/native/keys.js';

const N = Number(process.env.KEY_IMPORT_N ?? 4000);

function perImportMicros(how: OkpImport, curve: 'x25519' | 'ed25519'): number {
  const keys = Array.from({ length: N }, () => new Uint8Array(randomBytes(32)));
  const cache = new KeyCache(N + 1, how); // large enough that every key is a fresh import
  cache.privateKey(curve, new Uint8Array(randomBytes(32))); // warm-up
  const t0 = process.cpuUsage();
  for (const k of keys) cache.privateKey(curve, k);
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / N;
}

const openssl = process.versions.openssl;
console.log(`node ${process.version}, OpenSSL ${openssl}; CPU time per fresh import, ${N} keys each`);
console.log(`chosen by the probe: ${chooseOkpImport()}`);
console.log('path    X25519     Ed25519');
for (const how of ['raw', 'jwk', 'pkcs8'] as const) {
  if (!okpImportWorks(how)) {
    console.log(`${how.padEnd(6)}  not available on this line`);
    continue;
  }
  const x = perImportMicros(how, 'x25519').toFixed(1);
  const e = perImportMicros(how, 'ed25519').toFixed(1);
  console.log(`${how.padEnd(6)}  ${`${x} µs`.padEnd(9)}  ${e} µs`);
}
