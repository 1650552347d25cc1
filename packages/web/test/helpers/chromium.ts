// Test helpers for running code in a real browser: Debian's Chromium through playwright-core, a loopback static
// file server and an esbuild bundler that resolves workspace packages to their TypeScript sources.
//
// Used by the browser test suites (test/browser-suites.test.ts) and meant for the web app's end-to-end tests:
//
//   const browser = await launchChromium();            // fresh profile, closed by browser.close()
//   const site = await serveDirectory(outDir);         // http://127.0.0.1:<port>/
//   const page = await browser.newPage();              // console errors and page errors are collected
//   await page.page.goto(site.url);
//   ...
//   page.assertNoErrors();
//
// Nothing here downloads a browser: playwright-core only starts the executable it is given.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { type BrowserContext, chromium, type ConsoleMessage, type Page } from 'playwright-core';

/** Debian's Chromium; SOTTO_CHROMIUM overrides it (never a downloaded browser). */
export const CHROMIUM_PATH = process.env.SOTTO_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a quiet, offline, reproducible headless Chromium on a shared CI machine. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Whatever the environment says, never talk to a proxy: tests only reach 127.0.0.1.
  '--no-proxy-server',
];

/** A page whose console errors and uncaught exceptions are recorded, so a test can fail on them. */
export interface CheckedPage {
  readonly page: Page;
  /** Console `error` messages and uncaught page errors seen so far, oldest first. */
  errors(): string[];
  /** Throws an Error listing every console error and uncaught page error seen so far, if any. */
  assertNoErrors(): void;
}

export interface ChromiumSession {
  /** The persistent browser context (one fresh profile in a temporary directory). */
  readonly context: BrowserContext;
  /** The profile directory (removed by close()). */
  readonly userDataDir: string;
  /** A new page whose console errors and uncaught exceptions are collected. */
  newPage(): Promise<CheckedPage>;
  /** Closes the browser and removes the profile directory. Safe to call more than once. */
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Extra Chromium flags, after CHROMIUM_ARGS. */
  args?: readonly string[];
  /** Default timeout of page operations in ms (playwright's default is 30 s). */
  timeoutMs?: number;
}

/** Watches a page: console errors and uncaught exceptions go into a list the test checks. */
export function checkPage(page: Page): CheckedPage {
  const seen: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') seen.push(`console.error: ${m.text()}${m.location().url ? ` (${m.location().url})` : ''}`);
  });
  page.on('pageerror', (e: Error) => seen.push(`uncaught page error: ${e.stack ?? e.message}`));
  page.on('crash', () => seen.push('page crashed'));
  return {
    page,
    errors: () => [...seen],
    assertNoErrors: () => {
      if (seen.length > 0) throw new Error(`the page reported ${seen.length} error(s):\n${seen.join('\n')}`);
    },
  };
}

/**
 * Starts headless Chromium (CHROMIUM_PATH) on a fresh temporary profile. Call close() in after()/t.after(): it
 * closes the browser and removes the profile, also when the test failed.
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<ChromiumSession> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'sotto-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
      timeout: 30_000,
    });
  } catch (e) {
    await rm(userDataDir, { recursive: true, force: true });
    throw e;
  }
  if (options.timeoutMs !== undefined) context.setDefaultTimeout(options.timeoutMs);
  let closing: Promise<void> | undefined;
  return {
    context,
    userDataDir,
    newPage: async () => checkPage(await context.newPage()),
    close: () =>
      (closing ??= (async () => {
        try {
          await context.close();
        } finally {
          await rm(userDataDir, { recursive: true, force: true });
        }
      })()),
  };
}

/** Content types of the files a test site serves (anything else is application/octet-stream). */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticSite {
  /** The site's base URL, ending in '/', e.g. http://127.0.0.1:41234/ (127.0.0.1 is a secure context: WebCrypto works). */
  readonly url: string;
  /** Stops listening and drops open connections. Safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Serves the files under `root` over HTTP on 127.0.0.1 at a free port (GET and HEAD only; '/' is index.html;
 * nothing outside `root`). No caching, so a rebuilt bundle is always fetched again.
 */
export async function serveDirectory(root: string): Promise<StaticSite> {
  const base = resolve(root);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = resolve(base, `.${path}`);
    if (!file.startsWith(base + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
    }
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('static server has no TCP address');
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () =>
      (closing ??= new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      })),
  };
}

export interface BundleOptions {
  /** File name of the bundle inside outDir; by default the entry's base name with .js. */
  outName?: string;
  /** Extra esbuild options (e.g. `define`), merged last. */
  esbuild?: BuildOptions;
}

/**
 * Bundles `entry` (TypeScript, with its imports and JSON) into one browser ES module in `outDir`; returns its path.
 * Workspace packages resolve through their package.json `exports`, whose `default` condition points to the
 * TypeScript sources (the `sotto-dist` condition of built output is deliberately not enabled). A `node:*` import in
 * the graph fails the build, which is what a browser bundle must do.
 */
export async function bundleForBrowser(entry: string, outDir: string, options: BundleOptions = {}): Promise<string> {
  const name = options.outName ?? `${entry.replace(/^.*[\\/]/, '').replace(/\.[cm]?[jt]sx?$/, '')}.js`;
  const outfile = join(outDir, name);
  await build({
    entryPoints: [entry],
    outfile,
    platform: 'browser',
    format: 'esm',
    bundle: true,
    target: 'es2022',
    conditions: ['browser', 'import', 'default'],
    sourcemap: 'inline',
    logLevel: 'silent',
    legalComments: 'none',
    ...options.esbuild,
  });
  return outfile;
}
