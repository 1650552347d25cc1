// File permissions: a new data directory is 0700, the database, its WAL and SHM and every blob 0600; looser modes
// found at start (an old install, a copy made with a wide umask) are tightened with a warning in the log.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { registerUser } from './helpers/client.js';
import { cleanup, type ServerProcess, startServerProcess, tempDir } from './helpers/server-process.js';

const mode = (p: string) => statSync(p).mode & 0o777;

async function putBlob(srv: ServerProcess, token: string): Promise<string> {
  const data = randomBytes(1000);
  const hash = createHash('sha256').update(data).digest('hex');
  const r = await fetch(`${srv.url}/v1/blobs/${hash}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` },
    body: data,
  });
  assert.equal(r.status, 201);
  return join(srv.dataDir, 'blobs', hash.slice(0, 2), hash);
}

test('data directory 0700; database, WAL, SHM and blobs 0600; looser modes are tightened at start with a warning', async () => {
  const root = tempDir();
  const dataDir = join(root, 'data');
  const db = join(dataDir, 'sotto.db');
  try {
    let srv = await startServerProcess({ dataDir, env: { SOTTO_REGISTRATION_OPEN: 'true' } });
    const u = await registerUser(srv.url, 'uma');
    const blob = await putBlob(srv, u.token!);
    const paths = [dataDir, db, `${db}-wal`, `${db}-shm`, join(dataDir, 'blobs'), join(dataDir, 'blobs', 'tmp'), blob];
    const expected = [0o700, 0o600, 0o600, 0o600, 0o700, 0o700, 0o600];
    assert.deepEqual(paths.map(mode), expected, 'modes of a new data directory');
    assert.ok(!srv.logs.some((l) => l.includes('"event":"permissions"')), 'nothing to warn about');
    await srv.stop();

    for (const p of [dataDir, join(dataDir, 'blobs')]) chmodSync(p, 0o755);
    for (const p of [db, blob]) chmodSync(p, 0o644);
    srv = await startServerProcess({ dataDir });
    try {
      assert.deepEqual([dataDir, db, join(dataDir, 'blobs'), blob].map(mode), [0o700, 0o600, 0o700, 0o600]);
      const warning = srv.logs
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { event?: string; level?: number; paths?: string[] })
        .find((j) => j.event === 'permissions');
      assert.equal(warning?.level, 40, 'logged as a warning');
      assert.deepEqual(new Set(warning?.paths), new Set([dataDir, db, join(dataDir, 'blobs'), blob]));
    } finally {
      await srv.stop();
    }
  } finally {
    cleanup(root);
  }
});
