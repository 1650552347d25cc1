// Admin commands reach the running server at once: a revoked invite admits no one, and suspending or deleting an
// account closes its open WebSockets (the sweep runs once an hour here, so only the admin event can close them).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { b64, groupId, http, newAccount, newDevice, privateMessage, registerUser, WsClient } from './helpers/client.js';
import { cleanup, cli, type ServerProcess, startServerProcess } from './helpers/server-process.js';

let srv: ServerProcess;
before(async () => {
  srv = await startServerProcess({ env: { SOTTO_SWEEP_SECONDS: '3600' } });
});
after(async () => {
  await srv.stop();
  cleanup(srv.dataDir);
});

const admin = (...args: string[]) => cli([...args, '--data-dir', srv.dataDir, '--json']);
const invite = (maxUses = 1) =>
  JSON.parse(admin('admin', 'invites', 'create', '--max-uses', String(maxUses)).stdout) as { token: string; id: string };

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** A send over HTTP with the account's token, and a new socket with it: both must be refused. */
async function assertCutOff(token: string, code: string): Promise<void> {
  const r = await http(srv.url, 'POST', '/v1/messages', { message: b64(privateMessage(groupId(), 0n, 1)) }, token);
  assert.equal(r.body.error?.code, code, JSON.stringify(r.body));
  const ws = new WebSocket(srv.wsUrl, { headers: { authorization: `Bearer ${token}` } });
  ws.on('error', () => {}); // terminate() below, before a handshake that never completes
  const refused = await new Promise<number>((resolve) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => resolve(101));
  });
  ws.terminate();
  assert.equal(refused, 401);
}

test('invites revoke: a revoked invite is refused at registration exactly like an unknown one', async () => {
  const inv = invite(3);
  assert.deepEqual(JSON.parse(admin('admin', 'invites', 'revoke', inv.id).stdout), { id: inv.id, revoked: true });
  const register = async (token: string) => {
    const d = newDevice(newAccount(`r${Math.random().toString(36).slice(2, 8)}`));
    return http(srv.url, 'POST', '/v1/accounts', { certificate: b64(d.certificate), invite: token });
  };
  const revoked = await register(inv.token);
  const unknown = await register(`${inv.id}x.${inv.token.split('.')[1]}`);
  assert.equal(revoked.status, 403);
  assert.deepEqual(revoked, unknown);
  const listed = (JSON.parse(admin('admin', 'invites', 'list').stdout) as { id: string; revoked: boolean; uses: number }[]).find(
    (i) => i.id === inv.id,
  );
  assert.equal(listed?.revoked, true);
  assert.equal(listed?.uses, 0);
  const missing = admin('admin', 'invites', 'revoke', 'no-such-invite');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /error NOT_FOUND: no invite no-such-invite/);
  // an invite that was not revoked still works
  await registerUser(srv.url, 'rosa', invite().token);
});

test('suspend closes the account’s open sockets at once; its next send is refused', async () => {
  const u = await registerUser(srv.url, 'sami', invite().token);
  const ws = await WsClient.connect(srv.wsUrl, u.token!);
  assert.equal(admin('admin', 'accounts', 'suspend', 'sami@localhost').status, 0);
  const closed = await within(ws.closed, 5000, 'socket closed after suspend');
  assert.deepEqual(closed, { code: 4000, reason: 'account suspended' });
  await assertCutOff(u.token!, 'ACCOUNT_SUSPENDED');
});

test('delete closes the account’s open sockets at once; its next send is refused', async () => {
  const u = await registerUser(srv.url, 'tove', invite().token);
  const ws = await WsClient.connect(srv.wsUrl, u.token!);
  assert.equal(admin('admin', 'accounts', 'delete', 'tove@localhost', '--yes').status, 0);
  const closed = await within(ws.closed, 5000, 'socket closed after delete');
  assert.deepEqual(closed, { code: 4000, reason: 'account deleted' });
  await assertCutOff(u.token!, 'UNAUTHORIZED');
});
