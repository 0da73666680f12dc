// The console in real headless chromium against the real server: the
// notification inbox, where an agent finds the notes that mention them and
// the chats handed to them, live and after being away.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ADMIN_PASSWORD, apiAs, browser, chimes, consolePage, holdNextAnswer, newUserShows,
  shareBrowserAndReceiver, userSays, withMemoryServer,
} from './harness.mjs';

shareBrowserAndReceiver();

test('an agent back from away finds mentions and chats handed to them in the inbox, and reading them clears the count in every console', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'eve', password: 'eve-secret-1', display_name: 'Eve' });
  await userSays(server, '15550901', 'support', 'Ava');
  await userSays(server, '15550902', 'support', 'Bo');
  await admin('POST', '/conversations/15550901/chat-support/start');
  // While Eve is away.
  await admin('POST', '/conversations/15550901/notes', { text: '@eve can you check Ava\'s refund?' });
  await admin('POST', '/conversations/15550902/chat-support/transfer', { to: 'eve' });

  const page = await consolePage(browser.browser, server, 'eve', 'eve-secret-1');
  const badge = page.locator('#inbox-count');
  const counts = (n) => page.getByRole('button', { name: `Notifications, ${n} unread` }).waitFor();
  await counts(2);
  assert.equal(await badge.textContent(), '2');
  await page.locator('#inbox').click();
  const rows = page.locator('#inbox-rows li');
  await rows.nth(1).waitFor();
  assert.deepEqual(await rows.locator('.headline').allTextContents(), ['admin assigned you a chat', 'admin mentioned you']);
  assert.match(await rows.nth(0).textContent(), /Bo/);
  assert.equal(await rows.nth(1).locator('.preview').textContent(), '@eve can you check Ava\'s refund?');
  assert.equal(await page.locator('#inbox-rows li.unread').count(), 2);

  // One that comes while the inbox is open joins it at the top.
  await admin('POST', '/conversations/15550902/notes', { text: '@eve Bo asked for a callback' });
  await rows.nth(2).waitFor();
  assert.equal(await rows.nth(0).locator('.preview').textContent(), '@eve Bo asked for a callback');
  await counts(3);

  // Opening one opens its conversation, and reads it.
  await rows.nth(2).locator('.open-notification').click();
  await page.locator('#conv-name', { hasText: 'Ava' }).waitFor();
  await page.locator('.message.note', { hasText: 'can you check' }).waitFor();
  await counts(2);

  // Each can be marked read, and unread again; and all at once.
  await page.locator('#inbox').click();
  await rows.nth(2).waitFor();
  assert.equal(await page.locator('#inbox-rows li.unread').count(), 2);
  await rows.nth(0).getByRole('button', { name: 'Mark read' }).click();
  await counts(1);
  await rows.nth(0).getByRole('button', { name: 'Mark unread' }).click();
  await counts(2);
  await page.locator('#inbox-unread-only').check();
  await page.locator('#inbox-rows li:not(.unread)').waitFor({ state: 'detached' });
  assert.equal(await rows.count(), 2);
  await page.locator('#inbox-unread-only').uncheck();
  await rows.nth(2).waitFor();

  // A second console of Eve's follows the first, its open inbox too.
  const other = await consolePage(browser.browser, server, 'eve', 'eve-secret-1');
  await other.getByRole('button', { name: 'Notifications, 2 unread' }).click();
  await other.locator('#inbox-rows li.unread').nth(1).waitFor();
  await page.locator('#inbox-read-all').click();
  await page.getByRole('button', { name: 'Notifications', exact: true }).waitFor();
  assert.equal(await badge.isVisible(), false);
  // first(): the rows may not be drawn anew yet, and a wait on two rows at once is refused.
  await page.locator('#inbox-rows li.unread').first().waitFor({ state: 'detached' });
  await other.getByRole('button', { name: 'Notifications', exact: true }).waitFor();
  await other.locator('#inbox-rows li.unread').first().waitFor({ state: 'detached' });
  assert.equal(await other.locator('#inbox-rows li').count(), 3);
  await page.locator('#inbox-dialog').getByRole('button', { name: 'Close' }).click();

  // Opening a conversation reads what the inbox has of it.
  await admin('POST', '/conversations/15550902/notes', { text: '@eve Bo again' });
  await counts(1);
  await page.locator('#conversation-list li[data-phone="15550902"]').click();
  await page.locator('#conv-name', { hasText: 'Bo' }).waitFor();
  await page.getByRole('button', { name: 'Notifications', exact: true }).waitFor();
  // And one that comes about the chat the agent is looking at is read as it comes.
  const eve = await apiAs(server, 'eve', 'eve-secret-1');
  await admin('POST', '/conversations/15550902/notes', { text: '@eve while you look' });
  await page.locator('.message.note', { hasText: 'while you look' }).waitFor();
  let newest;  // as the server has it, asked until it is read or 10 s have gone
  for (const until = Date.now() + 10_000; Date.now() < until && !(newest?.text === '@eve while you look' && newest.read_at);)
    [newest] = (await eve('GET', '/notifications')).notifications;
  assert.equal(newest.text, '@eve while you look');
  assert.ok(newest.read_at, 'read as it came');
  assert.equal((await eve('GET', '/notifications')).unread, 0);
  // The server kept it so.
  await page.reload();
  await page.locator('#connection.live').waitFor();
  assert.equal((await eve('GET', '/notifications')).unread, 0);
  assert.equal(await badge.isVisible(), false);
  // Each kind in words, a missed target's too (which takes a real wait to make).
  assert.deepEqual(await page.evaluate(async () => {
    const { headline } = await import('/js/notifications.js');
    return [{ type: 'mention', actor: 'bob' }, { type: 'assigned', actor: null }, { type: 'sla_missed', target: 'next_reply' }]
      .map(headline);
  }), ['bob mentioned you', 'Automatic routing assigned you a chat', 'Your chat missed its next-reply target']);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(other.errors, []);
}));

test('a chat handed to an agent rings for them, and a desktop notice out of sight opens it', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'eve', password: 'eve-secret-1', display_name: 'Eve' });
  const standIns = () => {
    window.hidden_ = false;
    Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (window.hidden_ ? 'hidden' : 'visible') });
    window.shown_ = [];
    window.Notification = class {
      static permission = 'granted';
      static requestPermission() { return Promise.resolve('granted'); }
      constructor(title, { body, tag }) { Object.assign(this, { title, body, tag }); window.shown_.push(this); }
      close() {}
    };
  };
  const page = await consolePage(browser.browser, server, 'eve', 'eve-secret-1', { beforeLoad: (p) => p.addInitScript(standIns) });
  await userSays(server, '15550911', 'support', 'Cy');
  await page.locator('#conversation-list li[data-phone="15550911"]').waitFor();
  const before = await chimes(page);  // the queue's own chime
  await page.evaluate(() => { window.hidden_ = true; });
  await admin('POST', '/conversations/15550911/chat-support/transfer', { to: 'eve' });
  await page.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor();
  assert.equal(await chimes(page), before + 1);
  const shown = await page.evaluate(() => window.shown_.map(({ title, body, tag }) => ({ title, body, tag })));
  assert.deepEqual(shown.at(-1), { title: 'admin assigned you a chat', body: 'Cy', tag: '15550911' });
  await page.evaluate(() => window.shown_.at(-1).onclick());
  await page.locator('#conv-name', { hasText: 'Cy' }).waitFor();
  await page.getByRole('button', { name: 'Notifications', exact: true }).waitFor();  // opening it read it
  assert.deepEqual(page.errors, []);
}));

test('an agent follows a conversation from its header and finds what the user writes in the inbox, at the message', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'eve', password: 'eve-secret-1', display_name: 'Eve' });
  await userSays(server, '15550921', 'support', 'Di');
  await admin('POST', '/conversations/15550921/chat-support/start');
  await userSays(server, '15550922', 'hello', 'Fay');
  const page = await consolePage(browser.browser, server, 'eve', 'eve-secret-1');
  const other = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15550921"]').click();
  await page.locator('#conv-name', { hasText: 'Di' }).waitFor();
  assert.equal(await page.locator('#conv-followers').isVisible(), false);

  await page.getByRole('button', { name: '👁 Follow' }).click();
  await page.locator('#follow[aria-pressed="true"]', { hasText: 'Following' }).waitFor();
  await page.locator('#conv-followers', { hasText: 'Followed by you' }).waitFor();
  // The Following tab counts and lists what she follows.
  const followingTab = page.locator('.tabs [data-filter="following"]');
  await followingTab.locator('.count', { hasText: '1' }).waitFor();
  await followingTab.click();
  await page.locator('#conversation-list li[data-phone="15550921"]').waitFor();
  assert.equal(await page.locator('#conversation-list li').count(), 1);
  await page.locator('.tabs [data-filter="all"]').click();
  // Another agent sees who follows it.
  await other.locator('#conversation-list li[data-phone="15550921"]').click();
  await other.locator('#conv-followers', { hasText: 'Followed by eve' }).waitFor();
  assert.equal(await other.locator('#follow').getAttribute('aria-pressed'), 'false');

  // Away from it, Eve is told of the user's message; the inbox opens the chat at it.
  await page.locator('#conversation-list li[data-phone="15550922"]').click();
  await page.locator('#conv-name', { hasText: 'Fay' }).waitFor();
  for (let i = 0; i < 60; i += 1) await userSays(server, '15550921', `line ${i}`);
  await page.getByRole('button', { name: 'Notifications, 60 unread' }).waitFor();
  await page.locator('#inbox').click();
  const rows = page.locator('#inbox-rows li');
  await rows.nth(24).waitFor();
  assert.equal(await rows.nth(0).locator('.headline').textContent(), 'A new message in a conversation you follow');
  assert.equal(await rows.nth(0).locator('.preview').textContent(), 'line 59');
  await rows.nth(24).locator('.open-notification').click();  // line 35: before the newest 50 messages
  await page.locator('.message.found', { hasText: 'line 35' }).waitFor();
  await page.getByRole('button', { name: 'Notifications', exact: true }).waitFor();  // opening the chat read them all

  // No longer following, she hears no more.
  await page.getByRole('button', { name: '👁 Following' }).click();
  await page.locator('#follow[aria-pressed="false"]', { hasText: 'Follow' }).waitFor();
  await other.locator('#conv-followers').waitFor({ state: 'hidden' });
  await page.waitForFunction(() => document.querySelector('.tabs [data-filter="following"] .count').textContent === '');
  await userSays(server, '15550921', 'one more');
  await other.locator('.message.user', { hasText: 'one more' }).waitFor();
  const eve = await apiAs(server, 'eve', 'eve-secret-1');
  assert.equal((await eve('GET', '/notifications?unread=true')).notifications.length, 0);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(other.errors, []);
}));

test('an agent turns off the kinds of notification they do not want, in every console of theirs, and those neither ring nor come', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'eve', password: 'eve-secret-1', display_name: 'Eve' });
  const eve = await apiAs(server, 'eve', 'eve-secret-1');
  await userSays(server, '15550931', 'support', 'Flo');
  await admin('POST', '/conversations/15550931/chat-support/start');
  const page = await consolePage(browser.browser, server, 'eve', 'eve-secret-1');
  const other = await consolePage(browser.browser, server, 'eve', 'eve-secret-1');

  await page.locator('#inbox').click();
  await page.getByText('Which notifications you get').click();
  const box = (p, name) => p.getByLabel(name);
  for (const name of ['A chat is handed to you', 'A note mentions you', 'A user writes in a conversation you follow',
    "Your chat misses one of the team's targets"])
    assert.equal(await box(page, name).isChecked(), true);
  await box(page, 'A note mentions you').uncheck();
  // The other console is told; the server keeps it.
  await other.locator('#inbox').click();
  await other.getByText('Which notifications you get').click();
  await other.waitForFunction(() => document.querySelector('#inbox-kinds input[name="mention"]').checked === false);
  assert.equal((await eve('GET', '/notifications/preferences')).preferences.mention, false);
  await page.keyboard.press('Escape');

  // A note that mentions eve neither rings nor comes; the chat handed to her after it does both.
  const before = await chimes(page);
  await admin('POST', '/conversations/15550931/notes', { text: '@eve a look at this?' });
  await admin('POST', '/conversations/15550931/chat-support/transfer', { to: 'eve' });
  await page.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor();
  assert.equal(await chimes(page), before + 1);
  assert.deepEqual((await eve('GET', '/notifications')).notifications.map((n) => n.type), ['assigned']);

  // Kept: a reload shows it off; turned on again, mentions come again.
  await page.reload();
  await page.locator('#connection.live').waitFor();
  await page.locator('#inbox').click();
  await page.getByText('Which notifications you get').click();
  await page.waitForFunction(() => document.querySelector('#inbox-kinds input[name="mention"]').checked === false);
  await box(page, 'A note mentions you').check();
  await other.waitForFunction(() => document.querySelector('#inbox-kinds input[name="mention"]').checked === true);
  await admin('POST', '/conversations/15550931/notes', { text: '@eve thanks' });
  await page.locator('#inbox-rows li[data-type="mention"]').waitFor();
  assert.deepEqual(page.errors, []);
  assert.deepEqual(other.errors, []);
}));

// The count is read at each connect, and each notification's event says it
// anew. A count asked for before a notification and answered after its
// event is older than the event's, and leaves the badge as the event left
// it. Here the server's answer at the connect is read at once and handed
// to the page only after the event.
test('an unread count read before a notification and answered after its event does not undo it', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'eve', password: 'eve-secret-1', display_name: 'Eve' });
  await userSays(server, '15550941', 'support', 'Ava');
  await admin('POST', '/conversations/15550941/chat-support/start');

  let held;
  const page = await consolePage(browser.browser, server, 'eve', 'eve-secret-1', {
    beforeLoad: async (p) => { held = await holdNextAnswer(p, /\/notifications\?limit=1$/); },
  });
  await held.read;  // the server's count: none
  await admin('POST', '/conversations/15550941/chat-support/transfer', { to: 'eve' });
  const counts = (n) => page.getByRole('button', { name: `Notifications, ${n} unread` }).waitFor();
  await counts(1);
  await held.handOver();
  // A conversation drawn after the answer says the console has had it.
  await newUserShows(page, server, '15550942', 'Bo');
  assert.equal(await page.locator('#inbox-count').textContent(), '1');
  assert.equal(await page.locator('#inbox-count').isVisible(), true);
  assert.deepEqual(page.errors, []);
}));

// The preferences are read at each connect too, and
// notification_preferences.updated says them anew: a read answered after
// one, from before it, leaves them as the event said.
test('preferences read before a change and answered after its event do not undo it', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'eve', password: 'eve-secret-1', display_name: 'Eve' });
  const eve = await apiAs(server, 'eve', 'eve-secret-1');
  let held;
  const page = await consolePage(browser.browser, server, 'eve', 'eve-secret-1', {
    beforeLoad: async (p) => { held = await holdNextAnswer(p, /\/notifications\/preferences$/); },
  });
  await held.read;  // the server's preferences: every kind
  await eve('PATCH', '/notifications/preferences', { mention: false });  // in another tab, say
  await page.locator('#inbox').click();
  const mention = page.locator('#inbox-kinds input[name="mention"]');
  await page.waitForFunction(() => document.querySelector('#inbox-kinds input[name="mention"]')?.checked === false);  // the event's
  await held.handOver();
  // A conversation drawn after the answer says the console has had it.
  await newUserShows(page, server, '15550951', 'Bo');
  assert.equal(await mention.isChecked(), false);
  assert.deepEqual(page.errors, []);
}));

// A mention that comes, and one read in another tab, as the inbox reads its
// first page: the page read before and answered after their events shows
// both as the events said.
test('a notification that comes, and one read elsewhere, while the inbox reads its page show so', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'eve', password: 'eve-secret-1', display_name: 'Eve' });
  const eve = await apiAs(server, 'eve', 'eve-secret-1');
  await userSays(server, '15550931', 'support', 'Ava');
  await admin('POST', '/conversations/15550931/notes', { text: '@eve first' });
  const page = await consolePage(browser.browser, server, 'eve', 'eve-secret-1');
  await page.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor();
  const held = await holdNextAnswer(page, /\/notifications\?limit=25$/);
  await page.locator('#inbox').click();
  await held.read;  // the first mention, unread
  const { notifications: [first] } = await eve('GET', '/notifications?limit=1');
  await eve('POST', `/notifications/${first.id}/read`);  // in another tab
  await admin('POST', '/conversations/15550931/notes', { text: '@eve second' });
  await newUserShows(page, server, '15550932', 'Bo');  // the console has had both events
  await held.handOver();
  const rows = page.locator('#inbox-rows li');
  await rows.first().waitFor();
  assert.deepEqual(await rows.locator('.preview').allTextContents(), ['@eve second', '@eve first']);
  assert.deepEqual(await rows.evaluateAll((lis) => lis.map((li) => li.classList.contains('unread'))), [true, false]);
  assert.deepEqual(page.errors, []);
}));
