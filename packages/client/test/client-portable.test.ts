// The portable configuration (what the browser uses): in-memory encrypted store, the pure-JS MLS crypto provider,
// WebCrypto attachments, an injected WebSocket. Two such clients talk through a real server; a late application
// message from the previous epoch still decrypts (past-epoch secrets are kept for a few epochs).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { encryptMessage } from '@sotto/mls';
import { createPortableProvider } from '@sotto/mls/portable';
import { FRANKING_KEY_BYTES, frank } from '@sotto/protocol';
import { NS } from '../src/client/records.js';
import { SottoClient } from '../src/client/sotto-client.js';
import { encodeContent } from '../src/content/content-codec.js';
import { nodeWebSocket } from '../src/node/node-client.js';
import { openMemoryStore } from '../src/store/encrypted-store.js';
import { challengeSigner, ServerApi } from '../src/transport/server-api.js';
import { eventually } from './helpers/clients.js';
import { cleanup, startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
const clients: SottoClient[] = [];

before(async () => {
  server = await startServer();
});
after(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await server.stop();
  cleanup(server.dataDir);
});

async function portable(account: string): Promise<SottoClient> {
  const c = new SottoClient({
    store: await openMemoryStore(),
    crypto: createPortableProvider(),
    webSocket: nodeWebSocket,
    retryBaseMs: 100,
  });
  clients.push(c);
  await c.load();
  await c.register({ serverUrl: server.url, account });
  await c.start();
  return c;
}

test('two portable clients: 1:1 text and an attachment from a Blob', async () => {
  const a = await portable('pa@localhost');
  const b = await portable('pb@localhost');
  const conv = await a.createDirect('pb@localhost');
  await eventually(() => b.getConversation(conv.id), 10_000, 'join');
  const got = b.waitFor('message', (m) => m.text === 'from the browser build');
  await a.sendText(conv.id, 'from the browser build');
  await got;
  const data = new TextEncoder().encode('a small file '.repeat(1000));
  const att = b.waitFor('message', (m) => m.kind === 'attachment');
  const id = await a.sendAttachment(conv.id, new Blob([data]), { fileName: 'note.txt', mimeType: 'text/plain' });
  await att;
  const parts: Uint8Array[] = [];
  await b.downloadAttachment(conv.id, id, (c) => {
    parts.push(c);
  });
  assert.deepEqual(Buffer.concat(parts), Buffer.from(data));
});

test('an application message made in the previous epoch still decrypts after a commit', async () => {
  const a = await portable('late-a@localhost');
  const b = await portable('late-b@localhost');
  const g = await a.createGroup({ name: 'late', members: ['late-b@localhost'] });
  await eventually(() => b.getConversation(g.id), 10_000, 'join');
  // b encrypts at epoch N with its current state (as its outbox would) but the message is held back...
  const core = b.c;
  const group = core.groups.get(g.id)!;
  const content = {
    messageId: new Uint8Array(16).fill(7),
    sentAt: Date.now(),
    body: { type: 'text' as const, text: 'made before the rename' },
  };
  const f = frank(new Uint8Array(FRANKING_KEY_BYTES).fill(3), encodeContent(content));
  const late = encryptMessage(core.m.deps, group, f.applicationData, f.authenticatedData);
  core.cache.putGroup(g.id, late.group);
  await core.store.put(NS.group, g.id, core.m.serialize(late.group));
  // ...while a's commit moves the group to epoch N+1
  await a.setDisappearingTimer(g.id, 600);
  await eventually(() => b.getConversation(g.id)?.timerSeconds === 600, 10_000, 'b at N+1');
  const api = new ServerApi({ baseUrl: server.url });
  api.setSigner(challengeSigner(core.identity!.deviceId, core.identity!.domain, core.identity!.signatureSecret.expose()));
  const got = a.waitFor('message', (m) => m.text === 'made before the rename');
  await api.submit(late.message);
  await got;
});
