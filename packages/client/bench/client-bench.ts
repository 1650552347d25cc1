// Client SDK benchmarks against a real server process: 1:1 throughput, catch-up after being offline, group fan-out,
// attachment streaming. Prints a table. Run: npm run bench -w packages/client
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SottoClient } from '../src/client/sotto-client.js';
import { saveAttachment, sendFile } from '../src/node/node-client.js';
import { eventually, newClient } from '../test/helpers/clients.js';
import { cleanup, startServer, tempDir } from '../test/helpers/server.js';

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
      if (m.conversationId === id && ++k === n) {
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

  // 1. live 1:1 throughput: queue N texts, time until the receiver has all of them
  const N = 2000;
  const all = count(b, conv.id, N);
  let t = performance.now();
  for (let i = 0; i < N; i++) await a.sendText(conv.id, `m${i}`);
  const queued = performance.now() - t;
  await all;
  const total = performance.now() - t;
  row('1:1 live: texts queued by the sender', (N / queued) * 1000, 'msg/s');
  row('1:1 live: sent, delivered, stored by the receiver', (N / total) * 1000, 'msg/s');

  // 2. catch-up: receiver offline while 1,000 arrive
  await b.stop();
  for (let i = 0; i < 1000; i++) await a.sendText(conv.id, `o${i}`);
  await a.flush(120_000);
  const back = count(b, conv.id, 1000);
  t = performance.now();
  await b.start();
  await back;
  row('catch-up of 1,000 messages after start()', performance.now() - t, 'ms');

  // 3. group fan-out: 10 members, 200 messages
  const members = await Promise.all(Array.from({ length: 9 }, (_, i) => make(`bench-m${i}`)));
  t = performance.now();
  const g = await a.createGroup({ name: 'bench', members: members.map((m) => m.me.account) });
  row('create a 10-member group (claims + one commit)', performance.now() - t, 'ms');
  for (const m of members) await eventually(() => m.getConversation(g.id));
  const fan = Promise.all(members.map((m) => count(m, g.id, 200)));
  t = performance.now();
  for (let i = 0; i < 200; i++) await a.sendText(g.id, `g${i}`);
  await fan;
  row('10-member group: 200 messages to all 9 others', ((200 * 9) / (performance.now() - t)) * 1000, 'deliveries/s');

  // 4. attachment 50 MB
  const file = join(root, 'bench.bin');
  writeFileSync(file, randomBytes(50 * 1024 * 1024));
  const arrived = b.waitFor('message', (m) => m.kind === 'attachment', 120_000);
  t = performance.now();
  const id = await sendFile(a, conv.id, file);
  row('50 MB attachment: encrypt + upload', (50 / (performance.now() - t)) * 1000, 'MB/s');
  await arrived;
  t = performance.now();
  await saveAttachment(b, conv.id, id, join(root, 'bench.out'));
  row('50 MB attachment: download + verify + decrypt', (50 / (performance.now() - t)) * 1000, 'MB/s');
} finally {
  for (const c of clients) await c.close().catch(() => {});
  await server.stop();
  cleanup(root);
  cleanup(server.dataDir);
}

const w = Math.max(...rows.map((r) => r[0].length));
process.stdout.write(`\n| ${'benchmark'.padEnd(w)} | value | unit |\n| ${'-'.repeat(w)} | ---: | --- |\n`);
for (const [what, v, u] of rows) process.stdout.write(`| ${what.padEnd(w)} | ${v} | ${u} |\n`);
