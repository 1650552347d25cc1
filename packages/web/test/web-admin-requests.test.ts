// The lawful-request register at /admin end to end (docs/for-law-enforcement.md): the real server serving the real
// build, one CLI user (carol) and the operator in Chromium. A domestic order naming carol is logged, decided (disclose)
// and answered: the saved package is the signed sotto-disclosure/v1 JSON about carol. A preservation request gets a hold
// with 3 custodians, threshold 2: the shares are shown once and a reload does not show them again. The transparency
// page then counts exactly that. axe-core finds nothing serious on each new screen, in light and in dark.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { assertAxeClean } from './helpers/axe.js';
import { type CheckedPage, type ChromiumSession, launchChromium } from './helpers/chromium.js';
import { buildWebApp, CliUser, Stack, tempDir } from './helpers/stack.js';

let stack: Stack;
let browser: ChromiumSession;
let checked: CheckedPage;
let op: Page;

const SHOTS = process.env.SOTTO_SCREENSHOTS ?? resolve(import.meta.dirname, '../test-results/screens');
const CAROL = 'carol@localhost';

/** Screenshots in light and dark, axe-core clean in both, then back to the page's theme. */
async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const was = await page.evaluate(() => document.documentElement.dataset.theme);
  for (const theme of ['light', 'dark']) {
    await page.evaluate((x) => (document.documentElement.dataset.theme = x), theme);
    await page.screenshot({ path: join(SHOTS, `${name}-${theme}.png`), fullPage: true });
    await assertAxeClean(page, `${name} (${theme})`);
  }
  await page.evaluate((x) => (document.documentElement.dataset.theme = x ?? 'light'), was);
}

/** The file a click saves, read as text, with the name the page gave it. */
async function download(page: Page, button: Locator): Promise<{ name: string; text: string }> {
  const [d] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return { name: d.suggestedFilename(), text: readFileSync(await d.path(), 'utf8') };
}

/** Fills the intake form and logs the request; resolves with the id of the request page that opens. */
async function intake(f: {
  instrument: string;
  authority: string;
  country: string;
  reference: string;
  categories: string[];
  /** Received on and due by (UTC days); by default received today, no due date. */
  days?: { received: string; due: string };
}) {
  await op.getByTestId('lawful-new').click();
  const form = op.getByTestId('lawful-intake');
  await form.getByLabel('Instrument').selectOption(f.instrument);
  await form.getByLabel('Requesting authority').fill(f.authority);
  await form.getByLabel('Country').fill(f.country);
  await form.getByLabel('Authority’s reference').fill(f.reference);
  await form.getByLabel('Accounts named').fill(`${CAROL},\n`);
  for (const c of f.categories) await form.locator(`input[type="checkbox"][value="${c}"]`).check();
  if (f.days) {
    await form.getByLabel('Received on').fill(f.days.received);
    await form.getByLabel('Answer due by').fill(f.days.due);
  }
  return form;
}

async function submitIntake(form: Locator): Promise<string> {
  await form.getByRole('button', { name: 'Log the request' }).click();
  await op.getByTestId('lawful-status').waitFor();
  const id = /\/admin\/requests\/([^/]+)$/.exec(new URL(op.url()).pathname)?.[1];
  assert.ok(id && id !== 'new', op.url());
  return decodeURIComponent(id);
}

before(async () => {
  const webDir = tempDir('sotto-web-admin-requests-build-');
  await buildWebApp(webDir);
  stack = await Stack.start(webDir);
  const carol = new CliUser(stack, tempDir('sotto-web-admin-requests-cli-'), CAROL);
  await carol.ok(['register', CAROL, '--invite', stack.invite().token]);
  browser = await launchChromium({ timeoutMs: 30_000 });
  checked = await browser.newPage();
  op = checked.page;
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the lawful-request register at /admin', { concurrency: false }, () => {
  let orderId = '';
  let preservationId = '';

  it('a domestic order naming carol: logged, decided (disclose), answered with a signed package about carol', async () => {
    const token = stack.adminToken('lawful-web-test', 'reports:read,requests:read,requests:act');
    await op.goto(`${stack.url}/admin`);
    await op.getByLabel('Admin token').fill(token);
    await op.getByRole('button', { name: 'Open the queue' }).click();
    await op.getByRole('heading', { name: 'Reports' }).waitFor();
    const nav = op.getByRole('navigation', { name: 'Operator sections' });
    await nav.getByRole('link', { name: 'Lawful requests' }).click();
    await op.getByRole('heading', { name: 'Lawful requests' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Lawful requests' }).getAttribute('aria-current'), 'page');
    await op.getByTestId('lawful-empty').waitFor();

    const form = await intake({
      instrument: 'domestic-order',
      authority: 'Amtsgericht Berlin',
      country: 'de',
      reference: 'AZ 123/26',
      categories: ['account', 'device', 'message-content'],
    });
    const notHeld = form.locator('label', { has: op.locator('input[value="message-content"]') });
    await notHeld.getByText('not held by this server').waitFor();
    await shoot(op, 'admin-lawful-intake');
    orderId = await submitIntake(form);

    const detail = op.getByTestId('lawful-detail');
    assert.equal(await detail.getByTestId('lawful-status').getAttribute('data-status'), 'received');
    assert.equal(await detail.getByTestId('lawful-accounts-named').textContent(), CAROL);
    const decide = detail.getByTestId('lawful-decide');
    assert.equal(await detail.getByTestId('lawful-answer').count(), 0, 'no answer before a decision');
    await decide.getByLabel('disclose', { exact: true }).check();
    await decide.getByLabel(/^Reason/).fill('valid order of a competent court');
    await shoot(op, 'admin-lawful-decide');
    await decide.getByRole('button', { name: 'Record the decision' }).click();
    await detail.locator('[data-testid="lawful-status"][data-status="decided"]').waitFor();
    assert.equal(await detail.getByTestId('lawful-decide').count(), 0, 'decided: the decision form is gone');

    await detail.getByTestId('lawful-answer').getByRole('button', { name: 'Produce the signed answer' }).click();
    const pkg = detail.getByTestId('lawful-package');
    await pkg.getByTestId('lawful-package-summary').getByText(`${CAROL}:`).waitFor();
    await pkg.getByText('Stated as not held by this server: message-content.').waitFor();
    await detail.locator('[data-testid="lawful-status"][data-status="answered"]').waitFor();
    assert.equal(await detail.locator('[data-testid="lawful-step"][data-step="answered"]').getAttribute('data-done'), 'true');
    await shoot(op, 'admin-lawful-answered');
    const saved = await download(op, pkg.getByTestId('lawful-package-save'));
    assert.equal(saved.name, `disclosure-${orderId}.json`);
    const p = JSON.parse(saved.text) as {
      format: string;
      signature: string;
      request: { id: string; accounts: string[] };
      answer: { decision: string; accounts: Array<{ account: string; found: boolean }>; notHeld: Array<{ category: string }> };
    };
    assert.equal(p.format, 'sotto-disclosure/v1');
    assert.ok(p.signature);
    assert.equal(p.request.id, orderId);
    assert.deepEqual(p.request.accounts, [CAROL]);
    assert.equal(p.answer.decision, 'disclose');
    assert.deepEqual(
      p.answer.accounts.map((a) => [a.account, a.found]),
      [[CAROL, true]],
    );
    assert.deepEqual(
      p.answer.notHeld.map((x) => x.category),
      ['message-content'],
    );
  });

  it('a preservation request, 3 custodians, threshold 2: the shares are shown once, a reload does not show them', async () => {
    await op.getByTestId('lawful-back').click();
    await op.getByTestId('lawful-list').waitFor();
    // Received yesterday and due yesterday: past its due date from the start, so flagged "overdue" until answered.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const form = await intake({
      instrument: 'preservation',
      authority: 'Parquet de Paris',
      country: 'FR',
      reference: 'PP-2026-77',
      categories: ['account'],
      days: { received: yesterday, due: yesterday },
    });
    preservationId = await submitIntake(form);
    const detail = op.getByTestId('lawful-detail');
    assert.equal(await detail.getByTestId('lawful-decide').count(), 0, 'a preservation request is not decided but preserved');
    const preserve = detail.getByTestId('lawful-preserve');
    await preserve.getByLabel('Custodians').fill('ana\nben\ncy');
    await preserve.getByLabel('Shares needed to open the hold').fill('2');
    await preserve.getByRole('button', { name: 'Place the hold' }).click();

    const shares = detail.getByTestId('lawful-shares');
    await shares.waitFor();
    await shares.getByText('The server keeps none of them').waitFor();
    const items = shares.getByTestId('lawful-share');
    assert.deepEqual(await items.evaluateAll((xs) => xs.map((x) => x.getAttribute('data-custodian'))), ['ana', 'ben', 'cy']);
    const texts = await shares.getByTestId('lawful-share-text').evaluateAll((xs) => xs.map((x) => (x as HTMLTextAreaElement).value));
    assert.equal(new Set(texts).size, 3);
    for (const s of texts) assert.match(s, /^sotto-share\/v1:/);
    const one = await download(op, items.filter({ hasText: 'ben' }).getByTestId('lawful-share-save'));
    assert.match(one.name, /^share-.+-ben\.txt$/);
    assert.equal(one.text.trim(), texts[1]);
    await detail.locator('[data-testid="lawful-hold"][data-held="true"]').waitFor();
    await detail.locator('[data-testid="lawful-status"][data-status="decided"]').waitFor();
    await shoot(op, 'admin-lawful-shares');

    await op.reload();
    await op.locator('[data-testid="lawful-hold"][data-held="true"]').waitFor();
    assert.equal(await op.getByTestId('lawful-shares').count(), 0, 'the shares are not shown again');
    const page = await op.content();
    for (const s of texts) assert.equal(page.includes(s.split(':').pop() ?? s), false, 'no share in the reloaded page');

    await op.getByTestId('lawful-attention').getByText('Past its due date').waitFor();

    await op.getByTestId('lawful-back').click();
    const rows = op.getByTestId('lawful-row');
    await rows.nth(1).waitFor();
    const listed = async () => rows.evaluateAll((xs) => xs.map((x) => [x.getAttribute('data-id'), x.getAttribute('data-flags')]));
    assert.deepEqual(
      (await listed()).sort(),
      [
        [orderId, ''],
        [preservationId, 'overdue'],
      ].sort(),
    );
    await shoot(op, 'admin-lawful-list');
    await op.getByLabel('Flagged only').check();
    await rows.nth(1).waitFor({ state: 'detached' });
    assert.deepEqual(await listed(), [[preservationId, 'overdue']]);
  });

  it('the transparency page counts what was done, offers the JSON and Markdown, and shows the published heads', async () => {
    await op.getByRole('navigation', { name: 'Operator sections' }).getByRole('link', { name: 'Transparency' }).click();
    const totals = op.getByTestId('transp-totals');
    await totals.waitFor();
    const count = async (table: Locator, key: string) => Number(await table.locator(`[data-count="${key}"]`).textContent());
    assert.equal(await count(totals, 'received'), 2);
    assert.equal(await count(totals, 'accountsNamed'), 2);
    assert.equal(await count(totals, 'accountsDisclosed'), 1);
    assert.equal(await count(op.getByTestId('transp-holds'), 'placed'), 1);
    assert.equal(await count(op.getByTestId('transp-emergency'), 'disclosures'), 0);
    const rows = await op
      .getByTestId('transp-row')
      .evaluateAll((xs) =>
        xs.map((x) => [
          x.getAttribute('data-country'),
          x.getAttribute('data-instrument'),
          x.getAttribute('data-outcome'),
          x.lastElementChild?.textContent,
        ]),
      );
    assert.deepEqual(rows, [
      ['DE', 'domestic-order', 'disclose', '1'],
      ['FR', 'preservation', 'preserved', '1'],
    ]);

    const inReport = await op.getByTestId('transp-head-report-requests').locator('[data-seq]').getAttribute('data-seq');
    const published = op.getByTestId('transp-head-published-requests').locator('[data-seq]');
    await op.getByText('The published head (/.well-known/sotto/transparency) was signed on').waitFor();
    assert.equal(await published.getAttribute('data-seq'), inReport, 'the published head is the report’s head');
    assert.ok(Number(inReport) >= 5, `received, decided, answered, received, preserved: ${inReport}`);
    await shoot(op, 'admin-transparency');

    const json = await download(op, op.getByTestId('transp-json'));
    const period = (await op.getByTestId('transp-period').inputValue()).trim();
    assert.match(period, /^\d{4}H[12]$/);
    assert.equal(json.name, `transparency-${period}.json`);
    const report = JSON.parse(json.text) as { format: string; requests: { received: number }; signature: string };
    assert.equal(report.format, 'sotto-transparency-report/v1');
    assert.equal(report.requests.received, 2);
    assert.ok(report.signature);
    const md = await download(op, op.getByTestId('transp-md'));
    assert.equal(md.name, `transparency-${period}.md`);
    assert.ok(md.text.length > 0);
    // The build has no favicon.ico (the browser asks for it on each page load): any other console error fails.
    assert.deepEqual(
      checked.errors().filter((e) => !e.includes('/favicon.ico')),
      [],
    );
  });
});
