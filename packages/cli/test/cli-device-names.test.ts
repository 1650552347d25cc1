// Device names through the real binary: chosen at register and link (--device-name, default the host name), shown
// by `sotto devices` with the date each was added, renamed, and refused when too long or holding control characters.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { cleanEnv, cliWorld, SOTTO_BIN, User, until } from './helpers/harness.js';

interface Device {
  deviceId: string;
  name: string;
  addedAt?: number;
  current: boolean;
}

const world = cliWorld();
const { root } = world;

test('register names the device (given, or the host name); devices shows names and dates; rename', async () => {
  const alice = new User(world.server, root, 'alice@localhost');
  const bad = await alice.run(['register', alice.account, '--invite', world.server.invite(), '--device-name', 'x'.repeat(65)]);
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--device-name: a device name has at most 64 characters/);
  const reg = await alice.run(['register', alice.account, '--invite', world.server.invite(), '--device-name', 'work laptop']);
  assert.equal(reg.status, 0, reg.stderr);
  assert.match(reg.stdout, /registered alice@localhost \(device \S+, "work laptop"\)/);
  const [mine] = await alice.ok<Device[]>(['--json', 'devices']);
  assert.equal(mine?.name, 'work laptop');
  assert.ok(mine?.addedAt && Math.abs(mine.addedAt - Date.now()) < 10 * 60_000, 'the add date is now');
  assert.match(await alice.ok(['devices']), /"work laptop" {2}added \d{4}-\d{2}-\d{2} \d{2}:\d{2} {2}\(this device\) {2}\(primary\)/);

  await alice.ok(['devices', 'rename', '--', mine.deviceId, 'old', 'laptop']);
  assert.equal((await alice.ok<Device[]>(['--json', 'devices']))[0]?.name, 'old laptop');
  const ctl = await alice.run(['devices', 'rename', '--', mine.deviceId, 'bad\u202ename']);
  assert.equal(ctl.status, 2, ctl.stderr);
  assert.match(ctl.stderr, /control or formatting characters/);
  const none = await alice.run(['devices', 'rename', '--', 'no-such-device', 'x']);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /no device no-such-device on this account/);

  const bob = new User(world.server, root, 'bob@localhost');
  await bob.register();
  const expected =
    [
      ...hostname()
        .replace(/[^\x20-\x7e]/g, '')
        .trim(),
    ]
      .slice(0, 64)
      .join('') || 'CLI';
  assert.equal((await bob.ok<Device[]>(['--json', 'devices']))[0]?.name, expected);
});

test('link names the new device; both devices list both names', async () => {
  const carol = new User(world.server, root, 'carol@localhost');
  await carol.ok(['register', carol.account, '--invite', world.server.invite(), '--device-name', 'desk']);
  const phoneDir = join(root, 'carol-phone');
  const child = spawn(
    process.execPath,
    [SOTTO_BIN, '--server', world.server.url, '--profile', phoneDir, '--json', 'link', carol.account, '--device-name', 'phone'],
    { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const lines: Array<Record<string, string | boolean>> = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(JSON.parse(l) as Record<string, string>));
    const offer = await until(async () => lines[0], 20_000, 'the link offer');
    await carol.ok(['approve', String(offer.qr), '--code', String(offer.code)]);
    assert.equal(await exited, 0);
    assert.equal(lines[1]?.deviceName, 'phone');
  } finally {
    child.kill('SIGTERM');
  }
  const phone = new User(world.server, root, carol.account, 'carol-phone');
  for (const u of [carol, phone]) {
    const list = await u.ok<Device[]>(['--json', 'devices']);
    assert.deepEqual(list.map((d) => d.name).sort(), ['desk', 'phone']);
  }
});
