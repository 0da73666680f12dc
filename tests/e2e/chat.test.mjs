// The console in real headless chromium against the real server: an agent's chat from its first
// message to its end, the connection and the session, and the README's picture of a working hour.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ADMIN_PASSWORD, apiAs, browser, closedHours, consolePage, freePort, holdNextAnswer, newUserShows, receiver, shareBrowserAndReceiver, startServer,
  tempDir, userSays, withMemoryServer,
} from './harness.mjs';

shareBrowserAndReceiver();

// The README's picture (docs/console.png): a working hour's console, taken
// again with SWITCHBOARD_SCREENSHOT=docs/console.png; a plain run takes it
// to a temporary file, and removes it.
test('a working hour\'s console, as the README shows it', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'bob', password: 'bob-password', display_name: 'Bob' });
  const bob = await apiAs(server, 'bob', 'bob-password');
  const users = [['15550105', 'Omar Haddad', 'hi'], ['15550104', 'Lucía Gómez', 'support'], ['15550103', 'Aiko Tanaka', 'support'],
    ['15550102', 'Tom Becker', 'support'], ['15550106', 'Priya Natarajan', 'support'], ['15550101', 'Maria Santos', 'support']];
  for (const [phone, name, text] of users) await userSays(server, phone, text, name);
  await bob('POST', '/conversations/15550103/chat-support/start');
  await userSays(server, '15550103', 'Can I change my plan to yearly billing?');
  await bob('PUT', '/conversations/15550103/labels', { labels: ['vip'] });
  await admin('POST', '/conversations/15550104/chat-support/start');
  await admin('POST', '/conversations/15550104/chat-support/send', { text: 'I have sent you a new link: tell me when you have tried it.' });
  await admin('PUT', '/conversations/15550104/snooze', { until: 'next_reply' });
  await userSays(server, '15550102', 'I cannot log in since this morning');
  await admin('PUT', '/conversations/15550106/priority', { priority: 'urgent' });
  await userSays(server, '15550106', 'I was charged twice for the same order');
  await admin('PUT', '/conversations/15550106/labels', { labels: ['billing'] });

  await admin('POST', '/conversations/15550101/chat-support/start');
  await userSays(server, '15550101', 'Hi! My order A-1042 has not arrived yet');
  await admin('POST', '/conversations/15550101/chat-support/send', { text: 'Hi Maria, sorry about that: let me check with the courier.' });
  await admin('POST', '/conversations/15550101/notes', { text: '@bob the courier says it left the depot yesterday, can you confirm?' });
  await bob('POST', '/conversations/15550101/notes', { text: 'Confirmed: out for delivery today, before 6 pm' });
  await admin('POST', '/conversations/15550101/chat-support/send', { text: 'Good news: it is out for delivery today and will reach you before 6 pm.' });
  await userSays(server, '15550101', 'Great, thank you so much!');
  await admin('PUT', '/conversations/15550101/priority', { priority: 'high' });
  await admin('PUT', '/conversations/15550101/labels', { labels: ['delivery'] });
  await admin('PUT', '/conversations/15550101/attributes', { attributes: { order_id: 'A-1042', email: 'maria@example.com' } });

  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const rows = page.locator('#conversation-list li');
  await rows.nth(users.length - 1).waitFor();
  assert.equal(await rows.count(), users.length);
  await page.locator('#conversation-list li[data-phone="15550101"]').click();
  await page.locator('.message.user .text', { hasText: 'thank you so much' }).waitFor();
  await page.locator('#composer-text:focus').waitFor();
  await page.locator('#composer-text').pressSequentially('Anything else I can help with?');
  await page.locator('#conversation-list li[data-phone="15550101"] .badge.draft').waitFor();
  await page.locator('#conversation-list li[data-phone="15550101"] .badge.unread').waitFor({ state: 'detached' });
  assert.equal(await page.locator('.message.note').count(), 2);
  assert.deepEqual(page.errors, []);
  const picture = process.env.SWITCHBOARD_SCREENSHOT ?? join(tmpdir(), `switchboard-console-${process.pid}.png`);
  await page.screenshot({ path: picture });
  if (!process.env.SWITCHBOARD_SCREENSHOT) rmSync(picture);
}));

test('an agent works a chat from the first message to its end', async () => {
  const data = tempDir();
  const server = await startServer(['--port', '0', '--data', data.dir, '--outbound-url', receiver.url]);
  try {
    const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
    await admin('POST', '/agents', { username: 'bob', password: 'bob-password', display_name: 'Bob' });

    const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
    assert.equal(await page.locator('#me').textContent(), 'Administrator (admin)');

    // A user's message appears live, with its badge.
    await userSays(server, '15550001', 'support', 'John Doe');
    const row = page.locator('#conversation-list li[data-phone="15550001"]');
    await row.waitFor();
    await row.locator('.badge.live', { hasText: '💬 Chat' }).waitFor();
    await row.locator('.badge.queued', { hasText: 'Queued #1' }).waitFor();

    // Open, claim, reply: the reply reaches the user's endpoint.
    await row.click();
    await page.locator('#conv-name', { hasText: 'John Doe' }).waitFor();
    assert.equal(await page.locator('#conv-channel').textContent(), 'Webhook');
    assert.equal(await page.locator('#conv-state').textContent(), '');  // a live chat: its badge says so
    assert.equal(await page.locator('#composer-text').isDisabled(), true);
    await page.getByRole('button', { name: 'Claim Chat' }).click();
    await page.locator('#conv-live').waitFor();
    await page.locator('#composer-text').waitFor({ state: 'visible' });
    await page.waitForFunction(() => !document.getElementById('composer-text').disabled);

    // Typing shows on another agent's console.
    const bobPage = await consolePage(browser.browser, server, 'bob', 'bob-password');
    await bobPage.locator('#conversation-list li[data-phone="15550001"]').click();
    await bobPage.locator('#conv-assignee', { hasText: 'Assigned to admin' }).waitFor();
    await page.locator('#composer-text').pressSequentially('Hello John', { delay: 20 });
    await bobPage.locator('#typing', { hasText: 'admin is typing' }).waitFor();

    await page.locator('#composer-text').press('Enter');
    const reply = await receiver.waitFor((m) => m.text === 'Hello John');
    assert.equal(reply.to, '15550001');
    await page.locator('.message.admin:not(.pending)', { hasText: 'Hello John' }).waitFor();
    await bobPage.locator('.message.admin', { hasText: 'Hello John' }).waitFor();  // live on the other console too
    // Each list's preview follows the newest message.
    await bobPage.locator('#conversation-list li[data-phone="15550001"] .preview', { hasText: 'Hello John' }).waitFor();
    await row.locator('.preview', { hasText: 'Hello John' }).waitFor();

    // Shift+Enter is a new line, not a send.
    await page.locator('#composer-text').press('Shift+Enter');
    assert.equal(await page.locator('#composer-text').inputValue(), '\n');
    await page.locator('#composer-text').fill('');

    // A user's attempt at markup is shown as text and runs nothing.
    const hostile = '<img src=x onerror=alert(1)>';
    await userSays(server, '15550001', hostile);
    const shown = page.locator('.message.user .text', { hasText: '<img src=x' });
    await shown.waitFor();
    assert.equal(await shown.textContent(), hostile);
    assert.equal(await page.locator('.messages img').count(), 0);
    assert.deepEqual(page.dialogs, []);

    // A user's message while the agent has the chat open: the console reads
    // it at once, and no unread count is left behind, on the server either
    // (once the console's read has been answered).
    const isRead = (r) => r.method() === 'POST' && r.url().endsWith('/conversations/15550001/read');
    const readUpTo = [];
    page.on('requestfinished', (r) => { if (isRead(r)) readUpTo.push(JSON.parse(r.postData()).up_to); });
    await userSays(server, '15550001', 'Are you still there?');
    const stillThere = page.locator('.message.user', { hasText: 'Are you still there?' });
    await stillThere.waitFor();
    await row.locator('.badge.unread').waitFor({ state: 'detached' });
    const seq = Number(await stillThere.getAttribute('data-seq'));
    if (!readUpTo.some((s) => s >= seq))
      await page.waitForEvent('requestfinished', (r) => isRead(r) && JSON.parse(r.postData()).up_to >= seq);
    assert.equal((await admin('GET', '/conversations/15550001')).unread, 0);

    // End the chat with a closing message.
    await page.getByRole('button', { name: 'End Chat' }).click();
    await page.getByLabel('Closing message (optional)').fill('Thanks for writing in!');
    await page.locator('#end-confirm').click();
    await page.locator('#conv-state[data-state="RATING"]', { hasText: 'Rating the chat' }).waitFor();
    await receiver.waitFor((m) => m.text === 'Thanks for writing in!');
    await receiver.waitFor((m) => m.text.includes('Chat support session ended'));
    assert.equal(await page.locator('#composer-text').isDisabled(), true);

    // The user's score shows as their rating of the chat, not a bare "4".
    await userSays(server, '15550001', '4');
    const rated = page.locator('.message.user.rating');
    await rated.waitFor();
    assert.equal(await rated.locator('.text').textContent(), 'Rated the chat ★★★★☆ 4 of 5');
    assert.equal(await rated.locator('.text').getAttribute('aria-label'), 'Rated the chat 4 of 5');
    // So does the list's preview, from the event and, after a reload, from the server.
    const preview = page.locator('#conversation-list li[data-phone="15550001"] .preview');
    await preview.filter({ hasText: 'Rated the chat 4 of 5' }).waitFor();
    await page.reload();
    await preview.filter({ hasText: 'Rated the chat 4 of 5' }).waitFor();
    assert.deepEqual(page.errors, []);
    assert.deepEqual(bobPage.errors, []);
  } finally {
    await server.stop();
    data.remove();
  }
});

test('the console recovers from a server restart without missing a message', async () => {
  const data = tempDir();
  const port = String(await freePort());
  let server = await startServer(['--port', port, '--data', data.dir]);
  try {
    await userSays(server, '15550002', 'support', 'Ada');
    const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
    await page.locator('#conversation-list li[data-phone="15550002"]').click();
    await page.locator('#conv-name', { hasText: 'Ada' }).waitFor();

    await server.stop();  // the server closes every socket (1001)
    await page.locator('#connection', { hasText: 'Reconnecting' }).waitFor();
    server = await startServer(['--port', port, '--data', data.dir]);
    for (let i = 1; i <= 5; i += 1) await userSays(server, '15550002', `while you were away ${i}`);

    await page.locator('#connection.live').waitFor({ timeout: 20000 });
    await userSays(server, '15550002', 'and one more, live');
    await page.locator('.message.user', { hasText: 'and one more, live' }).waitFor();
    const texts = await page.locator('.message.user .text').allTextContents();
    const away = texts.filter((t) => t.startsWith('while you were away'));
    assert.deepEqual(away, [1, 2, 3, 4, 5].map((i) => `while you were away ${i}`));
    const seqs = await page.locator('.message').evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.equal(new Set(seqs).size, seqs.length);  // nothing shown twice
    assert.deepEqual(page.errors, []);
  } finally {
    await server.stop();
    data.remove();
  }
});

// A console that comes back further behind than --ws-max-lag gets resync
// (a backlog that long would have its socket closed as too far behind) and
// reloads its list and open conversation over REST. Its reconnection is held
// until the messages are in, so that it is behind by that much. A message
// that comes while the list is read again is not undone by that read.
test('a console too far behind to replay reloads over REST and misses nothing, nor what comes meanwhile', async () => {
  const data = tempDir();
  const port = String(await freePort());
  const args = ['--port', port, '--data', data.dir, '--ws-max-lag', '20'];
  let server = await startServer(args);
  try {
    await userSays(server, '15550003', 'support', 'Grace');
    await userSays(server, '15550006', 'hello', 'Ana');  // in the list, and in no queue nor anyone's chats
    await userSays(server, '15550007', 'my card is 4111 1111', 'Bo');  // to be erased while the list is read
    const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
    await page.locator('#conversation-list li[data-phone="15550003"]').click();
    await page.locator('#conv-name', { hasText: 'Grace' }).waitFor();

    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.routeWebSocket(/\/ws$/, async (ws) => { await held; ws.connectToServer(); });
    await server.stop();
    // Not live: "Reconnecting" for half a second, then "Connecting…" while held.
    await page.locator('#connection:not(.live)').waitFor();
    server = await startServer(args);
    for (let i = 1; i <= 15; i += 1) await userSays(server, '15550003', `while you were away ${i}`);  // 30 events and more
    await userSays(server, '15550004', 'hello', 'Linus');  // a conversation new meanwhile

    // The list's read again is answered by the server at once, and handed to the page after Linus writes again.
    const reloaded = await holdNextAnswer(page, /\/conversations\?limit=200$/);
    release();
    await reloaded.read;
    await page.locator('#connection.live').waitFor({ timeout: 20000 });
    await userSays(server, '15550004', 'and while the list was read');
    await userSays(server, '15550006', 'Ana while the list was read');
    const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
    assert.equal((await admin('DELETE', '/conversations/15550007')).deleted, '15550007');
    await page.locator('#conversation-list li[data-phone="15550007"]').waitFor({ state: 'detached' });
    const linus = page.locator('#conversation-list li[data-phone="15550004"]');
    const ana = page.locator('#conversation-list li[data-phone="15550006"]');
    await linus.locator('.preview', { hasText: 'and while the list was read' }).waitFor();
    await ana.locator('.preview', { hasText: 'Ana while the list was read' }).waitFor();
    await reloaded.handOver();
    await userSays(server, '15550005', 'hello', 'Ada');  // her row drawn after the answer: the console has had it
    await page.locator('#conversation-list li[data-phone="15550005"]').waitFor();
    assert.equal(await linus.locator('.preview').textContent(), 'and while the list was read');
    assert.equal(await ana.locator('.preview').textContent(), 'Ana while the list was read');
    assert.equal(await page.locator('#conversation-list li[data-phone="15550007"]').count(), 0);  // on the page, erased since
    await page.locator('.message.user', { hasText: 'while you were away 15' }).waitFor();
    const away = (await page.locator('.message.user .text').allTextContents()).filter((t) => t.startsWith('while you were away'));
    assert.deepEqual(away, Array.from({ length: 15 }, (_, i) => `while you were away ${i + 1}`));
    await userSays(server, '15550003', 'and one more, live');
    await page.locator('.message.user', { hasText: 'and one more, live' }).waitFor();
    assert.deepEqual(page.errors, []);
  } finally {
    await server.stop();
    data.remove();
  }
});

test('older history on scroll, read receipts, transcript and transfer', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'carol', password: 'carol-password', display_name: 'Carol' });
  await userSays(server, '15550009', 'support', 'Long Talker');
  for (let i = 1; i <= 35; i += 1) await userSays(server, '15550009', `line ${i}`);  // 72 messages with the bot's
  // Read but for the last three lines, which the newest page holds: it opens at the newest.
  await admin('POST', '/conversations/15550009/read', { up_to: 66 });

  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const row = page.locator('#conversation-list li[data-phone="15550009"]');
  await row.locator('.badge.unread').waitFor();
  await row.click();
  await page.locator('.message').nth(49).waitFor();
  assert.equal(await page.locator('.message').count(), 50);  // the latest 50 first

  // Viewing the newest messages sends a read receipt: the unread badge goes.
  await row.locator('.badge.unread').waitFor({ state: 'detached' });
  assert.equal((await admin('GET', '/conversations/15550009')).unread, 0);

  // Scrolling to the top loads the older ones, oldest first.
  await page.locator('#messages').evaluate((el) => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); });
  await page.locator('.message').nth(71).waitFor();
  assert.equal(await page.locator('.message .text').first().textContent(), 'support');

  // The transcript link downloads with the session cookie.
  const href = await page.locator('#dl-csv').getAttribute('href');
  const csv = await page.request.get(server.url + href);
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /^conversation,seq,timestamp,sender/);

  // Claim, then hand over to Carol: the user is told who they talk to now.
  await page.getByRole('button', { name: 'Claim Chat' }).click();
  await page.locator('#conv-assignee', { hasText: 'Assigned to you' }).waitFor();
  await page.getByRole('button', { name: 'Transfer' }).click();
  await page.getByLabel('Agent').selectOption('carol');
  await page.locator('#transfer-confirm').click();
  await page.locator('#conv-assignee', { hasText: 'Assigned to carol' }).waitFor();
  await receiver.waitFor((m) => m.to === '15550009' && m.text.includes('Carol'));
  assert.equal(await page.locator('#composer-text').isDisabled(), true);
  assert.deepEqual(page.errors, []);
}));

test('opening a waiting chat keeps its place in the list and in the queue', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'dave', password: 'dave-password', display_name: 'Dave' });
  for (const n of [1, 2, 3]) await userSays(server, `1555010${n}`, 'support', `Waiting ${n}`);
  const order = (p) => p.locator('#conversation-list li').evaluateAll((rows) => rows.map((r) => r.dataset.phone));
  const newestFirst = ['15550103', '15550102', '15550101'];

  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const davePage = await consolePage(browser.browser, server, 'dave', 'dave-password');
  const first = page.locator('#conversation-list li[data-phone="15550101"]');
  const firstOnDave = davePage.locator('#conversation-list li[data-phone="15550101"]');
  await first.locator('.badge.unread').waitFor();
  await firstOnDave.locator('.badge.unread').waitFor();
  assert.deepEqual(await order(page), newestFirst);

  // Opening it reads it: that is no new activity, and it still waits first in line,
  // on this console (the read's answer) and on Dave's (its event).
  await first.click();
  await first.locator('.badge.unread').waitFor({ state: 'detached' });
  await firstOnDave.locator('.badge.unread').waitFor({ state: 'detached' });
  for (const p of [page, davePage]) {
    assert.deepEqual(await order(p), newestFirst);
    assert.match(await p.locator('#conversation-list li[data-phone="15550101"] .badge.queued').textContent(), /^Queued #1 /);
  }
  assert.equal((await admin('GET', '/conversations/15550101')).queue_position, 1);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(davePage.errors, []);
}));

test('a transfer with nobody to hand the chat to says so, and the chat goes back to the queue', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'gone', password: 'gone-secret-1' });
  await admin('PATCH', '/agents/gone', { active: false });  // someone who left is nobody to hand it to
  await userSays(server, '15550201', 'support', 'Solo');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15550201"]').click();
  await page.getByRole('button', { name: 'Claim Chat' }).click();
  await page.locator('#conv-assignee', { hasText: 'Assigned to you' }).waitFor();
  await page.getByRole('button', { name: 'Transfer' }).click();
  await page.locator('#transfer-none', { hasText: 'No other agent' }).waitFor();
  assert.equal(await page.locator('#transfer-confirm').isDisabled(), true);
  assert.equal(await page.locator('#transfer-to').isVisible(), false);
  await page.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await admin('GET', '/conversations/15550201')).assignee, 'admin');  // still with the one agent there is

  // Back to the head of the queue instead, for whoever is free next.
  await page.getByRole('button', { name: 'Return to queue' }).click();
  await page.locator('#conv-assignee', { hasText: 'Waiting in queue (#1)' }).waitFor();
  await page.locator('#conversation-list li[data-phone="15550201"] .badge.queued', { hasText: 'Queued #1' }).waitFor();
  await page.locator('.message', { hasText: 'Back to the queue: admin returned it' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Return to queue' }).isVisible(), false);
  await page.getByRole('button', { name: 'Claim Chat' }).waitFor();
  assert.equal((await admin('GET', '/conversations/15550201')).assignee, null);

  // The page's icon is served, so a browser asks for nothing that is not there.
  const icon = await page.request.get(`${server.url}/favicon.svg`);
  assert.equal(icon.status(), 200);
  assert.equal(icon.headers()['content-type'], 'image/svg+xml');
  assert.deepEqual(page.errors, []);
}));

test('an agent sets themselves away and back, for automatic routing', () => withMemoryServer(['--routing', 'round-robin'], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const availableOnServer = async () => (await admin('GET', '/agents')).agents.find((a) => a.username === 'admin').available;
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const box = page.getByLabel('Available');
  assert.equal(await box.isChecked(), true);

  await box.uncheck();
  await page.locator('.availability.away').waitFor();
  await page.waitForFunction(() => !document.getElementById('available').disabled);
  assert.equal(await availableOnServer(), false);
  await page.reload();
  await page.locator('#me', { hasText: 'Administrator' }).waitFor();
  assert.equal(await page.getByLabel('Available').isChecked(), false);  // as the server has it

  await page.getByLabel('Available').check();
  await page.locator('.availability:not(.away)').waitFor();
  await page.waitForFunction(() => !document.getElementById('available').disabled);
  assert.equal(await availableOnServer(), true);
  assert.deepEqual(page.errors, []);
}));

test('outside business hours the top bar says until when, in the agent\'s own time', () => withMemoryServer(['--business-hours', closedHours.spec], async (server) => {
  // An agent in India (UTC+05:30) reads 10:00 UTC as 15:30.
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD,
    { context: { timezoneId: 'Asia/Kolkata', locale: 'en-GB' } });
  const badge = page.locator('#hours');
  await badge.waitFor();
  const weekday = closedHours.opens.toLocaleString('en-GB', { weekday: 'short', timeZone: 'Asia/Kolkata' });
  assert.equal(await badge.textContent(), `🌙 Closed until ${weekday} 15:30`);
  assert.match(await badge.getAttribute('title'), new RegExp(`\\(${closedHours.name} 10:00–11:00, UTC\\): users who ask for support are told`));

  // Reports may count waits on the team's clock.
  await page.getByRole('button', { name: 'Reports' }).click();
  const option = page.getByLabel('Waits in business hours');
  await option.waitFor();
  const [asked] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/reports/summary?') && r.url().endsWith('&business_hours=true')),
    option.check(),
  ]);
  assert.equal(asked.status(), 200);
  assert.equal((await asked.json()).business_hours, true);
  assert.deepEqual(page.errors, []);
  await page.context().close();
}));

// A connection that dies without a close (a laptop asleep, a network
// switched) would leave the console showing Live and hearing nothing. Here
// the server's frames stop reaching the page on its first connection; the
// console pings, hears nothing, connects again, and resumes what it missed.
test('a console that hears nothing pings, then connects again and catches up', () => withMemoryServer([], async (server) => {
  let connections = 0, deaf = false;
  const sentByPage = [];
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, {
    beforeLoad: async (p) => {
      await p.clock.install();
      await p.routeWebSocket(/\/ws$/, (ws) => {
        const nth = ++connections;
        const upstream = ws.connectToServer();
        upstream.onMessage((m) => { if (!(deaf && nth === 1)) ws.send(m); });
        ws.onMessage((m) => { sentByPage.push(m); upstream.send(m); });
      });
    },
  });
  assert.equal(connections, 1);
  await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1000));
  deaf = true;  // from here the first connection carries nothing to the page
  await userSays(server, '15550501', 'hello', 'Dee');

  await page.clock.runFor(25000);  // quiet for 20 s: it asks
  assert.ok(sentByPage.some((m) => m.includes('"ping"')), 'a ping after 20 s of silence');
  assert.equal(connections, 1);
  await page.clock.runFor(15000);  // 35 s without an answer: it gives the socket up
  await page.clock.resume();       // and connects again after its backoff
  await page.locator('#conversation-list li[data-phone="15550501"]').waitFor();
  assert.equal(connections, 2);
  await page.locator('#connection.live').waitFor();
  assert.deepEqual(page.errors, []);
}));

// A console back after a lost connection asks for what it missed (resume).
// The server sends newer events a moment after the hello all the same,
// unless the console has spoken by then, and on a slow machine they come
// first: the replay sends them again, and they are no gap that reloads
// every row. Here the first connection drops Bo's events and is then cut;
// the second holds the console's resume until Cy's live event has reached it.
test('events newer than the hello that come before a resume\'s replay are no gap: the console does not reload', () => withMemoryServer([], async (server) => {
  const sockets = [];
  let droppedBo, liveCy, helloAgain;
  const boDropped = new Promise((resolve) => { droppedBo = resolve; });
  const cyArrived = new Promise((resolve) => { liveCy = resolve; });
  const reconnected = new Promise((resolve) => { helloAgain = resolve; });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, {
    beforeLoad: (p) => p.routeWebSocket(/\/ws$/, (ws) => {
      const s = { ws, upstream: ws.connectToServer(), dropping: false, held: null, second: sockets.length === 1 };
      s.upstream.onMessage((m) => {
        const text = String(m);
        if (s.dropping) {
          if (text.includes('15550542')) droppedBo();
          return;
        }
        ws.send(m);
        if (s.second && text.includes('"hello"')) helloAgain();
        if (s.second && text.includes('15550543')) liveCy();
      });
      ws.onMessage((m) => {
        if (s.second && !s.released && String(m).includes('"resume"')) s.held = m;
        else s.upstream.send(m);
      });
      sockets.push(s);
    }),
  });
  await userSays(server, '15550541', 'first', 'Ada');
  const ada = await page.locator('#conversation-list li[data-phone="15550541"]').elementHandle();

  const [first] = sockets;
  first.dropping = true;
  await userSays(server, '15550542', 'missed', 'Bo');
  await boDropped;
  first.upstream.close();
  await first.ws.close({ code: 1011, reason: 'network gone' });
  await reconnected;
  await userSays(server, '15550543', 'live', 'Cy');
  await cyArrived;  // before the replay, which waits for the held resume
  const second = sockets[1];
  assert.ok(second.held, 'the console asked to resume');
  second.released = true;
  second.upstream.send(second.held);
  await page.locator('#conversation-list li[data-phone="15550542"]').waitFor();
  await page.locator('#conversation-list li[data-phone="15550543"]').waitFor();
  assert.equal(await ada.evaluate((e) => e.isConnected), true, 'no reload: the rows stay');
  assert.equal(sockets.length, 2);
  assert.deepEqual(page.errors, []);
}));

// A user erased while a console was away: its resume reads their events as
// placeholders (type "erased", their seq and time alone), which it passes
// over as no gap, then the erasure, which lets their row go. Here the first
// connection drops every event from Bo's first message on, and is cut once
// an admin has erased Bo.
test('a console that resumes across a user\'s erasure passes over the placeholders without reloading', () => withMemoryServer([], async (server) => {
  const sockets = [];
  const replayed = [];
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, {
    beforeLoad: (p) => p.routeWebSocket(/\/ws$/, (ws) => {
      const s = { ws, upstream: ws.connectToServer(), dropping: false };
      s.upstream.onMessage((m) => {
        if (s.dropping) return;
        if (sockets.length === 2) replayed.push(String(m));
        ws.send(m);
      });
      ws.onMessage((m) => s.upstream.send(m));
      sockets.push(s);
    }),
  });
  await userSays(server, '15550551', 'first', 'Ada');
  const ada = await page.locator('#conversation-list li[data-phone="15550551"]').elementHandle();
  const [first] = sockets;
  first.dropping = true;
  await userSays(server, '15550552', 'my card is 4111 1111', 'Bo');
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  assert.equal((await admin('DELETE', '/conversations/15550552')).deleted, '15550552');
  first.upstream.close();
  await first.ws.close({ code: 1011, reason: 'network gone' });
  await userSays(server, '15550553', 'after', 'Cy');
  await page.locator('#conversation-list li[data-phone="15550553"]').waitFor();
  const events = replayed.flatMap((m) => [JSON.parse(m)].flat()).filter((e) => e.seq && e.type !== 'hello');
  assert.ok(events.some((e) => e.type === 'erased' && e.conversation === '' && Object.keys(e.data).length === 0),
    'the replay holds placeholders');
  assert.ok(events.some((e) => e.type === 'conversation.deleted' && e.conversation === '15550552'));
  assert.ok(!replayed.some((m) => m.includes('4111')), 'nothing of what Bo wrote');
  assert.equal(await page.locator('#conversation-list li[data-phone="15550552"]').count(), 0);
  assert.equal(await ada.evaluate((e) => e.isConnected), true, 'no reload: the rows stay');
  assert.equal(sockets.length, 2);
  assert.deepEqual(page.errors, []);
}));

// A session that ended while the console was away (expired while a laptop
// slept, say) refuses its reconnection; the console then asks, and goes back
// to the login form rather than reconnecting for ever. Here the first
// connection is cut by the test after the session was ended, so that the
// server's own 1008 never reaches the page.
test('a console whose session ended while it was away goes back to the login form', () => withMemoryServer([], async (server) => {
  const routed = [];
  // The agent's own chats, asked for at the socket's hello, are answered
  // only after the session ends: that refusal is no error of the page's.
  let loggedOut;
  const ended = new Promise((resolve) => { loggedOut = resolve; });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, {
    beforeLoad: async (p) => {
      await p.route(/filter=mine/, async (route) => { await ended; await route.continue(); });
      await p.routeWebSocket(/\/ws$/, (ws) => {
        const upstream = ws.connectToServer();
        if (routed.push(ws) === 1) upstream.onClose(() => {});  // the server's close stays with the test
      });
    },
  });
  const session = (await page.context().cookies()).find((c) => c.name === 'switchboard_session').value;
  const mineRefused = page.waitForResponse((r) => /filter=mine/.test(r.url()));
  const out = await fetch(`${server.url}/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${session}` } });
  assert.equal(out.status, 200);
  loggedOut();
  assert.equal((await mineRefused).status(), 401);
  await routed[0].close({ code: 1011, reason: 'network gone' });
  await page.locator('#login-view').waitFor();
  assert.ok(routed.length >= 2, 'it tried to connect again first');
  assert.deepEqual(page.errors, []);
}));

// A refusal stays in the chat's hint while events draw the chat again (the
// user writes on), until the agent's next action there goes through.
test('a refused change stays in the chat\'s hint through the chat\'s events, until the next action succeeds', () => withMemoryServer([], async (server) => {
  await userSays(server, '15550731', 'where is my parcel?', 'Uma');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15550731"]').click();
  await page.locator('#conv-name', { hasText: 'Uma' }).waitFor();
  const normalHint = await page.locator('#composer-hint').textContent();
  // The server refuses the next priority change, as a full disk would.
  await page.route(/\/priority$/, (route) => route.fulfill({ status: 503, contentType: 'application/json',
    body: JSON.stringify({ error: { code: 'unavailable', message: 'the store cannot write' } }) }), { times: 1 });
  await page.getByLabel('Priority', { exact: true }).selectOption('urgent');
  const refusal = 'Priority not saved: the store cannot write';
  await page.locator('#composer-hint', { hasText: refusal }).waitFor();
  assert.equal(await page.getByLabel('Priority', { exact: true }).inputValue(), 'none');  // as the server has it

  await userSays(server, '15550731', 'hello?');
  await page.locator('.message.user', { hasText: 'hello?' }).waitFor();
  assert.equal(await page.locator('#composer-hint').textContent(), refusal);
  await page.getByLabel('Priority', { exact: true }).selectOption('high');
  await page.locator('#composer-hint', { hasText: refusal }).waitFor({ state: 'detached' });
  assert.equal(await page.locator('#composer-hint').textContent(), normalHint);
  assert.deepEqual(page.errors, []);
}));

// An answer that comes after the agent opened another chat: a refusal says
// which chat it is about; a success leaves the open chat's hint alone.
test('an answer that arrives after the agent opened another chat speaks of its own', () => withMemoryServer([], async (server) => {
  await userSays(server, '15550735', 'support', 'Ava');
  await userSays(server, '15550736', 'where is my parcel?', 'Ben');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const rowOf = (phone) => page.locator(`#conversation-list li[data-phone="${phone}"]`);
  // Each claim of Ava's chat is held until Ben's is open.
  const held = [];
  let arrived = () => {};
  await page.route(/\/conversations\/15550735\/chat-support\/start$/, (route) => { held.push(route); arrived(); });
  const claimAvaThenOpenBen = async () => {
    const claimed = new Promise((resolve) => { arrived = resolve; });
    await rowOf('15550735').click();
    await page.locator('#conv-name', { hasText: 'Ava' }).waitFor();
    await page.getByRole('button', { name: 'Claim Chat' }).click();
    await claimed;
    await rowOf('15550736').click();
    await page.locator('#conv-name', { hasText: 'Ben' }).waitFor();
  };

  await claimAvaThenOpenBen();
  await held.shift().fulfill({ status: 409, contentType: 'application/json',
    body: JSON.stringify({ error: { code: 'conflict', message: 'Cai has this chat' } }) });
  await page.locator('#composer-hint', { hasText: 'Ava: Cai has this chat' }).waitFor();

  await claimAvaThenOpenBen();
  await page.route(/\/priority$/, (route) => route.fulfill({ status: 503, contentType: 'application/json',
    body: JSON.stringify({ error: { code: 'unavailable', message: 'the store cannot write' } }) }), { times: 1 });
  await page.getByLabel('Priority', { exact: true }).selectOption('urgent');
  const refusal = 'Priority not saved: the store cannot write';
  await page.locator('#composer-hint', { hasText: refusal }).waitFor();
  await held.shift().continue();
  await rowOf('15550735').locator('.badge.mine').waitFor();  // Ava's claim went through
  assert.equal(await page.locator('#composer-hint').textContent(), refusal);  // Ben's hint, kept
  assert.deepEqual(page.errors, []);
}));

test('a wrong password is refused and the session survives a reload', () => withMemoryServer([], async (server) => {
  const context = await browser.browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url + '/');
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#login-error', { hasText: 'Wrong username or password' }).waitFor();

  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.keyboard.press('Enter');  // keyboard only
  await page.locator('#connection.live').waitFor();
  await page.reload();
  await page.locator('#connection.live').waitFor();  // the cookie remembers
  assert.equal(await page.locator('#login-view').isHidden(), true);
  const csp = (await (await fetch(server.url + '/')).headers).get('content-security-policy');
  assert.match(csp, /script-src 'self'/);

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.locator('#login-view').waitFor();
}));

// As Chatwoot's: the address bar names the open chat, so that a reload
// opens it again, Back and Forward go from chat to chat (at a phone's width,
// to the list), and an address to a conversation there is not says so.
test('the address bar names the open chat: a reload, Back and Forward open it again', () => withMemoryServer([], async (server) => {
  await userSays(server, '15550751', 'hello', 'Ada');
  for (let i = 1; i <= 30; i += 1) await userSays(server, '15550751', `line ${i}`);  // 62 messages with the bot's
  await (await apiAs(server, 'admin', ADMIN_PASSWORD))('POST', '/conversations/15550751/read', { up_to: 1000 });
  await userSays(server, '15550752', 'hello', 'Ben');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const hash = () => new URL(page.url()).hash;
  const showing = (name) => page.locator('#conv-name', { hasText: name }).waitFor();
  await page.locator('#conversation-list li[data-phone="15550751"]').click();
  await showing('Ada');
  assert.equal(hash(), '#conversation=15550751');
  // An address that names a message (an e-mail's link to a note) opens the chat at it, the chat open too.
  await page.locator('.message .text', { hasText: 'line 30' }).waitFor();
  assert.equal(await page.locator('.message[data-seq="1"]').count(), 0);  // older than the newest 50
  await page.evaluate(() => { location.hash = '#conversation=15550751&message=1'; });
  await page.locator('.message[data-seq="1"]', { hasText: 'hello' }).waitFor();
  await page.locator('#conversation-list li[data-phone="15550752"]').click();
  await showing('Ben');
  assert.equal(hash(), '#conversation=15550752');
  await page.locator('#conversation-list li[data-phone="15550752"]').click();  // read again: no entry more
  await page.goBack();
  await showing('Ada');
  assert.equal(await page.locator('#conversation-list li[aria-current="true"]').getAttribute('data-phone'), '15550751');
  await page.goForward();
  await showing('Ben');
  await page.reload();
  await page.locator('#connection.live').waitFor();
  await showing('Ben');
  // An address of a conversation there is not.
  await page.goto(`${server.url}/#conversation=15559999`);
  await page.locator('#pane-empty', { hasText: 'There is no conversation with 15559999.' }).waitFor();
  assert.equal(hash(), '');
  assert.equal(await page.locator('#conversation').isHidden(), true);

  // At a phone's width, Back goes from the chat to the list.
  const phone = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, { context: { viewport: { width: 400, height: 800 } } });
  await phone.locator('#conversation-list li[data-phone="15550751"]').click();
  await phone.locator('#conv-name', { hasText: 'Ada' }).waitFor();
  assert.equal(await phone.locator('#conversation-list').isVisible(), false);
  await phone.goBack();
  await phone.locator('#conversation-list').waitFor();
  assert.equal(new URL(phone.url()).hash, '');
  assert.equal(await phone.locator('#conversation').isVisible(), false);
  // The pane's ← Back is the browser's: Forward opens the chat again, and
  // from a chat opened from another, it closes that one (Back, then, goes to the other).
  const backToTheList = async () => {
    await phone.getByRole('button', { name: '← Back' }).click();
    await phone.locator('#conversation-list').waitFor();
    assert.equal(new URL(phone.url()).hash, '');
  };
  await phone.goForward();
  await phone.locator('#conv-name', { hasText: 'Ada' }).waitFor();
  await backToTheList();
  await phone.goForward();
  await phone.locator('#conv-name', { hasText: 'Ada' }).waitFor();
  await phone.evaluate(() => { location.hash = '#conversation=15550752'; });  // Ben's, from Ada's
  await phone.locator('#conv-name', { hasText: 'Ben' }).waitFor();
  await backToTheList();
  await phone.goBack();
  await phone.locator('#conv-name', { hasText: 'Ada' }).waitFor();
  // Logged out, the next login starts at the list.
  await page.locator('#conversation-list li[data-phone="15550751"]').click();
  await showing('Ada');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.locator('#login-view').waitFor();
  assert.equal(hash(), '');
  assert.deepEqual(page.errors, []);
  assert.deepEqual(phone.errors, []);
}));

// The chat of `phone` clicked open in `page`, its history's answer held:
// read by the server, not yet by the page.
async function openedWithHistoryHeld(page, phone) {
  const row = page.locator(`#conversation-list li[data-phone="${phone}"]`);
  await row.waitFor();
  const held = await holdNextAnswer(page, new RegExp(`/conversations/${phone}$`));
  await row.click();
  await held.read;
  return { row, held };
}

// A chat opened as its user writes: its history can be read before the
// message and come after the message's event. What the events brought
// meanwhile (the message, the chat claimed) stays in the pane.
test('a message and a change that come while a chat opens are not lost to its history read before them', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550961', 'support', 'Ava');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const { row, held } = await openedWithHistoryHeld(page, '15550961');  // the history without what follows
  await userSays(server, '15550961', 'are you there?');
  await admin('POST', '/conversations/15550961/chat-support/start');
  await row.locator('.badge.mine').waitFor();  // the console has had both events
  // The pane as first drawn: reading the message soon brings the chat anew.
  await page.evaluate(() => {
    const name = document.getElementById('conv-name');
    window.firstDrawn = new Promise((resolve) => {
      const watch = new MutationObserver(() => {
        if (name.textContent !== 'Ava') return;
        watch.disconnect();
        resolve({ assignee: document.getElementById('conv-assignee').textContent,
          messages: [...document.querySelectorAll('.message.user .text')].map((m) => m.textContent) });
      });
      watch.observe(name, { childList: true, characterData: true, subtree: true });
    });
  });
  await held.handOver();
  assert.deepEqual(await page.evaluate(() => window.firstDrawn),
    { assignee: 'Assigned to you', messages: ['support', 'are you there?'] });
  // And what comes after it, as ever.
  await userSays(server, '15550961', 'hello?');
  await page.locator('.message.user', { hasText: 'hello?' }).waitFor();
  assert.deepEqual(page.errors, []);
}));

// The open chat's row clicked again reads the chat again; the agent opens
// Snooze before that read comes back. The keyboard stays in Snooze: Escape
// closes it (the answer once took the keyboard to the reply box).
test('a chat read again while the agent opens Snooze leaves the keyboard in Snooze', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550966', 'support', 'Ava');
  await admin('POST', '/conversations/15550966/chat-support/start');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const row = page.locator('#conversation-list li[data-phone="15550966"]');
  await row.click();
  await page.locator('#composer-text:focus').waitFor();  // a chat opened takes the keyboard to its reply box
  const held = await holdNextAnswer(page, /\/conversations\/15550966$/);
  await row.click();
  await held.read;
  await page.locator('#snooze-menu > summary').click();
  await page.locator('#snooze-at').waitFor();
  await held.handOver((chat) => ({ ...chat, name: 'Ava Read Again' }));
  await page.locator('#conv-name', { hasText: 'Ava Read Again' }).waitFor();  // the answer taken
  assert.equal(await page.evaluate(() => document.activeElement.closest('#snooze-menu') !== null), true);
  await page.keyboard.press('Escape');
  await page.locator('#snooze-at').waitFor({ state: 'hidden' });
  assert.deepEqual(page.errors, []);
}));

// A note deleted as its chat opens: the history read before the deletion
// and answered after its event shows the note deleted (message.updated).
test('a note deleted while its chat opens shows deleted, not as the history read before had it', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550971', 'support', 'Ava');
  const note = await admin('POST', '/conversations/15550971/notes', { text: 'card ends 4242' });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const { held } = await openedWithHistoryHeld(page, '15550971');  // the note as it was
  await admin('DELETE', `/conversations/15550971/notes/${note.seq}`);
  await newUserShows(page, server, '15550972', 'Bo');  // the console has had the deletion's event
  await held.handOver();
  await page.locator('#conv-name', { hasText: 'Ava' }).waitFor();
  assert.equal(await page.locator('.message .text.deleted', { hasText: 'This note was deleted' }).count(), 1);
  assert.equal(await page.locator('.message', { hasText: 'card ends 4242' }).count(), 0);
  assert.deepEqual(page.errors, []);
}));

// An admin's console with Ava's chat open, whose note `card ends 4242` is
// older than the latest 50: it scrolls up, and the older page's answer is
// held.
async function scrolledUpToANote(server, admin, phone) {
  await userSays(server, phone, 'support', 'Ava');
  const note = await admin('POST', `/conversations/${phone}/notes`, { text: 'card ends 4242' });
  for (let i = 1; i <= 50; i += 1) await admin('POST', `/conversations/${phone}/notes`, { text: `note ${i}` });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator(`#conversation-list li[data-phone="${phone}"]`).click();
  await page.locator('.message', { hasText: 'note 50' }).waitFor();
  assert.equal(await page.locator('.message', { hasText: 'card ends 4242' }).count(), 0);  // older than the latest 50
  const held = await holdNextAnswer(page, new RegExp(`/conversations/${phone}/messages\\?before=`));
  await page.locator('#messages').evaluate((el) => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); });
  await held.read;  // the note as it was
  return { note, page, held };
}

// A note deleted as the agent scrolls up to it: the older page read before
// the deletion and answered after its event shows the note deleted.
test('a note deleted while the older page that holds it is read shows deleted', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const { note, page, held } = await scrolledUpToANote(server, admin, '15550981');
  await admin('DELETE', `/conversations/15550981/notes/${note.seq}`);
  await newUserShows(page, server, '15550982', 'Bo');  // the console has had the deletion's event
  await held.handOver();
  await page.locator('.message.user .text', { hasText: 'support' }).waitFor();  // the older page drawn
  assert.equal(await page.locator('.message .text.deleted', { hasText: 'This note was deleted' }).count(), 1);
  assert.equal(await page.locator('.message', { hasText: 'card ends 4242' }).count(), 0);
  assert.deepEqual(page.errors, []);
}));

// The same, but the agent opens another chat before the older page comes:
// what the event changed was the first chat's, and the other's message of
// the same seq stays as it is.
test('a change to a chat left while its older page was read does not touch the chat opened since', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550992', 'support', 'Bo');
  await userSays(server, '15550992', 'my third message');
  const { note, page, held } = await scrolledUpToANote(server, admin, '15550991');
  const { messages } = await admin('GET', '/conversations/15550992');
  assert.equal(messages.find((m) => m.text === 'my third message').seq, note.seq);  // one seq in both chats
  await admin('DELETE', `/conversations/15550991/notes/${note.seq}`);
  await newUserShows(page, server, '15550993', 'Cy');  // the event came while Ava's chat was open
  await page.locator('#conversation-list li[data-phone="15550992"]').click();
  await page.locator('.message.user', { hasText: 'my third message' }).waitFor();
  await held.handOver();
  // A message drawn after the older page's answer: Bo's history drawn anew.
  await userSays(server, '15550992', 'and a fourth');
  await page.locator('.message.user', { hasText: 'and a fourth' }).waitFor();
  assert.equal(await page.locator('.message.user', { hasText: 'my third message' }).count(), 1);
  assert.equal(await page.locator('.message .text.deleted').count(), 0);
  assert.deepEqual(page.errors, []);
}));

// The chat opened again (its row clicked, or a resync) while an older page
// is read, after newer messages moved its newest page on: the page asked
// for no longer joins the history shown, and is not drawn with a gap. The
// next scroll up reads from where the history now begins.
test('an older page read across a re-opening of its chat, newer messages since, leaves no gap in the history', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const { page, held } = await scrolledUpToANote(server, admin, '15551001');
  for (let i = 1; i <= 3; i += 1) await admin('POST', '/conversations/15551001/notes', { text: `later ${i}` });
  await page.locator('.message', { hasText: 'later 3' }).waitFor();
  await page.locator('#conversation-list li[data-phone="15551001"]').click();
  await page.locator('.message .text', { hasText: /^note 3$/ }).waitFor({ state: 'detached' });  // the newest 50 again
  await held.handOver();
  // Scrolled up until older messages show: the page held, had it joined,
  // or the one read after it.
  await page.waitForFunction(() => {
    const list = document.getElementById('messages');
    list.scrollTop = 0;
    list.dispatchEvent(new Event('scroll'));
    return [...list.querySelectorAll('.message .text')].some((t) => t.textContent === 'card ends 4242');
  }, null, { polling: 100 });
  const seqs = await page.locator('.message[data-seq]').evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
  assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => seqs[0] + i));  // every message, each once
  assert.equal(await page.locator('.message .text', { hasText: /^note 3$/ }).count(), 1);
  assert.deepEqual(page.errors, []);
}));

// A colleague files the chat under labels while the agent, scrolled up a
// little, presses a message's Reply: the header wraps anew, taller, and the
// history keeps what is on screen where it was, so the click lands on what
// was pressed. Taken off again, at the newest: the newest stays in view.
test('a press on Reply lands while a colleague\'s labels make the header taller', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15551031', 'support', 'Ava');
  for (let i = 1; i <= 20; i += 1) await userSays(server, '15551031', `line ${i}`);  // more than the pane shows
  await userSays(server, '15551031', 'my order is 98765');
  await admin('POST', '/conversations/15551031/chat-support/start');
  // Answered: no "Waiting for an answer · 9s" in the header, whose growing
  // count ("· 10s") could wrap it anew between the heights compared below.
  await admin('POST', '/conversations/15551031/chat-support/send', { text: 'Looking' });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15551031"]').click();
  const order = page.locator('.message.user', { hasText: 'my order is 98765' });
  await order.waitFor();
  const headerHeight = () => page.locator('.conversation-header').evaluate((el) => el.offsetHeight);
  const before = await headerHeight();
  // Scrolled up a little, to an earlier line.
  const list = page.locator('#messages');
  await list.evaluate((el) => { el.scrollTop -= 120; });
  const line = page.locator('.message.user', { hasText: /^line 15/ });
  await line.hover();
  await line.getByRole('button', { name: 'Reply quoting this message' }).hover();
  await page.mouse.down();
  const labels = ['billing-dispute', 'refund-requested', 'priority-customer', 'call-back-tomorrow', 'escalated-twice'];
  await admin('PUT', '/conversations/15551031/labels', { labels });
  await page.locator('#conv-labels', { hasText: 'escalated-twice' }).waitFor();
  assert.ok(await headerHeight() >= before + 20, `the header went from ${before} to ${await headerHeight()} px`);
  await page.mouse.up();
  await page.locator('#replying-to', { hasText: 'line 15' }).waitFor();
  // At the newest, the labels taken off: the header shorter, the history
  // still ends with the newest message (the browser has cut its scroll back
  // already: nothing more is taken off it).
  await list.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  const atEnd = () => list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
  assert.ok(await atEnd() < 1);
  await admin('PUT', '/conversations/15551031/labels', { labels: [] });
  await page.locator('#conv-labels', { hasText: 'escalated-twice' }).waitFor({ state: 'detached' });
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));  // the header's watch has run
  assert.equal(await headerHeight(), before);
  assert.ok(await atEnd() < 1, `${await atEnd()} px short of the newest`);
  assert.deepEqual(page.errors, []);
}));

// Items the history keeps as drawn while their messages stay as they were
// are drawn anew when what they show beside the message changes: the
// user's name on theirs, and Reply once the chat is the agent's.
test('a history kept as drawn shows the user renamed, and Reply once the chat is claimed', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15551021', 'support', 'Ava');
  await userSays(server, '15551021', 'my order is 98765');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15551021"]').click();
  const order = page.locator('.message.user', { hasText: 'my order is 98765' });
  const reply = order.getByRole('button', { name: 'Reply quoting this message' });
  assert.equal(await order.locator('.meta > span').first().textContent(), 'Ava');
  assert.equal(await reply.count(), 0);  // not the agent's chat yet
  await admin('POST', '/conversations/15551021/chat-support/start');
  await reply.waitFor();
  await admin('PUT', '/conversations/15551021/name', { name: 'Ava Lind' });
  await order.locator('.meta > span', { hasText: 'Ava Lind' }).waitFor();
  assert.deepEqual(await page.locator('.message.user .meta > span:first-child').allTextContents(), ['Ava Lind', 'Ava Lind']);
  assert.deepEqual(page.errors, []);
}));

// Messages that come while the agent has selected a message's text, or
// pressed its Reply and not yet let go: the items shown stay the same
// elements, so the selection stays, and the history does not scroll to the
// newest until the press is let go, so the click lands.
test('a message that comes keeps a selection in another, and lets a press on its Reply land', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15551011', 'support', 'Ava');
  await userSays(server, '15551011', 'my order is 98765');
  await admin('POST', '/conversations/15551011/chat-support/start');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15551011"]').click();
  const order = page.locator('.message.user', { hasText: 'my order is 98765' });
  await order.waitFor();
  await order.locator('.text').evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
  });
  await userSays(server, '15551011', 'are you there?');
  await page.locator('.message.user', { hasText: 'are you there?' }).waitFor();
  assert.equal(await page.evaluate(() => getSelection().toString()), 'my order is 98765');

  // The user writes while the press is held: nothing under the pointer
  // moves (the header's buttons neither).
  await order.hover();
  await order.getByRole('button', { name: 'Reply quoting this message' }).hover();
  await page.mouse.down();
  await userSays(server, '15551011', 'hello?');
  await page.locator('.message.user', { hasText: 'hello?' }).waitFor();
  await page.mouse.up();
  await page.locator('#replying-to', { hasText: 'my order is 98765' }).waitFor();
  // Let go, the history follows the newest again.
  await page.waitForFunction(() => {
    const list = document.getElementById('messages');
    return list.scrollHeight - list.scrollTop - list.clientHeight < 60;
  });
  assert.deepEqual(page.errors, []);
}));
