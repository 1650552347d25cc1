// Benchmark of the X-Wing suite 0x004D next to suite 0x0001: Update commit create/process at N members (RFC 9420
// §12.4, a full UpdatePath from leaf 0 in a group whose copath of leaf 0 is filled), and wire sizes.
// Run: node --import tsx bench/xwing-bench.ts [N ...]   (default N = 100 1000)
// BENCH_PROVIDERS=native,portable picks providers (default both); BENCH_PORTABLE_MAX_N caps portable N (the portable
// N=1000 rows take a few minutes each on a shared 2-core machine).
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import { createPortableProvider, portableRandom } from '../src/crypto/portable/index.js';
import * as mls from '../src/index.js';
import { cpuMs, median } from './measure.js';

const SIZES = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n >= 4);
const NS = SIZES.length > 0 ? SIZES : [100, 1000];
const PROVIDERS = (process.env.BENCH_PROVIDERS ?? 'native,portable').split(',') as Kind[];
const PORTABLE_MAX_N = Number(process.env.BENCH_PORTABLE_MAX_N ?? Infinity);
const SUITES = [
  mls.CipherSuiteId.MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519,
  mls.CipherSuiteId.MLS_256_XWING_CHACHA20POLY1305_SHA256_Ed25519,
];
const ROUNDS = 15;

type Kind = 'native' | 'portable';
const utf8 = (s: string) => new TextEncoder().encode(s);
const cred = (name: string): mls.Credential => ({ credentialType: 1, identity: utf8(name) });

/** Each simulated client has its own provider instance, so no member profits from another member's key caches. */
function client(kind: Kind): mls.GroupDeps {
  return kind === 'native'
    ? { crypto: createNativeProvider(), rng: nativeRandom, now: () => 1_800_000_000n }
    : { crypto: createPortableProvider(), rng: portableRandom, now: () => 1_800_000_000n };
}

interface Row {
  suite: number;
  kind: Kind;
  n: number;
  updateCreate: number;
  updateProcess: number;
  updateCommitBytes: number;
  keyPackageBytes: number;
  welcomeBytes: number;
  welcomeNoTreeBytes: number;
  setupSeconds: number;
}

function measure(suite: number, kind: Kind, n: number): Row {
  const t0 = performance.now();
  const clients = new Map<string, mls.GroupDeps>();
  const depsOf = (name: string): mls.GroupDeps => {
    let d = clients.get(name);
    if (d === undefined) {
      d = client(kind);
      clients.set(name, d);
    }
    return d;
  };
  const kps = Array.from({ length: n - 1 }, (_, i) =>
    mls.createKeyPackage(depsOf(`m${i + 1}`), { cipherSuite: suite, credential: cred(`m${i + 1}`) }),
  );
  let a = mls.createGroup(depsOf('m0'), { cipherSuite: suite, credential: cred('m0') });
  const add = mls.addMembers(
    depsOf('m0'),
    a,
    kps.map((k) => k.bytes),
  );
  a = add.group;
  if (add.welcome === undefined) throw new Error('bench: no Welcome');
  const welcome = add.welcome;
  const join = (leaf: number): mls.Group => {
    const kp = kps[leaf - 1];
    if (kp === undefined) throw new Error('bench: missing KeyPackage');
    return mls.joinFromWelcome(depsOf(`m${leaf}`), welcome, kp);
  };
  let b = join(1);
  // Steady state: leaves 2, 4, 8, ... commit once each so every copath node of leaf 0 holds a key (resolution 1).
  const fillers: [string, mls.Group][] = [];
  for (let l = 2; l < n; l *= 2) fillers.push([`m${l}`, join(l)]);
  for (let i = 0; i < fillers.length; i++) {
    const [name, g] = fillers[i] as [string, mls.Group];
    const out = mls.updateKey(depsOf(name), g);
    a = mls.processMessage(depsOf('m0'), a, out.commit).group;
    b = mls.processMessage(depsOf('m1'), b, out.commit).group;
    for (let j = i + 1; j < fillers.length; j++) {
      const [nj, gj] = fillers[j] as [string, mls.Group];
      fillers[j] = [nj, mls.processMessage(depsOf(nj), gj, out.commit).group];
    }
  }
  const bOut = mls.updateKey(depsOf('m1'), b);
  b = bOut.group;
  a = mls.processMessage(depsOf('m0'), a, bOut.commit).group;
  const setupSeconds = (performance.now() - t0) / 1000;

  // Update commit created by leaf 0, processed by leaf 1.
  const uc: number[] = [];
  const up: number[] = [];
  let commitBytes = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const c0 = cpuMs();
    const out = mls.updateKey(depsOf('m0'), a);
    const c1 = cpuMs();
    const r = mls.processMessage(depsOf('m1'), b, out.commit);
    const c2 = cpuMs();
    if (r.kind !== 'commit') throw new Error('bench: not a commit');
    a = out.group;
    b = r.group;
    uc.push(c1 - c0);
    up.push(c2 - c1);
    commitBytes = out.commit.length;
  }

  // Sizes: one more KeyPackage, and its Welcome into this N-member group with and without the ratchet tree.
  const extra = mls.createKeyPackage(depsOf('extra'), { cipherSuite: suite, credential: cred('extra') });
  const withTree = mls.addMembers(depsOf('m0'), a, [extra.bytes]);
  const noTree = mls.addMembers(depsOf('m0'), a, [extra.bytes], { ratchetTreeInWelcome: false });
  return {
    suite,
    kind,
    n,
    updateCreate: median(uc),
    updateProcess: median(up),
    updateCommitBytes: commitBytes,
    keyPackageBytes: extra.bytes.length,
    welcomeBytes: withTree.welcome?.length ?? NaN,
    welcomeNoTreeBytes: noTree.welcome?.length ?? NaN,
    setupSeconds,
  };
}

function machine(): string {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    model = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? model;
  } catch {
    // not Linux
  }
  return `${cpus().length} CPUs, ${model.trim()}, node ${process.version}, ${process.platform}/${process.arch}`;
}

function main(): void {
  const started = performance.now();
  console.log(`machine: ${machine()}`);
  console.log(
    `load average at start: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(`Update: leaf 0 commits a full UpdatePath, leaf 1 processes it; median of ${ROUNDS} runs, CPU time of this process.`);
  console.log('Welcome: adding 1 member to the N-member group (with the ratchet_tree extension / without it).\n');
  const head = ['suite', 'provider', 'N', 'Update create', 'Update process', 'Update commit', 'KeyPackage', 'Welcome', 'Welcome (no tree)'];
  const rows: string[][] = [];
  // Warm-up (JIT, lazily built suites), discarded: otherwise the first row measured pays for it.
  for (const kind of PROVIDERS) for (const suite of SUITES) measure(suite, kind, 8);
  for (const n of NS) {
    for (const kind of PROVIDERS) {
      if (kind === 'portable' && n > PORTABLE_MAX_N) continue;
      for (const suite of SUITES) {
        const r = measure(suite, kind, n);
        rows.push([
          `0x${r.suite.toString(16).padStart(4, '0')}`,
          r.kind,
          String(r.n),
          `${r.updateCreate.toFixed(1)} ms`,
          `${r.updateProcess.toFixed(1)} ms`,
          `${r.updateCommitBytes} B`,
          `${r.keyPackageBytes} B`,
          `${r.welcomeBytes} B`,
          `${r.welcomeNoTreeBytes} B`,
        ]);
        process.stderr.write(`done 0x${suite.toString(16)} ${kind} N=${n} (setup ${r.setupSeconds.toFixed(1)} s)\n`);
      }
    }
  }
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i < 3 ? c.padEnd(w[i] ?? 0) : c.padStart(w[i] ?? 0))).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${w.map((x, i) => (i < 3 ? `:${'-'.repeat(x + 1)}` : `${'-'.repeat(x + 1)}:`)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log(`\nsuites: 0x0001 = MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519, 0x004d = MLS_256_XWING_CHACHA20POLY1305_SHA256_Ed25519`);
  console.log(
    `load average at end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(`total bench time ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main();
