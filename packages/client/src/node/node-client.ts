// openNodeClient: a SottoClient on an encrypted SQLite file, the `ws` WebSocket and node:crypto MLS. Plus file helpers
// for attachments (streamed from and to disk). Node only.

import { existsSync, mkdirSync, openAsBlob } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createNativeProvider, nativeRandom } from '@sotto/mls/native';
import WebSocket from 'ws';
import { SottoClient, type SottoClientOptions } from '../client/sotto-client.js';
import type { AttachmentInfo, ConversationId, MessageIdHex } from '../client/types.js';
import type { WebSocketLike } from '../transport/socket.js';
import { createKeyFile } from './key-file.js';
import { openSqliteStore } from './sqlite-store.js';

export interface NodeClientOptions extends Omit<SottoClientOptions, 'store' | 'crypto' | 'webSocket'> {
  /** Directory of this device's data (created 0700). */
  dir: string;
  /** Protect the store with a passphrase; otherwise a 0600 key file is used (`keyFile`, default <dir>/storage.key). */
  passphrase?: string;
  keyFile?: string;
  /** scrypt cost for the passphrase (tests lower it). */
  scryptLogN?: number;
}

export const nodeWebSocket = (url: string): WebSocketLike => new WebSocket(url, { perMessageDeflate: false }) as unknown as WebSocketLike;

export async function openNodeClient(o: NodeClientOptions): Promise<SottoClient> {
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const path = join(o.dir, 'sotto.db');
  let key: Parameters<typeof openSqliteStore>[0]['key'];
  if (o.passphrase !== undefined)
    key = { passphrase: o.passphrase, ...(o.scryptLogN ? { scrypt: { logN: o.scryptLogN, r: 8, p: 1 } } : {}) };
  else {
    const keyFile = o.keyFile ?? join(o.dir, 'storage.key');
    if (!existsSync(keyFile)) createKeyFile(keyFile);
    key = { keyFile };
  }
  const store = await openSqliteStore({ path, key });
  const { dir: _d, passphrase: _p, keyFile: _k, scryptLogN: _s, ...rest } = o;
  const client = new SottoClient({
    ...rest,
    store,
    crypto: createNativeProvider(),
    webSocket: nodeWebSocket,
    randomBytes: rest.randomBytes ?? nativeRandom,
  });
  await client.load();
  return client;
}

/**
 * Send a file as an attachment, streamed from disk (never read whole into memory), with the thumbnail and dimensions
 * the caller made, if any.
 */
export async function sendFile(
  client: SottoClient,
  id: ConversationId,
  path: string,
  o: { mimeType?: string; fileName?: string; thumbnail?: Uint8Array; dimensions?: { width: number; height: number } } = {},
): Promise<MessageIdHex> {
  const { fileName, mimeType, ...extras } = o;
  const blob = await openAsBlob(path, mimeType ? { type: mimeType } : {});
  return client.sendAttachment(id, blob, { fileName: fileName ?? basename(path), ...(mimeType ? { mimeType } : {}), ...extras });
}

/** Download an attachment to `path`: written to `path.part`, renamed only after every check passed. */
export async function saveAttachment(
  client: SottoClient,
  id: ConversationId,
  messageId: MessageIdHex,
  path: string,
): Promise<AttachmentInfo> {
  const part = `${path}.part`;
  const fh = await open(part, 'w', 0o600);
  try {
    const info = await client.downloadAttachment(id, messageId, async (chunk) => {
      await fh.write(chunk);
    });
    await fh.sync();
    await fh.close();
    await rename(part, path);
    return info;
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(part, { force: true });
    throw e;
  }
}
