// The durable queue's own cost per 1:1 message, without network, WebSocket or JSON: what the server's SQLite store
// does for each message of the pair row (the routing read, the message and its delivery written in a group-commit
// transaction, then the acknowledgement deleting both), driven through the same Batcher as the server. Prints µs of
// wall time per message; with nothing else in the process this is CPU time. Used by server-bench.ts; runs alone with
// `node --import tsx bench/storage-floor.ts`.
import { join } from 'node:path';
import { PAST_EPOCHS } from '@sotto/protocol';
import { Batcher } from '../src/delivery/batcher.js';
import { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import type { SubmitOp } from '../src/storage/storage.js';
import { cleanup, tempDir } from '../test/helpers/server-process.js';

export async function storageFloorUs(messages = 200_000, pairs = 50, window = 16): Promise<number> {
  const dir = tempDir('sotto-floor-');
  const storage = new SqliteStorage({ file: join(dir, 'sotto.db'), synchronous: 'normal', backgroundCheckpoints: true });
  const batcher = new Batcher(storage);
  try {
    const groups: Uint8Array[] = [];
    for (let p = 0; p < pairs; p++) {
      const gid = new Uint8Array(32).fill(p + 1);
      await storage.createGroup(gid, 0n, `a${p}`, new Uint8Array(100), 0);
      // b joins the delivery list through a (pre-verified) handshake, as a commit adding it would.
      const r = await batcher.submit({
        ...op(gid, `a${p}`, 3),
        handshake: { version: 0, nextEpoch: 1n, addMembers: [`b${p}`], removeMembers: [] },
      });
      if (!r.ok) throw r.error;
      groups.push(gid);
    }
    const payload = new Uint8Array(120); // a short text message's PrivateMessage
    let sent = 0;
    const start = performance.now();
    // Each pair keeps `window` sends in flight; every delivery is acknowledged by b, in the next turn.
    await Promise.all(
      groups.map(async (gid, p) => {
        const lane = async () => {
          while (sent < messages) {
            sent++;
            const r = await batcher.submit({ ...op(gid, `a${p}`, 1, 1n), payload });
            if (!r.ok || !('messageId' in r)) throw new Error('send refused');
            const a = await batcher.submit({ type: 'ack', deviceId: `b${p}`, ids: [r.messageId] });
            if (!a.ok) throw a.error;
          }
        };
        await Promise.all(Array.from({ length: window }, lane));
      }),
    );
    return ((performance.now() - start) * 1000) / sent;
  } finally {
    await batcher.drain();
    await storage.close();
    cleanup(dir);
  }
}

function op(groupId: Uint8Array, sender: string, contentType: number, epoch = 0n): SubmitOp {
  return {
    type: 'submit',
    senderDevice: sender,
    senderAccount: 'a@x',
    groupId,
    epoch,
    contentType,
    payload: new Uint8Array(1),
    expiresAt: Date.now() + 86_400_000,
    now: Date.now(),
    epochWindow: PAST_EPOCHS,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const us = await storageFloorUs();
  process.stdout.write(
    process.argv.includes('--json') ? `${JSON.stringify({ us })}\n` : `durable queue, per 1:1 message: ${us.toFixed(1)} µs\n`,
  );
}
