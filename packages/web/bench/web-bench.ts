// `npm run bench -w packages/web`: the web app's numbers on this machine, in one run.
// - the first screen's JavaScript and CSS, gzipped (what index.html loads before the worker);
// - opening the page with an existing profile until the conversation list is shown (the app's 'sotto:list-shown' mark);
// - sending a message in one browser until it shows in another (both pages stamp Date.now());
// - the main thread's longest task while the page catches up with a 100-member group's Welcome and 1,000 queued
//   messages (PerformanceObserver 'longtask', installed before the app's scripts).
// Real components: the Vite build, a sotto-server process, Debian's Chromium, and SDK clients in this process.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openNodeClient } from '@sotto/client/node';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/chromium.js';
import { buildWebApp, Stack, tempDir } from '../test/helpers/stack.js';

const ECHO_MESSAGES = 20;
const OPENS = 5;
const GROUP_SIZE = 100;
const QUEUED = 1000;

const rows: Array<[string, string, string]> = [];
const row = (what: string, value: number | string, unit: string) => {
  rows.push([what, typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 1 }) : value, unit]);
  console.log(`${what}: ${rows[rows.length - 1]![1]} ${unit}`);
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function firstScreenBytes(dir: string): { raw: number; gzip: number; files: string[] } {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((x) => x[1]!);
  let raw = 0;
  let gzip = gzipSync(html).length;
  for (const f of files) {
    const b = readFileSync(join(dir, f));
    raw += b.length;
    gzip += gzipSync(b, { level: 9 }).length;
  }
  return { raw, gzip, files };
}

async function register(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Account name').fill(name);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page
    .getByRole('heading', { name: `Signed in as ${name}@localhost` })
    .waitFor({ timeout: 60_000 })
    .catch(async (e: unknown) => {
      throw new Error(`${name} could not register: ${await page.locator('[role="alert"]').allTextContents()}`, { cause: e });
    });
}

const webDir = tempDir('sotto-web-bench-build-');
await buildWebApp(webDir);
const size = firstScreenBytes(webDir);
row('first screen: JavaScript + CSS + HTML, gzipped', size.gzip / 1024, 'KiB');
row('first screen: JavaScript + CSS, uncompressed', size.raw / 1024, 'KiB');

// The benchmark is one operator's load test: per-IP and new-account limits would measure the limiter instead.
const stack = await Stack.start(webDir, { SOTTO_REGISTRATION_OPEN: 'true', SOTTO_NEW_ACCOUNT_AGE_SECONDS: '0' });
const a = await launchChromium({ timeoutMs: 120_000 });
const b = await launchChromium({ timeoutMs: 120_000 });
const sdkRoot = tempDir('sotto-web-bench-sdk-');
const sdk: Array<Awaited<ReturnType<typeof openNodeClient>>> = [];
try {
  const alice = (await a.newPage()).page;
  const bob = (await b.newPage()).page;
  await register(alice, stack.url, 'alice');
  await register(bob, stack.url, 'bob');
  await alice.getByRole('button', { name: 'New chat' }).click();
  await alice.getByLabel('Account', { exact: true }).fill('bob');
  await alice.getByRole('button', { name: 'Start chat' }).click();
  await alice.getByTestId('message-input').fill('hello');
  await alice.getByTestId('message-input').press('Enter');
  await bob.locator('[data-testid="conversation"][data-name="alice@localhost"]').click();
  await bob.getByRole('button', { name: 'Accept' }).click();
  await bob.getByTestId('composer').waitFor();

  // Opening with an existing profile.
  const opens: number[] = [];
  for (let i = 0; i < OPENS; i++) {
    await alice.reload();
    await alice.locator('[data-testid="conversation"]').first().waitFor();
    opens.push(await alice.evaluate(() => performance.getEntriesByName('sotto:list-shown')[0]?.startTime ?? NaN));
  }
  row(`open the page with a profile until the list shows (median of ${OPENS})`, median(opens), 'ms');

  // Echo: alice sends, bob's page shows it.
  await alice.locator('[data-testid="conversation"][data-name="bob@localhost"]').click();
  await bob.evaluate(() => {
    const seen: Record<string, number> = {};
    (window as unknown as { seen: Record<string, number> }).seen = seen;
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[data-testid="message"] .text')) {
        const t = el.textContent ?? '';
        if (t.startsWith('echo-') && !(t in seen)) seen[t] = Date.now();
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  const echoes: number[] = [];
  for (let i = 0; i < ECHO_MESSAGES; i++) {
    const text = `echo-${i}`;
    await alice.getByTestId('message-input').fill(text);
    const sentAt = await alice.evaluate(() => Date.now());
    await alice.getByTestId('message-input').press('Enter');
    await bob.waitForFunction((t) => t in (window as unknown as { seen: Record<string, number> }).seen, text, { polling: 10 });
    echoes.push((await bob.evaluate((t) => (window as unknown as { seen: Record<string, number> }).seen[t]!, text)) - sentAt);
  }
  row(`send in one browser until shown in the other (median of ${ECHO_MESSAGES})`, median(echoes), 'ms');
  row('send until shown: slowest', Math.max(...echoes), 'ms');

  // A 100-member group and 1,000 queued messages, caught up while the page watches its long tasks.
  await bob.goto('about:blank');
  for (let i = 0; i < GROUP_SIZE - 2; i++) {
    const c = await openNodeClient({ dir: join(sdkRoot, `m${i}`) });
    await c.register({ serverUrl: stack.url, account: `m${i}@localhost` });
    sdk.push(c);
  }
  const owner = sdk[0]!;
  await owner.start();
  const group = await owner.createGroup({ name: 'Big', members: [...sdk.slice(1).map((c) => c.me.account), 'bob@localhost'] });
  for (let i = 0; i < QUEUED; i++) await owner.sendText(group.id, `queued-${i}`);
  await owner.flush(300_000);
  await bob.addInitScript(() => {
    const longest = { max: 0, count: 0 };
    (window as unknown as { longest: typeof longest }).longest = longest;
    // Tasks before the list is on screen (loading and starting the app) are counted apart from the catch-up's.
    const boot = { max: 0 };
    (window as unknown as { boot: typeof boot }).boot = boot;
    new PerformanceObserver((list) => {
      const shown = performance.getEntriesByName('sotto:list-shown')[0]?.startTime;
      for (const e of list.getEntries()) {
        if (shown === undefined || e.startTime < shown) boot.max = Math.max(boot.max, e.duration);
        else {
          longest.max = Math.max(longest.max, e.duration);
          if (e.duration > 50) longest.count++;
        }
      }
    }).observe({ type: 'longtask', buffered: true });
  });
  const t0 = Date.now();
  await bob.goto(stack.url);
  await bob.locator('[data-testid="conversation"][data-name="Big"]').waitFor({ timeout: 300_000 });
  await bob.waitForFunction(
    () => document.querySelector('[data-testid="conversation"][data-name="Big"] .conv-last')?.textContent === 'queued-999',
    undefined,
    { timeout: 600_000, polling: 100 },
  );
  const caughtUp = Date.now() - t0;
  const longest = await bob.evaluate(() => (window as unknown as { longest: { max: number; count: number } }).longest);
  const boot = await bob.evaluate(() => (window as unknown as { boot: { max: number } }).boot);
  const listAt = await bob.evaluate(() => performance.getEntriesByName('sotto:list-shown')[0]?.startTime ?? NaN);
  row('catch-up in the browser: the conversation list shown after', listAt, 'ms');
  row('main thread while loading the page (before the list shows): longest task', boot.max, 'ms');
  row(`catch-up in the browser: ${GROUP_SIZE}-member group Welcome + ${QUEUED} messages`, caughtUp, 'ms');
  // A long task is one over 50 ms: the browser reports nothing shorter.
  row('main thread during the catch-up (after the list shows): longest task', longest.count === 0 ? 'none over 50' : longest.max, 'ms');
  row('main thread during the catch-up: tasks over 50 ms', longest.count, 'tasks');
} finally {
  for (const c of sdk) await c.close().catch(() => undefined);
  await a.close();
  await b.close();
  await stack.stop();
}

console.log(`\n| benchmark | value | unit |\n| --- | ---: | --- |`);
for (const [w, v, u] of rows) console.log(`| ${w} | ${v} | ${u} |`);
