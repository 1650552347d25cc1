// End to end, separate processes: a 50 MB attachment (streamed, encrypted, hash-checked); disappearing messages and
// attachments gone from every device and from the server after the timer; no plaintext on the server.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { fromB64Url } from '../src/util/b64.js';
import { type Agent, spawnAgent, until } from './helpers/agents.js';
import { countFiles, findPlaintext } from './helpers/plaintext.js';
import { e2eWorld } from './helpers/e2e-world.js';

const w = e2eWorld();
const { agents, markers, mark } = w;

async function agent(name: string): Promise<Agent> {
  const a = await spawnAgent(w.root, name);
  agents.push(a);
  await a.call('register', { serverUrl: w.server.url, account: `${name}@localhost` });
  await a.call('start');
  return a;
}

function sha256File(path: string): Promise<string> {
  return new Promise((res, rej) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('end', () => res(h.digest('hex')))
      .on('error', rej);
  });
}

type Msg = { id: string; text?: string; kind: string };

test('a 50 MB attachment', async () => {
  const [a, b] = await Promise.all([agent('sender'), agent('receiver')]);
  const conv = await a.call<{ id: string }>('createDirect', { peer: 'receiver@localhost' });
  await until(() => b.call('conversation', { conv: conv.id }), 15_000, 'join');
  const file = join(w.root, 'big.bin');
  const data = randomBytes(50 * 1024 * 1024);
  for (let i = 0; i < 8; i++) Buffer.from(mark(`file-${i}`)).copy(data, i * 6 * 1024 * 1024 + 17);
  writeFileSync(file, data);
  const t0 = Date.now();
  const id = await a.call<string>('sendFile', { conv: conv.id, path: file }, 180_000);
  const upMs = Date.now() - t0;
  await until(async () => (await b.call<Msg[]>('messages', { conv: conv.id })).some((m) => m.id === id), 30_000, 'attachment message');
  const out = join(w.root, 'big.out');
  const t1 = Date.now();
  await b.call('saveAttachment', { conv: conv.id, id, path: out }, 180_000);
  const downMs = Date.now() - t1;
  assert.equal(await sha256File(out), createHash('sha256').update(data).digest('hex'));
  process.stdout.write(`# 50 MB attachment: encrypt+upload ${upMs} ms, download+check+decrypt ${downMs} ms\n`);
});

test('disappearing messages are gone from every device and from the server after the timer', async () => {
  const [a, b, c] = await Promise.all([agent('ephem-a'), agent('ephem-b'), agent('ephem-c')]);
  const g = await a.call<{ id: string }>('createGroup', { name: 'ephemeral', members: ['ephem-b@localhost', 'ephem-c@localhost'] });
  await until(() => b.call('conversation', { conv: g.id }), 15_000, 'b joins');
  await until(() => c.call('conversation', { conv: g.id }), 15_000, 'c joins');
  await a.call('setTimer', { conv: g.id, seconds: 3 });
  await until(
    async () => (await c.call<{ timerSeconds: number }>('conversation', { conv: g.id })).timerSeconds === 3,
    15_000,
    'timer agreed',
  );
  await c.exit(); // offline: the server keeps its copies until they expire
  const text = mark('vanishing');
  const file = join(w.root, 'small.bin');
  writeFileSync(file, Buffer.from(`${mark('vanishing-file')} ${'x'.repeat(5000)}`));
  const blobsBefore = countFiles(join(w.server.dataDir, 'blobs'));
  await a.call('sendText', { conv: g.id, text });
  await a.call('sendFile', { conv: g.id, path: file });
  await a.call('flush');
  const content = async (who: typeof b) => (await who.call<Msg[]>('messages', { conv: g.id })).filter((m) => m.kind !== 'system');
  await until(async () => (await content(b)).length === 2, 15_000, 'b has both');
  assert.ok(countFiles(join(w.server.dataDir, 'blobs')) > blobsBefore);
  const db = new Database(join(w.server.dataDir, 'sotto.db'), { readonly: true, fileMustExist: true });
  const count = () =>
    (db.prepare('SELECT count(*) AS n FROM messages WHERE group_id = ? AND kind = 1').get(fromB64Url(g.id)) as { n: number }).n;
  assert.ok(count() >= 2, 'queued for the offline member');
  // after the timer (and the server's sweep): gone everywhere
  await until(async () => (await content(a)).length === 0 && (await content(b)).length === 0, 15_000, 'gone from devices');
  await until(
    async () => (count() === 0 && countFiles(join(w.server.dataDir, 'blobs')) === blobsBefore ? true : undefined),
    15_000,
    'gone from the server',
  );
  db.close();
  const c2 = await spawnAgent(w.root, 'ephem-c-again', c.dir);
  agents.push(c2);
  await c2.call('start'); // start() pulls and processes everything queued for it
  assert.equal(await c2.call<boolean>('online'), true, 'the catch-up reached the server');
  assert.equal((await content(c2)).length, 0, 'the offline member never gets them');
});

test("the receiver gets the sender's thumbnail and the original's dimensions", async () => {
  const [a, b] = await Promise.all([agent('thumb-sender'), agent('thumb-receiver')]);
  const conv = await a.call<{ id: string }>('createDirect', { peer: 'thumb-receiver@localhost' });
  await until(() => b.call('conversation', { conv: conv.id }), 15_000, 'join');
  const file = join(w.root, 'photo.jpg');
  writeFileSync(file, Buffer.from(`${mark('photo')} ${'p'.repeat(3000)}`));
  // A JPEG by its magic bytes; the marker inside shows the thumbnail never reaches the server in the clear.
  const thumbnail = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(mark('thumbnail')), Buffer.from([0xff, 0xd9])]);
  const dimensions = { width: 4032, height: 3024 };
  const id = await a.call<string>('sendFile', { conv: conv.id, path: file, thumbnail: thumbnail.toString('hex'), dimensions });
  type Att = { attachment?: { thumbnail?: string; width?: number; height?: number; fileName: string } };
  const got = await until(() => b.call<Att | null>('message', { conv: conv.id, id }), 15_000, 'attachment message');
  const expected = {
    thumbnail: `data:image/jpeg;base64,${thumbnail.toString('base64')}`,
    width: 4032,
    height: 3024,
    fileName: 'photo.jpg',
  };
  const { thumbnail: t, width, height, fileName } = got.attachment ?? {};
  assert.deepEqual({ thumbnail: t, width, height, fileName }, expected);
  const mine = await a.call<Att | null>('message', { conv: conv.id, id });
  assert.equal(mine?.attachment?.thumbnail, expected.thumbnail, "the sender's own copy shows it too");
  await assert.rejects(
    a.call('sendFile', { conv: conv.id, path: file, thumbnail: Buffer.from('<svg/>').toString('hex') }),
    /INVALID_ARGUMENT|JPEG/,
  );
});

test('the server database and blob directory hold none of the plaintext markers', () => {
  assert.deepEqual(findPlaintext(w.server.dataDir, markers), []);
});
