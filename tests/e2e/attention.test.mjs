// The console in real headless chromium against the real server: how the console gets an agent's
// attention and reads: chimes, desktop notices, the keyboard, narrow windows and contrast, and
// its layout: rows that keep to one line, menus that open inside the window.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ADMIN_PASSWORD, apiAs, browser, chatAction, chimes, chimesReach, closedHours, consolePage, openSetting,
  receiver, shareBrowserAndReceiver, userSays, whatsappUserSends, withMemoryServer,
} from './harness.mjs';

shareBrowserAndReceiver();

test('a chime for a new chat in the queue and for a message in the agent\'s own chat, and the bell mutes it', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const row = (phone) => page.locator(`#conversation-list li[data-phone="${phone}"]`);
  // Events come in order: once a later one shows, every earlier one has had its say.
  const unread = (phone, n) => row(phone).locator('.badge.unread', { hasText: `${n} unread` }).waitFor();

  await userSays(server, '15550701', 'support', 'Pia');
  await chimesReach(page, 1);
  await userSays(server, '15550702', 'support', 'Quinn');
  await chimesReach(page, 2);
  // Moving up the queue is no news; a message in one's own chat is.
  await admin('POST', '/conversations/15550701/chat-support/start');
  await userSays(server, '15550701', 'are you there?');
  await unread('15550701', 2);
  assert.equal(await chimes(page), 3);
  // Not while it is the chat open, nor in someone else's chat.
  await row('15550701').click();
  await page.locator('#conv-name', { hasText: 'Pia' }).waitFor();
  await userSays(server, '15550701', 'hello?');
  await page.locator('.message.user', { hasText: 'hello?' }).waitFor();
  await userSays(server, '15550702', 'still waiting');
  await unread('15550702', 2);
  assert.equal(await chimes(page), 3);
  // A team's chat joining the queue rings for its members alone.
  await admin('PUT', '/teams/tech', { members: [] });
  await admin('PUT', '/teams/billing', { members: ['admin'] });
  await page.locator('#team-filter').waitFor();  // the roster is here
  for (const [phone, team] of [['15550704', 'tech'], ['15550705', 'billing']]) {
    await userSays(server, phone, 'hi');
    await admin('PUT', `/conversations/${phone}/team`, { team });
    await userSays(server, phone, 'support');
  }
  await admin('PUT', '/conversations/15550705/priority', { priority: 'high' });  // after both, in order
  await row('15550705').locator('.badge.priority').waitFor();
  assert.equal(await chimes(page), 4);

  // Muted, it stays quiet, across a reload too.
  await page.getByRole('button', { name: 'Sound alerts' }).click();
  assert.equal(await page.getByRole('button', { name: 'Sound alerts' }).getAttribute('aria-pressed'), 'false');
  await page.reload();
  await page.locator('#connection.live').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Sound alerts' }).getAttribute('aria-pressed'), 'false');
  await userSays(server, '15550703', 'support', 'Ria');
  await userSays(server, '15550703', 'anyone?');
  await unread('15550703', 2);
  assert.equal(await chimes(page), 0);  // a new page, and nothing rang
  assert.deepEqual(page.errors, []);
}));

// Muted (the chat's More menu, Chatwoot's mute), a conversation rings for
// nothing its user does: a message in the agent's own chat, a queue joined.
// Its row, its header and its menu say so; unmuted, it rings again.
test('a muted conversation rings for nothing its user does, and says so', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const row = (phone) => page.locator(`#conversation-list li[data-phone="${phone}"]`);

  await userSays(server, '15550711', 'support', 'Pia');
  await chimesReach(page, 1);
  await admin('POST', '/conversations/15550711/chat-support/start');
  await row('15550711').click();
  await page.locator('#conv-name', { hasText: 'Pia' }).waitFor();
  await chatAction(page, 'Mute');
  await page.locator('#conv-muted', { hasText: '🔇 Muted' }).waitFor();
  await row('15550711').locator('.badge.muted').waitFor();
  await page.locator('.message.system', { hasText: 'Muted by admin' }).waitFor();
  await page.locator('#more-menu > summary').click();
  assert.deepEqual(await page.locator('#more-menu > .menu-items').getByRole('button').allTextContents(),
    ['Mark unread', 'Unmute', 'Block', 'Delete']);
  await page.keyboard.press('Escape');

  // Out of sight of the chat: another is open.
  await userSays(server, '15550712', 'hi', 'Quinn');
  await row('15550712').click();
  await page.locator('#conv-name', { hasText: 'Quinn' }).waitFor();
  await userSays(server, '15550711', 'are you there?');
  await row('15550711').locator('.badge.unread', { hasText: '1 unread' }).waitFor();
  await admin('PUT', '/conversations/15550712/muted', { muted: true });
  await userSays(server, '15550712', 'support');
  await row('15550712').locator('.badge.queued').waitFor();
  // A later user's chime: every event before it has had its say.
  await userSays(server, '15550713', 'support', 'Ria');
  await chimesReach(page, 2);

  // Unmuted, its user's message rings again.
  await row('15550711').click();
  await page.locator('#conv-name', { hasText: 'Pia' }).waitFor();
  await chatAction(page, 'Unmute');
  await page.locator('#conv-muted').waitFor({ state: 'hidden' });
  await row('15550711').locator('.badge.muted').waitFor({ state: 'detached' });
  await row('15550712').click();
  await page.locator('#conv-name', { hasText: 'Quinn' }).waitFor();
  await userSays(server, '15550711', 'hello?');
  await row('15550711').locator('.badge.unread', { hasText: '1 unread' }).waitFor();  // its chime comes before
  assert.equal(await chimes(page), 3);  // Pia's support, Ria's, Pia's hello: nothing from the muted
  assert.deepEqual(page.errors, []);
}));

test('out of sight, the console tells the agent on the desktop, and a click opens the chat', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  // The browser's side stood in for: whether the page is seen, and the notifications it shows.
  const standIns = () => {
    window.hidden_ = false;
    Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (window.hidden_ ? 'hidden' : 'visible') });
    window.shown_ = [];
    window.asked_ = 0;
    window.Notification = class {
      static permission = 'default';
      static requestPermission() { window.asked_ += 1; this.permission = 'granted'; return Promise.resolve('granted'); }
      constructor(title, { body, tag }) { Object.assign(this, { title, body, tag, closed: false }); window.shown_.push(this); }
      close() { this.closed = true; }
    };
  };
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, { beforeLoad: (p) => p.addInitScript(standIns) });
  assert.equal(await page.evaluate(() => window.asked_), 1);  // logging in asked
  const shown = () => page.evaluate(() => window.shown_.map(({ title, body, tag }) => ({ title, body, tag })));

  await page.evaluate(() => { window.hidden_ = true; });
  await userSays(server, '15551301', 'support', 'Tara');
  await chimesReach(page, 1);
  await admin('POST', '/conversations/15551301/chat-support/start');
  await userSays(server, '15551301', 'my parcel is late');
  await chimesReach(page, 2);
  assert.deepEqual(await shown(), [
    { title: 'Tara is waiting for a chat', body: 'Number 1 in the queue', tag: '15551301' },
    { title: 'Tara', body: 'my parcel is late', tag: '15551301' }]);

  // In sight, the chime is enough.
  await page.evaluate(() => { window.hidden_ = false; });
  await userSays(server, '15551301', 'hello?');
  await chimesReach(page, 3);
  assert.equal((await shown()).length, 2);

  // A click on one brings the chat up.
  await page.evaluate(() => window.shown_[1].onclick());
  await page.locator('#conv-name', { hasText: 'Tara' }).waitFor();
  await page.locator('.message.user', { hasText: 'my parcel is late' }).waitFor();
  assert.equal(await page.evaluate(() => window.shown_[1].closed), true);
  assert.deepEqual(page.errors, []);
}));

test('Alt+J and Alt+K move through the list, from the composer too', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  for (const [phone, name] of [['15550801', 'Uma'], ['15550802', 'Vic'], ['15550803', 'Wes']])
    await userSays(server, phone, 'hi', name);
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li').nth(2).waitFor();
  // Newest first; two users who wrote in the same millisecond are listed by
  // number, so the order is read off the list rather than assumed.
  const names = { 15550801: 'Uma', 15550802: 'Vic', 15550803: 'Wes' };
  const order = await page.locator('#conversation-list li').evaluateAll((els) => els.map((el) => el.dataset.phone));
  const open = async (phone) => page.locator('#conv-name', { hasText: names[phone] }).waitFor();
  await page.keyboard.press('Alt+KeyJ');
  await open(order[0]);
  await page.locator('#start-chat').click();  // Start Chat: the composer takes the keys
  await page.waitForFunction(() => document.activeElement?.id === 'composer-text');
  await page.keyboard.press('Alt+KeyJ');
  await open(order[1]);
  await page.keyboard.press('Alt+KeyJ');
  await open(order[2]);
  await page.keyboard.press('Alt+KeyJ');  // the last stays
  await page.keyboard.press('Alt+KeyK');
  await open(order[1]);
  assert.equal(await page.locator('#conversation-list li[aria-current="true"]').getAttribute('data-phone'), order[1]);
  assert.deepEqual(page.errors, []);
}));

test('a narrow window, keyboard only', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  await userSays(server, '15550003', 'support', 'Kim');
  const context = await browser.browser.newContext({ viewport: { width: 400, height: 760 } });
  const page = await context.newPage();
  await page.goto(server.url + '/');
  // The page puts the cursor in the username field itself once it knows no
  // one is logged in: typing before that could land anywhere.
  await page.waitForFunction(() => document.activeElement?.id === 'login-username');
  await page.keyboard.type('admin');
  await page.keyboard.press('Tab');
  await page.keyboard.type(ADMIN_PASSWORD);
  await page.keyboard.press('Enter');
  await page.locator('#connection.live').waitFor();
  assert.equal(await page.locator('#pane').isVisible(), false);  // one column: the list first
  // Nothing wider than the window: no sideways scrolling on a phone.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    `page is ${await page.evaluate(() => document.documentElement.scrollWidth)}px wide in a 400px window`);

  await page.locator('#conversation-list li[data-phone="15550003"] > button').focus();
  await page.keyboard.press('Enter');
  await page.locator('#conv-name', { hasText: 'Kim' }).waitFor();
  assert.equal(await page.locator('.sidebar').isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'start-chat');
  await page.keyboard.press('Enter');  // claim
  await page.waitForFunction(() => document.activeElement.id === 'composer-text');
  await page.keyboard.type('Typed without a mouse');
  await page.keyboard.press('Enter');
  await receiver.waitFor((m) => m.text === 'Typed without a mouse');

  await page.getByRole('button', { name: '← Back' }).click();
  await page.locator('#conversation-list li[data-phone="15550003"]').waitFor();
}));

// Every text the console shows against what is behind it: WCAG's contrast
// ratio, 4.5 at least (3 for large text). Disabled controls are exempt, as
// WCAG has them. Returns those that fall short, described.
async function lowContrast(page) {
  return page.evaluate(() => {
    const channel = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    const rgba = (css) => {
      const [r, g, b, a = 1] = css.match(/[\d.]+/g).map(Number);
      return { r, g, b, a };
    };
    const luminance = ({ r, g, b }) => 0.2126 * channel(r / 255) + 0.7152 * channel(g / 255) + 0.0722 * channel(b / 255);
    // The colour behind `el`: the nearest background that is not clear, the
    // page's own under all of them.
    const behind = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c.a > 0.5) return c;
      }
      return rgba(getComputedStyle(document.body).backgroundColor);
    };
    const short = [];
    for (const el of document.querySelectorAll('body *')) {
      if (['SCRIPT', 'STYLE', 'OPTION', 'TEMPLATE'].includes(el.tagName) || el.disabled || el.closest('[disabled]')) continue;
      const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
      if (!own || !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      const style = getComputedStyle(el);
      const fg = luminance(rgba(style.color));
      const bg = luminance(behind(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5))
        short.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')} "${el.textContent.trim().slice(0, 30)}" ${style.color} on ${getComputedStyle(el).backgroundColor}: ${ratio.toFixed(2)}`);
    }
    return short;
  });
}

test('the console reads well light or dark: it follows the system until the agent picks one with ◐, which this browser keeps', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  // Chats in every state a row or a chat can show: queued, the agent's own
  // at each priority, labelled, muted, snoozed, blocked; notes, replies, the bot's.
  for (const [phone, name] of [['15551001', 'Ana'], ['15551002', 'Ben'], ['15551003', 'Cai'], ['15551004', 'Dee']])
    await userSays(server, phone, 'support', name);
  await userSays(server, '15551005', 'hi', 'Eve');
  for (const phone of ['15551002', '15551003', '15551004']) await admin('POST', `/conversations/${phone}/chat-support/start`);
  for (const [phone, priority] of [['15551002', 'urgent'], ['15551003', 'high'], ['15551004', 'medium'], ['15551005', 'low']])
    await admin('PUT', `/conversations/${phone}/priority`, { priority });
  await admin('PUT', '/conversations/15551002/labels', { labels: ['billing'] });
  await admin('PUT', '/conversations/15551002/muted', { muted: true });
  await admin('POST', '/conversations/15551002/notes', { text: 'Refund approved by @admin' });
  const deleted = await admin('POST', '/conversations/15551002/notes', { text: 'a note deleted since' });
  await admin('DELETE', `/conversations/15551002/notes/${deleted.seq}`);
  await admin('POST', '/conversations/15551002/chat-support/send', { text: 'Your refund is on its way' });
  await userSays(server, '15551002', 'thanks *a lot*, see `A-77`');
  await admin('PUT', '/conversations/15551003/snooze', { until: 'next_reply' });
  await admin('PUT', '/conversations/15551005/blocked', { blocked: true });
  // Reports' Right now shows every presence: the admin away, Lea offline.
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1' });
  await admin('PATCH', '/agents/admin', { available: false });

  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, {
    beforeLoad: (p) => p.emulateMedia({ colorScheme: 'light' }),
  });
  const reportsReadWell = async () => {
    await page.getByRole('button', { name: 'Reports' }).click();
    await page.locator('#reports-now-agents tr[data-agent="admin"]', { hasText: '● Away' }).waitFor();
    await page.locator('#reports-now-agents tr[data-agent="lea"]', { hasText: '○ Offline' }).waitFor();
    assert.deepEqual(await lowContrast(page), []);
    await page.keyboard.press('Escape');
    await page.locator('#reports-dialog[open]').waitFor({ state: 'detached' });
  };
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
  // The system's scheme changes, and the page has heard it (its listeners ran).
  const systemTurns = async (scheme) => {
    const heard = page.evaluate(() => new Promise((resolve) =>
      matchMedia('(prefers-color-scheme: dark)').addEventListener('change', resolve, { once: true })));
    await page.emulateMedia({ colorScheme: scheme });
    await heard;
  };
  const pageBackground = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.locator('#conversation-list li[data-phone="15551002"]').click();
  await page.locator('.message.note', { hasText: 'Refund approved' }).waitFor();
  await page.locator('#composer-text').fill('a draft');
  // Its row says so (a line taller) before the next row is clicked: a row that moves between a press and its release loses the click.
  await page.locator('#conversation-list li[data-phone="15551002"] .badge.draft').waitFor();
  await page.locator('#conversation-list li[data-phone="15551003"]').click();
  await page.locator('#conv-snoozed').waitFor();
  await page.locator('#conversation-list li[data-phone="15552002"], #conversation-list li[data-phone="15551002"] .badge.draft').first().waitFor();
  await admin('POST', '/conversations/15551002/unread');  // opened again at its unread line
  await page.locator('#conversation-list li[data-phone="15551002"] .badge.unread').waitFor();
  await page.locator('#conversation-list li[data-phone="15551002"]').click();
  await page.locator('.message.note', { hasText: 'Refund approved' }).waitFor();
  await page.locator('.message.note .text.deleted').waitFor();
  await page.locator('#messages .unread-line', { hasText: '1 unread message' }).waitFor();

  // Automatic: light on a light system, and everything legible.
  assert.equal(await theme(), 'light');
  assert.equal(await pageBackground(), 'rgb(246, 247, 249)');
  assert.deepEqual(await lowContrast(page), []);
  await page.locator('#more-menu > summary').click();  // a menu open: its items, Delete's red among them
  await page.locator('#delete-conversation').waitFor();
  assert.deepEqual(await lowContrast(page), []);
  await page.keyboard.press('Escape');
  await reportsReadWell();
  // The system turns dark: so does the console, at once, and it stays legible.
  await systemTurns('dark');
  assert.equal(await theme(), 'dark');
  assert.equal(await pageBackground(), 'rgb(15, 17, 21)');
  assert.deepEqual(await lowContrast(page), []);
  await page.locator('#more-menu > summary').click();
  await page.locator('#delete-conversation').waitFor();
  assert.deepEqual(await lowContrast(page), []);
  await page.keyboard.press('Escape');
  await openSetting(page, 'Macros');  // a dialog, and its form, too
  await page.locator('#macros-dialog').waitFor();
  assert.deepEqual(await lowContrast(page), []);
  await page.locator('#macros-dialog').getByRole('button', { name: 'Close' }).click();
  await reportsReadWell();

  // Picked: dark whatever the system, then light, kept through a reload.
  const button = page.locator('#theme');
  assert.equal(await button.getAttribute('aria-label'), 'Theme: automatic, as the system');
  await button.click();
  assert.equal(await button.getAttribute('aria-label'), 'Theme: dark');
  await systemTurns('light');
  assert.equal(await theme(), 'dark');
  await button.click();
  assert.equal(await button.getAttribute('aria-label'), 'Theme: light');
  await systemTurns('dark');
  assert.equal(await theme(), 'light');
  await page.reload();
  await page.locator('#connection.live').waitFor();
  assert.equal(await theme(), 'light');
  assert.equal(await page.locator('#theme').getAttribute('aria-label'), 'Theme: light');
  // Back to automatic: the system's again.
  await page.locator('#theme').click();
  assert.equal(await theme(), 'dark');
  assert.deepEqual(page.errors, []);
}));

test('? lists the keyboard shortcuts, except where the agent types, where it is a question mark', () => withMemoryServer([], async (server) => {
  await userSays(server, '15551101', 'support', 'Ana');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const dialog = page.locator('#shortcuts-dialog');
  await page.locator('#conversation-list li[data-phone="15551101"]').click();
  await page.getByRole('button', { name: 'Claim Chat' }).click();
  await page.locator('#composer-text').fill('Which order');
  await page.locator('#composer-text').press('?');
  assert.equal(await page.locator('#composer-text').inputValue(), 'Which order?');
  assert.equal(await dialog.isVisible(), false);

  await page.locator('#conversation-list li[data-phone="15551101"] > button').focus();
  await page.keyboard.press('?');
  await dialog.waitFor();
  await dialog.getByRole('row', { name: /Alt J \/ Alt K/ }).waitFor();
  assert.deepEqual(await lowContrast(page), []);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  // From the top bar too.
  await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.deepEqual(page.errors, []);
}));

// How many rows the shown elements `selector` finds take.
const rowsOf = (page, selector) => page.evaluate((selector) => new Set([...document.querySelectorAll(selector)]
  .filter((e) => e.checkVisibility())
  .map((e) => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2))).size, selector);

// What is shown inside `selector` but reaches out of its box, described.
const spilling = (page, selector) => page.evaluate((selector) => {
  const box = document.querySelector(selector).getBoundingClientRect();
  return [...document.querySelectorAll(`${selector} *`)].filter((e) => e.checkVisibility()).filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && (r.left < box.left - 0.5 || r.right > box.right + 0.5);
  }).map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} "${e.textContent.trim().slice(0, 20)}"`);
}, selector);

test('the top bar and a chat\'s actions keep to one row at 1280 pixels, what is used now and then in their menus; nothing spills out of the bar or the list\'s tools', () => withMemoryServer(
  ['--business-hours', closedHours.spec, '--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('PUT', '/labels/vip', { color: '#aa3377' });  // the list's label filter shows
  await admin('PUT', '/teams/billing', { members: ['admin'] });  // and its team filter
  await admin('PUT', '/custom-attributes/plan', { display_name: 'Plan', type: 'list', values: ['Gold', 'Silver'] });  // its detail filter
  await userSays(server, '15550901', 'hello');  // users of both channels: its channel filter
  await whatsappUserSends(server, '15550902', 'wamid.902', 'text', null, 'hola');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  // An admin's widest bar: the hours' badge and Campaigns shown too.
  await page.locator('#hours').waitFor();
  await page.locator('#campaigns').waitFor();
  await page.locator('#label-select').waitFor();
  await page.locator('#team-filter').waitFor();
  await page.locator('#channel-filter').waitFor();
  await page.locator('#attribute-filter').waitFor();
  assert.equal(await rowsOf(page, '.topbar > *'), 1);
  // The list's tools: the search and the sort, then the three filters; no third row for the sort alone.
  assert.equal(await rowsOf(page, '.list-tools > *'), 2);
  assert.equal(await rowsOf(page, '.list-tools > :is(#search, #list-order)'), 1);
  assert.deepEqual(await spilling(page, '.topbar'), []);
  assert.deepEqual(await spilling(page, '.sidebar'), []);

  const summary = page.locator('#settings-menu > summary');
  const items = page.locator('#settings-menu > .menu-items');
  await summary.click();
  assert.deepEqual(await items.getByRole('button').allTextContents(),
    ['Team', 'Teams', 'Labels', 'Custom attributes', 'Saved replies', 'Macros', 'Automations', 'SLA', 'Audit log']);
  // Escape closes it, and leaves the keyboard on it.
  await page.keyboard.press('Escape');
  await items.waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement.id || document.activeElement.parentElement.id), 'settings-menu');
  // The arrows move through it: ↓ from the summary opens it at the first, ↑ from the first goes to the last.
  for (const [key, focused] of [['ArrowDown', 'team'], ['ArrowDown', 'teams'], ['End', 'audit'], ['ArrowDown', 'team'],
    ['ArrowUp', 'audit'], ['Home', 'team']]) {
    await page.keyboard.press(key);
    assert.equal(await page.evaluate(() => document.activeElement.id), focused, `after ${key}`);
  }
  await page.keyboard.press('Escape');
  await items.waitFor({ state: 'hidden' });
  // So does a click anywhere else.
  await summary.click();
  await items.waitFor();
  await page.locator('#pane').click({ position: { x: 300, y: 300 } });
  await items.waitFor({ state: 'hidden' });
  // A dialog opened from it closes it, and gives the keyboard back to it as it closes.
  await summary.click();
  await items.getByRole('button', { name: 'Audit log' }).click();  // a dialog shown before its rows load
  await page.locator('#audit-dialog[open]').waitFor();
  assert.equal(await items.isVisible(), false);
  await page.keyboard.press('Escape');
  await page.locator('#audit-dialog[open]').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.parentElement.id), 'settings-menu');

  // A chat's header: its actions in one row, the rarer ones (Mark unread, Mute, Block, Delete) under More;
  // packed closer in a laptop's narrower window, at 1080 pixels too.
  await userSays(server, '15551801', 'support', 'Ava');
  await admin('POST', '/conversations/15551801/chat-support/start');
  await admin('POST', '/conversations/15551801/participants');  // "👁 Following", its widest
  await page.locator('#conversation-list li[data-phone="15551801"]').click();
  await page.locator('#end-chat').waitFor();
  assert.equal(await rowsOf(page, '#conversation .actions > *'), 1);
  await page.setViewportSize({ width: 1080, height: 800 });
  await page.waitForFunction(() => innerWidth === 1080);  // a layout read from here on is the narrower window's
  assert.equal(await rowsOf(page, '#conversation .actions > *'), 1);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.locator('#more-menu > summary').click();
  assert.deepEqual(await page.locator('#more-menu > .menu-items').getByRole('button').allTextContents(),
    ['Mark unread', 'Mute', 'Block', 'Delete']);
  await page.keyboard.press('Escape');
  // Every popover closes on a press elsewhere, and on Escape, which leaves the keyboard on its summary.
  await page.locator('#snooze-menu > summary').click();
  await page.locator('#snooze-at').waitFor();
  await page.locator('#messages').click({ position: { x: 5, y: 5 } });
  await page.locator('#snooze-at').waitFor({ state: 'hidden' });
  await page.locator('#past-chats > summary').click();
  await page.locator('#past-chat-rows li').first().waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#past-chats[open]').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.parentElement.id), 'past-chats');
  await page.locator('#view-save-menu > summary').click();
  await page.locator('#view-name').waitFor();  // the menu puts the cursor there
  await page.waitForFunction(() => document.activeElement.id === 'view-name');
  await page.keyboard.press('Escape');
  await page.locator('#view-save-menu[open]').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.parentElement.id), 'view-save-menu');
  // In select mode, Escape in the bulk bar's Label closes it alone: select mode stays.
  await page.getByRole('button', { name: 'Select' }).click();
  await page.locator('#bulk-label-menu > summary').click();
  await page.locator('#bulk-label').focus();
  await page.keyboard.press('Escape');
  await page.locator('#bulk-label').waitFor({ state: 'hidden' });
  assert.equal(await page.locator('#bulk-bar').isVisible(), true);
  await page.keyboard.press('Escape');  // and the next leaves it
  await page.locator('#bulk-bar').waitFor({ state: 'hidden' });

  // At any width, each popover opens wholly inside the window, over the
  // messages (the header keeps its height): across the bar or the chat's
  // header in a phone's, and from a summary's left edge where its right
  // has no room. A phone's shows the list or the chat, and the top bar's
  // menus with the list.
  await admin('POST', '/macros', { name: 'Billing follow-up', actions: [{ action: 'label', label: 'vip' }] });
  // Inside the window, or placed there within a frame or two of its summary moving (its row drawn anew).
  const fits = (panel) => { const r = panel.getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth; };
  const insideWindow = async (menu, width) => {
    const panel = page.locator(`${menu} > .popover-panel`);
    if (await panel.evaluate(fits)) return;
    await page.waitForFunction(fits, await panel.elementHandle(), { timeout: 2000 }).catch(async () => {
      const box = await panel.boundingBox();
      assert.fail(`${menu} spans ${box.x} to ${box.x + box.width} in a ${width}px window`);
    });
  };
  const opensInside = async (menu, width) => {
    const header = await page.locator('.conversation-header').boundingBox();
    await page.locator(`${menu} > summary`).click();
    const panel = page.locator(`${menu} > .popover-panel`);
    await panel.waitFor();
    if (menu === '#macro-menu') await panel.getByRole('button', { name: 'Billing follow-up' }).waitFor();
    await insideWindow(menu, width);
    if (menu !== '#settings-menu') {
      assert.equal((await page.locator('.conversation-header').boundingBox()).height, header.height, `${menu} moved the header at ${width}px`);
    }
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });
  };
  for (let width = 400; width <= 1280; width += 40) {
    await page.setViewportSize({ width, height: 760 });
    if (await page.locator('#back').isVisible()) await page.locator('#back').click();
    await opensInside('#settings-menu', width);
    await page.locator('#conversation-list li[data-phone="15551801"]').click();
    await page.locator('.conversation-header').waitFor();  // after Back, once the chat is read again
    for (const menu of ['#snooze-menu', '#macro-menu', '#more-menu', '#past-chats', '#transcript-menu']) await opensInside(menu, width);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${width}px: sideways scrolling`);
  }
  // One open while its summary moves (here the window narrowed: its row wraps otherwise) is placed again.
  await page.locator('#past-chats > summary').click();
  for (const width of [1240, 1200, 1160, 1120, 1080, 1040, 1000, 960, 920, 880, 840, 800]) {
    await page.setViewportSize({ width, height: 760 });
    await insideWindow('#past-chats', width);
  }
  assert.deepEqual(page.errors, []);
}));

test('on a phone, a chat\'s header takes the top bar\'s place and folds what the chat is filed under, so that its messages keep most of the screen', () => withMemoryServer(
  ['--business-hours', closedHours.spec], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('PUT', '/teams/billing', { members: ['admin'] });
  await userSays(server, '15551811', 'support', 'Ana Lima');
  await userSays(server, '15551811', 'My order A-77 has not arrived');
  await admin('POST', '/conversations/15551811/chat-support/start');
  await admin('PUT', '/conversations/15551811/labels', { labels: ['vip', 'refund'] });
  await admin('PUT', '/conversations/15551811/priority', { priority: 'high' });
  await admin('PUT', '/conversations/15551811/team', { team: 'billing' });
  await admin('PUT', '/conversations/15551811/attributes', { attributes: { email: 'ana@example.com', order_id: 'A-77' } });
  await admin('POST', '/conversations/15551811/participants');
  await userSays(server, '15551812', 'support', 'Bo');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD,
    { context: { viewport: { width: 390, height: 844 } } });
  await page.locator('#hours').waitFor();
  // What the bar shows (a screen reader's alone left out).
  const shownInBar = () => page.evaluate(() => [...document.querySelector('.topbar').children]
    .filter((e) => e.checkVisibility() && e.getBoundingClientRect().width > 1).map((e) => e.id || e.className));
  // Beside the list, the bar is one row of what an agent uses, and being closed under it; the rest is in its menu.
  const beside = await shownInBar();
  assert.deepEqual(beside, ['connection', 'hours', 'availability', 'inbox', 'sound', 'theme', 'settings-menu']);
  assert.equal(await rowsOf(page, '.topbar > :not(.hours, .brand)'), 1);
  assert.equal(await rowsOf(page, '.topbar > :not(.brand)'), 2);
  assert.equal(await page.getByRole('heading', { level: 1, name: 'Switchboard' }).count(), 1);  // the page's title, for a screen reader
  const [bar, live] = [await page.locator('.topbar').boundingBox(), await page.locator('#connection').boundingBox()];
  assert.ok(bar.x + bar.width - (live.x + live.width) < 12, 'the connection at the row\'s end, as in a chat');
  const menu = page.locator('#settings-menu');
  assert.equal(await menu.locator('summary').innerText(), '☰ Menu');
  await menu.locator('summary').click();
  // No Campaigns, as the wider bar has no 📣: it takes --outbound-url.
  assert.deepEqual(await menu.locator('.menu-items button').evaluateAll((items) => items.filter((b) => b.checkVisibility())
    .map((b) => b.textContent)), ['Your account', 'Contacts', 'Reports', 'Team', 'Teams', 'Labels', 'Custom attributes',
    'Saved replies', 'Macros', 'Automations', 'SLA', 'Audit log', 'Keyboard shortcuts', 'Log out']);
  await menu.getByRole('button', { name: 'Reports' }).click();  // does what the wider bar's button does
  await page.locator('#reports-now-agents tr').first().waitFor();
  await page.keyboard.press('Escape');
  // The tabs: one row, scrolled to the one a saved view selects.
  assert.equal(await rowsOf(page, '.tabs > *'), 1);
  await admin('POST', '/views', { name: 'Followed', query: { filter: 'following' } });
  await page.locator('.view-chip button', { hasText: 'Followed' }).click();
  const tabInView = () => page.evaluate(() => {
    const tab = document.querySelector('.tabs [aria-selected="true"]').getBoundingClientRect();
    const strip = document.querySelector('.tabs').getBoundingClientRect();
    return tab.left >= strip.left && tab.right <= strip.right;
  });
  assert.equal(await page.locator('.tabs [aria-selected="true"]').getAttribute('data-filter'), 'following');
  assert.equal(await tabInView(), true);
  await admin('POST', '/views', { name: 'Everything', query: {} });
  await page.locator('.view-chip button', { hasText: 'Everything' }).click();  // All, back at the row's start
  await page.locator('.tabs [data-filter="all"][aria-selected="true"]').waitFor();
  assert.equal(await tabInView(), true);

  await page.locator('#conversation-list li[data-phone="15551811"]').click();
  await page.locator('#end-chat').waitFor();
  // In the chat, the bar keeps its name and the connection, on one row.
  assert.deepEqual(await shownInBar(), ['brand', 'connection']);
  assert.equal(await rowsOf(page, '.topbar > *'), 1);
  // What the chat is filed under is folded; its state and who has it are not.
  const fold = page.getByRole('button', { name: 'Labels and details' });
  assert.equal(await fold.getAttribute('aria-expanded'), 'false');
  for (const shown of ['#conv-name', '#conv-live', '#conv-waiting', '#conv-assignee', '#back']) {
    assert.equal(await page.locator(shown).isVisible(), true, shown);
  }
  for (const folded of ['#conv-priority', '#conv-team', '#conv-labels', '#conv-followers', '#conv-details']) {
    assert.equal(await page.locator(folded).isVisible(), false, folded);
  }
  // ← Back is beside the name, not on a row of its own.
  const [back, name] = [await page.locator('#back').boundingBox(), await page.locator('#conv-name').boundingBox()];
  assert.ok(Math.abs(back.y + back.height / 2 - (name.y + name.height / 2)) < 8, 'Back and the name on one row');
  const actionRows = await rowsOf(page, '#conversation .actions > *');
  assert.ok(actionRows <= 2, `the actions take ${actionRows} rows`);
  const messages = await page.locator('#messages').boundingBox();
  assert.ok(messages.height >= 844 * 0.55, `the messages have ${messages.height} of 844 pixels`);
  // A phone's keyboard has its own Enter: the reply box says only what fits it.
  const placeholder = () => page.locator('#composer-text').getAttribute('placeholder');
  assert.equal(await placeholder(), 'Write a reply… (/ for a saved reply)');

  // Unfolded, all of it, and it can be changed there.
  await fold.click();
  assert.equal(await fold.getAttribute('aria-expanded'), 'true');
  await page.locator('#conv-labels').getByText('refund').waitFor();
  await page.locator('#conv-details').getByText('ana@example.com').waitFor();
  await page.locator('#conv-followers', { hasText: 'Followed by you' }).waitFor();
  assert.equal(await page.locator('#conv-team').inputValue(), 'billing');
  await page.locator('#conv-priority').selectOption('urgent');
  await page.locator('#messages').getByText('Priority set to urgent by admin').waitFor();
  // A label's chip there shows the list, of the conversations under it.
  await page.locator('#conv-labels').getByRole('button', { name: 'refund', exact: true }).click();
  await page.locator('#label-filter-name', { hasText: 'refund' }).waitFor();
  assert.equal(await page.locator('#conversation-list').isVisible(), true);
  assert.equal(await page.locator('#pane').isVisible(), false);
  assert.deepEqual(await page.locator('#conversation-list li').evaluateAll((rows) => rows.map((r) => r.dataset.phone)), ['15551811']);
  assert.equal(await page.locator('#filters-fold').textContent(), 'Filters (1)');
  await page.locator('#label-filter-clear').click();
  assert.equal(await page.locator('#filters-fold').textContent(), 'Filters');
  assert.deepEqual(await shownInBar(), beside);
  // The fold stays as the agent left it in the next chat; folded again, it hides.
  await page.locator('#conversation-list li[data-phone="15551812"]').click();
  await page.locator('#conv-name', { hasText: 'Bo' }).waitFor();
  assert.equal(await page.locator('#conv-priority').isVisible(), true);
  await fold.click();
  assert.equal(await page.locator('#conv-priority').isVisible(), false);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'sideways scrolling');

  // The list's filters fold behind one button too, which says how many are on.
  await page.locator('#back').click();
  const filters = page.locator('#filters-fold');
  assert.equal(await filters.textContent(), 'Filters');
  for (const filter of ['#priority-filter', '#list-order', '#assignee-filter', '#view-save-menu']) {
    assert.equal(await page.locator(filter).isVisible(), false, filter);
  }
  await filters.click();
  await page.locator('#priority-filter').selectOption('urgent');
  await page.locator('#list-order').selectOption('priority');
  await filters.click();
  assert.equal(await filters.textContent(), 'Filters (2)');
  assert.equal(await page.locator('#priority-filter').isVisible(), false);
  await page.locator('#conversation-list li[data-phone="15551812"]').waitFor({ state: 'detached' });  // Bo's is not urgent
  assert.equal(await page.locator('#conversation-list li').count(), 1);
  // The order is this browser's: after a reload, one filter is on.
  await page.reload();
  await page.locator('#connection.live').waitFor();
  assert.equal(await filters.textContent(), 'Filters (1)');
  await page.locator('#conversation-list li[data-phone="15551811"]').click();
  await page.locator('#conv-name', { hasText: 'Ana Lima' }).waitFor();

  // In a wider window, nothing is folded and the folds are not there.
  await page.setViewportSize({ width: 1280, height: 800 });
  // A media query's change reaches the page's listeners at its next frame, not with the resize.
  await page.locator('#composer-text[placeholder="Write a reply… (Enter sends, Shift+Enter for a new line, / for a saved reply)"]').waitFor();
  assert.equal(await fold.isVisible(), false);
  assert.equal(await page.locator('#conv-priority').isVisible(), true);
  assert.equal(await page.locator('#settings-menu').isVisible(), true);
  assert.equal(await menu.locator('summary').innerText(), 'Settings');
  assert.equal(await page.getByRole('button', { name: 'Contacts' }).count(), 1);  // the bar's; the menu's is a phone's
  assert.equal(await filters.isVisible(), false);
  assert.equal(await page.locator('#list-order').inputValue(), 'priority');
  assert.equal(await page.locator('#list-order').isVisible(), true);
  assert.deepEqual(page.errors, []);
}));

// What is shown in the open dialog but reaches past its content (into its
// padding or out of it); a table that scrolls sideways by design is left out.
// A button's words on more than one line, in the open dialog.
const wrappedButtons = (page) => page.evaluate(() => [...document.querySelectorAll('dialog[open] button')]
  .filter((b) => b.checkVisibility()).filter((b) => {
    const words = document.createRange();
    words.selectNodeContents(b);
    return new Set([...words.getClientRects()].map((r) => Math.round(r.top))).size > 1;
  }).map((b) => b.textContent.trim()));

const outsideDialog = (page) => page.evaluate(() => {
  const dialog = document.querySelector('dialog[open]');
  const style = getComputedStyle(dialog);
  const box = dialog.getBoundingClientRect();
  const [left, right] = [box.left + parseFloat(style.paddingLeft), box.right - parseFloat(style.paddingRight)];
  return [...dialog.querySelectorAll('*')].filter((e) => e.checkVisibility() && !e.closest('.table-scroll')).filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && (r.left < left - 0.5 || r.right > right + 0.5);
  }).map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} "${e.textContent.trim().slice(0, 20)}"`);
});

test('at a phone\'s width every dialog keeps what it holds inside it: a macro\'s or an automation\'s actions shrink to fit', () => withMemoryServer(
  ['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea Roth' });
  await admin('PUT', '/teams/billing', { members: ['admin', 'lea'], description: 'Refunds and invoices' });
  await admin('PUT', '/labels/vip', { color: '#aa3377', description: 'Pays for the premium plan' });
  await admin('POST', '/macros', { name: 'Billing follow-up', actions: [{ action: 'label', label: 'vip' }, { action: 'priority', priority: 'high' }] });
  await admin('POST', '/canned-responses', { shortcut: 'hello', text: 'Hello {{name}}, how can I help?' });
  await userSays(server, '15551821', 'support', 'Ana');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD,
    { context: { viewport: { width: 390, height: 844 } } });
  const fits = async (name, ready) => {
    await page.locator(ready).first().waitFor();
    assert.deepEqual(await outsideDialog(page), [], `the ${name} dialog`);
    assert.deepEqual(await wrappedButtons(page), [], `the ${name} dialog's buttons`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${name}: sideways scrolling`);
    // But a report's: columns of figures, read as a spreadsheet's are.
    assert.deepEqual(await page.locator('dialog[open]:not(#reports-dialog) .table-scroll').evaluateAll((boxes) => boxes
      .filter((box) => box.scrollWidth > box.clientWidth).map((box) => box.querySelector('table').className)), [], `${name}: a table scrolls sideways`);
    await page.keyboard.press('Escape');
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
  };
  for (const [name, ready] of [['Team', '#team-rows tr'], ['Teams', '#teams-list li'], ['Labels', '#labels-list li'],
    ['Custom attributes', '#attributes-dialog[open]'], ['Saved replies', '#replies-list li'], ['Macros', '#macros-dialog .macro-actions li'],
    ['Automations', '#automations-dialog .macro-actions li'], ['SLA', '#sla-dialog[open]'], ['Audit log', '#audit-rows tr']]) {
    await openSetting(page, name);
    if (name === 'Audit log') {  // an entry's day and its time each keep to one line
      await page.locator('#audit-rows .when').first().waitFor();
      assert.deepEqual(await page.locator('#audit-rows .when span').evaluateAll((spans) => spans
        .filter((span) => span.getClientRects().length > 1).map((span) => span.textContent)), []);
    }
    // An agent, an entry: a card, what is said of it under its name or its time, not columns beside it.
    const cards = { 'Team': ['#team-rows tr', 'th', 'td'], 'Audit log': ['#audit-rows tr', 'td:nth-child(1)', 'td:nth-child(3)'] }[name];
    if (cards) {
      const [rows, head, rest] = cards;
      await page.locator(rows).first().waitFor();
      assert.deepEqual(await page.locator(rows).evaluateAll((trs, [head, rest]) => trs.filter((tr) =>
        tr.querySelector(rest).getBoundingClientRect().top < tr.querySelector(head).getBoundingClientRect().bottom)
        .map((tr) => tr.textContent.slice(0, 30)), [head, rest]), [], `the ${name} dialog's cards`);
    }
    await fits(name, ready);
  }
  for (const [name, ready] of [['Your account', '#team-rows tr'], ['Contacts', '#contacts-rows li'], ['Reports', '#reports-now-agents tr'],
    ['Campaigns', '#campaigns-dialog[open]'], ['Keyboard shortcuts', '#shortcuts-dialog[open] tr']]) {
    await openSetting(page, name);  // the top bar's, in its menu at this width
    await fits(name, ready);
  }
  await page.getByRole('button', { name: 'Notifications', exact: true }).click();
  await fits('Notifications', '#inbox-dialog[open]');
  await page.locator('#conversation-list li[data-phone="15551821"]').click();
  await page.getByRole('button', { name: 'Claim Chat' }).click();
  for (const [name, ready] of [['Transfer', '#transfer-dialog[open]'], ['End Chat', '#end-dialog[open]']]) {
    await page.getByRole('button', { name, exact: true }).click();
    await fits(name, ready);
  }
  assert.deepEqual(page.errors, []);
}));
