// Client SDK benchmarks against a real server process: 1:1 throughput, catch-up after being offline, group fan-out,
// attachment streaming, and the memory held at the end. Prints a table.
// Run: npm run bench -w packages/client [-- --only live,burst,catchup,group,attachment] [--n 2000] [--catchup 10000]
//        [--peer process|thread]
// The 1:1 receiver runs in a process of its own by default (`--peer process`), as on two devices; `--peer thread` puts
// both clients on the benchmark's one thread. For a memory figure after a full GC, run with node --expose-gc (npm run
// bench passes it).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { SottoClient } from '../src/client/sotto-client.js';
import { saveAttachment, sendFile } from '../src/node/node-client.js';
import { eventually, newClient } from '../test/helpers/clients.js';
import { cleanup, startServer, tempDir } from '../test/helpers/server.js';
import { localPeer, type Peer, processPeer } from './bench-peer.js';

const BENCHES = ['live', 'burst', 'catchup', 'group', 'attachment'] as const;
type Bench = (typeof BENCHES)[number];

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    n: { type: 'string', default: '2000' },
    catchup: { type: 'string', default: '10000' },
    peer: { type: 'string', default: 'process' },
  },
});
if (args.peer !== 'process' && args.peer !== 'thread') throw new Error('--peer is process or thread');
const PEER_PROCESS = args.peer === 'process';
const only = new Set((args.only ?? BENCHES.join(',')).split(',').map((s) => s.trim()));
for (const b of only)
  if (!(BENCHES as readonly string[]).includes(b)) throw new Error(`unknown benchmark ${b}: one of ${BENCHES.join(', ')}`);
const wanted = (b: Bench) => only.has(b);
const LIVE = Number(args.n);
const CATCHUP = Number(args.catchup);

const rows: Array<[string, string, string]> = [];
const row = (what: string, value: number, unit: string) => rows.push([what, value.toFixed(value < 10 ? 2 : 0), unit]);

const server = await startServer();
const root = tempDir();
const clients: SottoClient[] = [];
const make = async (name: string) => {
  const c = await newClient(server, root, `${name}@localhost`);
  clients.push(c);
  return c;
};
const count = (c: SottoClient, id: string, n: number): Promise<void> =>
  new Promise<void>((resolve) => {
    let k = 0;
    const off = c.on('message', (m) => {
      if (m.conversationId === id && !m.outgoing && ++k === n) {
        off();
        resolve();
      }
    });
  });

let b: Peer | undefined;
try {
  const a = await make('bench-a');
  const dir = join(root, 'bench-b');
  b = PEER_PROCESS ? await processPeer(server.url, dir, 'bench-b@localhost') : await localPeer(server.url, dir, 'bench-b@localhost');
  const peer = b;
  const conv = await a.createDirect(peer.account);
  await eventually(() => peer.hasConversation(conv.id));
  const where = PEER_PROCESS ? 'receiver in its own process' : 'both clients on one thread';

  // CPU time per message of the sender's process and of the receiver's (with --peer thread, both are this process;
  // the server is another process): steadier than the rates when the machine is shared, since it leaves out the time
  // spent waiting for a core or for the disk.
  const cpuRows = (what: string, from: NodeJS.CpuUsage, receiver: { cpuMs: number }, n: number) => {
    const d = process.cpuUsage(from);
    const sender = (d.user + d.system) / 1000 / n;
    if (PEER_PROCESS) {
      row(`${what}: sender CPU per message`, sender, 'ms');
      row(`${what}: receiver CPU per message`, receiver.cpuMs / n, 'ms');
    } else row(`${what}: client CPU (both clients, one thread) per message`, sender, 'ms');
  };

  if (wanted('live')) {
    // Live 1:1 throughput, one send at a time: each sendText resolves once the text is durable in the sender's store;
    // time until the receiver has stored all of them.
    await peer.expect(conv.id, LIVE);
    const cpu = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < LIVE; i++) await a.sendText(conv.id, `m${i}`);
    const queued = performance.now() - t;
    const used = await peer.stored();
    const total = performance.now() - t;
    row(`1:1 live: ${LIVE} texts queued by the sender, one at a time`, (LIVE / queued) * 1000, 'msg/s');
    row(`1:1 live: ${LIVE} texts sent, delivered, stored by the receiver (${where})`, (LIVE / total) * 1000, 'msg/s');
    cpuRows('1:1 live', cpu, used, LIVE);
    await a.flush(120_000);
    await peer.flush(); // its delivery receipts, so that they do not weigh on the next benchmark
  }

  if (wanted('burst')) {
    // The same with the sends issued together (a script or a bridge with texts to send): their store transactions may
    // share a durable write. Each text is still durable on both sides before it counts.
    await peer.expect(conv.id, LIVE);
    const cpu = process.cpuUsage();
    const t = performance.now();
    await Promise.all(Array.from({ length: LIVE }, (_, i) => a.sendText(conv.id, `b${i}`)));
    const queued = performance.now() - t;
    const used = await peer.stored();
    const total = performance.now() - t;
    row(`1:1 burst: ${LIVE} texts queued by the sender, all at once`, (LIVE / queued) * 1000, 'msg/s');
    row(`1:1 burst: ${LIVE} texts sent, delivered, stored by the receiver (${where})`, (LIVE / total) * 1000, 'msg/s');
    cpuRows('1:1 burst', cpu, used, LIVE);
    await a.flush(120_000);
    await peer.flush();
  }

  if (wanted('catchup')) {
    // Catch-up: the receiver is offline while CATCHUP messages queue for it on the server; time from start() until it
    // has stored every one of them.
    await peer.stop();
    for (let i = 0; i < CATCHUP; i += 500) {
      const n = Math.min(500, CATCHUP - i);
      await Promise.all(Array.from({ length: n }, (_, k) => a.sendText(conv.id, `o${i + k}`)));
    }
    await a.flush(600_000);
    await peer.expect(conv.id, CATCHUP);
    const t = performance.now();
    await peer.start();
    const used = await peer.stored();
    const ms = performance.now() - t;
    row(`catch-up of ${CATCHUP} messages after start()`, ms, 'ms');
    row(`catch-up of ${CATCHUP} messages after start()`, (CATCHUP / ms) * 1000, 'msg/s');
    row('catch-up: receiver CPU per message', used.cpuMs / CATCHUP, 'ms');
    await peer.flush();
    await a.flush(600_000);
  }

  if (wanted('group')) {
    // Group fan-out: 10 members, 200 messages.
    const members = await Promise.all(Array.from({ length: 9 }, (_, i) => make(`bench-m${i}`)));
    let t = performance.now();
    const g = await a.createGroup({ name: 'bench', members: members.map((m) => m.me.account) });
    row('create a 10-member group (claims + one commit)', performance.now() - t, 'ms');
    for (const m of members) await eventually(() => m.getConversation(g.id));
    const fan = Promise.all(members.map((m) => count(m, g.id, 200)));
    t = performance.now();
    for (let i = 0; i < 200; i++) await a.sendText(g.id, `g${i}`);
    await fan;
    row('10-member group: 200 messages to all 9 others', ((200 * 9) / (performance.now() - t)) * 1000, 'deliveries/s');
  }

  if (wanted('attachment')) {
    // Its own receiver on this thread (the download is timed here).
    const r = await make('bench-r');
    const direct = await a.createDirect(r.me.account);
    await eventually(() => r.getConversation(direct.id));
    const file = join(root, 'bench.bin');
    writeFileSync(file, randomBytes(50 * 1024 * 1024));
    const arrived = r.waitFor('message', (m) => m.kind === 'attachment', 120_000);
    let t = performance.now();
    const id = await sendFile(a, direct.id, file);
    row('50 MB attachment: encrypt + upload', (50 / (performance.now() - t)) * 1000, 'MB/s');
    await arrived;
    t = performance.now();
    await saveAttachment(r, direct.id, id, join(root, 'bench.out'));
    row('50 MB attachment: download + verify + decrypt', (50 / (performance.now() - t)) * 1000, 'MB/s');
  }

  // Memory once everything is flushed, after a full GC when node runs with --expose-gc: of the receiver's process
  // (one client) when it has its own, and of this process (the harness and every client in it).
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const mem = process.memoryUsage();
  const after = gc ? 'after GC' : 'no GC (run with --expose-gc)';
  if (PEER_PROCESS) {
    const m = await peer.memory();
    row(`memory at the end: rss of the receiver's process (1 client, ${after})`, m.rss, 'MiB');
    row(`memory at the end: heapUsed of the receiver's process (1 client, ${after})`, m.heapUsed, 'MiB');
  }
  const how = `${clients.length + (PEER_PROCESS ? 0 : 1)} client(s), ${after}`;
  row(`memory at the end: rss of the benchmark's process (${how})`, mem.rss / 2 ** 20, 'MiB');
  row(`memory at the end: heapUsed of the benchmark's process (${how})`, mem.heapUsed / 2 ** 20, 'MiB');
} finally {
  await b?.close().catch(() => {});
  for (const c of clients) await c.close().catch(() => {});
  await server.stop();
  cleanup(root);
  cleanup(server.dataDir);
}

const w = Math.max(...rows.map((r) => r[0].length));
process.stdout.write(`\n| ${'benchmark'.padEnd(w)} | value | unit |\n| ${'-'.repeat(w)} | ---: | --- |\n`);
for (const [what, v, u] of rows) process.stdout.write(`| ${what.padEnd(w)} | ${v} | ${u} |\n`);
