// The console in real headless chromium against the real server: a conversation's attributes and
// states: priority, unread, details, labels, names, snoozing and bulk actions (its user's blocking
// and deletion, and the Contacts dialog, are in users.test.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ADMIN_PASSWORD, apiAs, browser, chatAction, chimes, chimesReach, consolePage, holdNextAnswer, openSetting,
  shareBrowserAndReceiver, userSays, withMemoryServer,
} from './harness.mjs';

shareBrowserAndReceiver();

test('an agent marks a conversation urgent, and every console shows it in the list', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'max', password: 'max-secret-1', display_name: 'Max' });
  await userSays(server, '15550721', 'my account is locked', 'Sol');
  await userSays(server, '15550722', 'hi', 'Tam');
  const max = await consolePage(browser.browser, server, 'max', 'max-secret-1');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15550721"]').click();
  await page.locator('#conv-name', { hasText: 'Sol' }).waitFor();
  assert.equal(await page.getByLabel('Priority', { exact: true }).inputValue(), 'none');
  await page.getByLabel('Priority', { exact: true }).selectOption('urgent');
  await page.locator('#conversation-list li[data-phone="15550721"] .badge.priority.urgent', { hasText: 'Urgent' }).waitFor();
  await max.locator('#conversation-list li[data-phone="15550721"] .badge.priority.urgent').waitFor();  // from the socket
  assert.equal((await admin('GET', '/conversations/15550721')).priority, 'urgent');
  assert.equal(await page.locator('#conversation-list li[data-phone="15550722"] .badge.priority').count(), 0);
  // The list shows only those marked so, when asked.
  await max.getByLabel('Priority filter').selectOption('urgent');
  await max.waitForFunction(() => [...document.querySelectorAll('#conversation-list li')].map((l) => l.dataset.phone).join() === '15550721');
  await max.getByLabel('Priority filter').selectOption('');
  await max.waitForFunction(() => document.querySelectorAll('#conversation-list li').length === 2);

  // Set elsewhere: the open chat's header follows; back to none, the badge goes.
  await admin('PUT', '/conversations/15550721/priority', { priority: 'high' });
  await page.waitForFunction(() => document.getElementById('conv-priority').value === 'high');
  await max.locator('#conversation-list li[data-phone="15550721"] .badge.priority.high', { hasText: 'High' }).waitFor();
  await page.getByLabel('Priority', { exact: true }).selectOption('none');
  await max.locator('#conversation-list li[data-phone="15550721"] .badge.priority').waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
  assert.deepEqual(max.errors, []);
}));

// "Mark unread": the chat closes, and its row says unread again in every console.
test('an agent marks a conversation unread, and every console lists it unread', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'jo', password: 'jo-secret-12', display_name: 'Jo' });
  await userSays(server, '15550741', 'is my order on its way?', 'Wes');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const jo = await consolePage(browser.browser, server, 'jo', 'jo-secret-12');
  const unreadBadge = (p) => p.locator('#conversation-list li[data-phone="15550741"] .badge.unread');
  await page.locator('#conversation-list li[data-phone="15550741"]').click();
  await jo.locator('#conversation-list li[data-phone="15550741"]').waitFor();
  await unreadBadge(jo).waitFor({ state: 'detached' });  // read by the admin, for everyone
  await chatAction(page, 'Mark unread');
  await page.locator('#conversation').waitFor({ state: 'hidden' });
  await unreadBadge(page).filter({ hasText: '1 unread' }).waitFor();
  await unreadBadge(jo).filter({ hasText: '1 unread' }).waitFor();
  assert.equal((await admin('GET', '/conversations/15550741')).unread, 1);
  // Opened again, it is read again; the button works only then.
  await jo.locator('#conversation-list li[data-phone="15550741"]').click();
  await unreadBadge(page).waitFor({ state: 'detached' });
  await jo.locator('#more-menu > summary').click();
  await jo.locator('#mark-unread:enabled').waitFor();
  assert.deepEqual(page.errors, []);
  assert.deepEqual(jo.errors, []);
}));

// As a chat app's "3 unread messages": the line above what no agent had
// read when the chat opened. Read from then on, the line stays until the
// agent answers; unread messages past the history's height keep it at the
// top, and are read once the agent reaches the newest.
test('a chat opens at a line above the messages no agent had read, which stays until the agent answers', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550745', 'support', 'Ida');
  await admin('POST', '/conversations/15550745/chat-support/start');
  await admin('POST', '/conversations/15550745/chat-support/send', { text: 'Hi Ida, what can I do?' });
  await admin('POST', '/conversations/15550745/read', { up_to: 1000 });  // all there is
  for (const text of ['my card was charged twice', 'on the 3rd', 'and again today']) await userSays(server, '15550745', text);
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const row = page.locator('#conversation-list li[data-phone="15550745"]');
  await row.click();
  const line = page.locator('#messages li.unread-line');
  await line.filter({ hasText: '3 unread messages' }).waitFor();
  const around = () => line.evaluate((li) => [li.previousElementSibling, li.nextElementSibling].map((m) => m.querySelector('.text').textContent));
  assert.deepEqual(await around(), ['Hi Ida, what can I do?', 'my card was charged twice']);
  assert.equal(await page.locator('#new-messages').isHidden(), true);  // all three in sight: read at once
  await row.locator('.badge.unread').waitFor({ state: 'detached' });
  assert.equal((await admin('GET', '/conversations/15550745')).unread, 0);

  // Read again (its row clicked), nothing is unread: the line stays, where it was.
  const held = await holdNextAnswer(page, /\/conversations\/15550745$/);
  await row.click();
  await held.read;
  await held.handOver((c) => ({ ...c, name: 'Ida M.' }));
  await page.locator('#conv-name', { hasText: 'Ida M.' }).waitFor();
  assert.deepEqual(await around(), ['Hi Ida, what can I do?', 'my card was charged twice']);
  // The user writes on while the agent looks: no line of its own; the count stays as it was.
  await userSays(server, '15550745', 'hello?');
  await page.locator('.message.user', { hasText: 'hello?' }).waitFor();
  assert.deepEqual(await line.allTextContents(), ['3 unread messages']);
  // The agent's answer takes it away.
  await page.locator('#composer-text').fill('Looking at it now');
  await page.locator('#composer-text').press('Enter');
  await line.waitFor({ state: 'detached' });

  // Forty unread messages, forty of the bot's answers between them: the
  // history goes back past its first page to the first unread, puts its
  // line at the top, and reads nothing until the agent is at the newest.
  for (let i = 1; i <= 40; i += 1) await userSays(server, '15550746', `question ${i}`, 'Jon');
  await page.locator('#conversation-list li[data-phone="15550746"]').click();
  await line.filter({ hasText: '40 unread messages' }).waitFor();
  assert.equal(await line.evaluate((li) => li.nextElementSibling.querySelector('.text').textContent), 'question 1');
  const [lineTop, listTop] = await line.evaluate((li) => [li.getBoundingClientRect().top, li.parentElement.getBoundingClientRect().top]);
  assert.ok(lineTop >= listTop && lineTop < listTop + 40, `the line at the top of the history: ${lineTop} against ${listTop}`);
  await page.locator('#new-messages').waitFor();
  assert.equal((await admin('GET', '/conversations/15550746')).unread, 40);
  await page.locator('#new-messages').click();
  await page.locator('#conversation-list li[data-phone="15550746"] .badge.unread').waitFor({ state: 'detached' });
  assert.equal((await admin('GET', '/conversations/15550746')).unread, 0);
  assert.deepEqual(page.errors, []);
}));

// Details of the user (the conversation's attributes): typed as "name: value"
// in the header, changed by a click, seen by every console, found by a search.
test('an agent notes a user\'s email, changes it, and a search finds the user by it', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'ida', password: 'ida-secret-1', display_name: 'Ida' });
  await userSays(server, '15550731', 'where is my parcel', 'Uma');
  await userSays(server, '15550732', 'hi', 'Vic');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const ida = await consolePage(browser.browser, server, 'ida', 'ida-secret-1');
  for (const p of [page, ida]) {
    await p.locator('#conversation-list li[data-phone="15550731"]').click();
    await p.locator('#conv-name', { hasText: 'Uma' }).waitFor();
  }
  const addDetail = async (p, typed) => {
    await p.getByRole('button', { name: '+ Detail' }).click();
    await p.getByLabel('New detail').fill(typed);
    await p.getByLabel('New detail').press('Enter');
  };
  await addDetail(page, 'Order id: A-77');
  await page.locator('#conv-details .detail-chip[data-key="order_id"]').waitFor();
  await addDetail(page, 'Email: uma@example.com');
  await ida.locator('#conv-details .detail-chip[data-key="email"]', { hasText: 'uma@example.com' }).waitFor();  // from the socket
  assert.deepEqual((await admin('GET', '/conversations/15550731')).attributes, { email: 'uma@example.com', order_id: 'A-77' });

  // A click changes one; something that is no detail is refused, and nothing changes.
  await ida.locator('#conv-details .detail-chip[data-key="email"] .detail-text').click();
  assert.equal(await ida.getByLabel('Change email').inputValue(), 'email: uma@example.com');
  await ida.getByLabel('Change email').fill('email: uma@acme.test');
  await ida.getByLabel('Change email').press('Enter');
  await page.locator('#conv-details .detail-chip[data-key="email"]', { hasText: 'uma@acme.test' }).waitFor();
  await addDetail(ida, 'just some words');
  await ida.locator('#composer-hint', { hasText: 'name: value' }).waitFor();
  assert.deepEqual((await admin('GET', '/conversations/15550731')).attributes, { email: 'uma@acme.test', order_id: 'A-77' });

  // Another agent's change while one types a detail: the text stays, the
  // change is drawn when the box closes, and the save keeps both.
  await addDetail(ida, 'plan');  // no colon: refused, the box closes
  await ida.getByRole('button', { name: '+ Detail' }).click();
  await ida.getByLabel('New detail').fill('plan: gold');
  await admin('PUT', '/conversations/15550731/attributes', { attributes: { email: 'uma@acme.test', order_id: 'A-77', city: 'Porto' } });
  await page.locator('#conv-details .detail-chip[data-key="city"]').waitFor();  // the other console drew it
  assert.equal(await ida.getByLabel('New detail').inputValue(), 'plan: gold');
  await ida.getByLabel('New detail').press('Enter');
  await ida.locator('#conv-details .detail-chip[data-key="plan"]').waitFor();
  await ida.locator('#conv-details .detail-chip[data-key="city"]').waitFor();
  assert.deepEqual((await admin('GET', '/conversations/15550731')).attributes,
    { city: 'Porto', email: 'uma@acme.test', order_id: 'A-77', plan: 'gold' });
  await admin('PUT', '/conversations/15550731/attributes', { attributes: { email: 'uma@acme.test', order_id: 'A-77' } });
  await ida.locator('#conv-details .detail-chip[data-key="plan"]').waitFor({ state: 'detached' });

  // The list's search finds the user by a detail.
  await ida.locator('#search').fill('acme.test');
  await ida.waitForFunction(() => [...document.querySelectorAll('#conversation-list li')].map((l) => l.dataset.phone).join() === '15550731');
  // ✕ takes one off.
  await page.getByRole('button', { name: 'Remove order_id' }).click();
  await ida.locator('#conv-details .detail-chip[data-key="order_id"]').waitFor({ state: 'detached' });
  assert.deepEqual((await admin('GET', '/conversations/15550731')).attributes, { email: 'uma@acme.test' });
  assert.deepEqual(page.errors, []);
  assert.deepEqual(ida.errors, []);
}));

// Labels: an agent files a chat under one from its header, every console
// shows it on the row at once, a chip lists the conversations under it
// (those the console had not loaded too), and ✕ takes it off.
test('an agent labels a conversation, every console shows it, and the list filters by it', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  await userSays(server, '15550701', 'hi', 'Pia');
  await userSays(server, '15550702', 'hi', 'Quinn');
  await userSays(server, '15550703', 'hi', 'Rui');
  const lea = await consolePage(browser.browser, server, 'lea', 'lea-secret-1');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15550701"]').click();
  await page.locator('#conv-name', { hasText: 'Pia' }).waitFor();
  await page.getByRole('button', { name: '+ Label' }).click();
  await page.getByLabel('New label').fill('  Billing issue ');
  await page.keyboard.press('Enter');
  await page.locator('#conv-labels .label-name', { hasText: 'billing-issue' }).waitFor();
  await page.locator('#conversation-list li[data-phone="15550701"] .badge.label', { hasText: 'billing-issue' }).waitFor();
  // The history says who filed it, as a line of what happened: its time, no author, no tick.
  const filed = page.locator('.message.system', { hasText: 'Label billing-issue added by admin' });
  await filed.waitFor();
  assert.match(await filed.locator('.meta').innerText(), /^\d{1,2}:\d{2}( [AP]M)?$/);
  await lea.locator('#conversation-list li[data-phone="15550701"] .badge.label', { hasText: 'billing-issue' }).waitFor();

  // Adding to another offers the labels in use.
  await page.locator('#conversation-list li[data-phone="15550703"]').click();
  await page.locator('#conv-name', { hasText: 'Rui' }).waitFor();
  await page.getByRole('button', { name: '+ Label' }).click();
  assert.deepEqual(await page.locator('#known-labels option').evaluateAll((o) => o.map((x) => x.value)), ['billing-issue']);
  await page.keyboard.press('Escape');
  assert.equal(await page.getByLabel('New label').count(), 0);
  await admin('PUT', '/conversations/15550703/labels', { labels: ['billing-issue', 'vip'] });
  await page.locator('#conv-labels .label-name', { hasText: 'vip' }).waitFor();  // from the socket
  // A search finds a label too.
  await page.locator('#search').fill('VIP');
  await page.waitForFunction(() => [...document.querySelectorAll('#conversation-list li')].map((l) => l.dataset.phone).join() === '15550703');
  await page.locator('#search').fill('');
  await page.waitForFunction(() => document.querySelectorAll('#conversation-list li').length === 3);

  // A chip lists the conversations under it; ✕ on the filter lists them all again.
  await page.locator('#conv-labels .label-name', { hasText: 'billing-issue' }).click();
  await page.locator('#label-filter', { hasText: 'Labelled billing-issue' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('#conversation-list li').length === 2);
  assert.deepEqual(await page.locator('#conversation-list li').evaluateAll((l) => l.map((x) => x.dataset.phone).sort()), ['15550701', '15550703']);
  await page.locator('#label-filter-clear').click();
  await page.waitForFunction(() => document.querySelectorAll('#conversation-list li').length === 3);

  // Taken off: gone from the header and from every row.
  await page.getByRole('button', { name: 'Remove the label vip' }).click();
  await page.locator('#conv-labels .label-name', { hasText: 'vip' }).waitFor({ state: 'detached' });
  await lea.locator('#conversation-list li[data-phone="15550703"] .badge.label', { hasText: 'vip' }).waitFor({ state: 'detached' });
  assert.deepEqual((await admin('GET', '/conversations/15550703')).labels, ['billing-issue']);
  assert.deepEqual([...page.errors, ...lea.errors], []);
}));

test('a label or detail saved before the last one was answered is made from that answer, not from the set before', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550711', 'hi', 'Sol');
  await admin('PUT', '/conversations/15550711/labels', { labels: ['old'] });
  await admin('PUT', '/conversations/15550711/attributes', { attributes: { plan: 'free' } });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  // The first save of each set is held on its way to the server until the
  // second has been asked for: one round trip, stretched.
  const seen = new Set();
  let arrived;
  await page.route(/\/conversations\/15550711\/(labels|attributes)$/, (route) => {
    const set = route.request().url().split('/').pop();
    if (route.request().method() !== 'PUT' || seen.has(set)) return route.continue();
    seen.add(set);
    arrived(route);
  });
  const nextHeld = () => new Promise((resolve) => { arrived = resolve; });
  await page.locator('#conversation-list li[data-phone="15550711"]').click();
  await page.locator('#conv-labels .label-name', { hasText: 'old' }).waitFor();

  let first = nextHeld();
  await page.getByRole('button', { name: '+ Label' }).click();
  await page.getByLabel('New label').fill('billing');
  await page.keyboard.press('Enter');
  const labelsHeld = await first;
  await page.getByRole('button', { name: 'Remove the label old' }).click();
  first = nextHeld();
  await page.getByRole('button', { name: '+ Detail' }).click();
  await page.getByLabel('New detail').fill('email: sol@example.com');
  await page.keyboard.press('Enter');
  const detailsHeld = await first;
  await page.getByRole('button', { name: 'Remove plan' }).click();

  await labelsHeld.continue();
  await detailsHeld.continue();
  await page.locator('#conv-labels .label-name', { hasText: 'old' }).waitFor({ state: 'detached' });
  await page.locator('#conv-details', { hasText: 'plan' }).waitFor({ state: 'detached' });
  const c = await admin('GET', '/conversations/15550711');
  assert.deepEqual(c.labels, ['billing']);
  assert.deepEqual(c.attributes, { email: 'sol@example.com' });
  assert.deepEqual(page.errors, []);
}));

test('an agent renames a user in place, and every console shows the name', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  await userSays(server, '15550761', 'hi', 'jd_1987');
  const lea = await consolePage(browser.browser, server, 'lea', 'lea-secret-1');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15550761"]').click();
  await page.locator('#conv-name', { hasText: 'jd_1987' }).waitFor();

  // Escape drops what was typed.
  await page.getByRole('button', { name: 'Rename' }).click();
  const box = page.getByLabel('Name', { exact: true });
  assert.equal(await box.inputValue(), 'jd_1987');
  await box.fill('Nobody');
  await page.keyboard.press('Escape');
  assert.equal(await box.count(), 0);
  await page.locator('#conv-name', { hasText: 'jd_1987' }).waitFor();

  await page.getByRole('button', { name: 'Rename' }).click();
  await page.getByLabel('Name', { exact: true }).fill('  Jane Doe ');
  await page.keyboard.press('Enter');
  await page.locator('#conv-name', { hasText: 'Jane Doe' }).waitFor();
  await page.locator('.message.system', { hasText: 'Renamed from jd_1987 to Jane Doe by admin' }).waitFor();
  await lea.locator('#conversation-list li[data-phone="15550761"]', { hasText: 'Jane Doe' }).waitFor();
  assert.equal((await admin('GET', '/conversations/15550761')).name, 'Jane Doe');
  assert.deepEqual([...page.errors, ...lea.errors], []);
}));

test('an agent snoozes their chat until tomorrow: it leaves Mine for Snoozed in every console, and is back when the user writes', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  // Lea's, snoozed for an hour: older than admin's chats, and it wakes before admin's will.
  await userSays(server, '15550783', 'support', 'Una');
  const leaApi = await apiAs(server, 'lea', 'lea-secret-1');
  await leaApi('POST', '/conversations/15550783/chat-support/start');
  await leaApi('PUT', '/conversations/15550783/snooze', { until: new Date(Date.now() + 3_600_000).toISOString() });
  await userSays(server, '15550781', 'support', 'Sam');
  await userSays(server, '15550782', 'support', 'Tia');
  await admin('POST', '/conversations/15550781/chat-support/start');
  await admin('POST', '/conversations/15550782/chat-support/start');
  const lea = await consolePage(browser.browser, server, 'lea', 'lea-secret-1');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const row = (p, phone) => p.locator(`#conversation-list li[data-phone="${phone}"]`);
  await page.locator('.tabs [data-filter="mine"] .count', { hasText: '2' }).waitFor();
  await row(page, '15550781').click();
  await page.locator('#conv-assignee', { hasText: 'Assigned to you' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Unsnooze' }).isVisible(), false);

  // The menu's choices are in the agent's own time.
  await page.locator('#snooze-menu summary').click();
  await page.getByRole('button', { name: 'Until tomorrow, 09:00' }).click();
  await page.locator('#conv-snoozed', { hasText: '💤 Snoozed until' }).waitFor();
  const tomorrowAt9 = await page.evaluate(() => {
    const d = new Date();
    d.setDate(d.getDate() + 1);
    d.setHours(9, 0, 0, 0);
    return d.toISOString();
  });
  assert.equal((await admin('GET', '/conversations/15550781')).snoozed_until, tomorrowAt9);
  // The other choices, from a Monday and a Sunday afternoon, in the page's own time.
  const choices = await page.evaluate(async () => {
    const { snoozeChoices } = await import('/js/snooze.js');
    const local = (d) => `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()} ${d.getHours()}:${String(d.getMinutes()).padStart(2, '0')}`;
    return [new Date(2026, 11, 7, 15, 20), new Date(2026, 11, 13, 15, 20)].map((now) =>
      snoozeChoices(now).map(({ label, until }) => `${label}: ${until instanceof Date ? local(until) : until}`));
  });
  assert.deepEqual(choices, [
    ['Until the user replies: next_reply', 'For an hour: 2026-12-7 16:20', 'Until tomorrow, 09:00: 2026-12-8 9:00', 'Until next week, Mon 09:00: 2026-12-14 9:00'],
    ['Until the user replies: next_reply', 'For an hour: 2026-12-13 16:20', 'Until tomorrow, 09:00: 2026-12-14 9:00', 'Until next week, Mon 09:00: 2026-12-14 9:00'],
  ]);
  await page.locator('.message.system', { hasText: 'Snoozed by admin until' }).waitFor();
  assert.equal(await page.locator('#snooze-menu').isVisible(), false);
  await page.getByRole('button', { name: 'Unsnooze' }).waitFor();
  assert.equal(await page.locator('#composer-text').isDisabled(), false);  // still theirs to write in

  // Out of Mine and Active, into Snoozed, in this console and the other;
  // that tab lists the chats that wake soonest first.
  await page.locator('.tabs [data-filter="mine"] .count', { hasText: '1' }).waitFor();
  await page.locator('.tabs [data-filter="snoozed"] .count', { hasText: '2' }).waitFor();
  await page.getByRole('tab', { name: /Mine/ }).click();
  await row(page, '15550782').waitFor();
  assert.equal(await row(page, '15550781').count(), 0);
  await page.getByRole('tab', { name: /Snoozed/ }).click();
  await row(page, '15550781').locator('.badge.snoozed', { hasText: '💤' }).waitFor();
  assert.deepEqual(await page.locator('#conversation-list li').evaluateAll((els) => els.map((el) => el.dataset.phone)),
    ['15550783', '15550781']);
  await row(lea, '15550781').locator('.badge.snoozed').waitFor();
  await lea.locator('.tabs [data-filter="active"] .count', { hasText: '1' }).waitFor();  // 15550782 alone
  // Another agent's chat: lea neither snoozes nor wakes it.
  await row(lea, '15550781').click();
  await lea.locator('#conv-snoozed', { hasText: '💤 Snoozed until' }).waitFor();
  assert.equal(await lea.getByRole('button', { name: 'Unsnooze' }).isVisible(), false);
  assert.equal(await lea.locator('#snooze-menu').isVisible(), false);

  // The user writes: awake, for everyone.
  await userSays(server, '15550781', 'any news?');
  await page.locator('#conv-snoozed').waitFor({ state: 'hidden' });
  await row(page, '15550781').waitFor({ state: 'detached' });  // no longer under the tab
  await page.locator('.tabs [data-filter="snoozed"] .count', { hasText: '1' }).waitFor();
  await row(lea, '15550781').locator('.badge.snoozed').waitFor({ state: 'detached' });
  await page.getByRole('tab', { name: /Mine/ }).click();
  await row(page, '15550781').waitFor();

  // Until the user replies (Chatwoot's "until next reply"): no time of its
  // own, so last in the Snoozed tab, and back when the user writes.
  await row(page, '15550782').click();
  await page.locator('#conv-name', { hasText: 'Tia' }).waitFor();
  await page.locator('#snooze-menu summary').click();
  await page.getByRole('button', { name: 'Until the user replies' }).click();
  await page.locator('#conv-snoozed', { hasText: '💤 Snoozed until the user replies' }).waitFor();
  await page.locator('.message.system', { hasText: 'Snoozed by admin until the user replies' }).waitFor();
  const waiting = await admin('GET', '/conversations/15550782');
  assert.deepEqual([waiting.snoozed, waiting.snoozed_until], [true, null]);
  await page.getByRole('tab', { name: /Snoozed/ }).click();
  await row(page, '15550782').locator('.badge.snoozed', { hasText: '💤 Until reply' }).waitFor();
  await row(lea, '15550782').locator('.badge.snoozed', { hasText: '💤 Until reply' }).waitFor();
  assert.deepEqual(await page.locator('#conversation-list li').evaluateAll((els) => els.map((el) => el.dataset.phone)),
    ['15550783', '15550782']);
  await userSays(server, '15550782', 'found the receipt');
  await page.locator('#conv-snoozed').waitFor({ state: 'hidden' });
  await row(page, '15550782').waitFor({ state: 'detached' });
  await page.getByRole('tab', { name: /Mine/ }).click();
  await row(page, '15550781').click();
  await page.locator('#conv-name', { hasText: 'Sam' }).waitFor();

  // A time of the agent's choosing; none picked is said, and nothing changes.
  await page.locator('#snooze-menu summary').click();
  await page.locator('#snooze-custom').click();
  await page.locator('#composer-hint', { hasText: 'Pick a day and time to snooze until.' }).waitFor();
  assert.equal((await admin('GET', '/conversations/15550781')).snoozed_until, null);
  const [typed, meant] = await page.evaluate(() => {
    const d = new Date();
    d.setDate(d.getDate() + 2);
    d.setHours(14, 30, 0, 0);
    const two = (n) => String(n).padStart(2, '0');
    return [`${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T14:30`, d.toISOString()];
  });
  await page.locator('#snooze-at').fill(typed);
  await page.locator('#snooze-custom').click();
  await page.getByRole('button', { name: 'Unsnooze' }).waitFor();
  assert.equal((await admin('GET', '/conversations/15550781')).snoozed_until, meant);
  await page.getByRole('button', { name: 'Unsnooze' }).click();
  await page.locator('#conv-snoozed').waitFor({ state: 'hidden' });
  await page.locator('.message.system', { hasText: 'Unsnoozed by admin' }).waitFor();
  assert.equal((await admin('GET', '/conversations/15550781')).snoozed_until, null);
  assert.deepEqual([...page.errors, ...lea.errors], []);
}));

// A snooze is a reminder: its agent hears when the time comes, not when the
// user wakes it (their message rings for itself).
test('an agent selects conversations and acts on them at once; what the server refused stays selected with its reason', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'bob', password: 'bob-secret-1', display_name: 'Bob' });
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  await userSays(server, '15550904', 'hi', 'Dee');
  for (const [phone, name] of [['15550901', 'Ann'], ['15550902', 'Ben'], ['15550903', 'Cai']]) await userSays(server, phone, 'support', name);
  await (await apiAs(server, 'lea', 'lea-secret-1'))('POST', '/conversations/15550903/chat-support/start');
  const page = await consolePage(browser.browser, server, 'bob', 'bob-secret-1');
  const bob = await apiAs(server, 'bob', 'bob-secret-1');
  const row = (phone) => page.locator(`#conversation-list li[data-phone="${phone}"] > button`);
  const selected = (n) => page.locator('#bulk-count', { hasText: `${n} selected` }).waitFor();
  await row('15550904').waitFor();
  assert.equal(await page.locator('#bulk-bar').isVisible(), false);

  // Select mode: a click picks a row rather than opening its chat.
  await page.getByRole('button', { name: 'Select' }).click();
  await selected(0);
  assert.equal(await page.getByRole('button', { name: 'Mark read' }).isDisabled(), true);
  for (const phone of ['15550901', '15550902', '15550903', '15550904']) await row(phone).click();
  await selected(4);
  assert.equal(await row('15550902').getAttribute('aria-pressed'), 'true');
  await row('15550902').press('Space');  // by keyboard too
  await selected(3);
  await row('15550902').press('Enter');
  await selected(4);
  assert.equal(await page.locator('#conversation').isVisible(), false);

  // Assigned to bob: the two queued chats; Lea's and Dee's are refused, say
  // why, and stay selected.
  await page.locator('#bulk-assign').selectOption('bob');
  await page.locator('#bulk-status', { hasText: 'Assigned to bob: 2 of 4 conversations. 2 refused:' }).waitFor();
  assert.deepEqual(await page.locator('#bulk-refused li').allTextContents(),
    ['Cai: only lea or an admin can transfer this chat', 'Dee: no chat is active with 15550904']);
  await selected(2);
  assert.equal(await row('15550903').getAttribute('aria-pressed'), 'true');
  assert.equal(await row('15550901').getAttribute('aria-pressed'), 'false');
  await row('15550901').locator('.badge.mine').waitFor();
  await row('15550902').locator('.badge.mine').waitFor();
  assert.equal((await admin('GET', '/conversations/15550903')).assignee, 'lea');

  // All shown, then none; then a label on two, which every row shows.
  await page.getByRole('button', { name: 'All shown' }).click();
  await selected(4);
  await page.getByRole('button', { name: 'None' }).click();
  await selected(0);
  // Shift+click: the rows from the last clicked take its new state.
  const order = await page.locator('#conversation-list li').evaluateAll((els) => els.map((el) => el.dataset.phone));
  const pressed = () => page.locator('#conversation-list li > button').evaluateAll((els) => els.map((el) => el.getAttribute('aria-pressed')));
  await row(order[0]).click();
  await row(order[2]).click({ modifiers: ['Shift'] });
  await selected(3);
  assert.deepEqual(await pressed(), ['true', 'true', 'true', 'false']);
  await row(order[1]).click({ modifiers: ['Shift'] });
  await selected(1);
  assert.deepEqual(await pressed(), ['true', 'false', 'false', 'false']);
  await page.getByRole('button', { name: 'None' }).click();
  await row('15550901').click();
  await row('15550904').click();
  await page.locator('#bulk-label-menu summary').click();
  await page.locator('#bulk-label').fill('Billing');
  await page.locator('#bulk-label-add').click();
  await page.locator('#bulk-status', { hasText: 'Labelled: 2 of 2 conversations.' }).waitFor();
  await row('15550904').locator('.badge.label', { hasText: 'billing' }).waitFor();
  await row('15550901').locator('.badge.label', { hasText: 'billing' }).waitFor();
  assert.deepEqual((await admin('GET', '/conversations/15550904')).labels, ['billing']);
  await selected(0);  // what was done is let go

  // Snoozed for an hour: out of Mine.
  await row('15550901').click();
  await page.locator('#bulk-snooze').selectOption({ label: 'For an hour' });
  await row('15550901').locator('.badge.snoozed').waitFor();
  const until = Date.parse((await admin('GET', '/conversations/15550901')).snoozed_until);
  assert.ok(Math.abs(until - (Date.now() + 3_600_000)) < 120_000, `snoozed until ${new Date(until).toISOString()}`);

  // A private note in each of two.
  await row('15550901').click();
  await row('15550904').click();
  await page.locator('#bulk-note-menu summary').click();
  await page.locator('#bulk-note').fill('Outage INC-42: told them');
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.locator('#bulk-status', { hasText: 'Noted: 2 of 2 conversations.' }).waitFor();
  for (const phone of ['15550901', '15550904']) {
    const { messages } = await admin('GET', `/conversations/${phone}`);
    assert.ok(messages.some((m) => m.type === 'note' && m.text === 'Outage INC-42: told them' && m.agent === 'bob'), phone);
  }

  // Marked urgent, read and returned to the queue, from the bar.
  await row('15550901').click();
  await row('15550902').click();
  await page.locator('#bulk-priority').selectOption('urgent');
  await page.locator('#bulk-status', { hasText: 'Marked: 2 of 2 conversations.' }).waitFor();
  await row('15550902').locator('.badge.priority.urgent').waitFor();
  await row('15550902').click();
  await page.getByRole('button', { name: 'Mark read' }).click();
  await page.locator('#bulk-status', { hasText: 'Marked read: 1 of 1 conversation.' }).waitFor();
  assert.equal((await admin('GET', '/conversations/15550902')).unread, 0);
  await row('15550902').click();
  await page.getByRole('button', { name: 'Return to queue' }).click();
  await page.locator('#bulk-status', { hasText: 'Returned to the queue: 1 of 1 conversation.' }).waitFor();
  await row('15550902').locator('.badge.queued', { hasText: 'Queued #1' }).waitFor();
  await bob('POST', '/conversations/15550902/chat-support/start');

  // Ended, with one closing message to each.
  await row('15550901').click();
  await row('15550902').click();
  await page.getByRole('button', { name: 'End chats' }).click();
  await page.locator('#bulk-end-message').fill('We are closing old chats');
  await page.locator('#bulk-end-dialog').getByRole('button', { name: 'End chats' }).click();
  await page.locator('#bulk-status', { hasText: 'Ended: 2 of 2 conversations.' }).waitFor();
  for (const phone of ['15550901', '15550902']) {
    const c = await admin('GET', `/conversations/${phone}`);
    assert.equal(c.is_chat_support, false, phone);
    assert.ok(c.messages.some((m) => m.text === 'We are closing old chats'), phone);
  }

  // Done selecting: a click opens a chat again.
  await page.getByRole('button', { name: 'Done selecting' }).click();
  assert.equal(await page.locator('#bulk-bar').isVisible(), false);
  assert.equal(await row('15550903').getAttribute('aria-pressed'), null);
  await row('15550903').click();
  await page.locator('#conv-name', { hasText: 'Cai' }).waitFor();
  // Escape in the list leaves select mode too.
  await page.getByRole('button', { name: 'Select' }).click();
  await row('15550904').press('Escape');
  await page.locator('#bulk-bar').waitFor({ state: 'hidden' });
  assert.equal(await page.locator('#select-mode').getAttribute('aria-pressed'), 'false');
}));

test('a chat snoozed until a time rings for its agent when the time comes', () => withMemoryServer(['--idle-timeout', '20'], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  for (const [phone, name] of [['15550791', 'Uma'], ['15550792', 'Vic']]) {
    await userSays(server, phone, 'support', name);
    await admin('POST', `/conversations/${phone}/chat-support/start`);
  }
  await admin('PUT', '/conversations/15550792/snooze', { until: new Date(Date.now() + 3_600_000).toISOString() });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const row = (phone) => page.locator(`#conversation-list li[data-phone="${phone}"]`);
  await row('15550792').locator('.badge.snoozed').waitFor();
  // Both unread, and only the one awake waits for the agent.
  await row('15550791').locator('.badge.unread').waitFor();
  assert.equal(await page.title(), '(1) Switchboard');

  // Woken by the server's sweep (each 5 s with this idle timeout).
  await admin('PUT', '/conversations/15550791/snooze', { until: new Date(Date.now() + 1500).toISOString() });
  await row('15550791').locator('.badge.snoozed').waitFor();
  await chimesReach(page, 1);
  await row('15550791').locator('.badge.snoozed').waitFor({ state: 'detached' });

  await userSays(server, '15550792', 'here now');
  await row('15550792').locator('.badge.snoozed').waitFor({ state: 'detached' });
  await row('15550792').locator('.badge.unread', { hasText: '2 unread' }).waitFor();
  assert.equal(await chimes(page), 2);  // the message alone

  // The user writes after the time, before the sweep has woken the chat:
  // their message rings, and the wake it brings does not ring again.
  const sweepWakes = async () => (await admin('GET', '/conversations/15550791')).messages
    .filter((m) => m.type === 'system' && m.text === 'Snooze ended').length;
  const wokenBefore = await sweepWakes();
  const until = Date.now() + 1000;
  await admin('PUT', '/conversations/15550791/snooze', { until: new Date(until).toISOString() });
  await row('15550791').locator('.badge.snoozed').waitFor();
  await page.waitForFunction((t) => Date.now() > t, until + 20);  // the time has come
  await userSays(server, '15550791', 'back again');
  await row('15550791').locator('.badge.snoozed').waitFor({ state: 'detached' });
  await row('15550791').locator('.preview', { hasText: 'back again' }).waitFor();
  // Unless the sweep came in the few milliseconds between (its note says so).
  assert.equal(await chimes(page), 3 + (await sweepWakes()) - wokenBefore);
  assert.deepEqual(page.errors, []);
}));

test('a chat\'s header lists the user\'s chats, the open one and those before it, with how each ended and its rating', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550931', 'support', 'Gus');
  await admin('PUT', '/conversations/15550931/labels', { labels: ['refund'] });
  await admin('POST', '/conversations/15550931/chat-support/start');
  await admin('POST', '/conversations/15550931/chat-support/end');
  await userSays(server, '15550931', '4');
  await userSays(server, '15550931', 'support');
  await userSays(server, '15550932', 'hello', 'Hal');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15550931"]').click();
  await page.locator('#conv-name', { hasText: 'Gus' }).waitFor();

  await page.locator('#past-chats summary').click();
  const rows = page.locator('#past-chat-rows li');
  await rows.nth(1).waitFor();
  assert.match(await rows.nth(0).textContent(), /^(Today|Yesterday) \d\d:\d\d( [AP]M)? · no agent · open now · refund$/);
  assert.match(await rows.nth(1).textContent(), /^(Today|Yesterday) \d\d:\d\d( [AP]M)? · admin · ended by the agent after \d+s · refund ★★★★☆$/);
  assert.equal(await rows.nth(1).locator('.stars').getAttribute('aria-label'), 'rated 4 of 5');
  assert.equal(await page.locator('#past-chats-older').isVisible(), false);
  // The chat before shows where it began.
  await rows.nth(1).getByRole('button').click();
  await page.locator('.message.found', { hasText: 'support' }).waitFor();
  assert.equal(await page.locator('#past-chats').evaluate((d) => d.open), false);
  // The first chat's `support`, not the open one's.
  assert.equal(await page.locator('.message.found').getAttribute('data-seq'), await page.locator('.message.user').first().getAttribute('data-seq'));

  // Another user's: their own list, read when opened.
  await page.locator('#conversation-list li[data-phone="15550932"]').click();
  await page.locator('#conv-name', { hasText: 'Hal' }).waitFor();
  assert.equal(await page.locator('#past-chats').evaluate((d) => d.open), false);
  await page.locator('#past-chats summary').click();
  await page.locator('#past-chats-empty', { hasText: 'No chat yet.' }).waitFor();
  assert.equal(await rows.count(), 0);

  // Twenty at a time: Older shows the rest.
  for (let i = 0; i < 21; i += 1) {
    await userSays(server, '15550932', 'support');
    await admin('POST', '/conversations/15550932/chat-support/start');
    await admin('POST', '/conversations/15550932/chat-support/end');
    await userSays(server, '15550932', '5');
  }
  await page.locator('#past-chats summary').click();  // closed
  await page.locator('#past-chats summary').click();  // and read again
  await rows.nth(19).waitFor();
  assert.equal(await rows.count(), 20);
  await page.locator('#past-chats-older').click();
  await rows.nth(20).waitFor();
  assert.equal(await page.locator('#past-chats-older').isVisible(), false);
  assert.equal(await page.locator('#past-chat-rows li[data-ticket]').evaluateAll((lis) => new Set(lis.map((li) => li.dataset.ticket)).size), 21);
  assert.deepEqual(page.errors, []);
}));

// Intercom's collision detection: each console shows who else has a chat
// open, on its row and in its header. A tab out of sight, or a chat left for
// another, is nobody's view; a console that reconnects says again what it shows.
test('every console shows who else has a conversation open', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'max', password: 'max-secret-1', display_name: 'Max' });
  await admin('POST', '/agents', { username: 'lee', password: 'lee-secret-1', display_name: 'Lee' });
  await userSays(server, '15550771', 'where is my parcel?', 'Uma');
  await userSays(server, '15550772', 'hello?', 'Vic');
  const upstream = [];
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, {
    beforeLoad: async (p) => {
      await p.addInitScript(() => {
        window.hidden_ = false;
        Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (window.hidden_ ? 'hidden' : 'visible') });
      });
      await p.routeWebSocket(/\/ws$/, (ws) => { upstream.push(ws.connectToServer()); });
    },
  });
  const max = await consolePage(browser.browser, server, 'max', 'max-secret-1');
  const row = (p, phone) => p.locator(`#conversation-list li[data-phone="${phone}"]`);
  const seenBy = (p, phone) => row(p, phone).locator('.badge.viewers');
  const setHidden = (hidden) => page.evaluate((h) => { window.hidden_ = h; document.dispatchEvent(new Event('visibilitychange')); }, hidden);

  await row(page, '15550771').click();
  await seenBy(max, '15550771').filter({ hasText: '👀 admin' }).waitFor();
  await row(max, '15550771').click();
  await max.locator('#conv-viewers', { hasText: '👀 admin has it open too' }).waitFor();
  await page.locator('#conv-viewers', { hasText: '👀 max has it open too' }).waitFor();
  assert.equal(await seenBy(page, '15550771').textContent(), '👀 max');  // never one's own name
  // A console opened now learns it from its hello.
  const lee = await consolePage(browser.browser, server, 'lee', 'lee-secret-1');
  assert.equal(await seenBy(lee, '15550771').textContent(), '👀 2');
  assert.equal(await seenBy(lee, '15550771').getAttribute('title'), 'Open in admin and max\'s consoles now');

  // A change of the admin's own view changes no row it sees, nor does its
  // hello: they stay the elements they were (one built anew between a press
  // and its release loses the click). A new conversation's row, drawn after
  // them, says the console has had them.
  const rowsNow = () => Promise.all(['15550771', '15550772'].map((phone) => row(page, phone).elementHandle()));
  let kept = await rowsNow();
  const allKept = async (newcomer) => {
    await userSays(server, newcomer, 'hi', 'New');
    await row(page, newcomer).waitFor();
    for (const el of kept) assert.equal(await el.evaluate((e) => e.isConnected), true);
  };

  // The admin's tab out of sight, then back.
  await setHidden(true);
  await max.locator('#conv-viewers').waitFor({ state: 'hidden' });
  await seenBy(lee, '15550771').filter({ hasText: '👀 max' }).waitFor();
  await setHidden(false);
  await max.locator('#conv-viewers', { hasText: 'admin has it open too' }).waitFor();
  await allKept('15550775');
  // Its socket lost: the server forgets its view, and the console, connected again, tells it anew.
  kept = await rowsNow();
  upstream.at(-1).close();
  await max.locator('#conv-viewers').waitFor({ state: 'hidden' });
  await max.locator('#conv-viewers', { hasText: 'admin has it open too' }).waitFor({ timeout: 10000 });
  await allKept('15550776');
  // The admin moves to another chat.
  await row(page, '15550772').click();
  await max.locator('#conv-viewers').waitFor({ state: 'hidden' });
  await seenBy(max, '15550772').filter({ hasText: '👀 admin' }).waitFor();
  await page.locator('#conv-viewers').waitFor({ state: 'hidden' });  // nobody else there
  // And closes it.
  await chatAction(page, 'Mark unread');
  await seenBy(max, '15550772').waitFor({ state: 'detached' });
  for (const p of [page, max, lee]) assert.deepEqual(p.errors, []);
}));

// Chatwoot's Custom Attributes: an admin defines the details the team keeps,
// each of a type; a chat's header offers them first under + Detail, takes
// each by its type, shows each under its name, and follows the catalog.
test('an admin defines custom attributes, and a chat\'s header offers them first and takes each by its type', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  await userSays(server, '15550791', 'hello', 'Uma');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const lea = await consolePage(browser.browser, server, 'lea', 'lea-secret-1');
  for (const p of [page, lea]) {
    await p.locator('#conversation-list li[data-phone="15550791"]').click();
    await p.locator('#conv-name', { hasText: 'Uma' }).waitFor();
  }
  const chip = (p, key) => p.locator(`#conv-details .detail-chip[data-key="${key}"]`);
  const details = async () => (await admin('GET', '/conversations/15550791')).attributes;

  // Written in the dialog: a list's choices asked for a list alone; one refused says why and adds nothing.
  await openSetting(page, 'Custom attributes');
  const dialog = page.locator('#attributes-dialog');
  await dialog.locator('#attributes-empty').waitFor();
  await dialog.getByLabel('Name').fill('Plan');
  assert.equal(await dialog.getByLabel('Choices').isVisible(), false);
  await dialog.getByLabel('Type').selectOption('list');
  await dialog.getByRole('button', { name: 'Add attribute' }).click();
  await dialog.locator('#attributes-form .error', { hasText: 'values' }).waitFor();
  await dialog.getByLabel('Choices').fill('Gold, Silver ,, Bronze');
  await dialog.getByLabel('Description').fill('What they pay for');
  await dialog.getByRole('button', { name: 'Add attribute' }).click();
  await dialog.locator('li[data-key="plan"]', { hasText: 'plan · List: Gold, Silver, Bronze' }).waitFor();
  await dialog.getByLabel('Name').fill('Signed up');
  await dialog.getByLabel('Type').selectOption('date');
  await dialog.getByRole('button', { name: 'Add attribute' }).click();
  await dialog.locator('li[data-key="signed_up"]', { hasText: 'signed_up · Date' }).waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await admin('PUT', '/custom-attributes/profile', { display_name: 'Profile', type: 'link' });
  await admin('PUT', '/custom-attributes/newsletter', { display_name: 'Newsletter', type: 'checkbox' });

  // + Detail offers them first, in another console from the socket; each is taken by its type.
  const addDetail = async (name) => {
    await lea.getByRole('button', { name: '+ Detail' }).click();
    await lea.getByLabel('New detail').selectOption({ label: name });
  };
  await lea.getByRole('button', { name: '+ Detail' }).click();
  await lea.locator('#conv-details select option', { hasText: 'Newsletter' }).waitFor({ state: 'attached' });
  assert.deepEqual(await lea.locator('#conv-details select option').allTextContents(),
    ['Which detail…', 'Newsletter', 'Plan', 'Profile', 'Signed up', 'Other…']);
  // Another agent's change while the agent picks: the picker stays, and the change is drawn once it closes.
  await admin('PUT', '/conversations/15550791/attributes', { attributes: { email: 'uma@example.com' } });
  await chip(page, 'email').waitFor();
  assert.equal(await lea.getByLabel('New detail').isVisible(), true);
  await lea.getByLabel('New detail').press('Escape');
  await chip(lea, 'email').waitFor();
  await admin('PUT', '/conversations/15550791/attributes', { attributes: {} });
  await chip(lea, 'email').waitFor({ state: 'detached' });
  await addDetail('Plan');
  assert.deepEqual(await lea.getByLabel('Plan: What they pay for').locator('option').allTextContents(), ['Plan…', 'Gold', 'Silver', 'Bronze']);
  await lea.getByLabel('Plan: What they pay for').selectOption('Silver');
  await chip(page, 'plan').filter({ hasText: 'Plan: Silver' }).waitFor();  // the other console, from the socket
  await addDetail('Newsletter');
  await lea.getByLabel('Newsletter').selectOption({ label: 'Yes' });
  await chip(lea, 'newsletter').filter({ hasText: 'Newsletter: Yes' }).waitFor();
  await addDetail('Signed up');
  assert.equal(await lea.getByLabel('Signed up').getAttribute('type'), 'date');
  await lea.getByLabel('Signed up').fill('2025-03-01');
  await lea.getByLabel('Signed up').press('Enter');
  await chip(lea, 'signed_up').filter({ hasText: 'Signed up: 2025-03-01' }).waitFor();
  await addDetail('Profile');
  assert.equal(await lea.getByLabel('Profile').getAttribute('type'), 'url');
  await lea.getByLabel('Profile').fill('https://example.com/u/791');
  await lea.getByLabel('Profile').press('Enter');
  await chip(lea, 'profile').locator('a.detail-link[href="https://example.com/u/791"]').waitFor();
  assert.deepEqual(await lea.locator('#conv-details .detail-chip').allTextContents(),
    ['Newsletter: Yes✕', 'Plan: Silver✕', 'Profile: https://example.com/u/791↗✕', 'Signed up: 2025-03-01✕']);
  assert.deepEqual(await details(), { newsletter: 'true', plan: 'Silver', profile: 'https://example.com/u/791', signed_up: '2025-03-01' });

  // Every one set: + Detail is typed as name: value, and the server refuses what its type does not take.
  await lea.getByRole('button', { name: '+ Detail' }).click();
  await lea.getByLabel('New detail').fill('profile: example.com');
  await lea.getByLabel('New detail').press('Enter');
  await lea.locator('#composer-hint', { hasText: 'the attribute profile is a link' }).waitFor();
  // A click changes one by its type; by the keyboard, the arrows move and Enter picks.
  await chip(lea, 'plan').locator('.detail-text').click();
  const plan = lea.getByLabel('Plan: What they pay for');
  await plan.press('ArrowDown');
  await plan.press('ArrowDown');
  assert.equal(await plan.inputValue(), 'Silver');  // still open: the first arrow picked nothing
  await plan.press('ArrowUp');
  await plan.press('Enter');
  await chip(page, 'plan').filter({ hasText: 'Plan: Gold' }).waitFor();
  assert.deepEqual(await details(), { newsletter: 'true', plan: 'Gold', profile: 'https://example.com/u/791', signed_up: '2025-03-01' });

  // The catalog's changes redraw the chips: a new name; one deleted shows its detail plain.
  await admin('PUT', '/custom-attributes/plan', { display_name: 'Tier', type: 'list', values: ['Gold', 'Silver'] });
  await chip(lea, 'plan').filter({ hasText: 'Tier: Gold' }).waitFor();
  await admin('DELETE', '/custom-attributes/newsletter');
  await chip(lea, 'newsletter').filter({ hasText: 'newsletter: true' }).waitFor();
  // An agent reads the dialog and cannot write it.
  await openSetting(lea, 'Custom attributes');
  await lea.locator('#attributes-dialog li[data-key="plan"]').waitFor();
  assert.equal(await lea.locator('#attributes-form').isVisible(), false);
  assert.deepEqual([...page.errors, ...lea.errors], []);
}));

// Chatwoot's Labels settings: an admin defines labels with a colour and a
// description; every console paints the chips with them at once, offers
// them first, and shows a label deleted from the catalog plain.
test('an admin defines labels in the Labels dialog, and every console paints the chips and offers them first', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  await userSays(server, '15550781', 'my money back please', 'Ros');
  await userSays(server, '15550782', 'hello', 'Sam');
  await admin('PUT', '/conversations/15550781/labels', { labels: ['refund', 'vip'] });
  await userSays(server, '15550783', 'hi', 'Tia');
  await admin('PUT', '/conversations/15550783/labels', { labels: ['aaa-legacy'] });
  const lea = await consolePage(browser.browser, server, 'lea', 'lea-secret-1');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const badge = (p, phone, label) => p.locator(`#conversation-list li[data-phone="${phone}"] .badge.label`, { hasText: label });
  assert.equal(await badge(lea, '15550781', 'refund').getAttribute('data-color'), null);  // not in the catalog yet

  await openSetting(page, 'Labels');
  const dialog = page.locator('#labels-dialog');
  await dialog.locator('#labels-empty').waitFor();
  await dialog.getByLabel('Name').fill('Refund');
  await dialog.getByLabel('Description').fill('Money back');
  await dialog.getByLabel('Colour').fill('#f04438');
  await dialog.getByRole('button', { name: 'Add label' }).click();
  await dialog.locator('li[data-label="refund"] .badge.label[data-color="#f04438"]').waitFor();
  await badge(lea, '15550781', 'refund').and(lea.locator('[data-color="#f04438"]')).waitFor();  // from the socket
  assert.equal(await badge(lea, '15550781', 'refund').getAttribute('title'), 'Labelled refund: Money back');
  assert.equal(await badge(lea, '15550781', 'refund').evaluate((b) => getComputedStyle(b).color), 'rgb(255, 255, 255)');
  await admin('PUT', '/labels/vip', { color: '#ffe600' });  // a light one: dark text on it
  await badge(lea, '15550781', 'vip').and(lea.locator('[data-color="#ffe600"]')).waitFor();
  assert.equal(await badge(lea, '15550781', 'vip').evaluate((b) => getComputedStyle(b).color), 'rgb(16, 24, 40)');
  // The catalog's labels narrow the list, as Chatwoot's sidebar does.
  assert.deepEqual(await lea.locator('#label-select option').allTextContents(), ['Any label', 'refund', 'vip']);
  await lea.getByLabel('Label filter', { exact: true }).selectOption('refund');
  await lea.locator('#label-filter', { hasText: 'Labelled refund' }).waitFor();
  await lea.waitForFunction(() => [...document.querySelectorAll('#conversation-list li')].map((l) => l.dataset.phone).join() === '15550781');
  await lea.getByLabel('Label filter', { exact: true }).selectOption('');
  await lea.waitForFunction(() => document.querySelectorAll('#conversation-list li').length === 3);

  // Offered first, then the others in use; and where a macro names one.
  await dialog.getByRole('button', { name: 'Close' }).click();
  await openSetting(page, 'Macros');
  await page.locator('#macros-dialog[open]').waitFor();  // shown once its list is loaded: closed before, it would open after
  assert.equal(await page.getByLabel("Action 1's value").getAttribute('list'), 'catalog-labels');
  assert.deepEqual(await page.locator('#catalog-labels option').evaluateAll((o) => o.map((x) => x.value)), ['refund', 'vip']);
  await page.locator('#macros-dialog').evaluate((d) => d.close());
  await page.locator('#conversation-list li[data-phone="15550782"]').click();
  await page.locator('#conv-name', { hasText: 'Sam' }).waitFor();
  await page.getByRole('button', { name: '+ Label' }).click();
  assert.deepEqual(await page.locator('#known-labels option').evaluateAll((o) => o.map((x) => x.value)), ['refund', 'vip', 'aaa-legacy']);
  await page.keyboard.press('Escape');
  await page.locator('#conversation-list li[data-phone="15550781"]').click();
  await page.locator('#conv-labels .label-chip.colored[data-color="#f04438"]', { hasText: 'refund' }).waitFor();

  // A new colour repaints the open chat's chips and every row.
  await openSetting(page, 'Labels');
  await dialog.getByRole('button', { name: 'Edit refund' }).click();
  assert.equal(await dialog.getByLabel('Colour').inputValue(), '#f04438');
  await dialog.getByLabel('Colour').fill('#12b76a');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#conv-labels .label-chip.colored[data-color="#12b76a"]', { hasText: 'refund' }).waitFor();
  await badge(lea, '15550781', 'refund').and(lea.locator('[data-color="#12b76a"]')).waitFor();
  // Deleted from the catalog: the conversation keeps it, shown plain.
  await dialog.getByRole('button', { name: 'Delete vip' }).click();
  await dialog.locator('li[data-label="vip"]').waitFor({ state: 'detached' });
  await badge(lea, '15550781', 'vip').and(lea.locator(':not([data-color])')).waitFor();
  assert.deepEqual((await admin('GET', '/conversations/15550781')).labels, ['refund', 'vip']);

  // An agent reads the catalog and cannot write it.
  await openSetting(lea, 'Labels');
  await lea.locator('#labels-dialog li[data-label="refund"]').waitFor();
  assert.equal(await lea.locator('#labels-form').isVisible(), false);
  assert.equal(await lea.locator('#labels-dialog').getByRole('button', { name: 'Edit refund' }).count(), 0);
  assert.deepEqual([...page.errors, ...lea.errors], []);
}));
