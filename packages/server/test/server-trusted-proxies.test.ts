// server.trustedProxies: X-Forwarded-For is believed only from the listed proxies, and only as far as the last hop
// that is not one of them, so a client cannot choose the address its per-IP limits and logs are counted under.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../src/config/config.js';
import { cleanup, startServerProcess } from './helpers/server-process.js';

test('config: trustedProxies takes addresses and CIDR ranges (a list, or comma-separated in env); trustProxy: true is refused; anything else too', () => {
  assert.deepEqual(loadConfig({ env: {} }).server.trustedProxies, []);
  assert.throws(() => loadConfig({ env: { SOTTO_TRUST_PROXY: 'true' } }), /replaced by server\.trustedProxies/);
  const c = loadConfig({ env: { SOTTO_TRUSTED_PROXIES: ' 127.0.0.1, 10.0.0.0/8,::1 ' } });
  assert.deepEqual(c.server.trustedProxies, ['127.0.0.1', '10.0.0.0/8', '::1']);
  for (const bad of ['localhost', '10.0.0.0/33', '1.2.3.4/8/1'])
    assert.throws(
      () => loadConfig({ env: { SOTTO_TRUSTED_PROXIES: bad } }),
      /server\.trustedProxies: .* is not an IP address or CIDR range/,
      bad,
    );
});

/** The client address the server logged for a /health request carrying `xff`. */
async function seenAs(trusted: string, xff: string): Promise<string | undefined> {
  const srv = await startServerProcess({ env: { SOTTO_TRUSTED_PROXIES: trusted } });
  try {
    const r = await fetch(`${srv.url}/health?probe`, { headers: { 'x-forwarded-for': xff } });
    assert.equal(r.status, 200);
    await srv.stop(); // flushes the log
    const line = srv.logs
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { req?: { url?: string; remoteAddress?: string } })
      .find((j) => j.req?.url === '/health?probe');
    return line?.req?.remoteAddress;
  } finally {
    await srv.stop();
    cleanup(srv.dataDir);
  }
}

test('X-Forwarded-For counts only from a trusted proxy, and only its own hop', async () => {
  // From the trusted proxy 127.0.0.1: the address it appended, not the one the client wrote in front of it.
  assert.equal(await seenAs('127.0.0.1', '198.51.100.1, 203.0.113.7'), '203.0.113.7');
  // From a peer that is not a trusted proxy: its own address, whatever the header says.
  assert.equal(await seenAs('192.0.2.1', '203.0.113.7'), '127.0.0.1');
});
