// Profiling driver for one Sotto row of mls-bench.ts, no ts-mls in the process: run it under
// `node --cpu-prof --cpu-prof-dir=DIR --import tsx bench/profile-driver.ts <app|create|join> [N] [seconds]`
// and summarise the profile with bench/cpuprofile-top.ts.
import { performance } from 'node:perf_hooks';
import { createSottoDriver } from '../test/helpers/sotto-driver.js';

const mode = process.argv[2] ?? 'app';
const n = Number(process.argv[3] ?? 2);
const seconds = Number(process.argv[4] ?? 5);
const now = (): bigint => BigInt(Math.floor(Date.now() / 1000));
const enc = new TextEncoder();
const payload = new Uint8Array(100).fill(0x61);
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const d = createSottoDriver({ now });
const kps = [];
for (let i = 1; i < n; i++) kps.push(await d.createKeyPackage(`m${i}`));
const pubs = kps.map((k) => k.publicBytes);
let g = 0;
const createAdd = async () => {
  const a = await d.createGroup(enc.encode(`p-${g++}`), 'm0');
  const out = await a.addMembers(pubs);
  if (!out.welcomeBytes) throw new Error('no Welcome');
  return { a, welcome: out.welcomeBytes };
};
const first = await createAdd();
const bKp = kps[0];
if (!bKp) throw new Error('n < 2');

let count = 0;
const end = performance.now() + seconds * 1000;
const t0 = cpu();
if (mode === 'app') {
  const a = first.a;
  const b = await d.joinFromWelcome(first.welcome, bKp);
  while (performance.now() < end) {
    for (let j = 0; j < 50; j++) await b.decrypt(await a.encrypt(payload));
    count += 50;
  }
} else if (mode === 'create') {
  while (performance.now() < end) {
    await createAdd();
    count++;
  }
} else if (mode === 'join') {
  while (performance.now() < end) {
    await d.joinFromWelcome(first.welcome, bKp);
    count++;
  }
} else throw new Error(`unknown mode ${mode}`);
const ms = cpu() - t0;
console.log(`${mode} N=${n}: ${count} ops, ${((ms * 1000) / count).toFixed(1)} us CPU/op, ${Math.round((count * 1000) / ms)}/s`);
