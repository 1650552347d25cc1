// Commit verification by the Delivery Service in process, without the network or fan-out: a group of N devices
// (registered in a real SQLite store), then a chain of UpdatePath commits by one member, each verified by the
// server's GroupVerifier (RFC 9420 §12.4 checks on the public state, device certificates, the admin rule) and stored
// (compare-and-set, handshake log or snapshot). Prints, per commit, the wall time of each step: median and minimum
// over the run. The minimum is the least disturbed by other jobs on a shared machine; Node 20 has no per-thread CPU
// clock (process.cpuUsage counts V8's and SQLite's helper threads, and Linux's per-thread schedstat is updated only at
// ticks and context switches, which skews short intervals).
// Used by server-bench.ts; runs alone with `node --import tsx bench/verify-commit.ts [N]`.
import { join } from 'node:path';
import { publicKeyOf } from '@sotto/identity';
import { PAST_EPOCHS } from '@sotto/protocol';
import { Batcher } from '../src/delivery/batcher.js';
import { GroupVerifier } from '../src/delivery/group-verifier.js';
import { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import type { SubmitOp } from '../src/storage/storage.js';
import { type Device, newAccount, newDevice } from '../test/helpers/client.js';
import { Member } from '../test/helpers/mls-member.js';
import { cleanup, tempDir } from '../test/helpers/server-process.js';

export interface VerifyTimes {
  members: number;
  commits: number;
  commitBytes: number;
  /** Per commit, ms of wall time: median, 90th percentile, minimum. */
  verify: { p50: number; p90: number; min: number };
  store: { p50: number; p90: number; min: number };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: s[Math.floor(s.length / 2)]!, p90: s[Math.floor(s.length * 0.9)]!, min: s[0]! };
};

export async function verifyCommitTimes(members: number, commits: number): Promise<VerifyTimes> {
  const dir = tempDir('sotto-verify-');
  const storage = new SqliteStorage({
    file: join(dir, 'sotto.db'),
    synchronous: 'normal',
    maxGroupMembers: 5000,
    backgroundCheckpoints: true,
  });
  const clock = { now: () => Date.now() };
  const batcher = new Batcher(storage);
  const verifier = new GroupVerifier(storage, clock);
  try {
    // 10 accounts; each device registered as the server would (certificate checked at registration, not here).
    const devices: Device[] = [];
    for (let a = 0; devices.length < members; a++) {
      const account = newAccount(`verify${a}`);
      const first = newDevice(account);
      const rec = (d: Device) => ({
        deviceId: d.deviceId,
        account: account.name,
        certificate: d.certificate,
        signatureKey: publicKeyOf(d.sk),
        cipherSuite: 1,
        createdAt: clock.now(),
        revokedAt: null,
      });
      await storage.createAccount(
        { name: account.name, accountKey: publicKeyOf(account.sk), status: 'active', createdAt: 0 },
        rec(first),
        undefined,
        0,
      );
      devices.push(first);
      for (let i = 1; i < Math.ceil(members / 10) && devices.length < members; i++) {
        const d = newDevice(account);
        await storage.addDevice(rec(d), 10_000);
        devices.push(d);
      }
    }
    const owner = Member.local(devices[0]!);
    const g = await verifier.genesis(devices[0]!.deviceId, owner.groupInfo());
    await storage.createGroup(g.groupId, 0n, devices[0]!.deviceId, g.state, clock.now());
    const sender = { deviceId: devices[0]!.deviceId, account: devices[0]!.account.name };
    const submit = async (message: Uint8Array, welcome?: Uint8Array) => {
      const t0 = performance.now();
      const v = await verifier.verify(sender, g.groupId, message, undefined, welcome);
      const t1 = performance.now();
      const stored = verifier.storable(v);
      const op: SubmitOp = {
        type: 'submit',
        senderDevice: sender.deviceId,
        groupId: g.groupId,
        epoch: v.nextEpoch - 1n,
        contentType: 3,
        payload: message,
        expiresAt: clock.now() + 86_400_000,
        now: clock.now(),
        epochWindow: PAST_EPOCHS,
        handshake: {
          version: v.version,
          nextEpoch: v.nextEpoch,
          nextState: stored.nextState,
          addMembers: v.addMembers,
          removeMembers: v.removeMembers,
          ...(welcome ? { welcome: { payload: welcome, recipients: v.added } } : {}),
        },
      };
      const r = await batcher.submit(op);
      if (!r.ok) throw r.error;
      verifier.accepted(g.groupId, v, stored, v.version + 1);
      return { verify: t1 - t0, store: performance.now() - t1 };
    };
    for (let i = 1; i < devices.length; i += 250) {
      const out = owner.addCommit(
        devices.slice(i, i + 250).map((d) => new Member(d)),
        { ratchetTreeInWelcome: false },
      );
      await submit(out.commit, out.welcome);
      owner.group = out.group;
    }
    // The chain is made first, so that the committer's own work (and its garbage) is not measured as the server's.
    const chain: Uint8Array[] = [];
    for (let i = 0; i < commits; i++) {
      const out = owner.updateCommit();
      chain.push(out.commit);
      owner.group = out.group;
    }
    const verify: number[] = [];
    const store: number[] = [];
    for (const c of chain) {
      const t = await submit(c);
      verify.push(t.verify);
      store.push(t.store);
    }
    const commitBytes = chain[0]!.length;
    return { members, commits, commitBytes, verify: stats(verify), store: stats(store) };
  } finally {
    await batcher.drain();
    await storage.close();
    cleanup(dir);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 1000);
  const t = await verifyCommitTimes(n, Number(process.env.BENCH_VERIFY_COMMITS ?? 100));
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(t)}\n`);
  else {
    const f = (s: VerifyTimes['verify']) => `p50 ${s.p50.toFixed(2)} ms, p90 ${s.p90.toFixed(2)} ms, min ${s.min.toFixed(2)} ms`;
    process.stdout.write(
      `${n} members, ${t.commits} UpdatePath commits of ${(t.commitBytes / 1024).toFixed(0)} KB\nper commit, verify: ${f(t.verify)}\nper commit, store (snapshot or log, queue rows): ${f(t.store)}\n`,
    );
  }
}
