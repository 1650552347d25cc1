// Franking's cost (docs/franking.md), measured in process: bytes it adds on the wire in each direction, and the
// server's CPU per stamp and per stamped delivery frame. Printed by itself (`node --import tsx bench/franking-cost.ts`)
// and as rows of server-bench.ts. Targets from the issue: at most 64 bytes and under 20 µs per message.
import { randomBytes } from 'node:crypto';
import { createGroup, encryptMessage } from '@sotto/mls';
import { FRANKING_KEY_BYTES, frank } from '@sotto/protocol';
import { Stamper } from '../src/franking/stamp-key.js';
import type { QueuedMessage } from '../src/storage/storage.js';
import { FrameCache } from '../src/ws/ws-gateway.js';
import { mlsDeps } from '../test/helpers/mls-member.js';
import { renderTable, type Row } from './table.js';

function perOpUs(n: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 2000); i++) fn(i); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / 1000 / n;
}

export function frankingRows(n = 200_000): Row[] {
  // Sender -> server: the MLS PrivateMessage with and without franking, same content, same group (median over sizes).
  const group = createGroup(mlsDeps, { cipherSuite: 1, credential: { credentialType: 1, identity: new TextEncoder().encode('bench') } });
  const sizes = [16, 100, 1000, 4000];
  const extra = sizes.map((size) => {
    const content = new Uint8Array(size).fill(1);
    const plain = encryptMessage(mlsDeps, group, content).message.length;
    const f = frank(randomBytes(FRANKING_KEY_BYTES), content);
    const franked = encryptMessage(mlsDeps, group, f.applicationData, f.authenticatedData).message.length;
    return franked - plain;
  });
  // Server -> recipient: the delivery frame with the stamp and the stamped sender, against the same frame without.
  const stamper = new Stamper(randomBytes(32));
  const cache = new FrameCache(stamper);
  const off = new FrameCache(new Stamper(randomBytes(32), { enabled: false }));
  const device = 'a'.repeat(43);
  const msg = (id: number): QueuedMessage => ({
    id,
    groupId: randomBytes(32),
    kind: 'message',
    payload: randomBytes(200),
    createdAt: Date.now(),
    franking: { senderDevice: device, senderAccount: 'alice@example.org', commitment: randomBytes(32) },
  });
  const m = msg(1);
  const frameExtra = cache.frame(m, 'b'.repeat(43)).length - new FrameCache(stamper).frame({ ...m, franking: undefined }, 'x').length;
  // Server CPU: one stamp (HMAC-SHA256 over the stamp input), and one delivery frame for a recipient, stamped or not.
  const fields = {
    commitment: randomBytes(32),
    groupId: randomBytes(32),
    senderDevice: device,
    senderAccount: 'alice@example.org',
    recipientDevice: device,
    receivedAt: Date.now(),
  };
  const stampUs = perOpUs(n, () => stamper.stamp(fields));
  const framed = msg(2);
  cache.frame(framed, device);
  off.frame(framed, device);
  const frameOnUs = perOpUs(n, () => cache.frame(framed, device));
  const frameOffUs = perOpUs(n, () => off.frame(framed, device));
  const within = (v: number, max: number) => (v <= max ? 'met' : 'NOT met');
  return [
    {
      measure: 'franking: bytes added to an MLS message, sender to server (16 B key + 33 B authenticated data + framing)',
      sotto: `${Math.min(...extra)}-${Math.max(...extra)}`,
      relay: '',
      target: `≤ 64 (${within(Math.max(...extra), 64)})`,
    },
    {
      measure: 'franking: bytes added to a delivery frame, server to recipient (JSON: stamp, sender device and account)',
      sotto: String(frameExtra),
      relay: '',
      target: '',
    },
    {
      measure: 'franking: server CPU per stamp (HMAC-SHA256), µs',
      sotto: stampUs.toFixed(2),
      relay: '',
      target: `< 20 (${within(stampUs, 20)})`,
    },
    {
      measure: 'franking: server CPU per delivery frame, stamped / unstamped, µs',
      sotto: `${frameOnUs.toFixed(2)} / ${frameOffUs.toFixed(2)}`,
      relay: '',
      target: `stamping adds < 20 (${within(frameOnUs - frameOffUs, 20)})`,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${renderTable(frankingRows())}\n`);
}
