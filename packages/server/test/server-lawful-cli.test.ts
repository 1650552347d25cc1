// The operator's lawful-request commands (docs/for-law-enforcement.md) on a running server's data directory: a
// preservation hold whose shares go to one file per custodian (mode 0600), its signed confirmation, the MLAT that
// follows it answered only with k of the shares, the answer checked offline by `verify-evidence` (and failing after a
// changed byte), an emergency disclosure's second approval refused from the same OS user, and `requests log --verify`
// catching a row edited with raw SQL.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { decodeDisclosurePackage, decodeLawfulRequestDetail, decodeLawfulRequestList } from '@sotto/protocol';
import { type Device, registerUser } from './helpers/client.js';
import { type InProcessServer, startInProcess } from './helpers/in-process.js';
import { SERVER_CMD } from './helpers/server-process.js';

let srv: InProcessServer;
let alice: Device;

before(async () => {
  srv = await startInProcess();
  alice = await registerUser(srv.url, 'alice');
});
after(async () => srv.stop());

/** Runs `sotto-server admin ...` on the server's data directory as OS user `user`, with no SOTTO_* variable. */
function admin(args: string[], user = 'olivia'): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SOTTO_')));
  const r = spawnSync(process.execPath, [...SERVER_CMD, 'admin', ...args, '--data-dir', srv.dataDir], {
    cwd: srv.dataDir,
    env: { ...env, INIT_CWD: srv.dataDir, USER: user },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const json = (r: { status: number | null; stdout: string; stderr: string }) => {
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};
/** `sotto-server verify-evidence FILE` in the data directory (INIT_CWD too: under `npm test` npm sets it to the root). */
const verify = (file: string) =>
  spawnSync(process.execPath, [...SERVER_CMD, 'verify-evidence', file], {
    cwd: srv.dataDir,
    env: { ...process.env, INIT_CWD: srv.dataDir },
    encoding: 'utf8',
  });

test('preservation, then the MLAT that follows it, from the command line: shares in files, k of them open the hold, answers verify offline', () => {
  const add = (extra: string[]) =>
    decodeLawfulRequestDetail(
      json(
        admin([
          'requests',
          'add',
          '--authority',
          'BKA',
          '--country',
          'DE',
          '--reference',
          'ST-1',
          '--accounts',
          alice.account.name,
          ...extra,
          '--json',
        ]),
      ),
    );
  const pres = add(['--instrument', 'preservation', '--categories', 'account,device,message-content']);
  assert.equal(pres.receivedBy, 'cli:olivia');
  const placed = json(
    admin(['requests', 'preserve', pres.id, '--custodians', 'ana,ben,cleo', '--threshold', '2', '--out', 'shares', '--json']),
  );
  const files = (placed.files as Array<{ custodian: string; file: string }>).map((f) => f.file);
  assert.equal(files.length, 3);
  for (const f of files) {
    assert.equal(statSync(f).mode & 0o777, 0o600);
    assert.match(readFileSync(f, 'utf8'), /^sotto-share\/v1:/);
  }
  const noShare = admin(['requests', 'preserve', pres.id, '--custodians', 'a,b', '--threshold', '2', '--out', 'shares2']);
  assert.equal(noShare.status, 2, 'one hold per preservation request');
  assert.match(noShare.stderr, /CONFLICT/);

  assert.equal(admin(['requests', 'answer', pres.id, '--out', 'preservation.json']).status, 0);
  assert.equal(statSync(join(srv.dataDir, 'preservation.json')).mode & 0o777, 0o600);
  assert.equal(
    decodeDisclosurePackage(JSON.parse(readFileSync(join(srv.dataDir, 'preservation.json'), 'utf8'))).answer.decision,
    'preserved',
  );
  assert.equal(verify('preservation.json').status, 0);

  const mlat = add(['--instrument', 'mlat', '--categories', 'account,device', '--follows', pres.id]);
  assert.equal(
    admin(['requests', 'decide', mlat.id, '--decision', 'disclose', '--reason', 'MLAT executed by the Federal Office of Justice']).status,
    0,
  );
  const short = admin(['requests', 'answer', mlat.id, '--out', 'mlat.json', '--shares', files[1] as string]);
  assert.equal(short.status, 2, 'one share of two');
  assert.match(short.stderr, /give 2 of its custodians' shares/);
  const ok = admin(['requests', 'answer', mlat.id, '--out', 'mlat.json', '--shares', `${files[0]},${files[2]}`]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /sha256 [0-9a-f]{64}/);
  const pkg = decodeDisclosurePackage(JSON.parse(readFileSync(join(srv.dataDir, 'mlat.json'), 'utf8')));
  assert.equal(pkg.answer.preserved?.accounts[0]?.account, alice.account.name);
  const v = verify('mlat.json');
  assert.equal(v.status, 0, v.stdout);
  assert.match(v.stdout, /evidence OK/);
  assert.doesNotMatch(v.stdout, /Stamps are HMACs/, 'no franking note on a lawful answer');

  const text = readFileSync(join(srv.dataDir, 'mlat.json'), 'utf8');
  writeFileSync(join(srv.dataDir, 'mlat-changed.json'), text.replace('"BKA"', '"BKB"'));
  const bad = verify('mlat-changed.json');
  assert.equal(bad.status, 3);
  assert.match(bad.stdout, /FAILED {2}manifest: request/);
  const shown = decodeLawfulRequestDetail(json(admin(['requests', 'show', pres.id, '--json'])));
  assert.equal(shown.holds[0]?.deletedWhy, 'answered');
});

test('an emergency disclosure from the command line: its second approval must come from another OS user; the request log catches an edit', () => {
  const e = decodeLawfulRequestDetail(
    json(
      admin([
        'requests',
        'add',
        '--instrument',
        'emergency',
        '--authority',
        'Federal police',
        '--country',
        'BE',
        '--reference',
        'URG-7',
        '--accounts',
        alice.account.name,
        '--categories',
        'account',
        '--json',
      ]),
    ),
  );
  assert.equal(admin(['requests', 'decide', e.id, '--decision', 'disclose', '--reason', 'threat to life']).status, 0);
  const same = admin(['requests', 'approve', e.id, '--note', 'me']);
  assert.equal(same.status, 2);
  assert.match(same.stderr, /another admin/);
  assert.equal(admin(['requests', 'approve', e.id, '--note', 'agreed'], 'peter').status, 0);
  const row = decodeLawfulRequestList(json(admin(['requests', 'list', '--json']))).requests.find((r) => r.id === e.id);
  assert.equal(row?.decision, 'disclose');

  const good = admin(['requests', 'log', '--verify']);
  assert.equal(good.status, 0, good.stderr);
  assert.match(good.stdout, /chain OK: \d+ entries, head [0-9a-f]{64}/);
  const db = new Database(join(srv.dataDir, 'sotto.db'));
  try {
    db.prepare('UPDATE request_log SET public = replace(public, \'"DE"\', \'"FR"\') WHERE seq = 1').run();
  } finally {
    db.close();
  }
  const broken = admin(['requests', 'log', '--verify']);
  assert.equal(broken.status, 3);
  assert.match(broken.stdout, /chain FAILED at entry 1: hash does not match the entry/);
  assert.equal(
    admin([
      'requests',
      'add',
      '--instrument',
      'warrant',
      '--authority',
      'x',
      '--country',
      'BE',
      '--reference',
      'r',
      '--accounts',
      'a@b.c',
      '--categories',
      'account',
    ]).status,
    1,
  );
});
