// Benchmark of the Delivery Service's PublicGroup (target: one commit processed in a 1,000-member group < 3 ms),
// beside a member processing the same commit (processMessage: path decryption, key schedule, confirmation tag).
// Run: node --import tsx bench/public-group-bench.ts [members...]. Prints a table of medians and p90; never asserted.
import assert from 'node:assert/strict';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import * as mls from '../src/index.js';

const deps: mls.GroupDeps = { crypto: createNativeProvider(), rng: nativeRandom, now: () => 1_800_000_000n };
const config = { handshakeAsPrivate: false };
const cred = (name: string): mls.Credential => ({ credentialType: 1, identity: new TextEncoder().encode(name) });
const RUNS = 30;

type Kind = 'update (path)' | 'add 1' | 'remove 1';
interface Row {
  members: number;
  kind: Kind;
  ds: number[];
  member: number[];
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] as number;
}

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}

function bench(n: number): { rows: Row[]; setup: Record<string, number> } {
  let alice = mls.createGroup(deps, { cipherSuite: 1, credential: cred('alice'), config });
  const kps = Array.from({ length: n - 1 }, (_, i) => mls.createKeyPackage(deps, { cipherSuite: 1, credential: cred(`m${i}`) }));
  const out = mls.addMembers(
    deps,
    alice,
    kps.map((k) => k.bytes),
  );
  alice = out.group;
  assert.ok(out.welcome, 'welcome');
  let bob = mls.joinFromWelcome(deps, out.welcome, kps[0] as mls.NewKeyPackage, { config });
  const gi = mls.createGroupInfo(deps, alice, { ratchetTree: true });
  const [created, tCreate] = timed(() => mls.createPublicGroup(deps, gi));
  let ds = created;
  const [bytes, tSer] = timed(() => mls.serializePublicGroup(ds));
  const [, tDe] = timed(() => mls.deserializePublicGroup(deps, bytes));

  const rows = new Map<Kind, Row>();
  const kinds: Kind[] = ['update (path)', 'add 1', 'remove 1'];
  for (const kind of kinds) rows.set(kind, { members: n, kind, ds: [], member: [] });
  let nextRemove = 2;
  for (let i = 0; i < RUNS * kinds.length; i++) {
    const kind = kinds[i % kinds.length] as Kind;
    // alice and bob take turns committing, so both their paths fill the tree over the run.
    const aliceCommits = Math.floor(i / kinds.length) % 2 === 0;
    const from = aliceCommits ? alice : bob;
    let c: mls.CommitOutput;
    if (kind === 'update (path)') c = mls.updateKey(deps, from);
    else if (kind === 'add 1')
      c = mls.addMembers(deps, from, [mls.createKeyPackage(deps, { cipherSuite: 1, credential: cred(`new${i}`) }).bytes]);
    else c = mls.removeMembers(deps, from, [nextRemove++]);
    const [r, tDs] = timed(() => mls.processPublicMessage(deps, ds, c.commit));
    assert.ok(r.kind === 'commit', 'DS result is a commit');
    ds = r.group;
    const [m, tMember] = timed(() => mls.processMessage(deps, aliceCommits ? bob : alice, c.commit));
    assert.ok(m.kind === 'commit', 'member result is a commit');
    if (aliceCommits) {
      alice = c.group;
      bob = m.group;
    } else {
      bob = c.group;
      alice = m.group;
    }
    assert.equal(mls.epoch(alice), ds.context.epoch);
    const row = rows.get(kind) as Row;
    row.ds.push(tDs);
    row.member.push(tMember);
  }
  return { rows: [...rows.values()], setup: { 'createPublicGroup (GroupInfo + tree checks)': tCreate, serialize: tSer, deserialize: tDe } };
}

function main(): void {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((x) => x > 1);
  const table: Record<string, string | number>[] = [];
  for (const n of sizes.length ? sizes : [100, 1000]) {
    const { rows, setup } = bench(n);
    for (const r of rows) {
      table.push({
        members: r.members,
        commit: r.kind,
        'PublicGroup median ms': +pct(r.ds, 0.5).toFixed(2),
        'PublicGroup p90 ms': +pct(r.ds, 0.9).toFixed(2),
        'member median ms': +pct(r.member, 0.5).toFixed(2),
      });
    }
    for (const [what, ms] of Object.entries(setup))
      table.push({ members: n, commit: `(once) ${what}`, 'PublicGroup median ms': +ms.toFixed(2) });
  }
  console.log(`PublicGroup commit processing, ${RUNS} commits per kind, native provider, Node ${process.version}; target < 3 ms at 1000`);
  console.table(table);
}

main();
