// The console in real headless chromium against the real server, with a
// real SMTP receiver: passwords chosen from a mailed link, a forgotten
// one's and an invited agent's first.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  ADMIN_PASSWORD, apiAs, browser, consolePage, linkIn, logIn, openSetting, shareBrowserAndReceiver,
  startMailReceiver, withMemoryServer,
} from './harness.mjs';

shareBrowserAndReceiver();
let mail;
before(async () => { mail = await startMailReceiver(); });
after(async () => { await mail?.close(); });

const mailing = () => ['--smtp-url', mail.url, '--smtp-from', 'Switchboard <support@example.com>'];

// A fresh page at `url`, as a mail's link opens one.
async function opened(url) {
  const context = await browser.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(url);
  return page;
}

test('an agent who forgot their password has a link mailed, and the link sets a new one once', () => withMemoryServer(mailing(), async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'eve', password: 'eve-secret-1', display_name: 'Eve', email: 'eve@example.com' });
  const page = await opened(server.url + '/');
  await page.locator('#login-username').fill('eve');
  await page.getByRole('button', { name: 'Forgot your password?' }).click();
  const forgot = page.locator('#forgot-form');
  assert.equal(await forgot.getByLabel('Username or e-mail address').inputValue(), 'eve');  // as typed at the login
  const before = mail.mails.length;
  await forgot.getByRole('button', { name: 'Send me a link' }).click();
  await page.locator('#forgot-status', { hasText: 'a link is on its way' }).waitFor();
  const sent = await mail.waitFor(before + 1);
  assert.deepEqual(sent.to, ['eve@example.com']);
  const link = linkIn(sent, 'password');
  assert.ok(link.startsWith(server.url + '/#password=r.'), link);

  const chooser = await opened(link);
  const form = chooser.locator('#password-link-form');
  await form.locator('#password-link-intro', { hasText: 'Choose a new password for your account.' }).waitFor();
  assert.equal(await form.getByLabel('Username').inputValue(), 'eve');
  await form.getByLabel('New password').fill('eve-new-password');
  await form.getByLabel('The same again').fill('eve-new-pasword');
  await form.getByRole('button', { name: 'Set password' }).click();
  await chooser.locator('#password-link-error', { hasText: 'The two passwords differ.' }).waitFor();
  await form.getByLabel('The same again').fill('eve-new-password');
  await form.getByRole('button', { name: 'Set password' }).click();
  // The login, the username filled in, and the link gone from the address bar.
  await chooser.locator('#login-status', { hasText: 'Your password is set. Log in with it.' }).waitFor();
  assert.equal(await chooser.locator('#login-username').inputValue(), 'eve');
  assert.equal(new URL(chooser.url()).hash, '');
  await chooser.locator('#login-password').fill('eve-new-password');
  await chooser.getByRole('button', { name: 'Log in' }).click();
  await chooser.locator('#connection.live').waitFor();

  // The same link again: used, and it offers a new one.
  const again = await opened(link);
  await again.locator('#password-link-new').fill('a-third-password');
  await again.locator('#password-link-again').fill('a-third-password');
  await again.getByRole('button', { name: 'Set password' }).click();
  await again.locator('#password-link-error', { hasText: 'expired or was used already' }).waitFor();
  await again.getByRole('button', { name: 'Ask for a new link' }).click();
  assert.equal(await again.locator('#forgot-login').inputValue(), 'eve');
  await again.getByRole('button', { name: 'Back to log in' }).click();
  await again.locator('#login-password').fill('eve-new-password');
  await again.getByRole('button', { name: 'Log in' }).click();
  await again.locator('#connection.live').waitFor();
  for (const p of [page, chooser, again]) assert.deepEqual(p.errors, []);
}));

test('an admin invites an agent by e-mail, who chooses their own password from the newest invitation', () => withMemoryServer(mailing(), async (server) => {
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await openSetting(page, 'Team');
  const form = page.locator('#agent-form');
  await form.locator('#agent-form-hint', { hasText: 'Leave the password blank' }).waitFor();
  await form.getByLabel('Username').fill('lea');
  await form.getByLabel('Display name').fill('Lea Park');
  await form.getByLabel('E-mail').fill('lea@example.com');
  const before = mail.mails.length;
  await form.getByRole('button', { name: 'Add agent' }).click();
  await page.locator('#team-status', { hasText: 'Lea Park is invited: a link to choose their password is on its way to lea@example.com' }).waitFor();
  const row = page.locator('#team-rows tr[data-username="lea"]');
  await row.locator('.badge.invited', { hasText: 'Invited' }).waitFor();
  const first = linkIn(await mail.waitFor(before + 1), 'password');
  await row.getByRole('button', { name: 'Send Lea Park the invitation again' }).click();
  await page.locator('#team-status', { hasText: 'the last one\'s link no longer works' }).waitFor();
  const second = linkIn(await mail.waitFor(before + 2), 'password');

  const stale = await opened(first);
  await stale.locator('#password-link-intro', { hasText: 'Welcome to the team.' }).waitFor();
  await stale.locator('#password-link-new').fill('leas-own-password');
  await stale.locator('#password-link-again').fill('leas-own-password');
  await stale.getByRole('button', { name: 'Set password' }).click();
  await stale.locator('#password-link-error', { hasText: 'expired or was used already' }).waitFor();

  const lea = await opened(second);
  assert.equal(await lea.locator('#password-link-username').inputValue(), 'lea');
  await lea.locator('#password-link-new').fill('leas-own-password');
  await lea.locator('#password-link-again').fill('leas-own-password');
  await lea.getByRole('button', { name: 'Set password' }).click();
  await lea.locator('#login-status', { hasText: 'Your password is set.' }).waitFor();
  await logIn(lea, 'lea', 'leas-own-password');
  await lea.locator('#connection.live').waitFor();
  await lea.locator('#me', { hasText: 'Lea Park' }).waitFor();

  // The admin's dialog, opened again, shows her with a password of her own.
  await page.keyboard.press('Escape');
  await openSetting(page, 'Team');
  await row.locator('.name', { hasText: 'Lea Park' }).waitFor();
  assert.equal(await row.locator('.badge.invited').count(), 0);
  // And the audit log says in words what happened, newest first.
  await page.keyboard.press('Escape');
  await openSetting(page, 'Audit log');
  await page.locator('#audit-rows tr').first().waitFor();
  const said = await page.locator('#audit-rows tr').evaluateAll((rows) => rows.map((r) => `${r.cells[1].textContent} ${r.cells[2].textContent}`));
  assert.deepEqual(said.slice(1, 5), ['lea chose their password from an invitation', 'admin invited lea by e-mail (lea@example.com)',
    'admin invited lea by e-mail (lea@example.com)', 'admin added agent lea']);
  for (const p of [page, stale, lea]) assert.deepEqual(p.errors, []);
}));

test('a server that sends no e-mail says so, and adds agents with a password only', () => withMemoryServer([], async (server) => {
  const page = await opened(server.url + '/');
  await page.getByRole('button', { name: 'Forgot your password?' }).click();
  await page.locator('#forgot-login').fill('admin');
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await page.locator('#forgot-error', { hasText: 'This server sends no e-mail. Ask an admin to set a new password for you.' }).waitFor();
  await page.getByRole('button', { name: 'Back to log in' }).click();
  assert.equal(await page.locator('#login-username').inputValue(), 'admin');
  await page.locator('#login-password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#connection.live').waitFor();
  await openSetting(page, 'Team');
  const form = page.locator('#agent-form');
  await form.getByLabel('Username').waitFor();
  assert.equal(await form.locator('#agent-form-hint').isVisible(), false);
  await form.getByLabel('Username').fill('lea');
  await form.getByLabel('E-mail').fill('lea@example.com');
  await form.getByRole('button', { name: 'Add agent' }).click();
  await form.locator('.error', { hasText: 'this server sends no e-mail' }).waitFor();
  assert.deepEqual(page.errors, []);
}));
