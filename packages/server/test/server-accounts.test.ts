// Accounts, invites, device certificates (forged ones refused), revocation, login, and every admin command,
// against a real server process through its HTTP API and its CLI.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeDeviceRevocation, publicKeyOf, signDeviceRevocation } from '@sotto/identity';
import { addDevice, b64, http, login, newAccount, newDevice, registerUser, WsClient } from './helpers/client.js';
import { cleanup, cli, type ServerProcess, startServerProcess, tempDir } from './helpers/server-process.js';

let srv: ServerProcess;
before(async () => {
  srv = await startServerProcess({ env: { SOTTO_SWEEP_SECONDS: '1' } });
});
after(async () => {
  await srv.stop();
  cleanup(srv.dataDir);
});

const admin = (...args: string[]) => cli([...args, '--data-dir', srv.dataDir, '--json']);

test('registration is closed without an invite; an invite admits max-uses accounts', async () => {
  const d = newDevice(newAccount('nobody'));
  const r = await http(srv.url, 'POST', '/v1/accounts', { certificate: b64(d.certificate) });
  assert.equal(r.status, 403);
  assert.equal(r.body.error.code, 'REGISTRATION_CLOSED');

  const inv = admin('admin', 'invites', 'create', '--max-uses', '2', '--note', 'team');
  assert.equal(inv.status, 0, inv.stderr);
  const { token } = JSON.parse(inv.stdout);
  await registerUser(srv.url, 'alice', token);
  await registerUser(srv.url, 'bob', token);
  await assert.rejects(registerUser(srv.url, 'carol', token), /INVITE_INVALID/);
  await assert.rejects(registerUser(srv.url, 'carol', `${token.split('.')[0]}.wrongsecret`), /INVITE_INVALID/);
  await assert.rejects(registerUser(srv.url, 'carol', 'garbage'), /INVITE_INVALID/);

  const list = JSON.parse(admin('admin', 'invites', 'list').stdout);
  assert.equal(list.length, 1);
  assert.equal(list[0].uses, 2);
  assert.equal(list[0].note, 'team');
  assert.ok(!admin('admin', 'invites', 'list').stdout.includes(token.split('.')[1]), 'token secrets are never listed');

  const expired = JSON.parse(admin('admin', 'invites', 'create', '--expires-in-hours', '0').stdout);
  await assert.rejects(registerUser(srv.url, 'dave', expired.token), /INVITE_INVALID/);
});

test('device certificates: a forged certificate is refused; a name is registered once', async () => {
  const { token } = JSON.parse(admin('admin', 'invites', 'create', '--max-uses', '10').stdout);
  const erin = await registerUser(srv.url, 'erin', token);
  // A device for erin's account signed by some other key: refused.
  const forged = newDevice(erin.account, 'forged', new Uint8Array(32).fill(3));
  const r = await http(srv.url, 'POST', '/v1/devices', { certificate: b64(forged.certificate) });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'BAD_CERTIFICATE');
  // The same name with a different account key: the certificate verifies under its own key, but the name is taken.
  const squat = newDevice(newAccount('erin'));
  const s = await http(srv.url, 'POST', '/v1/accounts', { certificate: b64(squat.certificate), invite: token });
  assert.equal(s.status, 409);
  // A corrupted certificate.
  const bad = erin.certificate.slice();
  bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
  const c = await http(srv.url, 'POST', '/v1/devices', { certificate: b64(bad) });
  assert.equal(c.body.error.code, 'BAD_CERTIFICATE');
  // Wrong domain.
  const other = newDevice(newAccount('x', 'example.org'));
  const o = await http(srv.url, 'POST', '/v1/accounts', { certificate: b64(other.certificate), invite: token });
  assert.equal(o.body.error.code, 'BAD_CERTIFICATE');
  // A second, genuine device.
  const d2 = await addDevice(srv.url, erin.account);
  const look = await http(srv.url, 'GET', `/v1/accounts/${erin.account.name}`, undefined, d2.token);
  assert.equal(look.status, 200);
  assert.deepEqual(look.body.devices.map((d: { deviceId: string }) => d.deviceId).sort(), [erin.deviceId, d2.deviceId].sort());
});

test('login: challenge signed by the device key; wrong key, replayed challenge and bad tokens refused', async () => {
  const { token } = JSON.parse(admin('admin', 'invites', 'create').stdout);
  const f = await registerUser(srv.url, 'frank', token);
  const c = await http(srv.url, 'POST', '/v1/auth/challenge', { deviceId: f.deviceId });
  const { signAuthChallenge } = await import('@sotto/identity');
  const sig = signAuthChallenge(new Uint8Array(32).fill(1), 'localhost', f.deviceId, Buffer.from(c.body.challenge, 'base64'));
  const t = await http(srv.url, 'POST', '/v1/auth/token', { deviceId: f.deviceId, challenge: c.body.challenge, signature: b64(sig) });
  assert.equal(t.status, 401);
  // The challenge was consumed by the failed attempt: even the right signature is refused now.
  const good = signAuthChallenge(f.sk, 'localhost', f.deviceId, Buffer.from(c.body.challenge, 'base64'));
  const t2 = await http(srv.url, 'POST', '/v1/auth/token', { deviceId: f.deviceId, challenge: c.body.challenge, signature: b64(good) });
  assert.equal(t2.status, 401);
  for (const bad of [undefined, 'x', `${f.token!.split('.')[0]}.AAAA`, `${f.token}x`]) {
    const r = await http(srv.url, 'GET', '/v1/key-packages/count', undefined, bad);
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'UNAUTHORIZED');
  }
  assert.equal((await http(srv.url, 'GET', '/v1/key-packages/count', undefined, f.token)).status, 200);
});

test('revocation signed by the account key cuts the device off; a forged one is refused', async () => {
  const { token } = JSON.parse(admin('admin', 'invites', 'create').stdout);
  const g = await registerUser(srv.url, 'gina', token);
  const g2 = await addDevice(srv.url, g.account);
  const ws = await WsClient.connect(srv.wsUrl, g2.token!);
  const fields = {
    version: 1 as const,
    accountName: g.account.name,
    accountKey: publicKeyOf(g.account.sk),
    deviceId: g2.deviceId,
    revokedAt: BigInt(Date.now()),
  };
  const forged = signDeviceRevocation(fields, new Uint8Array(32).fill(5));
  const f = await http(srv.url, 'POST', '/v1/devices/revoke', { revocation: b64(encodeDeviceRevocation(forged)) });
  assert.equal(f.body.error.code, 'BAD_CERTIFICATE');
  const r = await http(srv.url, 'POST', '/v1/devices/revoke', {
    revocation: b64(encodeDeviceRevocation(signDeviceRevocation(fields, g.account.sk))),
  });
  assert.equal(r.status, 200);
  const closed = await ws.closed;
  assert.equal(closed.code, 4000);
  assert.equal((await http(srv.url, 'GET', '/v1/key-packages/count', undefined, g2.token)).status, 401);
  await assert.rejects(login(srv.url, g2), /token: 401/);
  assert.equal((await http(srv.url, 'GET', '/v1/key-packages/count', undefined, g.token)).status, 200);
});

test('admin accounts: list, suspend (live connections are closed), unsuspend, delete', async () => {
  const { token } = JSON.parse(admin('admin', 'invites', 'create').stdout);
  const h = await registerUser(srv.url, 'hana', token);
  const ws = await WsClient.connect(srv.wsUrl, h.token!);
  const list = JSON.parse(admin('admin', 'accounts', 'list').stdout) as {
    name: string;
    status: string;
    devices: number;
    createdAt: number;
  }[];
  const hana = list.find((a) => a.name === 'hana@localhost');
  assert.deepEqual({ ...hana, createdAt: 0 }, { name: 'hana@localhost', status: 'active', devices: 1, createdAt: 0 });
  assert.equal(admin('admin', 'accounts', 'suspend', 'hana@localhost').status, 0);
  const r = await http(srv.url, 'GET', '/v1/key-packages/count', undefined, h.token);
  assert.equal(r.body.error.code, 'ACCOUNT_SUSPENDED');
  await ws.closed; // the sweeper (or the next frame) closes suspended accounts' connections
  assert.equal(admin('admin', 'accounts', 'unsuspend', 'hana@localhost').status, 0);
  assert.equal((await http(srv.url, 'GET', '/v1/key-packages/count', undefined, h.token)).status, 200);
  assert.notEqual(admin('admin', 'accounts', 'delete', 'hana@localhost').status, 0, 'delete needs --yes');
  assert.equal(admin('admin', 'accounts', 'delete', 'hana@localhost', '--yes').status, 0);
  assert.equal((await http(srv.url, 'GET', '/v1/key-packages/count', undefined, h.token)).status, 401);
  assert.equal(admin('admin', 'accounts', 'delete', 'hana@localhost', '--yes').status, 2);
  assert.ok(!JSON.parse(admin('admin', 'accounts', 'list').stdout).some((a: { name: string }) => a.name === 'hana@localhost'));
});

test('open registration by config switch; generate-config writes a loadable file; backup restores', async () => {
  const dir = tempDir();
  const cfgFile = join(dir, 'sotto.yaml');
  assert.equal(cli(['generate-config', '--out', cfgFile]).status, 0);
  const text = readFileSync(cfgFile, 'utf8');
  assert.match(text, /# env: SOTTO_REGISTRATION_OPEN/);
  writeFileSync(cfgFile, text.replace('open: false', 'open: true'));
  const open = await startServerProcess({ dataDir: join(dir, 'data'), args: ['--config', cfgFile] });
  try {
    const u = await registerUser(open.url, 'ivan');
    const health = await http(open.url, 'GET', '/health');
    assert.deepEqual(health.body.status, 'ok');
    const b = cli(['backup', '--out', join(dir, 'backup'), '--data-dir', join(dir, 'data'), '--json']);
    assert.equal(b.status, 0, b.stderr);
    assert.ok(existsSync(join(dir, 'backup', 'sotto.db')));
    await open.stop();
    // Restore: copy the backup into a fresh data directory and start a server on it.
    const restored = await startServerProcess({ dataDir: join(dir, 'backup'), env: { SOTTO_REGISTRATION_OPEN: 'true' } });
    try {
      await login(restored.url, u);
      assert.equal((await http(restored.url, 'GET', '/v1/key-packages/count', undefined, u.token)).status, 200);
    } finally {
      await restored.stop();
    }
  } finally {
    await open.stop();
    cleanup(dir);
  }
  // Environment variables override the file; a bad value is refused with a clear message.
  const bad = cli(['admin', 'accounts', 'list', '--data-dir', srv.dataDir], { SOTTO_RETENTION_MAX_DAYS: 'many' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /retention.maxDays/);
});
