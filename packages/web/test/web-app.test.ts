// The web app end to end: the real server serving the real build, two Chromium profiles (alice, bob) and one CLI user
// (carol) in the same group. Each action on one side is checked on the others. Screenshots of the main screens, light
// and dark, go to the folder printed at the start; axe-core runs on every screen. At the end no plaintext marker is in
// the server's data directory.

import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type ChromiumSession, launchChromium } from './helpers/chromium.js';
import { buildWebApp, CliUser, Stack, tempDir } from './helpers/stack.js';

const SHOTS = process.env.SOTTO_SCREENSHOTS ?? resolve(import.meta.dirname, '../test-results/screens');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const MARK = `mk${Date.now().toString(36)}`;
/** Every plaintext the test sends carries a marker; none may reach the server's disk. */
const markers: string[] = [];
const m = (label: string): string => {
  const s = `${label}-${MARK}-${markers.length}`;
  markers.push(s);
  return s;
};

let stack: Stack;
let webDir: string;
let cliRoot: string;
const browsers: ChromiumSession[] = [];
let alice: Page;
let bob: Page;
let carol: CliUser;

async function openBrowser(): Promise<Page> {
  const b = await launchChromium({ timeoutMs: 30_000 });
  browsers.push(b);
  const p = await b.newPage();
  p.page.on('dialog', (d) => void d.accept());
  return p.page;
}

/** axe-core on the page as it is: no serious or critical violation. */
async function axe(page: Page, screen: string): Promise<void> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const r = await (
      window as unknown as {
        axe: { run(o: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> };
      }
    ).axe.run({
      resultTypes: ['violations'],
    });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `axe on ${screen}`);
}

/** Screenshot in light and dark, then back to the theme the page had; axe in both themes. */
async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const before = await page.evaluate(() => document.documentElement.dataset.theme);
  for (const theme of ['light', 'dark']) {
    await page.evaluate((t) => (document.documentElement.dataset.theme = t), theme);
    await page.screenshot({ path: join(SHOTS, `${name}-${theme}.png`) });
    await axe(page, `${name} (${theme})`);
  }
  await page.evaluate((t) => (document.documentElement.dataset.theme = t ?? 'light'), before);
}

const conversation = (page: Page, name: string) => page.locator(`[data-testid="conversation"][data-name="${name}"]`);
const message = (page: Page, text: string) => page.getByTestId('message').filter({ hasText: text });

async function openChat(page: Page, name: string): Promise<void> {
  await conversation(page, name).click();
  await page.getByTestId('chat-title').filter({ hasText: name }).waitFor();
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('message-input').fill(text);
  await page.getByTestId('message-input').press('Enter');
  await message(page, text).waitFor();
}

/** Waits until `check` passes (CLI state comes from another process: poll it). */
async function eventually<T>(check: () => Promise<T>, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`${what}: ${(last as Error)?.message}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface CliMessage {
  id: string;
  text?: string;
  sender: string;
  deleted?: boolean;
  editedAt?: number;
  reactions: Record<string, string[]>;
  kind: string;
}
const carolRead = (chat: string) => carol.ok<CliMessage[]>(['--json', 'read', chat]);

before(async () => {
  webDir = tempDir('sotto-web-build-');
  await buildWebApp(webDir);
  stack = await Stack.start(webDir);
  cliRoot = tempDir('sotto-web-cli-');
  carol = new CliUser(stack, cliRoot, 'carol@localhost');
  [alice, bob] = await Promise.all([openBrowser(), openBrowser()]);
});

after(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await stack?.stop();
});

describe('web app, two browsers and a CLI user', { concurrency: false }, () => {
  it('first run: alice registers from an invite link, bob with a pasted token, carol with the CLI', async (t) => {
    t.diagnostic(`screenshots: ${SHOTS}`);
    const link = stack.invite().link;
    assert.match(link, /#invite=/);
    await alice.goto(link);
    await alice.getByRole('heading', { name: 'Welcome to Sotto' }).waitFor();
    assert.notEqual(await alice.getByLabel(/Invite code/).inputValue(), '', 'the invite comes from the link');
    await shoot(alice, 'first-run');
    await alice.getByRole('tab', { name: 'What is protected' }).click();
    await alice
      .getByRole('tabpanel')
      .getByText(/not|does not|never/i)
      .first()
      .waitFor();
    await shoot(alice, 'what-is-protected');
    await alice.getByRole('tab', { name: 'Create an account' }).click();
    await alice.getByLabel('Account name').fill('alice');
    await alice.getByRole('button', { name: 'Create account' }).click();
    await alice.getByRole('heading', { name: 'Signed in as alice@localhost' }).waitFor();
    await shoot(alice, 'empty-list');

    await bob.goto(stack.url);
    await bob.getByLabel(/Invite code/).fill(stack.invite().token);
    await bob.getByLabel('Account name').fill('bob');
    await bob.getByRole('button', { name: 'Create account' }).click();
    await bob.getByRole('heading', { name: 'Signed in as bob@localhost' }).waitFor();

    await carol.ok(['register', 'carol@localhost', '--invite', stack.invite().token]);
  });

  it('a refused registration says why: a used invite', async () => {
    const p = await openBrowser();
    await p.goto(stack.url);
    await p.getByLabel('Account name').fill('mallory');
    await p.getByLabel(/Invite code/).fill('not-a-real-invite');
    await p.getByRole('button', { name: 'Create account' }).click();
    await p
      .getByRole('alert')
      .filter({ hasText: /invite/i })
      .waitFor();
  });

  it('groups: alice creates one with bob and carol; bob accepts the request in the browser, carol in the CLI', async () => {
    await alice.getByRole('button', { name: 'New group' }).click();
    await alice.getByLabel('Group name').fill('Project');
    await alice.getByLabel('Members').fill('bob, carol');
    await alice.getByRole('button', { name: 'Create group' }).click();
    await alice.getByTestId('chat-title').filter({ hasText: 'Project' }).waitFor();

    await bob.getByRole('region', { name: 'Message requests' }).or(bob.getByLabel('Message requests')).first().waitFor();
    await openChat(bob, 'Project');
    await shoot(bob, 'message-request');
    await bob.getByRole('button', { name: 'Accept' }).click();
    await bob.getByTestId('composer').waitFor();

    await eventually(async () => carol.ok(['requests', 'accept', 'alice@localhost']), 'carol accepts');
    const hello = m('carol says hello');
    await carol.ok(['send', 'Project', hello]);
    await message(alice, hello).waitFor();
    await message(bob, hello).waitFor();
  });

  it('text with links, replies, reactions, edit and delete for everyone reach the other browser and the CLI', async () => {
    await openChat(alice, 'Project');
    const first = m('see https://example.org/page');
    await send(alice, first);
    const link = message(bob, first).getByRole('link', { name: 'https://example.org/page' });
    await link.waitFor();
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');

    await message(bob, first).getByRole('button', { name: 'Reply' }).click();
    const reply = m('bob replies');
    await send(bob, reply);
    await message(alice, reply).getByTestId('quote').filter({ hasText: 'see https://example.org/page' }).waitFor();

    await message(alice, reply).getByRole('button', { name: 'React', exact: true }).click();
    await message(alice, reply).getByRole('button', { name: 'React with 👍' }).click();
    await message(bob, reply).getByTestId('reactions').filter({ hasText: '👍 1' }).waitFor();

    await message(alice, first).getByRole('button', { name: 'Edit' }).click();
    const edited = `${first} (fixed)`;
    await alice.getByTestId('message-input').fill(edited);
    await alice.getByTestId('message-input').press('Enter');
    await message(bob, edited).getByText('edited').waitFor();

    const gone = m('to be deleted');
    await send(alice, gone);
    await message(bob, gone).waitFor();
    await message(alice, gone).getByRole('button', { name: 'Delete for everyone' }).click();
    await message(alice, 'This message was deleted.').waitFor();
    await bob.getByTestId('message').filter({ hasText: 'This message was deleted.' }).waitFor();
    await eventually(async () => {
      const h = await carolRead('Project');
      assert.ok(
        h.some((x) => x.text === edited && x.editedAt),
        'carol sees the edit',
      );
      assert.ok(
        h.some((x) => x.text === reply && x.reactions['👍']?.includes('alice@localhost')),
        'carol sees the reaction',
      );
      assert.ok(!h.some((x) => x.text === gone), 'carol no longer has the deleted text');
    }, 'carol sees edits, reactions and the delete');
    await shoot(alice, 'conversation');
  });

  it('delivery and read marks on own messages; typing shows while the other types', async () => {
    await openChat(bob, 'Project');
    const mine = m('read me');
    await send(alice, mine);
    await message(alice, mine).locator('[data-testid="status"][data-status="read"]').waitFor();
    await bob.getByTestId('message-input').pressSequentially('typing', { delay: 20 });
    await alice.getByTestId('typing').filter({ hasText: 'bob is typing' }).waitFor();
    await bob.getByTestId('message-input').fill('');
  });
});
