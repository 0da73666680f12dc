// The console in real headless chromium against the real server, read by
// axe-core (WCAG 2 A and AA, and its best practices) in each of its states:
// the login, a forgotten password's forms, the list, a chat with messages of every kind, the composer's
// pickers, select mode, every dialog and menu, a dark theme and a narrow
// window, for an admin and for an agent; and the keyboard's place in the
// list kept when the row it is on is drawn again.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import {
  ADMIN_PASSWORD, apiAs, appCode, browser, consolePage, holdNextAnswer, logIn, openSetting, receiver, shareBrowserAndReceiver,
  userSays, whatsappHoldsFiles, whatsappUserSends, withMemoryServer,
} from './harness.mjs';

shareBrowserAndReceiver();

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// What axe finds on the page as it is now: a line for each element, none
// when it finds nothing. Evaluated through the browser's protocol, which
// the console's CSP does not govern.
async function violations(page) {
  if (!await page.evaluate(() => typeof window.axe === 'object')) await page.evaluate(axeSource);
  const { violations: found } = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return found.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')}`));
}

// Each state's findings under its name, so that one failure lists them all.
function findings() {
  const found = {};
  return {
    async check(page, state) { found[state] = await violations(page); },
    none() { assert.deepEqual(Object.entries(found).filter(([, v]) => v.length), []); return Object.keys(found).length; },
  };
}

// Opens what `button` opens, waits for `ready` in it, reads it, and closes
// it with Escape, as the keyboard does.
async function checkDialog(page, found, button, ready) {
  const menu = page.locator(`details.menu:has(#${button}) > summary`);  // in a menu: opened first
  if (await menu.count()) await menu.click();
  await page.locator(`#${button}`).click();
  await page.locator(ready).first().waitFor();
  await found.check(page, `dialog of #${button}`);
  await page.keyboard.press('Escape');
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
}

test('the login page', () => withMemoryServer([], async (server) => {
  const context = await browser.browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url + '/');
  await page.waitForFunction(() => document.activeElement?.id === 'login-username');
  assert.deepEqual(await violations(page), []);
  await page.getByRole('button', { name: 'Log in' }).click();  // nothing typed: said so
  await page.locator('#login-error:not(:empty)').waitFor();
  assert.deepEqual(await violations(page), []);
  // "Forgot your password?", refused by a server that sends no e-mail.
  await page.getByRole('button', { name: 'Forgot your password?' }).click();
  await page.locator('#forgot-login').fill('admin');
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await page.locator('#forgot-error:not(:empty)').waitFor();
  assert.deepEqual(await violations(page), []);
  // A mailed link's form, and its refusal of two passwords that differ.
  const linked = await context.newPage();
  await linked.goto(`${server.url}/#password=i.1.${'0'.repeat(64)}.lea`);
  await linked.locator('#password-link-new').fill('one-password');
  await linked.getByRole('button', { name: 'Set password' }).click();
  await linked.locator('#password-link-error:not(:empty)').waitFor();
  assert.deepEqual(await violations(linked), []);
  await context.close();
}));

test('two-factor authentication: its set-up with the QR code, the recovery codes, and the login\'s code step', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  const found = findings();
  const page = await consolePage(browser.browser, server, 'lea', 'lea-secret-1');
  await openSetting(page, 'Team');
  await page.locator('#team-dialog .begin-form').getByLabel('Current password').fill('lea-secret-1');
  await page.getByRole('button', { name: 'Set up' }).click();
  await page.locator('#team-dialog .secret:not(:empty)').waitFor();
  await page.evaluate(() => document.querySelector('#team-dialog .qr').decode());
  await found.check(page, 'set-up');
  const secret = (await page.locator('#team-dialog .secret').textContent()).replaceAll(' ', '');
  await page.getByLabel('Code from the app', { exact: true }).fill(appCode(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.locator('#team-dialog .two-factor .codes:not([hidden])').waitFor();
  await found.check(page, 'on, with its recovery codes');
  await page.keyboard.press('Escape');
  await page.locator('#logout').click();
  await logIn(page, 'lea', 'lea-secret-1');
  await page.getByLabel('Authentication code').waitFor();
  await found.check(page, 'the login\'s code step');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#login-error:not(:empty)').waitFor();
  await found.check(page, 'the login\'s code step, refused');
  assert.equal(found.none(), 4);
  await page.context().close();
}));

test('the view that holds an agent whose team requires two-factor authentication', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const secret = (await admin('POST', '/auth/two-factor/setup', { password: ADMIN_PASSWORD })).secret;
  await admin('POST', '/auth/two-factor/enable', { code: appCode(secret) });
  await admin('PUT', '/settings/security', { require_two_factor: true });
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  const context = await browser.browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url + '/');
  await logIn(page, 'lea', 'lea-secret-1');
  await page.locator('#two-factor-view').waitFor();
  const found = findings();
  await found.check(page, 'held');
  await page.locator('#two-factor-view .begin-form').getByLabel('Current password').fill('lea-secret-1');
  await page.getByRole('button', { name: 'Set up' }).click();
  await page.locator('#two-factor-view .secret:not(:empty)').waitFor();
  await page.evaluate(() => document.querySelector('#two-factor-view .qr').decode());
  await found.check(page, 'held, its set-up');
  assert.equal(found.none(), 2);
  await context.close();
}));

test('an admin\'s console, in each of its states', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  await admin('PUT', '/labels/vip', { description: 'Pays for priority', color: '#aa3377' });
  await admin('PUT', '/teams/billing', { members: ['admin', 'lea'], description: 'Invoices and refunds' });
  await admin('POST', '/canned-responses', { shortcut: 'hi', text: 'Hello, how can I help?' });
  await admin('POST', '/macros', { name: 'File as VIP', actions: [{ action: 'label', label: 'vip' }] });
  await userSays(server, '15551201', 'support', 'Ava');
  await userSays(server, '15551201', 'my order is late');
  await admin('POST', '/conversations/15551201/chat-support/start');
  await admin('POST', '/conversations/15551201/chat-support/send', { text: 'Looking into it now' });
  await admin('PUT', '/conversations/15551201/labels', { labels: ['vip'] });
  // Custom attributes: a chip by its name, a link's ↗ (the header's state with the chat open).
  await admin('PUT', '/custom-attributes/plan', { display_name: 'Plan', type: 'list', values: ['Gold', 'Silver'] });
  await admin('PUT', '/custom-attributes/profile', { display_name: 'Profile', type: 'link' });
  await admin('PUT', '/conversations/15551201/attributes', { attributes: { plan: 'Gold', profile: 'https://example.com/u/1' } });
  // A reply to go later, over the composer.
  await admin('POST', '/conversations/15551201/scheduled', { text: 'Any news on the order?', send_at: new Date(Date.now() + 86_400_000).toISOString() });
  const lea = await apiAs(server, 'lea', 'lea-secret-1');
  await lea('POST', '/conversations/15551201/notes', { text: '@admin this one is a VIP' });  // the admin's inbox
  await admin('POST', '/conversations/15551201/notes', { text: 'Checked with the courier' });  // the admin's own, to edit
  await admin('POST', '/campaigns', { name: 'Spring', channel: 'plain', labels: ['vip'], text: 'Spring sale',
    scheduled_at: new Date(Date.now() + 86400000).toISOString() });
  await userSays(server, '15551202', 'support', 'Bo');

  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const found = findings();
  await page.locator('#conversation-list li[data-phone="15551202"]').waitFor();
  await found.check(page, 'the list');
  await page.locator('#conversation-list li[data-phone="15551201"]').click();
  await page.locator('.message.note', { hasText: 'this one is a VIP' }).waitFor();
  await page.locator('#scheduled-list li').waitFor();
  await found.check(page, 'a chat open');
  await page.locator('#send-later summary').click();
  await page.locator('#send-later-choices button').first().waitFor();
  await found.check(page, 'the send later menu');
  await page.keyboard.press('Escape');
  await page.locator('#composer-text').fill('/h');
  await page.locator('#reply-suggestions [role="option"]').waitFor();
  await found.check(page, 'the saved replies\' picker');
  await page.getByRole('tab', { name: 'Private note' }).click();
  await page.locator('#composer-text').fill('@');
  await page.locator('#composer-text').press('l');
  await page.locator('#mention-suggestions [role="option"]').waitFor();
  await found.check(page, 'the mentions\' picker, in a note');
  await page.locator('#composer-text').press('Escape');
  await page.locator('#composer-text').fill('');
  await page.getByRole('tab', { name: 'Reply' }).click();
  const own = page.locator('.message.note', { hasText: 'Checked with the courier' });
  await own.hover();
  await own.getByRole('button', { name: 'Edit this note' }).click();
  await page.getByRole('textbox', { name: 'Edit the note' }).waitFor();
  await found.check(page, 'a note being edited');
  await page.keyboard.press('Escape');

  await page.locator('#settings-menu > summary').click();
  await page.locator('#audit').waitFor();
  await found.check(page, 'the Settings menu');
  await page.keyboard.press('Escape');
  await page.locator('#audit').waitFor({ state: 'hidden' });

  await page.keyboard.press('Control+k');
  await page.locator('#command-input').fill('bo');
  await page.locator('#command-list [role="option"]', { hasText: 'Bo · +15551202' }).waitFor();
  await found.check(page, 'the command bar');
  await page.keyboard.press('Escape');
  await page.locator('#command-bar[open]').waitFor({ state: 'detached' });

  for (const [button, ready] of [
    ['inbox', '#inbox-rows li'], ['shortcuts', '#shortcuts-dialog[open] tr'], ['contacts', '#contacts-rows li'],
    ['team', '#team-rows tr'], ['teams', '#teams-list li'], ['labels', '#labels-list li'],
    ['custom-attributes', '#attributes-list li'], ['reports', '#reports-traffic tbody tr'], ['replies', '#replies-list li'], ['macros', 'dialog[open] li'],
    ['automations', 'dialog[open]'], ['sla', '#sla-dialog[open]'], ['audit', '#audit-rows tr'],
    ['campaigns', '#campaigns-list li'],
    ['transfer-chat', '#transfer-dialog[open]'], ['end-chat', '#end-dialog[open]'],
    ['new-conversation', '#new-conversation-dialog[open]'], ['block-user', '#block-dialog[open]'],
    ['delete-conversation', '#delete-dialog[open]'],
  ]) await checkDialog(page, found, button, ready);

  // The header's menus, each opened alone.
  for (const summary of await page.locator('#conversation summary').all()) {
    const name = (await summary.textContent()).trim();
    await summary.click();
    await page.locator('#conversation details[open]').waitFor();
    await found.check(page, `the ${name} menu`);
    await summary.click();
    await page.locator('#conversation details[open]').waitFor({ state: 'detached' });
  }
  await page.getByRole('button', { name: 'Rename' }).click();
  await found.check(page, 'renaming the user');
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'Select' }).click();
  await page.locator('#conversation-list li[data-phone="15551202"] > button').click();
  await page.locator('#bulk-count', { hasText: '1 selected' }).waitFor();
  await found.check(page, 'select mode, one picked');
  await page.getByRole('button', { name: 'Done selecting' }).click();

  await page.emulateMedia({ colorScheme: 'dark' });
  await found.check(page, 'a dark theme');
  await page.setViewportSize({ width: 400, height: 760 });
  await found.check(page, 'a narrow window, the chat');
  await page.getByRole('button', { name: '← Back' }).click();
  await page.locator('#conversation-list').waitFor();
  await found.check(page, 'a narrow window, the list');
  assert.ok(found.none() >= 30);  // every state was read
  assert.deepEqual(page.errors, []);
}));

test('an agent\'s console, a chat of theirs open', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  await userSays(server, '15551211', 'support', 'Cy');
  await (await apiAs(server, 'lea', 'lea-secret-1'))('POST', '/conversations/15551211/chat-support/start');
  const page = await consolePage(browser.browser, server, 'lea', 'lea-secret-1');
  const found = findings();
  await page.locator('#conversation-list li[data-phone="15551211"]').click();
  await page.locator('#composer-text:enabled').waitFor();
  await found.check(page, 'a chat of theirs');
  await checkDialog(page, found, 'team', '#team-rows tr');
  assert.equal(found.none(), 2);
  assert.deepEqual(page.errors, []);
}));

test('a WhatsApp chat with files and a reaction, past its 24-hour window, and the template dialog', () => withMemoryServer(['--wa-api-base', receiver.url, '--wa-business-account-id', 'waba-1'], async (server) => {
  receiver.templates = [{ name: 'order_update', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [
    { type: 'HEADER', format: 'TEXT', text: 'Your order' }, { type: 'BODY', text: 'Hi {{1}}, order {{2}} has shipped.' }] }];
  whatsappHoldsFiles({ image: '9101', audio: '9102', document: '9103' });
  const sends = (id, type, file, text) => whatsappUserSends(server, '15551231', id, type, file, text);
  try {
    await sends('wamid.a11y-1', 'text', null, 'support');
    await sends('wamid.a11y-2', 'image', { id: '9101', mime_type: 'image/png', caption: 'my receipt' });
    await sends('wamid.a11y-3', 'audio', { id: '9102', mime_type: 'audio/ogg; codecs=opus', voice: true });
    await sends('wamid.a11y-4', 'document', { id: '9103', mime_type: 'application/pdf', filename: 'Invoice.pdf' });
    await sends('wamid.a11y-5', 'image', { id: '9404', mime_type: 'image/jpeg' });  // gone from WhatsApp
    await sends('wamid.a11y-6', 'reaction', { message_id: 'wamid.a11y-1', emoji: '👍' });
    const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, { beforeLoad: (p) => p.clock.install() });
    const found = findings();
    await page.locator('#conversation-list li[data-phone="15551231"]').click();
    await page.locator('#start-chat').click();  // claims the queued chat
    await page.locator('#conv-assignee', { hasText: 'Assigned to you' }).waitFor();
    await page.waitForFunction(() => document.querySelector('.attachment.image img')?.naturalWidth === 4);
    await page.locator('.attachment-missing').waitFor();
    await found.check(page, 'a WhatsApp chat with files and a reaction');
    await page.clock.fastForward('24:05:00');
    await page.locator('#composer-hint', { hasText: 'approved Template' }).waitFor();
    await found.check(page, 'past the 24-hour window');
    await page.getByRole('button', { name: 'Template', exact: true }).click();
    await page.locator('#template-dialog #template-value-2').waitFor();
    await found.check(page, 'the template dialog');
    assert.equal(found.none(), 3);
    assert.deepEqual(page.errors, []);
  } finally {
    receiver.templates = [];
    receiver.media.clear();
  }
}));

// What arrives in the chat open is read out by a screen reader (a status
// line out of sight): the user's words and a colleague's, not the agent's
// own nor the bot's, each once.
test('a screen reader is told what the user and a colleague write in the chat open', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  await userSays(server, '15551241', 'support', 'Fay');
  await admin('POST', '/conversations/15551241/chat-support/start');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const arrived = page.locator('#arrived[role="status"]');
  await page.locator('#conversation-list li[data-phone="15551241"]').click();
  await page.locator('#composer-text:enabled').waitFor();
  assert.equal(await arrived.textContent(), '');  // the history is not read out
  await userSays(server, '15551241', 'is anyone there?');
  await arrived.filter({ hasText: 'Fay: is anyone there?' }).waitFor();
  await (await apiAs(server, 'lea', 'lea-secret-1'))('POST', '/conversations/15551241/notes', { text: 'she called earlier' });
  await arrived.filter({ hasText: 'lea, private note: she called earlier' }).waitFor();
  await page.locator('#composer-text').fill('Yes, here');
  await page.locator('#composer-text').press('Enter');
  await page.locator('.message.admin', { hasText: 'Yes, here' }).locator('.ticks.sent').waitFor();
  await admin('POST', '/conversations/15551241/chat-support/send', { text: 'From my other tab' });
  await page.locator('.message.admin', { hasText: 'From my other tab' }).waitFor();
  assert.equal(await arrived.textContent(), 'lea, private note: she called earlier');  // not the agent's own
  assert.ok((await arrived.boundingBox()).width <= 1);  // out of sight
  // The history itself is no live region: that read out every message a
  // second time, and the agent's own, the bot's and a page of 50 older ones.
  assert.equal(await page.locator('#messages').getAttribute('aria-live'), null);
  // Another chat opened: what came in the last is not its.
  await userSays(server, '15551242', 'hello', 'Gus');
  await page.locator('#conversation-list li[data-phone="15551242"]').click();
  await page.locator('#conv-name', { hasText: 'Gus' }).waitFor();
  assert.equal(await arrived.textContent(), '');
  assert.deepEqual(page.errors, []);
}));

// A row drawn anew (a message changed it) while the keyboard is on it: the
// keyboard stays on that conversation's row, for the next Enter to open it.
// As Chatwoot's Ctrl+K: one box finds a conversation, an action on the
// chat open, a tab or a dialog, and does it, by keyboard alone.
test('the command bar finds a conversation, an action on the open chat, a tab and a dialog, and does it', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550760', 'hi', 'Zed');  // the oldest of 203: beyond the newest 200 the list holds
  for (let i = 0; i < 200; i += 20)
    await Promise.all(Array.from({ length: 20 }, (_, k) => userSays(server, String(15551000 + i + k), 'hi')));
  await userSays(server, '15550761', 'hello', 'Ada');
  await userSays(server, '15550762', 'support', 'Ben');
  await admin('POST', '/views', { name: 'Urgent ones', query: { priority: 'urgent' } });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15550762"]').waitFor();
  const input = page.locator('#command-input');
  const options = page.locator('#command-list [role="option"]');
  const active = () => page.evaluate(() => document.getElementById(document.getElementById('command-input')
    .getAttribute('aria-activedescendant'))?.querySelector('.command-label').textContent);
  const command = async (typed, first) => {
    await page.keyboard.press('Control+k');
    await page.locator('#command-bar[open]').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'command-input');
    await input.pressSequentially(typed);
    await page.waitForFunction((want) => document.querySelector('#command-list [aria-selected="true"] .command-label')?.textContent === want, first);
    await input.press('Enter');
    await page.locator('#command-bar[open]').waitFor({ state: 'detached' });
  };

  // A conversation, by its user's name, then by some digits of the phone.
  await command('ben', 'Ben · +15550762');
  await page.locator('#conv-name', { hasText: 'Ben' }).waitFor();
  await command('0761', 'Ada · +15550761');
  await page.locator('#conv-name', { hasText: 'Ada' }).waitFor();
  // Beyond the newest 200 the list holds: the server finds Zed.
  assert.equal(await page.locator('#conversation-list li[data-phone="15550760"]').count(), 0);
  await command('zed', 'Zed · +15550760');
  await page.locator('#conv-name', { hasText: 'Zed' }).waitFor();
  await command('ben', 'Ben · +15550762');
  await page.locator('#conv-name', { hasText: 'Ben' }).waitFor();
  // The chat's own actions, as its buttons say them now.
  await command('claim', 'Claim Chat');
  await page.locator('#conv-assignee', { hasText: 'Assigned to you' }).waitFor();
  const offers = async (typed) => {
    await page.keyboard.press('Control+k');
    await input.fill(typed);
    const labels = await page.locator('#command-list .command-label').allTextContents();
    await input.press('Escape');
    await page.locator('#command-bar[open]').waitFor({ state: 'detached' });
    return labels;
  };
  assert.deepEqual(await offers('claim'), []);  // claimed: the button is gone, and so is its command
  await command('mute', 'Mute');
  await page.locator('#conv-muted').waitFor();
  assert.equal((await admin('GET', '/conversations/15550762')).muted, true);
  await command('mute', 'Unmute');
  await page.locator('#conv-muted').waitFor({ state: 'hidden' });
  await command('note', 'Write a private note');
  assert.equal(await page.locator('#mode-note').getAttribute('aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'composer-text');
  assert.deepEqual(await offers('write'), ['Write a reply']);
  await command('snooze', 'Snooze');
  await page.locator('#snooze-menu[open]').waitFor();
  await page.keyboard.press('Escape');
  // A macro, by its name, on the chat open: the macros are read as the bar opens, and offered once read.
  await admin('POST', '/macros', { name: 'File as VIP', actions: [{ action: 'label', label: 'vip' }] });
  const macrosRead = await holdNextAnswer(page, /\/macros$/);
  await page.keyboard.press('Control+k');
  await input.fill('vip');
  await macrosRead.read;
  await page.locator('#command-list li', { hasText: 'Nothing called “vip”' }).waitFor();
  await macrosRead.handOver();
  await page.locator('#command-list [aria-selected="true"]', { hasText: 'Run File as VIP' }).waitFor();
  await input.press('Enter');
  await page.locator('#conv-labels', { hasText: 'vip' }).waitFor();
  assert.deepEqual((await admin('GET', '/conversations/15550762')).labels, ['vip']);
  // A saved view.
  await command('urgent', 'Show Urgent ones');
  await page.locator('#views .view-open[aria-pressed="true"]', { hasText: 'Urgent ones' }).waitFor();
  assert.equal(await page.locator('#priority-filter').inputValue(), 'urgent');
  // A tab of the list, and a dialog.
  await command('queued', 'Show Queued');
  assert.equal(await page.locator('.tabs [data-filter="queued"]').getAttribute('aria-selected'), 'true');
  await command('saved rep', 'Saved replies');
  await page.locator('#replies-dialog[open]').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#replies-dialog[open]').waitFor({ state: 'detached' });

  // The arrows move through what is offered, round from the first to the last.
  await page.keyboard.press('Control+k');
  await page.locator('#command-bar[open]').waitFor();
  const count = await options.count();
  assert.ok(count > 10, `${count} commands`);
  const first = await active();
  await input.press('ArrowDown');
  assert.equal(await active(), await options.nth(1).locator('.command-label').textContent());
  await input.press('ArrowUp');
  await input.press('ArrowUp');
  assert.equal(await active(), await options.nth(count - 1).locator('.command-label').textContent());
  await input.press('ArrowDown');
  assert.equal(await active(), first);
  // Nothing matches: Enter does nothing; Escape closes, the focus back where it was.
  await input.fill('zzz');
  await page.locator('#command-list li', { hasText: 'Nothing called “zzz”' }).waitFor();
  await input.press('Enter');
  assert.equal(await page.locator('#command-bar').getAttribute('open'), '');
  await input.press('Escape');
  await page.locator('#command-bar[open]').waitFor({ state: 'detached' });
  assert.equal(await page.locator('.tabs [data-filter="queued"]').getAttribute('aria-selected'), 'true');
  // Not over another dialog.
  await page.locator('#shortcuts').click();
  await page.locator('#shortcuts-dialog[open]').waitFor();
  await page.keyboard.press('Control+k');
  assert.equal(await page.locator('#command-bar[open]').count(), 0);
  assert.deepEqual(page.errors, []);
}));

test('the keyboard stays on a row of the list that a message draws again', () => withMemoryServer([], async (server) => {
  await userSays(server, '15551221', 'support', 'Di');
  await userSays(server, '15551222', 'support', 'Ed');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const row = page.locator('#conversation-list li[data-phone="15551221"] > button');
  await row.focus();
  const before = await row.elementHandle();
  await userSays(server, '15551221', 'one more thing');
  await row.locator('.preview', { hasText: 'one more thing' }).waitFor();
  assert.equal(await before.evaluate((el) => el.isConnected), false);  // drawn anew, not in place
  assert.equal(await page.evaluate(() => document.activeElement.closest('li')?.dataset.phone), '15551221');
  await page.keyboard.press('Enter');
  await page.locator('#conv-name', { hasText: 'Di' }).waitFor();
  assert.deepEqual(page.errors, []);
}));
