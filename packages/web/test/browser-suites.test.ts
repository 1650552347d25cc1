// Runs the portable test suites inside headless Chromium: the IndexedDB store (shared store contract, browser key),
// the IETF MLS vectors on the portable provider, and a WebCrypto availability check. Each browser case is a named
// subtest here, so a failure names the case and carries the browser's error.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SuiteResult } from './browser/harness.js';
import {
  bundleForBrowser,
  type ChromiumSession,
  type CheckedPage,
  launchChromium,
  serveDirectory,
  type StaticSite,
} from './helpers/chromium.js';

const browserDir = fileURLToPath(new URL('./browser/', import.meta.url));
const SUITES = ['store-suite', 'mls-suite', 'webcrypto-suite'] as const;
/** A suite still running after this long fails (a case times out after 20 s in the page and is named). */
const SUITE_TIMEOUT_MS = 60_000;

let outDir: string | undefined;
let site: StaticSite | undefined;
let browser: ChromiumSession | undefined;
let page: CheckedPage;

before(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'sotto-browser-suites-'));
  await Promise.all(SUITES.map((s) => bundleForBrowser(join(browserDir, `${s}.ts`), outDir!)));
  await writeFile(
    join(outDir, 'index.html'),
    '<!doctype html>\n<meta charset="utf-8">\n<link rel="icon" href="data:,">\n<title>Sotto browser suites</title>\n',
  );
  site = await serveDirectory(outDir);
  browser = await launchChromium({ timeoutMs: 60_000 });
  page = await browser.newPage();
  await page.page.goto(site.url);
});

after(async () => {
  await browser?.close();
  await site?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

/** Imports a bundled suite in the page, runs it, and reports each of its cases as a subtest of `t`. */
async function runSuite(t: TestContext, suite: (typeof SUITES)[number]): Promise<SuiteResult> {
  const url = `${site!.url}${suite}.js`;
  const result = await page.page.evaluate(async (u) => {
    const m = (await import(u)) as { run: () => Promise<SuiteResult> };
    return m.run();
  }, url);
  for (const c of result.cases) {
    await t.test(c.name, () => {
      if (!c.ok) assert.fail(`${c.name} failed in Chromium:\n${c.error}`);
    });
  }
  t.diagnostic(
    `${suite}: ${result.cases.filter((c) => c.ok).length}/${result.cases.length} cases passed, counts ${JSON.stringify(result.counts)}`,
  );
  if (result.facts) t.diagnostic(`${suite}: ${JSON.stringify(result.facts)}`);
  page.assertNoErrors();
  return result;
}

describe('browser suites in Chromium', () => {
  it(
    'IndexedDB store: the shared store contract, the raw backend contract, IndexedDB cases and the browser key',
    { timeout: SUITE_TIMEOUT_MS },
    async (t) => {
      const r = await runSuite(t, 'store-suite');
      assert.ok(r.cases.every((c) => c.ok));
      assert.ok(r.counts.storeContract! >= 12, 'store contract cases');
      assert.ok(r.counts.rawBackendContract! >= 3, 'raw backend contract cases');
      assert.ok(r.counts.browserKey! >= 6, 'browser key cases');
      assert.equal(r.cases.length, r.counts.storeContract! + r.counts.rawBackendContract! + r.counts.indexedDb! + r.counts.browserKey!);
    },
  );

  it('MLS vectors (crypto-basics, key-schedule, message-protection) on the portable provider', { timeout: SUITE_TIMEOUT_MS }, async (t) => {
    const r = await runSuite(t, 'mls-suite');
    assert.ok(r.cases.every((c) => c.ok));
    const c = r.counts;
    assert.ok(c.cryptoBasicsVectors! > 0 && c.keyScheduleVectors! > 0 && c.messageProtectionVectors! > 0, JSON.stringify(c));
    assert.equal(c.cryptoBasicsChecks, 6 * c.cryptoBasicsVectors!);
    assert.ok(c.keyScheduleEpochs! > 0 && c.keyScheduleEpochs === c.externalPubEpochs);
    assert.ok(c.messagesUnprotected! >= 5 * c.messageProtectionVectors!);
  });

  it('WebCrypto: Ed25519, X25519, AES-GCM, HKDF and HMAC-SHA256 work in this Chromium', { timeout: SUITE_TIMEOUT_MS }, async (t) => {
    const r = await runSuite(t, 'webcrypto-suite');
    for (const alg of ['Ed25519', 'X25519', 'AES-GCM', 'HKDF', 'HMAC-SHA256']) assert.equal(r.facts?.[alg], true, `${alg} missing`);
    assert.equal(r.counts.available, 5);
  });
});
