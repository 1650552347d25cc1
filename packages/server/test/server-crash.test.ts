// Crash safety: while clients send, the server is killed with SIGKILL and restarted. Every message the
// server acknowledged to its sender before the kill is delivered afterwards, exactly once per recipient device.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Device, registerUser, WsClient } from './helpers/client.js';
import { makeGroup } from './helpers/mls-member.js';
import { cleanup, startServerProcess } from './helpers/server-process.js';

test('SIGKILL while sending: every acknowledged message is delivered exactly once after restart', { timeout: 120_000 }, async () => {
  const srv = await startServerProcess({ env: { SOTTO_REGISTRATION_OPEN: 'true' } });
  const dataDir = srv.dataDir;
  try {
    const senders: Device[] = [];
    const online: Device[] = [];
    const offline: Device[] = [];
    for (let i = 0; i < 3; i++) senders.push(await registerUser(srv.url, `crash-s${i}`));
    for (let i = 0; i < 2; i++) online.push(await registerUser(srv.url, `crash-on${i}`));
    for (let i = 0; i < 2; i++) offline.push(await registerUser(srv.url, `crash-off${i}`));
    const { group } = await makeGroup(srv.url, senders[0]!, [...senders.slice(1), ...online, ...offline]);

    // Online recipients acknowledge everything they get; an ack counts only once the server confirmed it.
    const confirmedAcks = new Map<string, Set<number>>();
    const attemptedAcks = new Map<string, Set<number>>();
    const onlineConns = await Promise.all(online.map((d) => WsClient.connect(srv.wsUrl, d.token!)));
    onlineConns.forEach((c, i) => {
      const set = new Set<number>();
      const tried = new Set<number>();
      confirmedAcks.set(online[i]!.deviceId, set);
      attemptedAcks.set(online[i]!.deviceId, tried);
      let acking = 0;
      const timer = setInterval(() => {
        const ids = c.messages.slice(acking).map((m) => m.id);
        if (ids.length === 0) return;
        acking += ids.length;
        for (let k = 0; k < ids.length; k += 1000) {
          const chunk = ids.slice(k, k + 1000);
          for (const id of chunk) tried.add(id);
          c.ack(chunk).then(
            (f) => {
              if (f.type === 'acked') for (const id of chunk) set.add(id);
            },
            () => {},
          );
        }
      }, 5);
      c.ws.once('close', () => clearInterval(timer));
    });

    const acked: number[] = [];
    const senderConns = await Promise.all(senders.map((d) => WsClient.connect(srv.wsUrl, d.token!)));
    let stop = false;
    const loops = senderConns.map(async (c, i) => {
      const me = group.member(senders[i]!);
      while (!stop) {
        const batch = await Promise.race([
          Promise.all(Array.from({ length: 20 }, () => c.send(me.encrypt('before the kill')))),
          c.closed.then(() => null),
        ]);
        if (!batch) return;
        for (const f of batch) if (f.type === 'sent') acked.push(f.messageId);
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    await srv.stop('SIGKILL');
    stop = true;
    await Promise.all(loops);
    assert.ok(acked.length > 100, `enough traffic before the kill (${acked.length})`);

    const srv2 = await startServerProcess({ dataDir, env: { SOTTO_REGISTRATION_OPEN: 'true' } });
    try {
      const everyone = [...offline, ...online, ...senders];
      const conns = await Promise.all(everyone.map((d) => WsClient.connect(srv2.wsUrl, d.token!)));
      // Markers sent after the restart: queues are in order, so once a device has a marker that is not its own,
      // everything queued for it before the kill has come.
      const m0 = await conns[everyone.indexOf(senders[0]!)]!.send(group.member(senders[0]!).encrypt('marker 0'));
      const m1 = await conns[everyone.indexOf(senders[1]!)]!.send(group.member(senders[1]!).encrypt('marker 1'));
      assert.ok(m0.type === 'sent' && m1.type === 'sent', JSON.stringify([m0, m1]));
      for (const [i, d] of everyone.entries()) {
        const c = conns[i]!;
        const marker = d === senders[1] ? m0.messageId : m1.messageId;
        await c.next((f) => f.type === 'message' && f.id === marker, 30_000);
        const got = c.messages.map((m) => m.id).filter((id) => id !== m0.messageId && id !== m1.messageId);
        const counts = new Map<number, number>();
        for (const id of got) counts.set(id, (counts.get(id) ?? 0) + 1);
        for (const [id, n] of counts) assert.equal(n, 1, `message ${id} delivered ${n} times to ${d.deviceId}`);
        const before = confirmedAcks.get(d.deviceId) ?? new Set<number>();
        for (const id of before) assert.ok(!counts.has(id), `message ${id} was acknowledged before the kill and came again`);
        // An ack the server may have committed without confirming it: that message may or may not come again.
        const tried = attemptedAcks.get(d.deviceId) ?? new Set<number>();
        if (senders.includes(d)) continue; // a sender's own messages are not sent back to it
        for (const id of acked) assert.ok(counts.has(id) || tried.has(id), `acknowledged message ${id} reached ${d.deviceId}`);
      }
      await Promise.all(conns.map((c) => c.close()));
    } finally {
      await srv2.stop();
    }
  } finally {
    await srv.stop('SIGKILL');
    cleanup(dataDir);
  }
});
