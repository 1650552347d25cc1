// The web app end to end: the real server serving the real build, two Chromium profiles (alice, bob) and one CLI user
// (carol) in the same group. Each action on one side is checked on the others. Screenshots of the main screens, light
// and dark, go to the folder printed at the start; axe-core runs on every screen. At the end no plaintext marker is in
// the server's data directory.

import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type ChromiumSession, launchChromium } from './helpers/chromium.js';
import { fakeCameraArgs, writeQrVideo } from './helpers/fake-camera.js';
import { buildWebApp, CliUser, Stack, tempDir } from './helpers/stack.js';

const SHOTS = process.env.SOTTO_SCREENSHOTS ?? resolve(import.meta.dirname, '../test-results/screens');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const MARK = `mk${Date.now().toString(36)}`;
/** A 1x1 PNG. */
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
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
/** Bob's camera: Chromium's fake capture device plays this file (a QR code the test writes). */
let bobCamera: string;

async function openBrowser(args: string[] = []): Promise<Page> {
  const b = await launchChromium({ timeoutMs: 30_000, args });
  browsers.push(b);
  const p = await b.newPage();
  p.page.on('dialog', (d) => {
    d.accept().catch(() => undefined);
  });
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
  bobCamera = join(cliRoot, 'camera.y4m');
  writeQrVideo(bobCamera, 'nothing yet');
  [alice, bob] = await Promise.all([openBrowser(), openBrowser(fakeCameraArgs(bobCamera))]);
});

after(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  await stack?.stop();
});

describe('web app, two browsers and a CLI user', { concurrency: false }, () => {
  // What each browser showed at the end of each step, for reading a failure.
  afterEach(async (t) => {
    mkdirSync(join(SHOTS, 'steps'), { recursive: true });
    const step = t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
    for (const [who, page] of [
      ['alice', alice],
      ['bob', bob],
    ] as const)
      await page.screenshot({ path: join(SHOTS, 'steps', `${step}-${who}.png`) }).catch(() => undefined);
  });
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

  it('a profile with a passphrase: the store stays locked until it is given; a wrong one is refused', async () => {
    const p = await openBrowser();
    await p.goto(stack.invite().link);
    await p.getByLabel('Account name').fill('erin');
    await p.getByLabel(/Passphrase for this browser/).fill('correct horse battery staple');
    await p.getByRole('button', { name: 'Create account' }).click();
    await p.getByRole('heading', { name: 'Signed in as erin@localhost' }).waitFor();
    await p.reload();
    await p.getByRole('heading', { name: 'Unlock Sotto' }).waitFor();
    await shoot(p, 'unlock');
    await p.getByLabel('Passphrase').fill('wrong horse');
    await p.getByRole('button', { name: 'Unlock' }).click();
    await p.getByRole('alert').filter({ hasText: 'Wrong passphrase' }).waitFor();
    await p.getByLabel('Passphrase').fill('correct horse battery staple');
    await p.getByRole('button', { name: 'Unlock' }).click();
    await p.getByRole('heading', { name: 'Signed in as erin@localhost' }).waitFor();
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

  it('hostile text from another member is shown as text: no markup, no script, no javascript: link', async () => {
    await openChat(alice, 'Project');
    await alice.evaluate(() => {
      (window as unknown as { pwned: boolean }).pwned = false;
    });
    const hostile = `${m('hostile')} <img src=x onerror="window.pwned=true"> <script>window.pwned=true</script> javascript:window.pwned=true [x](javascript:alert(1))`;
    await carol.ok(['send', 'Project', hostile]);
    const shown = message(alice, 'hostile');
    await shown.waitFor();
    assert.equal(await shown.locator('.text').textContent(), hostile, 'shown exactly as sent');
    assert.equal(await shown.locator('img, script').count(), 0, 'no element made from the text');
    assert.equal(await shown.locator('a[href^="javascript:"]').count(), 0, 'no javascript: link');
    assert.equal(await alice.evaluate(() => (window as unknown as { pwned: boolean }).pwned), false);
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

  it('disappearing timer: set in the browser, a system line on every side, messages marked', async () => {
    await openChat(alice, 'Project');
    await alice.getByLabel('Disappearing messages').selectOption('300');
    await bob.getByTestId('system-line').filter({ hasText: 'alice@localhost set disappearing messages to 5 min' }).waitFor();
    await eventually(async () => {
      const h = await carolRead('Project');
      assert.ok(h.some((x) => x.kind === 'system' && /disappearing messages to 5 minutes/.test(x.text ?? '')));
    }, 'carol sees the timer line');
    const eph = m('ephemeral');
    await send(alice, eph);
    await message(bob, eph).getByTitle('Disappears').waitFor();
    await alice.getByLabel('Disappearing messages').selectOption('0');
    await bob.getByTestId('system-line').filter({ hasText: 'turned disappearing messages off' }).waitFor();
  });

  it('attachments by picker, paste and drop, with progress; the other browser downloads the same bytes', async () => {
    await openChat(alice, 'Project');
    await openChat(bob, 'Project');
    // Progress: a bar shows while a larger file is encrypted and uploaded.
    await alice.evaluate(() => {
      const w = window as unknown as { sawProgress: boolean };
      w.sawProgress = false;
      new MutationObserver(() => {
        if (document.querySelector('.upload progress')) w.sawProgress = true;
      }).observe(document.body, { subtree: true, childList: true });
    });
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const bigName = `${m('big')}.bin`;
    await alice.getByTestId('file-input').setInputFiles({ name: bigName, mimeType: 'application/octet-stream', buffer: big });
    await message(bob, bigName).waitFor({ timeout: 60_000 });
    assert.equal(await alice.evaluate(() => (window as unknown as { sawProgress: boolean }).sawProgress), true, 'a progress bar was shown');
    const dl = bob.waitForEvent('download');
    await message(bob, bigName).getByTestId('download').click();
    const file = await (await dl).path();
    assert.ok(readFileSync(file).equals(big), 'the downloaded file is the one sent');

    const pasted = `${m('pasted')}.txt`;
    await alice.getByTestId('message-input').evaluate((el, name) => {
      const dt = new DataTransfer();
      dt.items.add(new File([`pasted content ${name}`], name, { type: 'text/plain' }));
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, pasted);
    await message(bob, pasted).waitFor();

    const dropped = `${m('dropped')}.png`;
    const png = Buffer.from(PNG_1X1, 'base64');
    await alice.getByTestId('composer').evaluate(
      (el, { name, b64 }) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name, { type: 'image/png' }));
        el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      { name: dropped, b64: PNG_1X1 },
    );
    await message(bob, dropped).waitFor();
    // The thumbnail was made on alice's device and came inside the encrypted message: bob sees it before downloading.
    await message(bob, dropped).getByTestId('thumbnail').waitFor();
    assert.match((await message(bob, dropped).getByTestId('thumbnail').getAttribute('src')) ?? '', /^data:image\/jpeg;base64,/);
    await message(bob, dropped).getByRole('button', { name: 'Show' }).click();
    const img = message(bob, dropped).getByRole('img', { name: dropped });
    await img.waitFor();
    assert.ok(png.length > 0);
    await eventually(async () => {
      const h = await carolRead('Project');
      assert.ok(h.some((x) => x.kind === 'attachment'));
    }, 'carol has the attachments');
  });

  it('group administration: rename, promote, demote, remove and add back, seen by bob and carol', async () => {
    await openChat(alice, 'Project');
    await alice.getByRole('button', { name: 'Details' }).click();
    await alice.getByTestId('rename-input').fill('Project X');
    await alice.getByRole('button', { name: 'Rename' }).click();
    await conversation(bob, 'Project X').waitFor();
    await bob.getByTestId('system-line').filter({ hasText: 'renamed the group to “Project X”' }).waitFor();
    await eventually(async () => assert.ok((await carolRead('Project X')).length > 0), 'carol knows the new name');

    const bobRow = alice.locator('[data-testid="member"][data-account="bob@localhost"]');
    await bobRow.getByRole('button', { name: 'Make admin' }).click();
    await bob.getByTestId('system-line').filter({ hasText: 'made you an admin' }).waitFor();
    await alice.locator('[data-testid="member"][data-account="bob@localhost"][data-role="admin"]').waitFor();
    await shoot(alice, 'group-details');
    await bobRow.getByRole('button', { name: 'Remove admin' }).click();
    await bob.getByTestId('system-line').filter({ hasText: 'a member (no longer an admin)' }).waitFor();

    await alice.locator('[data-testid="member"][data-account="carol@localhost"]').getByRole('button', { name: 'Remove' }).click();
    await bob.getByTestId('system-line').filter({ hasText: 'alice@localhost removed carol@localhost' }).waitFor();
    await eventually(async () => {
      const chats = await carol.ok<Array<{ name: string; state: string }>>(['--json', 'chats']);
      assert.ok(
        chats.some((c) => c.state === 'removed'),
        JSON.stringify(chats),
      );
    }, 'carol is removed');
    await alice.getByTestId('add-input').fill('carol');
    await alice.getByRole('button', { name: 'Add', exact: true }).click();
    await bob.getByTestId('system-line').filter({ hasText: 'alice@localhost added carol@localhost' }).waitFor();
    await alice.getByRole('button', { name: 'Details' }).click();
  });

  it('safety numbers: the same on both sides, shown with a QR; marking verified shows in the conversation', async () => {
    await alice.getByRole('button', { name: 'New chat' }).click();
    await alice.getByLabel('Account', { exact: true }).fill('bob');
    await alice.getByRole('button', { name: 'Start chat' }).click();
    await alice.getByTestId('chat-title').filter({ hasText: 'bob@localhost' }).waitFor();
    await send(alice, m('direct hello'));
    await openChat(bob, 'alice@localhost');
    await alice.getByRole('button', { name: 'Details' }).click();
    await bob.getByRole('button', { name: 'Details' }).click();
    const digitsA = await alice.getByTestId('safety-number').getAttribute('data-digits');
    const digitsB = await bob.getByTestId('safety-number').getAttribute('data-digits');
    assert.ok(digitsA && /^\d{60}$/.test(digitsA.replace(/\s/g, '')), `60 digits: ${digitsA}`);
    assert.equal(digitsA, digitsB, 'both sides compute the same safety number');
    await alice.getByTestId('safety-qr').waitFor();
    // Bob points his camera at alice's screen: the camera shows the QR code alice's page displays.
    const qr = (await alice.getByTestId('safety-qr').getAttribute('data-qr')) ?? '';
    assert.ok(qr.startsWith('sotto-safety:'));
    writeQrVideo(bobCamera, qr);
    await bob.getByTestId('scanner-start').click();
    await bob.locator('[data-testid="safety-comparison"][data-result="match"]').waitFor();
    // A code that is not theirs does not match (typed, as when read aloud).
    await bob.getByTestId('safety-typed').fill('1'.repeat(60));
    await bob.getByTestId('safety-compare').click();
    await bob.locator('[data-testid="safety-comparison"]:not([data-result="match"])').waitFor();
    await bob.getByTestId('safety-typed').fill(qr);
    await bob.getByTestId('safety-compare').click();
    await bob.locator('[data-testid="safety-comparison"][data-result="match"]').waitFor();
    await bob
      .getByTestId('verification')
      .filter({ hasText: /^Verified$/ })
      .waitFor();
    await shoot(bob, 'safety-number');
    await alice.getByTestId('mark-verified').click();
    await alice.locator('[data-testid="safety-status"][data-verified="true"]').waitFor();
    await alice
      .getByTestId('verification')
      .filter({ hasText: /^Verified$/ })
      .waitFor();
  });

  // That what comes while blocked is dropped is shown deterministically by the SDK's test (system-items.test.ts).
  it('block and unblock from a message request: the unblocked stranger is a request again and reaches', async () => {
    await carol.ok(['send', 'bob@localhost', m('carol to bob')]);
    await conversation(bob, 'carol@localhost').waitFor();
    await openChat(bob, 'carol@localhost');
    await bob.getByRole('button', { name: 'Block', exact: true }).click();
    await bob.getByRole('button', { name: 'Details' }).click();
    await bob.getByTestId('safety-blocked').waitFor();
    await bob.getByTestId('unblock').click();
    await bob.getByTestId('confirm-unblock').click();
    const after = m('after unblock');
    await carol.ok(['send', 'bob@localhost', after]);
    await message(bob, after).waitFor();
    await bob.getByRole('button', { name: 'Accept' }).waitFor();
  });

  it('devices: a third browser links as a new device of alice; bob gets a notice that stays until dismissed; unlink', async () => {
    const phone = await openBrowser();
    await phone.goto(stack.url);
    await phone.getByRole('tab', { name: 'Link to my account' }).click();
    await phone.getByLabel('Account name').fill('alice');
    await phone.getByRole('button', { name: 'Show a link code' }).click();
    await phone.getByTestId('link-code').waitFor();
    const code = (await phone.getByTestId('link-code').textContent())!.trim();
    await phone.getByText('Link code as text').click();
    const linkText = await phone.getByTestId('link-text').inputValue();
    await shoot(phone, 'link-this-browser');

    await alice.getByRole('button', { name: 'Devices' }).click();
    await alice.getByTestId('link-text').fill(linkText);
    await alice.getByTestId('link-inspect').click();
    assert.equal((await alice.getByTestId('link-code').getAttribute('data-code'))?.replace(/\s/g, ''), code.replace(/\s/g, ''));
    await alice.getByTestId('link-approve').click();
    await alice.getByTestId('link-done').waitFor({ timeout: 60_000 });
    await phone.getByRole('heading', { name: 'Signed in as alice@localhost' }).waitFor({ timeout: 60_000 });
    await alice.getByTestId('device').nth(1).waitFor();
    assert.equal(await alice.getByTestId('device').count(), 2);
    await shoot(alice, 'devices');

    const notice = bob.getByTestId('notice').filter({ hasText: 'alice@localhost added a device' });
    await notice.first().waitFor();
    await bob.reload();
    await notice.first().waitFor();
    await notice.first().getByTestId('dismiss-notice').click();
    await bob.reload();
    await bob.getByRole('heading', { level: 2 }).first().waitFor();
    assert.equal(await notice.count(), 0, 'a dismissed notice stays dismissed');

    const phoneId = await alice.locator('[data-testid="device"][data-current="false"]').getAttribute('data-device-id');
    await alice.locator('[data-testid="device"][data-current="false"]').getByTestId('device-unlink').click();
    await alice.getByTestId('device-unlink-confirm').click();
    await eventually(async () => assert.equal(await alice.getByTestId('device').count(), 1), 'the phone is unlinked');
    assert.equal(await alice.locator(`[data-device-id="${phoneId}"]`).count(), 0);
  });

  it('settings: dark theme, French, receipts and typing toggles; search, mute and archive in the list', async () => {
    await bob.getByRole('button', { name: 'Settings' }).click();
    await bob.getByTestId('theme-dark').check();
    assert.equal(await bob.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await shoot(bob, 'settings');
    await bob.getByTestId('language').selectOption('fr');
    await bob.getByRole('button', { name: 'Réglages' }).waitFor();
    assert.equal(await bob.evaluate(() => document.documentElement.lang), 'fr');
    await shoot(bob, 'settings-fr');
    await bob.getByTestId('language').selectOption('en');
    await bob.getByTestId('theme-light').check();
    await bob.getByTestId('setting-sendTyping').uncheck();

    // Typing turned off: alice never sees bob typing before his next message arrives.
    await openChat(alice, 'Project X');
    await alice.evaluate(() => {
      const w = window as unknown as { sawTyping: boolean };
      w.sawTyping = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="typing"]')?.textContent) w.sawTyping = true;
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await openChat(bob, 'Project X');
    const quiet = m('typed quietly');
    await bob.getByTestId('message-input').pressSequentially(quiet, { delay: 5 });
    await bob.getByTestId('message-input').press('Enter');
    await message(alice, quiet).waitFor();
    assert.equal(await alice.evaluate(() => (window as unknown as { sawTyping: boolean }).sawTyping), false);

    // Search runs over decrypted history on this device only.
    await bob.getByRole('searchbox', { name: 'Search messages' }).fill('typed quietly');
    await bob.getByTestId('search-hit').first().waitFor();
    await bob.getByRole('searchbox', { name: 'Search messages' }).fill('');

    await openChat(bob, 'Project X');
    await bob.getByRole('button', { name: 'Mute' }).click();
    await conversation(bob, 'Project X').getByText('muted').waitFor();
    await bob.getByRole('button', { name: 'Archive' }).click();
    await bob.getByRole('button', { name: /Archived \(1\)/ }).waitFor();
    await shoot(bob, 'conversation-list');
    await bob.getByRole('button', { name: 'Unarchive' }).click();
    await bob.getByRole('button', { name: 'Unmute' }).click();
  });

  it('keyboard only: Tab reaches the composer, Enter sends; notifications name the sender, never the text', async () => {
    await openChat(bob, 'Project X');
    await bob.locator('body').focus();
    let reached = false;
    for (let i = 0; i < 400 && !reached; i++) {
      await bob.keyboard.press('Tab');
      reached = await bob.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'message-input');
    }
    assert.ok(reached, 'the composer is reachable with Tab');
    const typed = m('typed with the keyboard');
    await bob.keyboard.type(typed);
    await bob.keyboard.press('Enter');
    await message(alice, typed).waitFor();

    // Notifications while the page is open but not in front: bob turns them on, alice writes.
    await bob.context().grantPermissions(['notifications'], { origin: stack.url });
    await bob.getByRole('button', { name: 'Settings' }).click();
    await bob.getByTestId('notifications').check();
    await bob.locator('[data-testid="notifications-state"][data-permission="granted"]').waitFor();
    await bob.evaluate(() => {
      const shown: Array<{ title: string; body: string }> = [];
      (window as unknown as { shown: typeof shown }).shown = shown;
      const Real = window.Notification;
      window.Notification = class extends Real {
        constructor(title: string, o?: NotificationOptions) {
          super(title, o);
          shown.push({ title, body: o?.body ?? '' });
        }
      } as typeof Notification;
      document.hasFocus = () => false; // the user is in another window
    });
    const secret = m('not in the notification');
    await openChat(alice, 'Project X');
    await send(alice, secret);
    await bob.waitForFunction(() => (window as unknown as { shown: unknown[] }).shown.length > 0);
    const shown = await bob.evaluate(() => (window as unknown as { shown: Array<{ title: string; body: string }> }).shown);
    assert.equal(shown[0]?.body, 'alice@localhost');
    assert.ok(!JSON.stringify(shown).includes(secret), 'the text stays in the page');
    await bob.reload();
  });

  it('a reload mid-conversation loses nothing, and what is sent offline survives a reload', async () => {
    await openChat(alice, 'Project X');
    await openChat(bob, 'Project X');
    await message(bob, 'typed with the keyboard').waitFor();
    const before = await bob.getByTestId('message').count();
    await bob.reload();
    await openChat(bob, 'Project X');
    await eventually(async () => assert.equal(await bob.getByTestId('message').count(), before), 'same history after reload');

    // The server unreachable from bob's browser (its API and socket), the page itself still loads.
    let offline = true;
    const ctx = bob.context();
    await ctx.route('**/v1/**', (r) => (offline ? r.abort() : r.fallback()).catch(() => undefined));
    await ctx.routeWebSocket('**/v1/ws', (ws) => {
      if (offline) ws.close().catch(() => undefined);
      else ws.connectToServer();
    });
    await bob.reload();
    await bob.getByTestId('connection-banner').waitFor();
    await openChat(bob, 'Project X');
    const queued = m('sent offline');
    await send(bob, queued);
    await message(bob, queued).locator('[data-status="sending"]').waitFor();
    await bob.reload();
    await openChat(bob, 'Project X');
    await message(bob, queued).waitFor();
    offline = false;
    await message(alice, queued).waitFor({ timeout: 60_000 });
    await bob.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 60_000 });
  });

  it('one tab per device: a second tab of the same profile says so and can take over', async () => {
    const second = await alice.context().newPage();
    await second.goto(stack.url);
    await second.getByRole('heading', { name: 'Sotto is open in another tab' }).waitFor();
    await axe(second, 'other tab');
    await second.close();
  });

  it("leaving a group: bob leaves, alice's device commits it, both histories say so, bob can send nothing more", async () => {
    await alice.getByRole('button', { name: 'New group' }).click();
    await alice.getByLabel('Group name').fill('Leavers');
    await alice.getByLabel('Members').fill('bob');
    await alice.getByRole('button', { name: 'Create group' }).click();
    await alice.getByTestId('chat-title').filter({ hasText: 'Leavers' }).waitFor();
    // Bob accepted alice earlier: her new group is active for him at once, no request.
    await openChat(bob, 'Leavers');
    await bob.getByRole('button', { name: 'Details' }).click();
    await bob.getByTestId('leave').click();
    await bob.getByTestId('gone-notice').filter({ hasText: 'You left this group' }).waitFor();
    await bob.getByTestId('system-line').filter({ hasText: 'you left' }).waitFor();
    assert.equal(await bob.getByTestId('composer').count(), 0, 'no composer in a group one has left');
    await alice.getByTestId('system-line').filter({ hasText: 'bob@localhost left' }).waitFor();
    await alice.getByRole('button', { name: 'Details' }).click();
    await eventually(async () => assert.equal(await alice.getByTestId('member').count(), 1), 'alice alone in the group');
    await alice.getByRole('button', { name: 'Details' }).click();
  });

  it("the server's data directory holds none of the plaintext markers", async () => {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else {
          const bytes = readFileSync(p);
          for (const mk of markers) if (bytes.includes(Buffer.from(mk))) found.push(`${mk} in ${p}`);
        }
      }
    };
    walk(stack.dataDir);
    assert.ok(markers.length > 10, 'the run sent markers');
    assert.deepEqual(found, []);
  });
});
