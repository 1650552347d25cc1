// Reporting from the web app end to end (docs/moderation.md): the real server serving the real build, one Chromium
// profile (alice) and CLI users who write to her. Alice reports a received message with one earlier message, reviews
// exactly the texts that go, sends, and the server says it verified; a stranger's message request is reported and
// blocked; the operator opens /admin with an admin token, reads the report, downloads its evidence and dismisses it;
// carol reports alice, the operator warns her, and alice's page shows the warning (banner, then the list).
// Kept apart from web-app.test.ts, whose last step proves that no plaintext reaches the server's disk: a
// report sends the reported plaintext to the operator on purpose.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { assertAxeClean } from './helpers/axe.js';
import { type ChromiumSession, launchChromium } from './helpers/chromium.js';
import { buildWebApp, CliUser, Stack, tempDir } from './helpers/stack.js';

let stack: Stack;
let browser: ChromiumSession;
let alice: Page;
let carol: CliUser;
let dave: CliUser;

const SHOTS = process.env.SOTTO_SCREENSHOTS ?? resolve(import.meta.dirname, '../test-results/screens');

/** Screenshots in light and dark, axe-core clean in both, then back to the page's theme. */
async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const was = await page.evaluate(() => document.documentElement.dataset.theme);
  for (const theme of ['light', 'dark']) {
    await page.evaluate((x) => (document.documentElement.dataset.theme = x), theme);
    await page.screenshot({ path: join(SHOTS, `${name}-${theme}.png`) });
    await assertAxeClean(page, `${name} (${theme})`);
  }
  await page.evaluate((x) => (document.documentElement.dataset.theme = x ?? 'light'), was);
}

const conversation = (page: Page, name: string) => page.locator(`[data-testid="conversation"][data-name="${name}"]`);
const message = (page: Page, text: string) => page.getByTestId('message').filter({ hasText: text });

before(async () => {
  const webDir = tempDir('sotto-web-report-build-');
  await buildWebApp(webDir);
  stack = await Stack.start(webDir);
  const cliRoot = tempDir('sotto-web-report-cli-');
  carol = new CliUser(stack, cliRoot, 'carol@localhost');
  dave = new CliUser(stack, cliRoot, 'dave@localhost');
  browser = await launchChromium({ timeoutMs: 30_000 });
  alice = (await browser.newPage()).page;
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('reporting from the web app', { concurrency: false }, () => {
  it('alice registers in the browser; carol writes to her from the CLI and alice accepts', async () => {
    await alice.goto(stack.invite().link);
    await alice.getByLabel('Account name').fill('alice');
    await alice.getByRole('button', { name: 'Create account' }).click();
    await alice.getByRole('heading', { name: 'Signed in as alice@localhost' }).waitFor();
    await carol.ok(['register', 'carol@localhost', '--invite', stack.invite().token]);
    await carol.ok(['send', 'alice@localhost', 'first context line']);
    await carol.ok(['send', 'alice@localhost', 'second context line']);
    await carol.ok(['send', 'alice@localhost', 'the abusive line']);
    await conversation(alice, 'carol@localhost').click();
    await message(alice, 'the abusive line').waitFor();
    await alice.getByRole('button', { name: 'Accept' }).click();
    await alice.getByTestId('composer').waitFor();
    await alice.getByTestId('message-input').fill('my own reply');
    await alice.getByTestId('message-input').press('Enter');
    await message(alice, 'my own reply').waitFor();
    assert.equal(await message(alice, 'my own reply').getByTestId('report').count(), 0, 'own messages have no Report action');
  });

  it('report a received message with one earlier message: the review shows exactly those texts; sent and verified', async () => {
    const opener = message(alice, 'the abusive line').getByRole('button', { name: 'Report…' });
    await opener.focus();
    await alice.keyboard.press('Enter');
    await alice.getByRole('dialog', { name: 'Report a message from carol@localhost' }).waitFor();
    const dialog = alice.getByTestId('report-dialog');
    assert.equal(await dialog.evaluate((d) => d.contains(document.activeElement)), true, 'focus moves into the dialog');
    const candidates = dialog.getByTestId('report-candidate');
    await candidates.first().waitFor();
    assert.deepEqual(
      (await candidates.allTextContents()).map((s) => s.replace(/^.*:\s*/, '')),
      ['first context line', 'second context line'],
      'the earlier received messages, none of mine',
    );
    assert.equal(await dialog.getByRole('checkbox', { checked: true }).count(), 0, 'none included by default');
    await shoot(alice, 'report-dialog');
    await candidates.filter({ hasText: 'first context line' }).getByRole('checkbox').check();
    await dialog.getByLabel('What is wrong').selectOption('harassment');
    await dialog.getByLabel('In your own words (optional)').fill('keeps writing after I said stop');
    await dialog.getByRole('button', { name: 'Review' }).click();

    await alice.getByRole('dialog', { name: 'What the operator will receive' }).waitFor();
    assert.deepEqual(await dialog.getByTestId('report-shown').allTextContents(), ['first context line', 'the abusive line']);
    await dialog
      .getByText('The operator will also receive the keys and server stamps that prove these messages were sent by carol@localhost')
      .waitFor();
    await dialog.getByText('Show the exact data that will be sent').click();
    const sent = JSON.parse((await dialog.getByTestId('report-json').textContent()) ?? '') as {
      category: string;
      reason: string;
      messages: Array<{ senderAccount: string }>;
    };
    assert.equal(sent.category, 'harassment');
    assert.equal(sent.reason, 'keeps writing after I said stop');
    assert.deepEqual(
      sent.messages.map((x) => x.senderAccount),
      ['carol@localhost', 'carol@localhost'],
    );
    await shoot(alice, 'report-review');

    await dialog.getByRole('button', { name: 'Send report' }).click();
    const done = dialog.getByTestId('report-sent');
    await done.or(dialog.getByTestId('report-error')).waitFor();
    assert.equal(await dialog.getByTestId('report-error').count(), 0, (await dialog.getByTestId('report-error').allTextContents()).join());
    assert.equal(await done.getAttribute('data-verified'), 'true', (await done.textContent()) ?? '');
    assert.match((await done.textContent()) ?? '', /checked that every message/);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await opener.evaluate((b) => b === document.activeElement), true, 'focus goes back to the Report button');
  });

  it('a stranger’s message request: report and block from the request bar', async () => {
    await dave.ok(['register', 'dave@localhost', '--invite', stack.invite().token]);
    await dave.ok(['send', 'alice@localhost', 'buy cheap things']);
    await conversation(alice, 'dave@localhost').click();
    await message(alice, 'buy cheap things').waitFor();
    await alice.getByRole('region', { name: 'Message request' }).getByRole('button', { name: 'Report and block' }).click();
    await alice.getByRole('dialog', { name: 'Report a message from dave@localhost' }).waitFor();
    const dialog = alice.getByTestId('report-dialog');
    await dialog.getByText('No earlier message of this conversation can be included.').waitFor();
    await dialog.getByLabel('What is wrong').selectOption('spam');
    await dialog.getByRole('button', { name: 'Review' }).click();
    assert.deepEqual(await dialog.getByTestId('report-shown').allTextContents(), ['buy cheap things']);
    await dialog.getByRole('button', { name: 'Report and block' }).click();
    await dialog.getByTestId('report-sent').waitFor();
    await dialog.getByText('dave@localhost is blocked').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await alice.getByRole('region', { name: 'Message request' }).waitFor({ state: 'detached' });
  });

  it('the operator at /admin: token kept for the tab only, the queue, the report and its evidence, dismissed', async () => {
    const token = stack.adminToken('web-test');
    const op = (await browser.newPage()).page;
    await op.goto(`${stack.url}/admin`);
    await op.getByRole('heading', { name: 'Operator sign-in' }).waitFor();
    await shoot(op, 'admin-sign-in');
    await op.getByLabel('Admin token').fill(token);
    await op.getByRole('button', { name: 'Open the queue' }).click();
    const rows = op.getByTestId('admin-row');
    await rows.first().waitFor();
    assert.equal(await op.evaluate(() => sessionStorage.getItem('sotto.adminToken')), token, 'the token is kept in this tab');
    assert.equal((await op.evaluate(() => JSON.stringify(localStorage))).includes(token), false, 'never in localStorage');
    const loaded = await op.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
    assert.ok(!loaded.some((n) => n.includes('sotto-worker')), 'the messaging worker does not start under /admin');
    const carolRow = rows.filter({ hasText: 'carol@localhost' });
    await carolRow.waitFor();
    assert.equal(await rows.filter({ hasText: 'dave@localhost' }).count(), 1);
    await shoot(op, 'admin-queue');

    await carolRow.getByTestId('admin-report').click();
    const detail = op.getByTestId('admin-detail');
    await detail.getByTestId('admin-message').first().waitFor();
    assert.deepEqual(await detail.getByTestId('admin-message-text').allTextContents(), ['the abusive line', 'first context line']);
    assert.equal(await detail.getByTestId('admin-verified').getAttribute('data-verified'), 'true');
    assert.equal(await detail.locator('[data-testid="admin-message"][data-verified="false"]').count(), 0);
    await detail.getByText('keeps writing after I said stop').waitFor();
    await shoot(op, 'admin-report');

    const [download] = await Promise.all([op.waitForEvent('download'), detail.getByTestId('admin-evidence').click()]);
    const saved = await download.path();
    assert.match(download.suggestedFilename(), /^sotto-evidence-.+\.json$/);
    const evidence = JSON.parse(readFileSync(saved, 'utf8')) as { format: string; signature: string };
    assert.equal(evidence.format, 'sotto-evidence/v1');
    assert.ok(evidence.signature);

    await detail.getByTestId('admin-note').fill('context does not show abuse');
    await detail.getByRole('button', { name: 'Dismiss' }).click();
    await detail.getByTestId('admin-done').filter({ hasText: 'dismissed' }).waitFor();
    await detail.getByTestId('admin-resolution').filter({ hasText: 'context does not show abuse' }).waitFor();
    await detail.getByTestId('admin-back').click();
    await rows.first().waitFor();
    assert.equal(await rows.filter({ hasText: 'carol@localhost' }).count(), 0, 'the dismissed report left the open queue');
    await op.getByTestId('admin-filter').selectOption('resolved');
    await op.locator('[data-testid="admin-row"][data-status="resolved"]').filter({ hasText: 'carol@localhost' }).waitFor();
    await op.close();
  });

  it('carol reports alice and the operator warns her: on open a banner, then the notice in the list, read once', async () => {
    const history = await carol.ok<Array<{ id: string; text?: string }>>(['--json', 'read', 'alice@localhost']);
    const reply = history.find((m) => m.text === 'my own reply');
    assert.ok(reply, 'carol has alice’s reply');
    const sent = await carol.ok<{ id: string }>([
      '--json',
      'report',
      'alice@localhost',
      reply.id.slice(0, 8),
      '--category',
      'spam',
      '--yes',
    ]);
    const resolved = await fetch(`${stack.url}/v1/admin/reports/${encodeURIComponent(sent.id)}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.adminToken('web-test-warn')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'warn', note: 'first warning' }),
    });
    assert.equal(resolved.status, 200, await resolved.text());

    // The client fetches the operator's notices when it connects: a reload is a new connection.
    await alice.reload();
    const banner = alice.getByRole('region', { name: "A warning from your server's operator" });
    await banner.waitFor();
    assert.match((await banner.getByTestId('operator-notice-text').textContent()) ?? '', /warns you/);
    assert.equal(await banner.getByTestId('operator-notice-explain').count(), 0, 'the lawful-request sentence is not on a warning');
    await banner.locator('time').waitFor();
    await shoot(alice, 'operator-warning');

    await banner.getByRole('button', { name: 'See all notices' }).click();
    await banner.waitFor({ state: 'detached' });
    const list = alice.getByTestId('operator-notices');
    assert.equal(
      await alice.getByRole('heading', { name: "Notices from your server's operator" }).evaluate((h) => h === document.activeElement),
      true,
      'focus moves to the list',
    );
    const entries = list.getByTestId('operator-notice');
    assert.equal(await entries.count(), 1);
    assert.equal(await entries.first().getAttribute('data-kind'), 'warning');
    await entries.first().getByRole('heading', { name: "A warning from your server's operator" }).waitFor();
    await shoot(alice, 'operator-notices');

    await alice.reload();
    await alice.getByRole('heading', { name: 'Signed in as alice@localhost' }).waitFor();
    await alice.getByRole('button', { name: 'What is protected' }).click();
    await list.getByTestId('operator-notice').waitFor();
    assert.equal(await alice.getByTestId('operator-banner').count(), 0, 'a read notice does not come back as a banner');
  });
});
