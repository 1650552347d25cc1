// Seeded chaos: device processes send and commit concurrently (texts, key updates, renames, one member removed and
// re-added), one device goes offline (queueing sends) and comes back, and the server is SIGKILLed and restarted on
// its data dir. Then: every device agrees on epoch and membership, every text was received exactly once by every
// device that stayed a member, and a final message round-trips. Seed: SOTTO_CHAOS_SEED (printed on failure); length
// and pace: SOTTO_CHAOS_SECONDS, SOTTO_CHAOS_INTENSITY (`npm run soak -- --seconds N --intensity K` sets them).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Agent, spawnAgent, until } from './helpers/agents.js';
import { cleanup, startServer, type TestServer, tempDir } from './helpers/server.js';

function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new RangeError(`${name} must be a number in [${min}, ${max}]`);
  return n;
}

const SEED = Math.floor(envNumber('SOTTO_CHAOS_SEED', 20261201, 0, 2 ** 32 - 1));
const SECONDS = envNumber('SOTTO_CHAOS_SECONDS', 20, 1, 86_400);
const INTENSITY = envNumber('SOTTO_CHAOS_INTENSITY', 1, 0.1, 20);

/** mulberry32: a small seeded PRNG, so that a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Info = { epoch: string; members: Array<{ account: string }> };
type Msg = { id: string; text?: string; kind: string };

let server: TestServer;
let root: string;
const agents: Agent[] = [];

before(async () => {
  server = await startServer();
  root = tempDir();
});
after(async () => {
  await Promise.all(agents.map((a) => a.exit().catch(() => {})));
  await server.stop();
  cleanup(root);
  cleanup(server.dataDir);
});

const acct = (i: number) => `chaos${i}@localhost`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(`chaos: concurrent sends and commits, a device offline, a server SIGKILL (seed ${SEED})`, async (t) => {
  const started = Date.now();
  const rand = prng(SEED);
  const log: string[] = [];
  try {
    // Devices 0-2 stay members and send; device 3 is removed and re-added by the owner (it only receives).
    const dev = await Promise.all([0, 1, 2, 3].map((i) => spawnAgent(root, `chaos${i}`)));
    agents.push(...dev);
    for (const [i, d] of dev.entries()) {
      await d.call('register', { serverUrl: server.url, account: acct(i) });
      await d.call('start');
    }
    const conv = (await dev[0]!.call<{ id: string }>('createGroup', { name: 'chaos', members: [1, 2, 3].map(acct) })).id;
    for (const d of dev.slice(1)) {
      await until(() => d.call('conversation', { conv }), 20_000, `${d.name} joined`);
      await d.call('accept', { conv });
    }

    const sent: string[] = [];
    let inGroup3 = true;
    let offline = false;
    let end = Date.now() + SECONDS * 1000;
    const gap = () => Math.floor((rand() * 400) / INTENSITY);
    const offlineAt = Date.now() + SECONDS * 250;
    const killAt = Date.now() + SECONDS * 600;

    // The offline device (2): stopped for a while (its store stays open, sends are queued), then started again.
    const outage = (async () => {
      await pause(offlineAt - Date.now());
      offline = true;
      log.push(`t=${Date.now() - started} device 2 offline`);
      await dev[2]!.call('stop');
      await pause(SECONDS * 400);
      log.push(`t=${Date.now() - started} device 2 back`);
      await dev[2]!.call('start');
      offline = false;
    })();
    // The server: SIGKILLed once and restarted on the same data dir and port.
    const crash = (async () => {
      await pause(killAt - Date.now());
      log.push(`t=${Date.now() - started} server SIGKILL`);
      await server.restart();
      log.push(`t=${Date.now() - started} server back`);
    })();

    let k = 0;
    const worker = async (i: number) => {
      while (Date.now() < end) {
        const r = rand();
        const d = dev[i]!;
        try {
          if (r < 0.7 || (offline && i === 2)) {
            const text = `chaos-${SEED}-${i}-${k++}`;
            await d.call('sendText', { conv, text });
            sent.push(text);
          } else if (r < 0.85) {
            await d.call('rotateKeys', { conv });
          } else if (i === 0 && r < 0.92) {
            await d.call('rename', { conv, name: `chaos ${k}` });
          } else if (i === 0) {
            await d.call(inGroup3 ? 'removeMembers' : 'addMembers', { conv, accounts: [acct(3)] });
            inGroup3 = !inGroup3;
          }
        } catch (e) {
          // A commit may fail while the server is down or the group races on: that is visible, not a loss.
          log.push(`t=${Date.now() - started} device ${i}: ${(e as Error).message.slice(0, 120)}`);
        }
        await pause(gap());
      }
    };
    // On the first failure the workers stop too (their loop checks `end`), so a failing run ends promptly.
    const parts = [worker(0), worker(1), worker(2), outage, crash].map((p) =>
      p.catch((e: unknown) => {
        end = 0;
        throw e;
      }),
    );
    const settled = await Promise.allSettled(parts);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    log.push(`t=${Date.now() - started} chaos over, ${sent.length} texts`);

    // Settle: device 3 back in, everything flushed, then a final round trip.
    if (!inGroup3) {
      await until(
        () =>
          dev[0]!.call('addMembers', { conv, accounts: [acct(3)] }).then(
            () => true,
            () => false,
          ),
        30_000,
        're-add 3',
      );
    }
    for (const d of dev.slice(0, 3)) await d.call('flush', {}, 60_000);
    const final = `chaos-${SEED}-final`;
    await dev[1]!.call('sendText', { conv, text: final });
    await dev[1]!.call('flush', {}, 30_000);
    for (const d of dev) {
      await until(async () => (await d.call<Msg[]>('messages', { conv })).some((m) => m.text === final), 30_000, `${d.name}: final`);
    }

    // Convergence: one epoch and one membership everywhere.
    const infos = await Promise.all(dev.map((d) => d.call<Info>('conversation', { conv })));
    const views = infos.map(
      (c) =>
        `${c.epoch}:${c.members
          .map((m) => m.account)
          .sort()
          .join(',')}`,
    );
    assert.equal(new Set(views).size, 1, `all devices agree on epoch and members: ${views.join(' | ')}`);
    assert.equal(infos[0]!.members.length, 4);

    // Exactly once: every text sent reached each device that was a member throughout (0-2), once; none twice anywhere.
    for (const d of dev) {
      const texts = (await d.call<Msg[]>('messages', { conv })).filter((m) => m.kind === 'text').map((m) => m.text ?? '');
      const counts = new Map<string, number>();
      for (const x of texts) counts.set(x, (counts.get(x) ?? 0) + 1);
      const dup = [...counts].filter(([, n]) => n > 1).map(([x]) => x);
      assert.deepEqual(dup, [], `${d.name}: no duplicates`);
      assert.ok(
        texts.every((x) => x === final || sent.includes(x)),
        `${d.name}: only what was sent`,
      );
      if (d === dev[3]) continue;
      const missing = sent.filter((x) => !counts.has(x));
      assert.deepEqual(missing, [], `${d.name}: every text received`);
      // System items about the group (members, roles, name, timer) are expected; none may say a message was lost.
      const undecryptable = (await d.call<Msg[]>('messages', { conv })).filter(
        (m) => m.kind === 'system' && /could not be decrypted/.test(m.text ?? ''),
      );
      assert.deepEqual(undecryptable, [], `${d.name}: nothing undecryptable`);
    }
    t.diagnostic(`seed ${SEED}: ${sent.length} texts, ${infos[0]!.epoch} epochs, ${Date.now() - started} ms`);
  } catch (e) {
    process.stderr.write(`chaos failed with SOTTO_CHAOS_SEED=${SEED}\n${log.join('\n')}\n`);
    throw e;
  }
});
