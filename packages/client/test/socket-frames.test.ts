// Tests for ServerSocket's handling of server frames: each one decoded by @sotto/protocol before it is acted on.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../src/transport/api-error.js';
import { ServerSocket, type WebSocketLike } from '../src/transport/socket.js';

class FakeSocket implements WebSocketLike {
  readyState = 1;
  readonly sent: string[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
  }
  receive(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }
}

/** A started socket that has authenticated and is online. */
async function online(events: { unauthorized: number; messages: unknown[] } = { unauthorized: 0, messages: [] }) {
  let ws: FakeSocket | undefined;
  const socket = new ServerSocket({
    url: 'ws://test/v1/ws',
    factory: () => (ws = new FakeSocket()),
    token: async () => 'token',
    onUnauthorized: () => events.unauthorized++,
    onMessage: (m) => events.messages.push(m),
    onState: () => {},
  });
  socket.start();
  await new Promise((r) => setImmediate(r));
  assert.ok(ws);
  ws.onopen?.({});
  assert.deepEqual(JSON.parse(ws.sent[0] ?? ''), { type: 'auth', token: 'token' });
  ws.receive({ type: 'ready', deviceId: 'd1' });
  assert.equal(socket.online, true);
  return { socket, ws, events };
}

describe('ServerSocket frames', () => {
  it('resolves a send with its sent frame', async () => {
    const { socket, ws } = await online();
    const p = socket.submit(new Uint8Array([1, 2]), { ttlSeconds: 5 });
    const frame = JSON.parse(ws.sent[1] ?? '') as { rid: number };
    assert.deepEqual(frame, { type: 'send', rid: frame.rid, message: 'AQI=', ttlSeconds: 5 });
    ws.receive({ type: 'sent', rid: frame.rid, messageId: 12, epoch: '3' });
    assert.deepEqual(await p, { messageId: 12, epoch: 3n });
    socket.stop();
  });

  it('fails a send with a typed PROTOCOL error when its answer is malformed', async () => {
    const { socket, ws } = await online();
    const p = socket.submit(new Uint8Array([1]));
    const { rid } = JSON.parse(ws.sent[1] ?? '') as { rid: number };
    ws.receive({ type: 'sent', rid, messageId: 'twelve', epoch: '3' });
    await assert.rejects(p, (e: unknown) => e instanceof ApiError && e.code === 'PROTOCOL' && /messageId/.test(e.message));
    socket.stop();
  });

  it("fails a send with the server's refusal and its details", async () => {
    const { socket, ws } = await online();
    const p = socket.submit(new Uint8Array([1]));
    const { rid } = JSON.parse(ws.sent[1] ?? '') as { rid: number };
    ws.receive({ type: 'error', rid, code: 'STALE_EPOCH', message: 'at epoch 9', currentEpoch: '9' });
    await assert.rejects(p, (e: unknown) => e instanceof ApiError && e.code === 'STALE_EPOCH' && e.currentEpoch === 9n);
    socket.stop();
  });

  it('passes on decoded messages and drops malformed ones', async () => {
    const { socket, ws, events } = await online();
    ws.receive({ type: 'message', id: 4, groupId: 'AQ==', kind: 'welcome', data: 'Ag==', createdAt: 10 });
    ws.receive({ type: 'message', id: 5, groupId: 'AQ==', kind: 'welcome', data: 7, createdAt: 10 });
    ws.receive('not json');
    ws.receive({ type: 'unknown-type' });
    assert.deepEqual(events.messages, [{ id: 4, groupId: new Uint8Array([1]), kind: 'welcome', data: new Uint8Array([2]), createdAt: 10 }]);
    socket.stop();
  });

  it('reports an unauthorised error frame', async () => {
    const { socket, ws, events } = await online();
    ws.receive({ type: 'error', code: 'UNAUTHORIZED', message: 'send an auth frame first' });
    assert.equal(events.unauthorized, 1);
    socket.stop();
  });
});
