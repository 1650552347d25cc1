// A client process for the end-to-end tests: one SDK client driven by JSON lines on stdin, answering on stdout.
// Run: node --import tsx test/e2e/agent.ts <dir>. Each request {id, cmd, args} gets {id, ok, result | error}.
import { createInterface } from 'node:readline';
import type { SottoClient } from '../../src/client/sotto-client.js';
import { openNodeClient, saveAttachment, sendFile } from '../../src/node/node-client.js';
import { fromHex } from '../../src/util/bytes.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: agent.ts <dir>');
const client: SottoClient = await openNodeClient({ dir, retryBaseMs: 100, sweepIntervalMs: 100 });
let linkDone: Promise<void> | undefined;
const seen = new Map<string, number>();
client.on('message', (m) => seen.set(m.conversationId, (seen.get(m.conversationId) ?? 0) + 1));

type Args = Record<string, unknown>;
const s = (a: Args, k: string) => String(a[k]);

const commands: Record<string, (a: Args) => Promise<unknown> | unknown> = {
  me: () => (client.registered ? client.me : undefined),
  register: (a) => client.register({ serverUrl: s(a, 'serverUrl'), account: s(a, 'account') }),
  start: () => client.start(),
  stop: () => client.stop(),
  sync: () => client.sync(),
  online: () => client.online,
  createDirect: (a) => client.createDirect(s(a, 'peer')),
  createGroup: (a) => client.createGroup({ name: s(a, 'name'), members: a.members as string[] }),
  addMembers: (a) => client.addMembers(s(a, 'conv'), a.accounts as string[]),
  removeMembers: (a) => client.removeMembers(s(a, 'conv'), a.accounts as string[]),
  setRole: (a) => client.setRole(s(a, 'conv'), s(a, 'account'), a.role as 'admin' | 'member'),
  rename: (a) => client.rename(s(a, 'conv'), s(a, 'name')),
  setTimer: (a) => client.setDisappearingTimer(s(a, 'conv'), Number(a.seconds)),
  accept: (a) => client.acceptRequest(s(a, 'conv')),
  block: (a) => client.block(s(a, 'account')),
  conversation: (a) => client.getConversation(s(a, 'conv')) ?? null,
  conversations: () => client.listConversations(),
  sendText: (a) => client.sendText(s(a, 'conv'), s(a, 'text')),
  rotateKeys: (a) => client.rotateKeys(s(a, 'conv')),
  /** Queue `count` texts `${prefix}${i}` (i zero-padded to 4) without waiting for them to go out. */
  sendMany: async (a) => {
    const ids: string[] = [];
    for (let i = 0; i < Number(a.count); i++)
      ids.push(await client.sendText(s(a, 'conv'), `${s(a, 'prefix')}${String(i).padStart(4, '0')}`));
    return ids.length;
  },
  flush: () => client.flush(120_000),
  pending: () => client.pendingSends(),
  messages: async (a) =>
    (await client.listMessages(s(a, 'conv'))).map((m) => ({ id: m.id, text: m.text, sender: m.sender, kind: m.kind, seq: m.seq })),
  count: (a) => seen.get(s(a, 'conv')) ?? 0,
  sendFile: (a) =>
    sendFile(client, s(a, 'conv'), s(a, 'path'), {
      ...(a.thumbnail ? { thumbnail: fromHex(s(a, 'thumbnail')) } : {}),
      ...(a.dimensions ? { dimensions: a.dimensions as { width: number; height: number } } : {}),
    }),
  message: async (a) => (await client.getMessage(s(a, 'conv'), s(a, 'id'))) ?? null,
  saveAttachment: (a) => saveAttachment(client, s(a, 'conv'), s(a, 'id'), s(a, 'path')),
  beginLink: async (a) => {
    const l = await client.beginLink({ serverUrl: s(a, 'serverUrl'), account: s(a, 'account') });
    linkDone = l.done;
    return { qr: l.qr, code: l.code, deviceId: l.deviceId };
  },
  linkDone: () => linkDone,
  approveLink: (a) => client.approveLink(s(a, 'qr')),
  unlink: (a) => client.unlinkDevice(s(a, 'deviceId')),
  exit: async () => {
    await client.close();
    setImmediate(() => process.exit(0));
  },
};

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let req: { id: number; cmd: string; args?: Args };
  try {
    req = JSON.parse(line) as typeof req;
  } catch {
    return;
  }
  const fn = commands[req.cmd];
  Promise.resolve()
    .then(() => {
      if (!fn) throw new Error(`unknown command ${req.cmd}`);
      return fn(req.args ?? {});
    })
    .then(
      (result) => process.stdout.write(`${JSON.stringify({ id: req.id, ok: true, result: result ?? null })}\n`),
      (e: unknown) =>
        process.stdout.write(
          `${JSON.stringify({ id: req.id, ok: false, error: `${(e as { code?: string }).code ?? ''} ${(e as Error).message}` })}\n`,
        ),
    );
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
