// The deployment of docs/deploy/nginx-sotto.conf, for real: nginx (Debian's /usr/sbin/nginx) terminates TLS with a
// certificate made for the test and proxies to a sotto-server; two SDK clients in their own processes register through
// it and exchange a message over wss. nginx runs as the test's user on 127.0.0.1 only, under a temporary prefix.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { type Agent, spawnAgent, until } from './helpers/agents.js';
import { cleanup, startServer, type TestServer, tempDir } from './helpers/server.js';

const NGINX = '/usr/sbin/nginx';
const SITE = resolve(import.meta.dirname, '../../../docs/deploy/nginx-sotto.conf');

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/** The documented site with only what a test must change: its addresses, ports and certificate. */
function testSite(upstreamPort: number, httpsPort: number, httpPort: number, dir: string): string {
  let text = readFileSync(SITE, 'utf8');
  const swap = (from: RegExp, to: string, times: number) => {
    assert.equal(text.match(from)?.length, times, `${SITE} still has ${from}`);
    text = text.replace(from, to);
  };
  swap(/^\s*listen \[::\]:\d+( ssl)?;\n/gm, '', 2); // IPv4 loopback only
  swap(/listen 443 ssl;/g, `listen 127.0.0.1:${httpsPort} ssl;`, 1);
  swap(/listen 80;/g, `listen 127.0.0.1:${httpPort};`, 1);
  swap(/server 127\.0\.0\.1:8750;/g, `server 127.0.0.1:${upstreamPort};`, 1);
  swap(/\/etc\/letsencrypt\/live\/chat\.example\.org\/fullchain\.pem/g, join(dir, 'cert.pem'), 1);
  swap(/\/etc\/letsencrypt\/live\/chat\.example\.org\/privkey\.pem/g, join(dir, 'key.pem'), 1);
  assert.ok(!/listen\s+(?!127\.0\.0\.1:)/.test(text), 'every listen is on 127.0.0.1');
  return text;
}

/**
 * Starts nginx in the foreground under a shell that stops it when its stdin closes: at the end of the test, or when
 * the test process dies, nginx goes too.
 */
function startNginx(dir: string): ChildProcess {
  const conf = `# nginx of one test run: everything under ${dir}
daemon off;
user ${userInfo().username};
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 128; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/site.conf;
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const script = `"$0" -p "$1" -c "$1/nginx.conf" -e "$1/error.log" & n=$!; read _; kill -QUIT $n; wait $n`;
  return spawn('/bin/sh', ['-c', script, NGINX, dir], { stdio: ['pipe', 'ignore', 'pipe'] });
}

/** GET over TLS trusting only the test's certificate; status, headers and body. */
function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    get(url, { ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
    }).on('error', fail);
  });
}

test('behind nginx (TLS, the documented site): /health, registration and a message over wss', { timeout: 180_000 }, async (t) => {
  if (!existsSync(NGINX)) {
    assert.ok(!process.env.CI, `${NGINX} is missing: CI must install nginx (.ci/run does)`);
    t.skip(`${NGINX} is not installed (apt-get install nginx): the nginx deployment test is skipped`);
    return;
  }
  const dir = tempDir('sotto-nginx-');
  const agents: Agent[] = [];
  let server: TestServer | undefined;
  let nginx: ChildProcess | undefined;
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ].concat(['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]),
      { stdio: 'ignore' },
    );
    const ca = readFileSync(join(dir, 'cert.pem'), 'utf8');
    server = await startServer({ SOTTO_TRUSTED_PROXIES: '127.0.0.1' });
    const [httpsPort, httpPort] = [await freePort(), await freePort()];
    writeFileSync(join(dir, 'site.conf'), testSite(Number(new URL(server.url).port), httpsPort, httpPort, dir));
    nginx = startNginx(dir);
    let nginxErr = '';
    nginx.stderr!.on('data', (d: Buffer) => (nginxErr += d.toString()));
    const base = `https://127.0.0.1:${httpsPort}`;
    const health = await until(
      () => httpsGet(`${base}/health`, ca).catch(() => (nginx?.exitCode === null ? undefined : Promise.reject(new Error(nginxErr)))),
      20_000,
      'nginx answers',
    );
    assert.equal(health.status, 200);
    assert.deepEqual(JSON.parse(health.body), { status: 'ok', version: '0.1.0' });
    const plain = await fetch(`http://127.0.0.1:${httpPort}/health`, { redirect: 'manual' });
    assert.equal(plain.status, 301, 'plain HTTP is redirected to HTTPS');

    const env = { NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') };
    for (const name of ['alice', 'bob']) {
      const a = await spawnAgent(dir, name, join(dir, name), env);
      agents.push(a);
      await a.call('register', { serverUrl: base, account: `${name}@localhost` });
      await a.call('start');
    }
    const [alice, bob] = agents as [Agent, Agent];
    const conv = await alice.call<{ id: string }>('createDirect', { peer: 'bob@localhost' });
    await until(() => bob.call('conversation', { conv: conv.id }), 30_000, 'bob joins');
    await alice.call('sendText', { conv: conv.id, text: 'through nginx' });
    const got = await until(
      async () => (await bob.call<{ text?: string }[]>('messages', { conv: conv.id })).find((m) => m.text === 'through nginx'),
      30_000,
      'bob receives the message',
    );
    assert.equal(got.text, 'through nginx');
    // nginx logs a WebSocket when it closes: the clients' sockets close when they exit.
    await Promise.all(agents.map((a) => a.exit()));
    const access = await until(
      async () => {
        const log = readFileSync(join(dir, 'access.log'), 'utf8');
        return /"GET \/v1\/ws HTTP\/1\.1" 101 /.test(log) && log;
      },
      20_000,
      'the WebSocket in the access log',
    );
    assert.match(access, /"POST \/v1\/accounts HTTP\/1\.1" 201 /, 'the registrations went through nginx');
  } finally {
    await Promise.all(agents.map((a) => a.exit().catch(() => {})));
    if (nginx) {
      const gone = new Promise<void>((r) => (nginx?.exitCode !== null ? r() : nginx.once('exit', () => r())));
      nginx.stdin!.end();
      await gone;
    }
    await server?.stop();
    if (server) cleanup(server.dataDir);
    cleanup(dir);
  }
});
