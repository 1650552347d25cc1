// The web app served at `/` by a real server on a loopback port, from a temporary build directory: content types,
// cache headers, security headers, the single-page-app fallback, the API's JSON 404 kept under /v1, HEAD, the 503
// page while no build is there, and every way of reaching outside the build directory, each refused by name.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, relative, resolve, sep } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { loadConfig } from '../src/config/config.js';
import { classifyWebPath } from '../src/web/web-path.js';
import { startInProcess, type InProcessServer } from './helpers/in-process.js';
import { cleanup, startServerProcess, tempDir } from './helpers/server-process.js';

const INDEX = '<!doctype html><title>Sotto test build</title><script type="module" src="/assets/app-1a2b3c.js"></script>\n';
const SECRET = 'TOP-SECRET-outside-the-build';

const ASSETS: Record<string, [string, string]> = {
  'app-1a2b3c.js': ['text/javascript; charset=utf-8', 'console.log("app")\n'],
  'worker-4d5e6f.js': ['text/javascript; charset=utf-8', 'self.onmessage = () => {}\n'],
  'app-1a2b3c.js.map': ['application/json', '{"version":3}'],
  'style-7a8b9c.css': ['text/css; charset=utf-8', 'body{margin:0}'],
  'logo-0f0f0f.svg': ['image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"/>'],
  'icon-123456.png': ['image/png', '\x89PNG'],
  'mls-abcdef.wasm': ['application/wasm', '\0asm'],
  'font-fedcba.woff2': ['font/woff2', 'wOF2'],
  'strings-aaaaaa.json': ['application/json', '{}'],
};

let root: string;
let dist: string;
let srv: InProcessServer;

before(async () => {
  root = tempDir('sotto-web-');
  dist = join(root, 'dist');
  mkdirSync(join(dist, 'assets', 'sub'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), INDEX);
  for (const [name, [, body]] of Object.entries(ASSETS)) writeFileSync(join(dist, 'assets', name), Buffer.from(body, 'latin1'));
  writeFileSync(join(dist, 'favicon.ico'), 'ICO');
  writeFileSync(join(dist, 'manifest.webmanifest'), '{"name":"Sotto"}');
  writeFileSync(join(dist, '.env'), SECRET);
  writeFileSync(join(dist, 'assets', '.hidden.js'), SECRET);
  writeFileSync(join(dist, 'assets', 'sub', 'inner.js'), 'inner');
  writeFileSync(join(root, 'secret.txt'), SECRET);
  symlinkSync(join(root, 'secret.txt'), join(dist, 'assets', 'leak.js'));
  symlinkSync(root, join(dist, 'assets', 'up'));
  srv = await startInProcess({ SOTTO_WEB_DIR: dist });
});

after(async () => {
  await srv.stop();
  cleanup(root);
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request sent byte for byte on a socket (fetch and undici normalise `..` and backslashes away). */
function raw(port: number, target: string, method = 'GET', accept = 'text/html'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    s.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4) });
    });
    s.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: ${accept}\r\nConnection: close\r\n\r\n`, 'latin1');
  });
}

const get = (path: string, init: RequestInit = {}) => fetch(srv.url + path, init);

function assertSecurityHeaders(h: Headers, port: number): void {
  const csp = h.get('content-security-policy') ?? '';
  for (const d of [
    "default-src 'self'",
    "script-src 'self'",
    "worker-src 'self' blob:",
    `connect-src 'self' ws://127.0.0.1:${port} wss://127.0.0.1:${port}`,
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ])
    assert.ok(csp.split('; ').includes(d), `CSP has ${d}: ${csp}`);
  assert.doesNotMatch(csp, /unsafe-eval|script-src[^;]*unsafe-inline|\*/, 'no eval, no inline script, no wildcard');
  assert.equal(h.get('x-content-type-options'), 'nosniff');
  assert.equal(h.get('referrer-policy'), 'no-referrer');
  assert.equal(h.get('cross-origin-opener-policy'), 'same-origin');
  assert.equal(h.get('x-frame-options'), 'DENY');
  assert.match(h.get('permissions-policy') ?? '', /(?:^|, )camera=\(self\)(?:,|$)/);
  assert.match(h.get('permissions-policy') ?? '', /microphone=\(\)/);
}

test('GET / and /index.html: the build index.html, text/html, no-cache, with the security headers', async () => {
  for (const path of ['/', '/index.html']) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assert.equal(await r.text(), INDEX);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    assertSecurityHeaders(r.headers, srv.port);
  }
});

test('assets: the right Content-Type, cached for a year as immutable, with the security headers', async () => {
  for (const [name, [type, body]] of Object.entries(ASSETS)) {
    const r = await get(`/assets/${name}`);
    assert.equal(r.status, 200, name);
    assert.equal(r.headers.get('content-type'), type, name);
    assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable', name);
    assert.equal(Buffer.from(await r.arrayBuffer()).toString('latin1'), body, name);
    assertSecurityHeaders(r.headers, srv.port);
  }
  const nested = await get('/assets/sub/inner.js');
  assert.equal(nested.status, 200);
  assert.equal(await nested.text(), 'inner');
});

test('top-level files of the build (favicon, manifest) are served and revalidated', async () => {
  const ico = await get('/favicon.ico');
  assert.equal(ico.status, 200);
  assert.equal(ico.headers.get('content-type'), 'image/x-icon');
  assert.equal(ico.headers.get('cache-control'), 'no-cache');
  assert.equal(await ico.text(), 'ICO');
  const manifest = await get('/manifest.webmanifest');
  assert.equal(manifest.headers.get('content-type'), 'application/manifest+json');
  assert.equal(await manifest.text(), '{"name":"Sotto"}');
});

test('revalidation: the ETag of a file brings a 304 without a body while the file is unchanged, the file again once it changes', async () => {
  const first = await get('/');
  const etag = first.headers.get('etag');
  assert.match(etag ?? '', /^W\/"[0-9a-f]+-[0-9a-f]+"$/);
  const again = await get('/', { headers: { 'if-none-match': etag ?? '' } });
  assert.equal(again.status, 304);
  assert.equal(await again.text(), '');
  assert.equal(again.headers.get('cache-control'), 'no-cache');
  writeFileSync(join(dist, 'favicon.ico'), 'ICO2');
  const ico = await get('/favicon.ico');
  writeFileSync(join(dist, 'favicon.ico'), 'ICO-version-3');
  const changed = await get('/favicon.ico', { headers: { 'if-none-match': ico.headers.get('etag') ?? '' } });
  assert.equal(changed.status, 200, 'a rebuilt file is served again (it is read per request, no restart)');
  assert.equal(await changed.text(), 'ICO-version-3');
  writeFileSync(join(dist, 'favicon.ico'), 'ICO');
});

test('a missing asset is 404, never index.html, even for a browser', async () => {
  const r = await get('/assets/gone-000000.js', { headers: { accept: 'text/html' } });
  assert.equal(r.status, 404);
  assert.notEqual(await r.text(), INDEX);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
});

test('single-page-app fallback: a browser navigation to an app path gets index.html; other clients get 404', async () => {
  for (const path of ['/chats/abc', '/settings', '/chats/abc/', '/join?code=1']) {
    const r = await get(path, { headers: { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' } });
    assert.equal(r.status, 200, path);
    assert.equal(await r.text(), INDEX, path);
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    assert.equal(r.headers.get('vary'), 'Accept');
    assertSecurityHeaders(r.headers, srv.port);
  }
  const json = await get('/chats/abc', { headers: { accept: 'application/json' } });
  assert.equal(json.status, 404);
  assert.equal(await json.text(), 'not found\n');
});

test('the API keeps its routes and its JSON 404 under /v1, /health and /openapi.json, even for a browser', async () => {
  for (const path of ['/v1/nope', '/v1', '/v1/chats/abc', '/health/x', '/openapi.json/x', '/metrics']) {
    const r = await get(path, { headers: { accept: 'text/html' } });
    assert.equal(r.status, 404, path);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/, path);
    assert.deepEqual(await r.json(), { error: { code: 'NOT_FOUND', message: 'no such route' } }, path);
  }
  const post = await get('/v1/nope', { method: 'POST' });
  assert.equal(post.status, 404);
  assert.equal(((await post.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  const health = await get('/health', { headers: { accept: 'text/html' } });
  assert.deepEqual(await health.json(), { status: 'ok', version: '0.1.0' });
  const openapi = (await (await get('/openapi.json')).json()) as { paths: Record<string, unknown> };
  assert.ok(!Object.keys(openapi.paths).some((p) => p === '/' || p.startsWith('/*')), 'the web routes are not in the API document');
});

test('HEAD: the headers of GET (length, type, cache) and no body', async () => {
  const index = await raw(srv.port, '/', 'HEAD');
  assert.equal(index.status, 200);
  assert.equal(index.headers['content-length'], String(Buffer.byteLength(INDEX)));
  assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(index.headers['cache-control'], 'no-cache');
  assert.equal(index.body, '');
  const js = await raw(srv.port, '/assets/app-1a2b3c.js', 'HEAD');
  assert.equal(js.status, 200);
  assert.equal(js.headers['content-length'], String(ASSETS['app-1a2b3c.js']?.[1].length));
  assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(js.body, '');
  const spa = await raw(srv.port, '/chats/abc', 'HEAD');
  assert.equal(spa.status, 200);
  assert.equal(spa.body, '');
});

/** A refused request: 400 (Node's parser) or 404, and nothing from outside the build nor any hidden file in it. */
async function assertRefused(target: string, accept = 'text/html'): Promise<void> {
  const r = await raw(srv.port, target, 'GET', accept);
  assert.ok(r.status === 404 || r.status === 400, `${target}: ${r.status}`);
  assert.ok(!r.body.includes(SECRET), `${target} leaked the secret`);
  assert.ok(!r.body.includes('Sotto test build'), `${target} answered index.html`);
}

const TRAVERSALS: Array<[string, string]> = [
  ['dot-dot segments', '/../secret.txt'],
  ['dot-dot segments under assets', '/assets/../../secret.txt'],
  ['encoded dot-dot %2e%2e', '/%2e%2e/secret.txt'],
  ['encoded dot-dot %2E%2E under assets', '/assets/%2E%2E/%2E%2E/secret.txt'],
  ['half-encoded dot-dot .%2e', '/assets/.%2e/.%2e/secret.txt'],
  ['encoded slash %2f', '/assets%2f..%2f..%2fsecret.txt'],
  ['encoded slash %2F in a file name', '/assets/..%2F..%2Fsecret.txt'],
  ['raw backslash', '/assets\\..\\..\\secret.txt'],
  ['encoded backslash %5c', '/assets/..%5c..%5csecret.txt'],
  ['encoded NUL %00', '/index.html%00.js'],
  ['raw NUL byte', '/index.html\0.js'],
  ['absolute path //', '//etc/passwd'],
  ['absolute path in an asset', '/assets//etc/passwd'],
  ['absolute-form request target', 'http://127.0.0.1/../secret.txt'],
  ['asterisk-form request target', '*'],
  ['malformed percent-encoding', '/assets/%E0%A4%A'],
  ['double-encoded dot-dot', '/assets/%252e%252e/%252e%252e/secret.txt'],
  ['symlink pointing outside the build', '/assets/leak.js'],
  ['symlinked directory pointing outside the build', '/assets/up/secret.txt'],
  ['dot-file at the top', '/.env'],
  ['encoded dot-file', '/%2eenv'],
  ['dot-file under assets', '/assets/.hidden.js'],
  ['directory listing of assets/', '/assets/'],
  ['directory listing of assets', '/assets'],
  ['directory listing of a subdirectory', '/assets/sub'],
];

for (const [name, target] of TRAVERSALS) {
  test(`refused: ${name} (${JSON.stringify(target)})`, async () => {
    await assertRefused(target);
    await assertRefused(target, 'application/json');
  });
}

test('the path classifier refuses each traversal before the file system, for the reason it names', () => {
  const reasons: Record<string, string> = {
    '/../secret.txt': 'dot segment or dot-file',
    '/%2e%2e/secret.txt': 'dot segment or dot-file',
    '/assets/.%2e/.%2e/secret.txt': 'dot segment or dot-file',
    '/assets%2f..%2f..%2fsecret.txt': 'encoded slash, backslash or NUL',
    '/assets\\..\\secret.txt': 'backslash or NUL',
    '/index.html\0.js': 'backslash or NUL',
    '/assets/..%5c..%5csecret.txt': 'encoded slash, backslash or NUL',
    '/index.html%00.js': 'encoded slash, backslash or NUL',
    '//etc/passwd': 'empty segment',
    'http://127.0.0.1/../secret.txt': 'not an origin-form path',
    '/assets/%E0%A4%A': 'malformed percent-encoding',
    '/%2eenv': 'dot segment or dot-file',
    '/assets/': 'no directory listing',
  };
  for (const [target, reason] of Object.entries(reasons)) assert.deepEqual(classifyWebPath(target), { kind: 'refused', reason }, target);
  // What the classifier lets through names a file by plain segments; the real-path check then covers symbolic links.
  assert.deepEqual(classifyWebPath('/assets/%252e%252e/x.js'), { kind: 'file', segments: ['assets', '%2e%2e', 'x.js'], immutable: true });
});

test('property: whatever the request-target, a file the classifier names lies under the build directory and is no dot-file', () => {
  const base = resolve('/srv/web/dist');
  const chars = fc.constantFrom('/', '.', '%', '2', 'e', 'E', 'f', 'F', '5', 'c', '0', '\\', '\0', 'a', 's', 't', '?', ':');
  fc.assert(
    fc.property(fc.array(chars, { maxLength: 24 }), (cs) => {
      const p = classifyWebPath(`/${cs.join('')}`);
      if (p.kind !== 'file') return;
      for (const s of p.segments) assert.ok(s !== '' && !s.startsWith('.') && !/[\\/\0]/.test(s), JSON.stringify(p));
      const rel = relative(base, join(base, ...p.segments));
      assert.ok(rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep), rel);
    }),
    { numRuns: 5000 },
  );
});

test('refused: a file outside the build named by an absolute path is not served (the path is taken under the build)', async () => {
  const r = await get(join(root, 'secret.txt'), { headers: { accept: 'application/json' } });
  assert.equal(r.status, 404);
  assert.ok(!(await r.text()).includes(SECRET));
});

test('no build: / and app paths answer 503 naming the build command; the API works; one warning at start', async () => {
  const missing = join(root, 'not-built');
  const s = await startInProcess({ SOTTO_WEB_DIR: missing });
  try {
    for (const path of ['/', '/index.html', '/chats/abc', '/assets/app-1a2b3c.js']) {
      const r = await fetch(s.url + path, { headers: { accept: 'text/html' } });
      assert.equal(r.status, 503, path);
      assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.match(await r.text(), /web app is not built.*npm run build -w packages\/web/s);
      assert.equal(r.headers.get('x-frame-options'), 'DENY');
    }
    assert.equal((await fetch(`${s.url}/health`)).status, 200);
    assert.equal((await fetch(`${s.url}/v1/nope`)).status, 404);
    const head = await raw(s.port, '/', 'HEAD');
    assert.equal(head.status, 503);
    assert.equal(head.body, '');
  } finally {
    await s.stop();
  }
  const p = await startServerProcess({ env: { SOTTO_WEB_DIR: missing } });
  try {
    const warnings = p.logs.filter((l) => l.includes('"web-not-built"'));
    assert.equal(warnings.length, 1, p.logs.join('\n'));
    const w = JSON.parse(warnings[0] ?? '{}') as { level: number; msg: string };
    assert.equal(w.level, 40);
    assert.match(w.msg, /npm run build -w packages\/web/);
  } finally {
    await p.stop();
    cleanup(p.dataDir);
  }
});

test('web.enabled false: no web app at /, the API alone (JSON 404)', async () => {
  const s = await startInProcess({ SOTTO_WEB_DIR: dist, SOTTO_WEB_ENABLED: 'false' });
  try {
    const r = await fetch(`${s.url}/`, { headers: { accept: 'text/html' } });
    assert.equal(r.status, 404);
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  } finally {
    await s.stop();
  }
});

test('config: web.dir defaults to the dist folder of the installed @sotto/web, a relative one is taken from the working directory', () => {
  const d = loadConfig({ env: {}, cwd: root });
  assert.equal(d.web.enabled, true);
  assert.match(d.web.dir ?? '', /[/\\]web[/\\]dist$/);
  assert.equal(loadConfig({ env: { SOTTO_WEB_DIR: 'build' }, cwd: root }).web.dir, join(root, 'build'));
  assert.equal(loadConfig({ env: { SOTTO_WEB_ENABLED: 'no' } }).web.enabled, false);
  assert.throws(() => loadConfig({ env: { SOTTO_WEB_ENABLED: 'maybe' } }), /web.enabled/);
});

test('config: server.publicUrl is an http(s) origin; it sets the WebSocket origins of the CSP', async () => {
  assert.equal(loadConfig({ env: { SOTTO_PUBLIC_URL: 'https://chat.example.org/' } }).server.publicUrl, 'https://chat.example.org');
  assert.equal(loadConfig({ env: { SOTTO_PUBLIC_URL: 'http://10.0.0.2:8080' } }).server.publicUrl, 'http://10.0.0.2:8080');
  for (const bad of ['ftp://x.org', 'https://x.org/app', 'https://x.org?a=1', 'https://x.org#f', 'https://u:p@x.org', 'x.org'])
    assert.throws(() => loadConfig({ env: { SOTTO_PUBLIC_URL: bad } }), /server.publicUrl/, bad);
  const s = await startInProcess({ SOTTO_WEB_DIR: dist, SOTTO_PUBLIC_URL: 'https://chat.example.org' });
  try {
    const csp = (await fetch(`${s.url}/`)).headers.get('content-security-policy') ?? '';
    assert.ok(csp.includes("connect-src 'self' ws://chat.example.org wss://chat.example.org;"), csp);
  } finally {
    await s.stop();
  }
});
