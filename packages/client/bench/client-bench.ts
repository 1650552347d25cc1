// Client SDK benchmarks against a real server process: 1:1 throughput, catch-up after being offline, group fan-out,
// attachment streaming, and the memory held at the end. Prints a table.
// Run: npm run bench -w packages/client [-- --only live,burst,catchup,group,attachment] [--n 2000] [--catchup 10000]
// For a memory figure after a full GC, run with node --expose-gc (npm run bench passes it).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { SottoClient } from '../src/client/sotto-client.js';
import { saveAttachment, sendFile } from '../src/node/node-client.js';
import { eventually, newClient } from '../test/helpers/clients.js';
import { cleanup, startServer, tempDir } from '../test/helpers/server.js';

const BENCHES = ['live', 'burst', 'catchup', 'group', 'attachment'] as const;
type Bench = (typeof BENCHES)[number];

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    n: { type: 'string', default: '2000' },
    catchup: { type: 'string', default: '10000' },
  },
});
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
const count = (c: SottoClient, id: string, n: number) =>
  new Promise<void>((resolve) => {
    let k = 0;
    const off = c.on('message', (m) => {
      if (m.conversationId === id && !m.outgoing && ++k === n) {
        off();
        resolve();
      }
    });
  });

try {
  const a = await make('bench-a');
  const b = await make('bench-b');
  const conv = await a.createDirect('bench-b@localhost');
  await eventually(() => b.getConversation(conv.id));

  // CPU time of this process (both clients; the server is another process) per message: steadier than the rates when
  // the machine is shared, since it leaves out the time spent waiting for a core or for the disk.
  const cpuMs = (from: NodeJS.CpuUsage, n: number) => {
    const d = process.cpuUsage(from);
    return (d.user + d.system) / 1000 / n;
  };

  if (wanted('live')) {
    // Live 1:1 throughput, one send at a time: each sendText resolves once the text is durable in the sender's store;
    // time until the receiver has stored all of them.
    const all = count(b, conv.id, LIVE);
    const cpu = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < LIVE; i++) await a.sendText(conv.id, `m${i}`);
    const queued = performance.now() - t;
    await all;
    const total = performance.now() - t;
    row(`1:1 live: ${LIVE} texts queued by the sender, one at a time`, (LIVE / queued) * 1000, 'msg/s');
    row(`1:1 live: ${LIVE} texts sent, delivered, stored by the receiver`, (LIVE / total) * 1000, 'msg/s');
    row('1:1 live: client CPU (both clients) per message', cpuMs(cpu, LIVE), 'ms');
    await a.flush(120_000);
    await b.flush(120_000); // its delivery receipts, so that they do not weigh on the next benchmark
  }

  if (wanted('burst')) {
    // The same with the sends issued together (a script or a bridge with texts to send): their store transactions may
    // share a durable write. Each text is still durable on both sides before it counts.
    const all = count(b, conv.id, LIVE);
    const cpu = process.cpuUsage();
    const t = performance.now();
    await Promise.all(Array.from({ length: LIVE }, (_, i) => a.sendText(conv.id, `b${i}`)));
    const queued = performance.now() - t;
    await all;
    const total = performance.now() - t;
    row(`1:1 burst: ${LIVE} texts queued by the sender, all at once`, (LIVE / queued) * 1000, 'msg/s');
    row(`1:1 burst: ${LIVE} texts sent, delivered, stored by the receiver`, (LIVE / total) * 1000, 'msg/s');
    row('1:1 burst: client CPU (both clients) per message', cpuMs(cpu, LIVE), 'ms');
    await a.flush(120_000);
    await b.flush(120_000);
  }

  if (wanted('catchup')) {
    // Catch-up: the receiver is offline while CATCHUP messages queue for it on the server; time from start() until it
    // has stored every one of them.
    await b.stop();
    for (let i = 0; i < CATCHUP; i += 500) {
      const n = Math.min(500, CATCHUP - i);
      await Promise.all(Array.from({ length: n }, (_, k) => a.sendText(conv.id, `o${i + k}`)));
    }
    await a.flush(600_000);
    const back = count(b, conv.id, CATCHUP);
    const cpu = process.cpuUsage();
    const t = performance.now();
    await b.start();
    await back;
    const ms = performance.now() - t;
    row(`catch-up of ${CATCHUP} messages after start()`, ms, 'ms');
    row(`catch-up of ${CATCHUP} messages after start()`, (CATCHUP / ms) * 1000, 'msg/s');
    row('catch-up: client CPU per message', cpuMs(cpu, CATCHUP), 'ms');
    await b.flush(600_000);
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
    const file = join(root, 'bench.bin');
    writeFileSync(file, randomBytes(50 * 1024 * 1024));
    const arrived = b.waitFor('message', (m) => m.kind === 'attachment', 120_000);
    let t = performance.now();
    const id = await sendFile(a, conv.id, file);
    row('50 MB attachment: encrypt + upload', (50 / (performance.now() - t)) * 1000, 'MB/s');
    await arrived;
    t = performance.now();
    await saveAttachment(b, conv.id, id, join(root, 'bench.out'));
    row('50 MB attachment: download + verify + decrypt', (50 / (performance.now() - t)) * 1000, 'MB/s');
  }

  // Memory of this process (the benchmark harness and every client above, all in process; the server is another
  // process), once everything is flushed, after a full GC when node runs with --expose-gc.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const mem = process.memoryUsage();
  const how = `${clients.length} clients in process, ${gc ? 'after GC' : 'no GC (run with --expose-gc)'}`;
  row(`memory at the end: rss (${how})`, mem.rss / 2 ** 20, 'MiB');
  row(`memory at the end: heapUsed (${how})`, mem.heapUsed / 2 ** 20, 'MiB');
} finally {
  for (const c of clients) await c.close().catch(() => {});
  await server.stop();
  cleanup(root);
  cleanup(server.dataDir);
}

const w = Math.max(...rows.map((r) => r[0].length));
process.stdout.write(`\n| ${'benchmark'.padEnd(w)} | value | unit |\n| ${'-'.repeat(w)} | ---: | --- |\n`);
for (const [what, v, u] of rows) process.stdout.write(`| ${what.padEnd(w)} | ${v} | ${u} |\n`);
