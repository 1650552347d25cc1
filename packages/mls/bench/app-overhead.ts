// Where an application message's time goes, Sotto alone (no ts-mls in the process): in interleaved rounds, the
// primitive floor of mls-bench.ts (1 Ed25519 sign + verify, AES-128-GCM seal + open of 100 B), the primitives
// RFC 9420 §6.3 requires per encrypt+decrypt pair done directly on node:crypto, and a real Sotto pair.
// Run: node --import tsx bench/app-overhead.ts [rounds=9]
import { createCipheriv, createDecipheriv, createHmac, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createSottoDriver } from '../test/helpers/sotto-driver.js';
import { cpuMs, median } from './measure.js';

const payload = new Uint8Array(100).fill(0x61);

/** Runs `fn` in batches for `ms` of wall time; returns CPU µs per call. */
async function round(fn: () => unknown, ms: number): Promise<number> {
  let k = 0;
  const w0 = performance.now();
  const t0 = cpuMs();
  while (performance.now() - w0 < ms) {
    for (let j = 0; j < 20; j++) await fn();
    k += 20;
  }
  return ((cpuMs() - t0) * 1000) / k;
}

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const key = randomBytes(16);
const nonce = randomBytes(12);
const aad = randomBytes(32);
const secret = randomBytes(32);
const info = randomBytes(36);
const tbs = randomBytes(280); // SignContent of a 100-byte application message in a 16-byte-id group
const seal = (pt: Uint8Array): [Buffer, Buffer] => {
  const c = createCipheriv('aes-128-gcm', key, nonce);
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(pt), c.final()]);
  return [ct, c.getAuthTag()];
};
const open = ([ct, tag]: [Buffer, Buffer]): void => {
  const d = createDecipheriv('aes-128-gcm', key, nonce);
  d.setAAD(aad);
  d.setAuthTag(tag);
  d.update(ct);
  d.final();
};
const floor = (): void => {
  const s = sign(null, payload, privateKey);
  if (!verify(null, payload, publicKey, s)) throw new Error('verify');
  open(seal(payload));
};
/**
 * RFC 9420 §6.3 per pair: SignWithLabel + VerifyWithLabel (§6.1); content AEAD seal + open (§6.3.1); sender-data
 * AEAD seal + open of 12 bytes (§6.3.2); 10 single-block HKDF-Expand = HMACs (per side: ratchet key, nonce and next
 * secret, §9.1; sender-data key and nonce, §6.3.2); 4 random bytes for the reuse guard (§6.3.1).
 */
const required = (): void => {
  for (let i = 0; i < 10; i++) createHmac('sha256', secret).update(info).digest();
  randomBytes(4);
  const s = sign(null, tbs, privateKey);
  if (!verify(null, tbs, publicKey, s)) throw new Error('verify');
  open(seal(payload));
  open(seal(new Uint8Array(12)));
};

const d = createSottoDriver({ now: () => 1000n });
const kp = await d.createKeyPackage('b');
const a = await d.createGroup(new Uint8Array(16).fill(7), 'a');
const { welcomeBytes } = await a.addMembers([kp.publicBytes]);
if (!welcomeBytes) throw new Error('no Welcome');
const b = await d.joinFromWelcome(welcomeBytes, kp);
const pair = async (): Promise<void> => {
  await b.decrypt(await a.encrypt(payload));
};

const rounds = Number(process.argv[2] ?? 9);
const res: Record<string, number[]> = { floor: [], required: [], sotto: [] };
for (let r = -1; r < rounds; r++) {
  const f = await round(floor, 150);
  const q = await round(required, 150);
  const s = await round(pair, 150);
  if (r < 0) continue; // warm-up
  res.floor?.push(f);
  res.required?.push(q);
  res.sotto?.push(s);
}
const f = median(res.floor ?? []);
console.log(`node ${process.version}, OpenSSL ${process.versions.openssl}; CPU µs per encrypt+decrypt pair, median of ${rounds}`);
for (const [k, v] of Object.entries(res)) {
  const m = median(v);
  console.log(
    `${k.padEnd(10)} ${m.toFixed(1).padStart(7)} µs  ${Math.round(1e6 / m)
      .toLocaleString('en-US')
      .padStart(6)}/s  ${(m / f).toFixed(2)}x floor`,
  );
}
