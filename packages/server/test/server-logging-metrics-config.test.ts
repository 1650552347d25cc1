// log.format (pretty lines for a terminal, JSON lines otherwise) and metrics.allowRemote (a non-loopback metrics
// listener only when asked for), from the config loader to a real server process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { loadConfig } from '../src/config/config.js';
import { formatLogLine } from '../src/util/pretty-log.js';
import { cleanup, SERVER_CMD, startServerProcess, tempDir } from './helpers/server-process.js';

test('log.format: pretty when stdout is a terminal, json otherwise; SOTTO_LOG_FORMAT and the file override it', () => {
  assert.equal(loadConfig({ env: {}, stdoutIsTty: true }).log.format, 'pretty');
  assert.equal(loadConfig({ env: {}, stdoutIsTty: false }).log.format, 'json');
  assert.equal(loadConfig({ env: { SOTTO_LOG_FORMAT: 'json' }, stdoutIsTty: true }).log.format, 'json');
  assert.equal(loadConfig({ env: { SOTTO_LOG_FORMAT: 'pretty' }, stdoutIsTty: false }).log.format, 'pretty');
  assert.throws(() => loadConfig({ env: { SOTTO_LOG_FORMAT: 'xml' } }), /log.format must be pretty or json/);
});

test('pretty log lines: time, level, message, then key=value (nested keys dotted, odd strings quoted)', () => {
  const line = JSON.stringify({
    level: 30,
    time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
    pid: 1,
    hostname: 'h',
    msg: 'request completed',
    req: { method: 'GET', url: '/health' },
    res: { statusCode: 200 },
    note: 'two words',
    paths: ['/a', '/b'],
  });
  assert.equal(
    formatLogLine(line),
    '2026-01-02T03:04:05.006Z INFO  request completed req.method=GET req.url=/health res.statusCode=200 note="two words" paths=["/a","/b"]',
  );
  assert.equal(formatLogLine(JSON.stringify({ level: 40, time: 0, msg: 'x' })), '1970-01-01T00:00:00.000Z WARN  x');
  assert.equal(formatLogLine('not json'), 'not json');
});

test('a server with SOTTO_LOG_FORMAT=pretty logs readable lines; by default (stdout not a terminal) JSON lines', async () => {
  const json = await startServerProcess(); // waits for a JSON `ready` line
  await json.stop();
  cleanup(json.dataDir);
  const dataDir = tempDir();
  const child = spawn(process.execPath, [...SERVER_CMD, 'serve', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, SOTTO_METRICS_PORT: '0', SOTTO_LOG_FORMAT: 'pretty', SOTTO_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const lines: string[] = [];
    const ready = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (l) => {
        lines.push(l);
        if (l.includes('sotto-server ready')) resolve(l);
      });
      child.once('exit', () => reject(new Error(`exited before ready:\n${lines.join('\n')}`)));
    });
    assert.match(
      ready,
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO {2}sotto-server ready event=ready port=\d+ metricsPort=\d+ host=127\.0\.0\.1$/,
    );
    assert.ok(
      lines.every((l) => !l.startsWith('{')),
      'no JSON line',
    );
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    cleanup(dataDir);
  }
});

test('metrics.host: a non-loopback address is refused unless metrics.allowRemote is true', async () => {
  assert.throws(
    () => loadConfig({ env: { SOTTO_METRICS_HOST: '0.0.0.0' } }),
    /metrics\.host 0\.0\.0\.0 is not a loopback address: .*metrics\.allowRemote: true \(SOTTO_METRICS_ALLOW_REMOTE=true\)/,
  );
  const c = loadConfig({ env: { SOTTO_METRICS_HOST: '0.0.0.0', SOTTO_METRICS_ALLOW_REMOTE: 'true' } });
  assert.equal(c.metrics.host, '0.0.0.0');
  assert.equal(c.metrics.allowRemote, true);
  assert.equal(loadConfig({ env: { SOTTO_METRICS_HOST: '127.0.0.2' } }).metrics.host, '127.0.0.2', 'loopback needs no switch');
  // The server refuses to start with it, with the message on stderr.
  const dataDir = tempDir();
  try {
    const child = spawn(process.execPath, [...SERVER_CMD, 'serve', '--port', '0', '--data-dir', dataDir], {
      env: { ...process.env, SOTTO_METRICS_HOST: '192.0.2.1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    assert.equal(code, 2);
    assert.match(stderr, /error VALIDATION: metrics\.host 192\.0\.2\.1 is not a loopback address/);
  } finally {
    cleanup(dataDir);
  }
});
