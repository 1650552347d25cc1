// Device names: an account names its own devices (bounded, validated), lists them with their dates, and nobody else
// sees the names (not another account, not an account lookup). Against a real server process.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { encodeDeviceRevocation, publicKeyOf, signDeviceRevocation } from '@sotto/identity';
import { addDevice, b64, http, registerUser } from './helpers/client.js';
import { cleanup, cli, type ServerProcess, startServerProcess } from './helpers/server-process.js';

let srv: ServerProcess;
before(async () => {
  srv = await startServerProcess();
});
after(async () => {
  await srv.stop();
  cleanup(srv.dataDir);
});

const invite = (): string =>
  JSON.parse(cli(['admin', 'invites', 'create', '--max-uses', '5', '--data-dir', srv.dataDir, '--json']).stdout).token;

test('an account names its devices and lists them with their dates; another account cannot name or see them', async () => {
  const token = invite();
  const alice = await registerUser(srv.url, 'alice', token);
  const phone = await addDevice(srv.url, alice.account);
  const bob = await registerUser(srv.url, 'bob', token);

  const set = await http(srv.url, 'PUT', `/v1/devices/${phone.deviceId}/name`, { name: '  Pixel 8 ' }, alice.token);
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.deepEqual(set.body, { deviceId: phone.deviceId, name: 'Pixel 8' });
  const list = await http(srv.url, 'GET', '/v1/devices', undefined, phone.token);
  assert.equal(list.status, 200);
  const rows = list.body.devices as Array<{ deviceId: string; name: string; createdAt: number }>;
  assert.deepEqual(
    rows.map((d) => [d.deviceId, d.name]),
    [
      [alice.deviceId, ''],
      [phone.deviceId, 'Pixel 8'],
    ],
  );
  assert.ok(rows.every((d) => Number.isInteger(d.createdAt) && d.createdAt > 0));

  const theirs = await http(srv.url, 'PUT', `/v1/devices/${phone.deviceId}/name`, { name: 'pwned' }, bob.token);
  assert.equal(theirs.status, 404);
  const bobList = await http(srv.url, 'GET', '/v1/devices', undefined, bob.token);
  assert.deepEqual(
    (bobList.body.devices as Array<{ deviceId: string }>).map((d) => d.deviceId),
    [bob.deviceId],
  );
  const lookup = await http(srv.url, 'GET', `/v1/accounts/${alice.account.name}`, undefined, bob.token);
  assert.equal(lookup.status, 200);
  assert.ok(!JSON.stringify(lookup.body).includes('Pixel'), 'a lookup never carries a device name');
  const unauth = await http(srv.url, 'GET', '/v1/devices');
  assert.equal(unauth.status, 401);
});

test('a device name is bounded and holds no control or formatting characters', async () => {
  const carol = await registerUser(srv.url, 'carol', invite());
  const put = (name: unknown) => http(srv.url, 'PUT', `/v1/devices/${carol.deviceId}/name`, { name }, carol.token);
  for (const bad of ['a'.repeat(65), 'line\nbreak', 'tab\there', 'evil\u202Eexe.txt', 'zero\u200Bwidth', 42]) {
    const r = await put(bad);
    assert.equal(r.status, 400, `${JSON.stringify(bad)}: ${JSON.stringify(r.body)}`);
  }
  assert.equal((await put('é'.repeat(64))).status, 200, '64 characters, whatever their byte length');
  assert.equal((await put('')).status, 200, 'an empty name clears it');
  const unknown = await http(srv.url, 'PUT', '/v1/devices/no-such-device/name', { name: 'x' }, carol.token);
  assert.equal(unknown.status, 404);
});

test('a revoked device leaves the listing and its name is forgotten', async () => {
  const dora = await registerUser(srv.url, 'dora', invite());
  const tablet = await addDevice(srv.url, dora.account);
  assert.equal((await http(srv.url, 'PUT', `/v1/devices/${tablet.deviceId}/name`, { name: 'tablet' }, dora.token)).status, 200);
  const fields = {
    version: 1 as const,
    accountName: dora.account.name,
    accountKey: publicKeyOf(dora.account.sk),
    deviceId: tablet.deviceId,
    revokedAt: BigInt(Date.now()),
  };
  const rev = await http(srv.url, 'POST', '/v1/devices/revoke', {
    revocation: b64(encodeDeviceRevocation(signDeviceRevocation(fields, dora.account.sk))),
  });
  assert.equal(rev.status, 200);
  const list = await http(srv.url, 'GET', '/v1/devices', undefined, dora.token);
  assert.deepEqual(
    (list.body.devices as Array<{ deviceId: string }>).map((d) => d.deviceId),
    [dora.deviceId],
  );
  assert.equal((await http(srv.url, 'PUT', `/v1/devices/${tablet.deviceId}/name`, { name: 'back' }, dora.token)).status, 404);
  const db = new Database(join(srv.dataDir, 'sotto.db'), { readonly: true });
  try {
    const row = db.prepare('SELECT name FROM devices WHERE device_id = ?').get(tablet.deviceId) as { name: string };
    assert.equal(row.name, '', 'the stored name is cleared on revocation');
  } finally {
    db.close();
  }
});
