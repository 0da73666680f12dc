// The console in real headless chromium against the real server: two-factor
// authentication. An agent scans the Team dialog's QR code as a phone's app
// would (jsQR reads it off the page), turns it on with the app's code, keeps
// the recovery codes, and each login then asks for a code; an admin turns
// a colleague's off, and the agent their own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import jsQR from 'jsqr';
import {
  ADMIN_PASSWORD, apiAs, appCode, browser, consolePage, logIn, openSetting, shareBrowserAndReceiver, stepNow,
  withMemoryServer,
} from './harness.mjs';

shareBrowserAndReceiver();

// What a phone's camera reads off the QR code on the page, in `where`.
async function scanQrCode(page, where) {
  const size = 360;
  const pixels = await page.evaluate(async ({ size, where }) => {
    const img = document.querySelector(`${where} .qr`);
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = size;
    const context = canvas.getContext('2d');
    context.drawImage(img, 0, 0, size, size);
    return Array.from(context.getImageData(0, 0, size, size).data);
  }, { size, where });
  const read = jsQR(Uint8ClampedArray.from(pixels), size, size);
  assert.ok(read, 'the QR code on the page does not read');
  return read.data;
}

async function logOut(page) {
  await page.locator('#logout').click();
  await page.locator('#login-username').waitFor();
}

test('an agent sets it up by scanning its QR code, and each login then asks for a code from the app', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  const page = await consolePage(browser.browser, server, 'lea', 'lea-secret-1');
  await openSetting(page, 'Team');
  await page.locator('#team-dialog .two-factor .state', { hasText: 'Off: your password alone logs you in.' }).waitFor();

  // The password first.
  const begin = page.locator('#team-dialog .begin-form');
  await begin.getByLabel('Current password').fill('not-my-password');
  await begin.getByRole('button', { name: 'Set up' }).click();
  await begin.locator('.error', { hasText: 'password is not your password' }).waitFor();
  await begin.getByLabel('Current password').fill('lea-secret-1');
  await begin.getByRole('button', { name: 'Set up' }).click();
  const enable = page.locator('#team-dialog .enable-form');
  await enable.waitFor();
  assert.equal(await begin.isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement.name), 'code');

  const uri = await scanQrCode(page, '#team-dialog');
  const scanned = new URL(uri);
  assert.equal(scanned.protocol, 'otpauth:');
  assert.equal(scanned.host, 'totp');
  assert.equal(decodeURIComponent(scanned.pathname), '/Switchboard:lea');
  assert.equal(scanned.searchParams.get('issuer'), 'Switchboard');
  const secret = scanned.searchParams.get('secret');
  // The key shown to type in, in fours, is the one the code holds.
  assert.equal((await page.locator('#team-dialog .secret').textContent()).replaceAll(' ', ''), secret);

  await enable.getByLabel('Code from the app').fill('000000');
  await enable.getByRole('button', { name: 'Turn on' }).click();
  await enable.locator('.error', { hasText: 'code is wrong or used' }).waitFor();
  assert.equal((await admin('GET', '/agents')).agents.find((a) => a.username === 'lea').two_factor, false);
  const step = stepNow();
  await enable.getByLabel('Code from the app').fill(appCode(secret, step));
  await enable.getByRole('button', { name: 'Turn on' }).click();
  await page.locator('#team-dialog .two-factor .state', { hasText: 'On: each login asks for a code from your authenticator app. 10 recovery codes left.' }).waitFor();
  const codes = (await page.locator('#team-dialog .recovery-codes').inputValue()).split('\n');
  assert.equal(codes.length, 10);
  for (const code of codes) assert.match(code, /^[a-z2-7]{5}-[a-z2-7]{5}$/);
  assert.equal(await enable.isVisible(), false);
  await page.locator('#team-rows tr[data-username="lea"] .badge.two-factor').waitFor();
  assert.equal((await admin('GET', '/agents')).agents.find((a) => a.username === 'lea').two_factor, true);
  await page.keyboard.press('Escape');
  // Shown once: the dialog opened again has them no more.
  await openSetting(page, 'Team');
  await page.locator('#team-dialog .renew-form').waitFor();
  assert.equal(await page.locator('#team-dialog .two-factor .codes').isVisible(), false);
  assert.equal(await page.locator('#team-dialog .recovery-codes').inputValue(), '');
  await page.keyboard.press('Escape');

  // The password, then the code.
  await logOut(page);
  await logIn(page, 'lea', 'lea-secret-1');
  await page.getByLabel('Authentication code').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'login-code');
  assert.equal(await page.locator('#login-password').isVisible(), false);
  await page.getByLabel('Authentication code').fill('000000');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#login-error', { hasText: 'That code is wrong or was used already.' }).waitFor();
  assert.equal(await page.getByLabel('Authentication code').inputValue(), '');
  // A recovery code, as typed from paper.
  await page.getByLabel('Authentication code').fill(codes[0].toUpperCase());
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#connection.live').waitFor();
  await openSetting(page, 'Team');
  await page.locator('#team-dialog .two-factor .state', { hasText: '9 recovery codes left.' }).waitFor();
  assert.equal(await page.locator('#team-dialog .two-factor .codes').isVisible(), false);  // shown once, in the dialog that made them
  await page.keyboard.press('Escape');

  // Back to the password; then the app's next code.
  await logOut(page);
  await logIn(page, 'lea', 'lea-secret-1');
  await page.getByRole('button', { name: 'Back' }).click();
  await page.locator('#login-password').waitFor();
  assert.equal(await page.locator('#login-password').inputValue(), '');
  assert.equal(await page.getByLabel('Authentication code').isVisible(), false);
  await logIn(page, 'lea', 'lea-secret-1');
  await page.getByLabel('Authentication code').fill(appCode(secret, step + 1));
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#connection.live').waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
}));

test('an agent makes new recovery codes and turns it off; an admin turns off a colleague\'s', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const secrets = {};
  let recoveryCodes;
  for (const username of ['lea', 'max']) {
    await admin('POST', '/agents', { username, password: `${username}-secret-1`, display_name: username });
    const agent = await apiAs(server, username, `${username}-secret-1`);
    secrets[username] = (await agent('POST', '/auth/two-factor/setup', { password: `${username}-secret-1` })).secret;
    const { recovery_codes: codes } = await agent('POST', '/auth/two-factor/enable', { code: appCode(secrets[username]) });
    if (username === 'lea') recoveryCodes = codes;
  }
  const step = stepNow();
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await openSetting(page, 'Team');
  const maxRow = page.locator('#team-rows tr[data-username="max"]');
  await maxRow.locator('.badge.two-factor').waitFor();
  assert.equal(await page.locator('#team-rows tr[data-username="admin"] .badge.two-factor').count(), 0);
  await maxRow.getByRole('button', { name: 'Turn off two-factor authentication for max' }).click();
  await page.locator('#team-status', { hasText: 'max\'s two-factor authentication is off' }).waitFor();
  assert.equal(await maxRow.locator('.badge.two-factor').count(), 0);
  assert.equal((await admin('GET', '/agents')).agents.find((a) => a.username === 'max').two_factor, false);
  assert.equal(await page.locator('#team-rows tr[data-username="lea"] .badge.two-factor').count(), 1);
  await page.context().close();

  // Lea, logged in with her app's code, makes new recovery codes and turns it off.
  const context = await browser.browser.newContext();
  const own = await context.newPage();
  await own.goto(server.url + '/');
  await logIn(own, 'lea', 'lea-secret-1');
  await own.getByLabel('Authentication code').fill(appCode(secrets.lea, step + 1));
  await own.getByRole('button', { name: 'Log in' }).click();
  await own.locator('#connection.live').waitFor();
  await openSetting(own, 'Team');
  await own.locator('#team-dialog .two-factor .state', { hasText: '10 recovery codes left.' }).waitFor();
  assert.equal(await own.locator('#team-dialog .begin-form').isVisible(), false);
  const renew = own.locator('#team-dialog .renew-form');
  await renew.getByLabel('Code from the app, or a recovery code').fill('000000');
  await renew.getByRole('button', { name: 'New recovery codes' }).click();
  await renew.locator('.error', { hasText: 'code is wrong or used' }).waitFor();
  await renew.getByLabel('Code from the app, or a recovery code').fill(appCode(secrets.lea, step + 1));  // used to log in
  await renew.getByRole('button', { name: 'New recovery codes' }).click();
  await renew.locator('.error', { hasText: 'code is wrong or used' }).waitFor();
  await renew.getByLabel('Code from the app, or a recovery code').fill(recoveryCodes[2]);
  await renew.getByRole('button', { name: 'New recovery codes' }).click();
  await own.locator('#team-status', { hasText: 'You have ten new recovery codes' }).waitFor();
  const codes = (await own.locator('#team-dialog .recovery-codes').inputValue()).split('\n');
  assert.equal(codes.length, 10);

  const off = own.locator('#team-dialog .off-form');
  await off.getByLabel('Current password').fill('lea-secret-1');
  await off.getByLabel('Code from the app, or a recovery code').fill(codes[4]);
  await off.getByRole('button', { name: 'Turn off' }).click();
  await own.locator('#team-dialog .two-factor .state', { hasText: 'Off: your password alone logs you in.' }).waitFor();
  assert.equal(await own.locator('#team-dialog .two-factor .codes').isVisible(), false);
  assert.equal(await own.locator('#team-dialog .begin-form').isVisible(), true);
  assert.equal((await admin('GET', '/agents')).agents.find((a) => a.username === 'lea').two_factor, false);
  await context.close();
}));

test('an admin requires it of the team: an agent without it is brought to its set-up, and goes on once it is on', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const adminSecret = (await admin('POST', '/auth/two-factor/setup', { password: ADMIN_PASSWORD })).secret;
  await admin('POST', '/auth/two-factor/enable', { code: appCode(adminSecret) });
  for (const username of ['lea', 'max']) await admin('POST', '/agents', { username, password: `${username}-secret-1`, display_name: username });
  const lea = await consolePage(browser.browser, server, 'lea', 'lea-secret-1');

  const context = await browser.browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url + '/');
  await logIn(page, 'admin', ADMIN_PASSWORD);
  await page.getByLabel('Authentication code').fill(appCode(adminSecret, stepNow() + 1));
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#connection.live').waitFor();
  await openSetting(page, 'Team');
  const required = page.getByLabel('Require two-factor authentication of everyone');
  assert.equal(await required.isChecked(), false);
  await required.check();
  await page.locator('#team-status', { hasText: 'Everyone now needs two-factor authentication' }).waitFor();
  assert.equal((await admin('GET', '/settings/security')).require_two_factor, true);

  // Lea's console, open meanwhile, goes to the set-up: the server answers her nothing else.
  const view = lea.locator('#two-factor-view');
  await view.waitFor();
  assert.equal(await lea.locator('#app-view').isVisible(), false);
  await view.locator('.two-factor .state', { hasText: 'Off' }).waitFor();
  assert.equal(await lea.evaluate(() => document.activeElement.name), 'password');
  await view.locator('.begin-form').getByLabel('Current password').fill('lea-secret-1');
  await view.getByRole('button', { name: 'Set up' }).click();
  await view.locator('.secret:not(:empty)').waitFor();
  const secret = new URL(await scanQrCode(lea, '#two-factor-view')).searchParams.get('secret');
  assert.equal(await view.getByRole('button', { name: 'Go to the console' }).isVisible(), false);
  await view.getByLabel('Code from the app', { exact: true }).fill(appCode(secret));
  await view.getByRole('button', { name: 'Turn on' }).click();
  await view.locator('.codes:not([hidden])').waitFor();
  assert.equal((await view.locator('.recovery-codes').inputValue()).split('\n').length, 10);
  assert.equal(await view.locator('.off-form').isVisible(), false);  // turned off here, it would hold her again
  await view.getByRole('button', { name: 'Go to the console' }).click();
  await lea.locator('#connection.live').waitFor();
  assert.equal(await view.isVisible(), false);

  // Max, logging in now, is brought to it first; Log out leaves it.
  const maxContext = await browser.browser.newContext();
  const max = await maxContext.newPage();
  const maxErrors = [];
  max.on('pageerror', (e) => maxErrors.push(e.message));
  await max.goto(server.url + '/');
  await logIn(max, 'max', 'max-secret-1');
  await max.locator('#two-factor-view').waitFor();
  await max.locator('#two-factor-logout').click();
  await max.locator('#login-username').waitFor();
  assert.equal(await max.locator('#two-factor-view').isVisible(), false);

  // Switched off again: every admin's console shows it.
  await required.uncheck();
  await page.locator('#team-status', { hasText: 'no longer required' }).waitFor();
  await logIn(max, 'max', 'max-secret-1');
  await max.locator('#connection.live').waitFor();

  // The audit log says who did which, in words.
  await page.keyboard.press('Escape');
  await openSetting(page, 'Audit log');
  await page.locator('#audit-rows tr').first().waitFor();
  const said = (await page.locator('#audit-rows tr').evaluateAll((rows) => rows.map((r) => [...r.cells].slice(1, 3).map((c) => c.textContent).join(' | '))))
    .filter((line) => line.includes('two-factor'));
  assert.deepEqual(said, ['admin | stopped requiring two-factor authentication', 'lea | turned on two-factor authentication',
    'admin | required two-factor authentication of everyone', 'admin | turned on two-factor authentication']);
  assert.deepEqual([...lea.errors, ...maxErrors], []);
  await Promise.all([context.close(), maxContext.close(), lea.context().close()]);
}));
