// The agent console in real headless chromium against the real server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ADMIN_PASSWORD, apiAs, consolePage, freePort, launchBrowser, startReceiver, startServer, tempDir, userSays,
  whatsappUserSends,
} from './harness.mjs';

// docs/console.png is refreshed with SWITCHBOARD_SCREENSHOT=docs/console.png; a plain run keeps the tree clean.
const screenshot = process.env.SWITCHBOARD_SCREENSHOT
  ?? join(tmpdir(), `switchboard-console-${process.pid}.png`);
let browser, receiver;

before(async () => {
  browser = await launchBrowser();
  receiver = await startReceiver();
});
after(async () => {
  await browser?.close();
  await receiver?.close();
});

// Runs `body` against a fresh server on `:memory:` with `args`, and stops it
// whatever happens.
async function withMemoryServer(args, body) {
  const server = await startServer(['--port', '0', '--data', ':memory:', ...args]);
  try {
    await body(server);
  } finally {
    await server.stop();
  }
}

// A macro's or an automation's editor, its row `n` (a new one after the
// first): its action, and its value.
async function actionRow(page, n, type, value) {
  if (n > 1) await page.getByRole('button', { name: '+ Action' }).click();
  await page.getByLabel(`Action ${n}`, { exact: true }).selectOption(type);
  if (type === 'priority') await page.getByLabel(`Action ${n}'s priority`).selectOption(value);
  else if (type === 'team') await page.getByLabel(`Action ${n}'s team`).selectOption(value);
  else if (value !== undefined) await page.getByLabel(`Action ${n}'s value`).fill(value);
}

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

    await page.screenshot({ path: screenshot });

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
// until the messages are in, so that it is behind by that much.
test('a console too far behind to replay reloads over REST and misses nothing', async () => {
  const data = tempDir();
  const port = String(await freePort());
  const args = ['--port', port, '--data', data.dir, '--ws-max-lag', '20'];
  let server = await startServer(args);
  try {
    await userSays(server, '15550003', 'support', 'Grace');
    const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
    await page.locator('#conversation-list li[data-phone="15550003"]').click();
    await page.locator('#conv-name', { hasText: 'Grace' }).waitFor();

    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.routeWebSocket(/\/ws$/, async (ws) => { await held; ws.connectToServer(); });
    await server.stop();
    await page.locator('#connection', { hasText: 'Reconnecting' }).waitFor();
    server = await startServer(args);
    for (let i = 1; i <= 15; i += 1) await userSays(server, '15550003', `while you were away ${i}`);  // 30 events and more
    await userSays(server, '15550004', 'hello', 'Linus');  // a conversation new meanwhile

    const reloaded = page.waitForRequest((r) => r.url().includes('/conversations?limit=200'), { timeout: 20000 });
    release();
    await reloaded;
    await page.locator('#connection.live').waitFor({ timeout: 20000 });
    await page.locator('#conversation-list li[data-phone="15550004"]').waitFor();
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

// Three days from today in UTC, 10:00-11:00: closed whenever this runs.
const closedHours = (() => {
  const day = new Date(Date.now() + 3 * 86400000);
  day.setUTCHours(10, 0, 0, 0);
  const name = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][day.getUTCDay()];
  return { spec: `${name} 10:00-11:00`, opens: day, name };
})();

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

test('an admin runs the team from the console, and an agent their own account', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const carolOnServer = async () => (await admin('GET', '/agents')).agents.find((a) => a.username === 'carol');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Team', exact: true }).click();
  const team = page.locator('#team-dialog');
  await team.locator('tr[data-username="admin"]', { hasText: '(you)' }).waitFor();

  // A refused agent says why and adds nobody.
  const add = team.locator('#agent-form');
  await add.getByLabel('Username').fill('carol');
  await add.getByLabel('Display name').fill('Carol Danvers');
  await add.getByLabel('Password', { exact: true }).fill('short');
  await add.getByRole('button', { name: 'Add agent' }).click();
  await add.locator('.error', { hasText: 'at least 8 characters' }).waitFor();
  assert.equal((await admin('GET', '/agents')).agents.length, 1);
  await add.getByLabel('Password', { exact: true }).fill('carol-secret-1');
  await add.getByRole('button', { name: 'Add agent' }).click();
  await team.locator('#team-status', { hasText: 'Carol Danvers is on the team' }).waitFor();
  await team.locator('tr[data-username="carol"]', { hasText: '○ Offline' }).waitFor();

  // She logs in: the open Team dialog sees it live.
  const carol = await consolePage(browser.browser, server, 'carol', 'carol-secret-1');
  await team.locator('tr[data-username="carol"]', { hasText: '● Online' }).waitFor();

  // Her capacity and availability, set by the admin; her own console follows.
  await team.getByLabel('Most chats for Carol Danvers').fill('3');
  await team.getByLabel('Most chats for Carol Danvers').press('Tab');
  await team.locator('#team-status', { hasText: 'Carol Danvers takes at most 3 chats' }).waitFor();
  assert.equal((await carolOnServer()).max_chats, 3);
  assert.equal(await carol.getByLabel('Available').isChecked(), true);
  await team.getByLabel('Carol Danvers available').uncheck();
  await carol.locator('.availability.away').waitFor();
  assert.equal(await carol.getByLabel('Available').isChecked(), false);
  assert.equal((await carolOnServer()).available, false);

  // The only admin cannot step down: the refusal shows, and the role stays.
  await team.getByLabel('Role of Administrator').selectOption('agent');
  await team.locator('#team-status.error', { hasText: 'only admin' }).waitFor();
  assert.equal(await team.getByLabel('Role of Administrator').inputValue(), 'admin');

  // A new password from the admin sends her console back to the login form.
  await team.locator('tr[data-username="carol"] summary', { hasText: 'Set password' }).click();
  await team.getByLabel('New password for Carol Danvers').fill('carol-secret-2');
  await team.locator('tr[data-username="carol"]').getByRole('button', { name: 'Set' }).click();
  await team.locator('#team-status', { hasText: "Carol Danvers's password is set" }).waitFor();
  await carol.locator('#login-view:not([hidden])').waitFor();
  await carol.getByLabel('Username').fill('carol');
  await carol.getByLabel('Password').fill('carol-secret-2');
  await carol.getByRole('button', { name: 'Log in' }).click();
  await carol.locator('#connection.live').waitFor();

  // An agent's Team: nobody to add, no roles or passwords of others to set.
  await carol.getByRole('button', { name: 'Team', exact: true }).click();
  const own = carol.locator('#team-dialog');
  await own.locator('tr[data-username="admin"]').waitFor();
  assert.equal(await own.locator('#agent-form').isVisible(), false);
  assert.equal(await own.locator('#team-rows select').count(), 0);
  assert.equal(await own.locator('tr[data-username="admin"] input').count(), 0);
  assert.equal(await own.getByLabel('Most chats for Carol Danvers').inputValue(), '3');

  await own.locator('#name-form').getByLabel('Display name').fill('Carol D.');
  await own.getByRole('button', { name: 'Save name' }).click();
  await carol.locator('#me', { hasText: 'Carol D. (agent)' }).waitFor();
  const pw = own.locator('#password-form');
  await pw.getByLabel('Current password').fill('not-my-password');
  await pw.getByLabel('New password').fill('carol-secret-3');
  await pw.getByRole('button', { name: 'Change password' }).click();
  await pw.locator('.error', { hasText: 'current_password is not your password' }).waitFor();
  await pw.getByLabel('Current password').fill('carol-secret-2');
  await pw.getByLabel('New password').fill('carol-secret-3');
  await pw.getByRole('button', { name: 'Change password' }).click();
  await own.locator('#team-status', { hasText: 'Your password is changed' }).waitFor();
  const login = await fetch(`${server.url}/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'carol', password: 'carol-secret-3' }),
  });
  assert.equal(login.status, 200);
  assert.equal((await carolOnServer()).display_name, 'Carol D.');

  // Deactivated, she is logged out and cannot log back in; reactivated, she can.
  await team.locator('tr[data-username="carol"]').getByRole('button', { name: /^Deactivate/ }).click();
  await team.locator('tr[data-username="carol"].inactive', { hasText: 'Deactivated' }).waitFor();
  await carol.locator('#login-view:not([hidden])').waitFor();
  await carol.getByLabel('Username').fill('carol');
  await carol.getByLabel('Password').fill('carol-secret-3');
  await carol.getByRole('button', { name: 'Log in' }).click();
  await carol.locator('#login-error', { hasText: 'Wrong username or password' }).waitFor();
  await team.locator('tr[data-username="carol"]').getByRole('button', { name: /^Reactivate/ }).click();
  await team.locator('tr[data-username="carol"]:not(.inactive)').waitFor();
  await carol.getByRole('button', { name: 'Log in' }).click();
  await carol.locator('#connection.live').waitFor();
  assert.deepEqual(page.errors, []);
  assert.deepEqual(carol.errors, []);
}));

test('an agent makes an API token, sees it once, and revokes it', () => withMemoryServer([], async (server) => {
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const asToken = (token) => fetch(`${server.url}/me`, { headers: { Authorization: `Bearer ${token}` } });
  await page.getByRole('button', { name: 'Team', exact: true }).click();
  const team = page.locator('#team-dialog');
  const form = team.locator('#token-form');
  await form.getByRole('button', { name: 'Make a token' }).click();
  await form.locator('.error', { hasText: 'name' }).waitFor();  // a name is needed
  assert.equal(await team.locator('#token-list li').count(), 0);

  await form.getByLabel('Token name').fill('CRM sync');
  await form.getByRole('button', { name: 'Make a token' }).click();
  await team.locator('#token-made', { hasText: 'Copy CRM sync now' }).waitFor();
  const token = await team.locator('#token-value').inputValue();
  assert.match(token, /^[0-9a-f]{64}$/);
  await team.locator('#token-list li', { hasText: 'CRM sync' }).waitFor();
  const me = await asToken(token);
  assert.equal(me.status, 200);
  assert.equal((await me.json()).agent.username, 'admin');

  // Shown once: open again, and it is listed by name alone.
  await team.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Team', exact: true }).click();
  await team.locator('#token-list li', { hasText: 'CRM sync' }).waitFor();
  assert.equal(await team.locator('#token-made').isVisible(), false);
  assert.equal(await team.locator('#token-value').inputValue(), '');

  await team.getByRole('button', { name: 'Revoke CRM sync' }).click();
  await team.locator('#team-status', { hasText: 'CRM sync is revoked' }).waitFor();
  await team.locator('#token-list li').waitFor({ state: 'detached' });
  assert.equal((await asToken(token)).status, 401);
  assert.deepEqual(page.errors, []);
}));

test('the tab title and the filters count what waits for the agent', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const count = (filter) => page.locator(`.tabs [data-filter="${filter}"] .count`).textContent();
  const title = (text) => page.waitForFunction((t) => document.title === t, text);
  await title('Switchboard');
  assert.equal(await count('queued'), '');

  await userSays(server, '15550301', 'support', 'First');
  await userSays(server, '15550302', 'support', 'Second');
  await title('(2) Switchboard');  // two in the queue
  assert.equal(await count('queued'), '2');
  assert.equal(await count('active'), '2');
  assert.equal(await count('mine'), '');

  // Claimed, it leaves the queue; its unread message still waits for its agent.
  await admin('POST', '/conversations/15550301/chat-support/start');
  await page.waitForFunction(() => document.querySelector('.tabs [data-filter="mine"] .count').textContent === '1');
  assert.equal(await count('queued'), '1');
  assert.equal(await page.title(), '(2) Switchboard');
  // Read, it waits no more; a new message makes it wait again.
  await page.locator('#conversation-list li[data-phone="15550301"]').click();
  await title('(1) Switchboard');
  await page.locator('#conversation-list li[data-phone="15550302"]').click();
  await userSays(server, '15550301', 'are you there?');
  await title('(2) Switchboard');
  assert.deepEqual(page.errors, []);
}));

test("a row shows what the user or the agent wrote last, not the bot's acknowledgement or a note", () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550311', 'support', 'Pat');
  await userSays(server, '15550311', 'my order is late');  // acknowledged by the bot
  // Claimed before the console opens: a claim has it read the queue and the
  // agent's chats again, which would put the server's objects over what
  // the console made of the events below.
  await admin('POST', '/conversations/15550311/chat-support/start');  // the bot names the agent
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const row = page.locator('#conversation-list li[data-phone="15550311"]');
  const preview = () => row.locator('.preview').textContent();
  await row.waitFor();
  assert.equal(await preview(), 'my order is late');  // as the list was read

  // From the events. The list renders a little later: a new user's first
  // message, sent after them, shows when a render has taken them.
  const rendered = async (phone) => {
    await userSays(server, phone, 'hello');
    await page.locator(`#conversation-list li[data-phone="${phone}"] .preview`, { hasText: 'hello' }).waitFor();
  };
  await userSays(server, '15550311', 'still waiting');  // and the bot's acknowledgement
  await rendered('15550312');
  assert.equal(await preview(), 'still waiting');
  assert.equal(await row.locator('.preview.by-agent').count(), 0);
  await admin('POST', '/conversations/15550311/chat-support/send', { text: 'On it' });
  await row.locator('.preview.by-agent', { hasText: 'On it' }).waitFor();  // marked as an agent's
  assert.equal(await row.locator('.preview').evaluate((e) => getComputedStyle(e, '::before').content), '"↩ " / "Agent: "');
  // A private note is for the agents: the user never sees it. (It is no
  // activity either, so its conversation.updated brings the server's word.)
  await admin('POST', '/conversations/15550311/notes', { text: 'VIP, be quick' });
  await rendered('15550313');
  assert.equal(await preview(), 'On it');
  await page.reload();
  await page.locator('#connection.live').waitFor();
  await row.waitFor();
  assert.equal(await preview(), 'On it');  // and as the list is read again
  assert.equal(await row.locator('.preview.by-agent').count(), 1);
  assert.deepEqual(page.errors, []);
}));

// Many users writing at once: every event used to sort and build the whole
// list again, and each new number cost a request from every console, which
// then fell behind its socket. A new conversation introduces itself in the
// events; one from before the list's page is fetched once.
// `text` from each of `phones`, eight users writing at a time, each number's
// message in the order of `phones` within its sender.
async function manySay(server, phones, text) {
  const workers = Array.from({ length: 8 }, async (_, w) => {
    for (let i = w; i < phones.length; i += 8) await userSays(server, phones[i], text);
  });
  await Promise.all(workers);
}

test('a burst of new conversations is taken from the events, in few renders', () => withMemoryServer([], async (server) => {
  const say = (from, text) => userSays(server, from, text);
  const inTurn = (phones, text) => manySay(server, phones, text);
  const number = (i) => String(15557000000 + i);
  await say(number(0), 'hello');  // the oldest: beyond the list's first page of 200
  await inTurn(Array.from({ length: 200 }, (_, i) => number(1 + i)), 'hello');

  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li').nth(199).waitFor();
  const fetched = [];
  page.on('request', (r) => { const m = r.url().match(/\/conversations\/(\d+)$/); if (m) fetched.push(m[1]); });
  const renders = () => page.locator('#conversation-list').getAttribute('data-renders').then(Number);
  const rendersBefore = await renders();

  const burst = Array.from({ length: 600 }, (_, i) => number(1000 + i));
  await inTurn(burst, 'hi');
  await page.locator('#list-more', { hasText: '600 more:' }).waitFor();  // 800 listed (the oldest is not), 200 shown
  assert.deepEqual(fetched, []);
  const rendered = await renders() - rendersBefore;
  assert.ok(rendered < 200, `${rendered} renders for ${burst.length * 3} events`);
  // Rows scrolled off the top are let go: elements alive (in the page, or
  // held by its code) stay near what the page shows.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { nodes } = await cdp.send('Memory.getDOMCounters');
  const inPage = await page.evaluate(() => document.getElementsByTagName('*').length);
  assert.ok(nodes < 3 * inPage, `${nodes} nodes alive for ${inPage} elements in the page`);

  await say(number(0), 'back again');
  await page.locator(`#conversation-list li[data-phone="${number(0)}"]`).waitFor();
  assert.deepEqual(fetched, [number(0)]);
  assert.equal(await page.locator('#conversation-list li').first().getAttribute('data-phone'), number(0));
  assert.deepEqual(page.errors, []);
}));

// Chats handed out faster than the console's 200 ms wait must not put off its
// look at the queue for ever. The page's clock is Playwright's, moved by hand.
// A console left open while thousands of new users write holds a bounded
// number of them: the oldest go, but never the agent's own, and one that
// writes again comes back.
test('a console open through thousands of new conversations lets the oldest go', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const number = (i) => String(15558000000 + i);
  await userSays(server, number(0), 'support', 'Mine Old');
  await admin('POST', `/conversations/${number(0)}/chat-support/start`);
  await userSays(server, number(1), 'hello', 'Plain Old');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator(`#conversation-list li[data-phone="${number(1)}"]`).waitFor();

  const many = 2400;
  await manySay(server, Array.from({ length: many }, (_, i) => number(10 + i)), 'hello');
  // Events come in order: the last number's row means every event before it was taken.
  await page.locator(`#conversation-list li[data-phone="${number(10 + many - 1)}"]`).waitFor();
  await page.waitForFunction(() => Number(document.getElementById('conversation-list').dataset.held) <= 2200);
  await page.getByRole('tab', { name: /Mine/ }).click();
  await page.locator(`#conversation-list li[data-phone="${number(0)}"]`).waitFor();  // the agent's own stays
  await page.getByRole('tab', { name: 'All' }).click();

  await userSays(server, number(1), 'still there?');  // let go, then back with its news
  await page.locator(`#conversation-list li[data-phone="${number(1)}"]`, { hasText: 'still there?' }).waitFor();
  assert.equal(await page.locator('#conversation-list li').first().getAttribute('data-phone'), number(1));
  assert.deepEqual(page.errors, []);
}));

test('queue positions are refreshed while chats keep being claimed', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const phones = ['15550401', '15550402', '15550403', '15550404', '15550405', '15550406'];
  for (const phone of phones) await userSays(server, phone, 'support');
  const sockets = [];
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, {
    beforeLoad: async (p) => { p.on('websocket', (ws) => sockets.push(ws)); await p.clock.install(); },
  });
  const badge = (phone, text) => page.locator(`#conversation-list li[data-phone="${phone}"] .badge.queued`, { hasText: text });
  await badge('15550406', 'Queued #6').waitFor();
  // From here the page's timers fire only as the test moves its clock on.
  await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1000));
  const queuedLooks = [];
  page.on('request', (r) => { if (r.url().includes('filter=queued')) queuedLooks.push(r.url()); });

  // A claim every 100 ms of the page's time, 500 ms in all.
  for (const phone of phones.slice(0, 5)) {
    const assigned = new Promise((resolve) => {
      const seen = (frame) => { if (frame.payload.includes('"chat.assigned"') && frame.payload.includes(phone)) resolve(); };
      for (const ws of sockets) ws.on('framereceived', seen);
    });
    await admin('POST', `/conversations/${phone}/chat-support/start`);
    await assigned;
    await page.clock.runFor(100);
  }
  for (const deadline = Date.now() + 5000; !queuedLooks.length && Date.now() < deadline;)
    await new Promise((r) => setTimeout(r, 20));  // the request reaches us after the page made it
  assert.ok(queuedLooks.length >= 1, 'the queue was looked at during the claims');
  await page.clock.runFor(1000);  // the look after the last claim
  await page.clock.resume();  // and its answer's render, whenever the answer comes
  await badge('15550406', 'Queued #1').waitFor();
  assert.deepEqual(page.errors, []);
}));

// More chats waiting than a page holds: the newest activity is the back of
// the queue. The Queued tab lists it from its head, and every tab counts
// what the server holds, not the rows the console has seen.
test('a long queue is listed from its head and counted whole', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const phones = Array.from({ length: 450 }, (_, i) => String(15558000000 + i));
  await userSays(server, phones[0], 'support');  // the head, first by a clear margin
  await manySay(server, phones.slice(1), 'support');
  const count = (n) => page.locator('.tabs [data-filter="queued"] .count', { hasText: new RegExp(`^${n}$`) }).waitFor();
  await count(450);
  await page.getByRole('tab', { name: /Queued/ }).click();
  const first = page.locator('#conversation-list li').first();
  assert.equal(await first.getAttribute('data-phone'), phones[0]);
  await first.locator('.badge.queued', { hasText: 'Queued #1 ' }).waitFor();
  await page.locator('#list-more', { hasText: '250 more:' }).waitFor();

  // Claimed, the head leaves; everyone moves up, the console having seen
  // every one of them join. Which number stands where after the head is the
  // order in which the concurrent senders' messages arrived: the server says.
  await admin('POST', `/conversations/${phones[0]}/chat-support/start`);
  await count(449);
  const { queue } = await admin('GET', '/queue');
  const badge = (phone, position) => page.locator(`#conversation-list li[data-phone="${phone}"] .badge.queued`, { hasText: `Queued #${position} ` });
  await page.locator(`#conversation-list li[data-phone="${queue[0].phone}"]:first-child`).waitFor();
  await badge(queue[0].phone, 1).waitFor();
  // The All tab shows the newest activity: the claimed chat, then the back of the queue.
  await page.getByRole('tab', { name: /All/ }).click();
  const newest = await page.locator('#conversation-list li:has(.badge.queued)').first().getAttribute('data-phone');
  await badge(newest, queue.find((e) => e.phone === newest).position).waitFor();
  assert.deepEqual(page.errors, []);

  // A console opened now holds the queue's two ends, 400 of 449: the rest
  // are counted, not listed.
  const later = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await later.locator('.tabs [data-filter="queued"] .count', { hasText: /^449$/ }).waitFor();
  await later.getByRole('tab', { name: /Queued/ }).click();
  await later.locator('#list-more', { hasText: '249 more:' }).waitFor();
  assert.deepEqual(later.errors, []);
}));

// An agent's own chats may all be older than the newest page of the list.
test("an agent's own chats are listed however many newer conversations there are", () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'bob', password: 'bob-password' });
  const bob = await apiAs(server, 'bob', 'bob-password');
  await userSays(server, '15559000001', 'support');
  await bob('POST', '/conversations/15559000001/chat-support/start');
  await manySay(server, Array.from({ length: 210 }, (_, i) => String(15559100000 + i)), 'hello');

  const page = await consolePage(browser.browser, server, 'bob', 'bob-password');
  await page.locator('.tabs [data-filter="mine"] .count', { hasText: /^1$/ }).waitFor();
  await page.getByRole('tab', { name: /Mine/ }).click();
  await page.locator('#conversation-list li[data-phone="15559000001"] .badge.mine').waitFor();
  assert.deepEqual(page.errors, []);
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

test("reports show the period's figures, and admins can download its messages", () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'carol', password: 'carol-secret-1', display_name: 'Carol' });
  const carol = await apiAs(server, 'carol', 'carol-secret-1');
  await admin('PUT', '/teams/billing', { members: ['admin'] });
  for (const [phone, agent, score] of [['15550401', admin, '5'], ['15550402', carol, '2']]) {
    await userSays(server, phone, 'support');
    if (agent === admin) await admin('PUT', `/conversations/${phone}/team`, { team: 'billing' });
    await agent('POST', `/conversations/${phone}/chat-support/start`);
    await agent('POST', `/conversations/${phone}/chat-support/send`, { text: `hi from ${phone}` });
    await agent('POST', `/conversations/${phone}/chat-support/end`, {});
    await userSays(server, phone, score);
  }
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, { context: { timezoneId: 'Asia/Kolkata' } });
  await page.getByRole('button', { name: 'Reports' }).click();
  const figure = (name) => page.locator('#reports-overall .figure', { hasText: name }).locator('.value').textContent();
  await page.locator('#reports-agents tr[data-agent="carol"]').waitFor();
  assert.equal(await figure('Chats opened'), '2');
  assert.equal(await figure('Chats closed'), '2');
  assert.equal(await figure('CSAT'), '3.50 / 5');  // ratings 5 and 2
  assert.match(await page.locator('#reports-agents tr[data-agent="admin"]').textContent(), /^admin115\.00 \/ 5/);
  assert.match(await page.locator('#reports-agents tr[data-agent="carol"]').textContent(), /^carol112\.00 \/ 5/);
  // By team: the chats filed under one, only.
  assert.equal(await page.locator('#reports-by-team').isVisible(), true);
  assert.equal(await page.locator('#reports-teams tr').count(), 1);
  assert.match(await page.locator('#reports-teams tr[data-team="billing"]').textContent(), /^billing115\.00 \/ 5/);
  assert.notEqual(await figure('Resolution'), '—');
  // Each day of the period in the agent's own zone (Kolkata here), today last with both chats.
  const today = await page.evaluate(() => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Kolkata' }).format(new Date()));
  const lastDay = page.locator('#reports-days li').last();
  assert.equal(await lastDay.getAttribute('data-date'), today);
  assert.match(await lastDay.getAttribute('aria-label'), /: 2 opened, 2 closed$/);
  assert.ok(await page.locator('#reports-days li').count() >= 7);

  // Another period asks the server for that period.
  const asked = page.waitForRequest((r) => r.url().includes('/reports/summary'));
  await page.locator('#reports-period').selectOption('1');
  const url = new URL((await asked).url());
  const span = Date.parse(url.searchParams.get('to')) - Date.parse(url.searchParams.get('from'));
  assert.equal(span, 86400 * 1000);
  // As the browser names it (Chromium says Asia/Calcutta, the zone database knows both).
  assert.equal(url.searchParams.get('timezone'), await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone));
  assert.match(url.searchParams.get('timezone'), /^Asia\/(Kolkata|Calcutta)$/);

  // The report itself as CSV, by agent and by day.
  const byAgent = await (await page.request.get(server.url + await page.locator('#report-csv').getAttribute('href'))).text();
  assert.match(byAgent, /^agent,chats_opened,/);
  assert.match(byAgent, /\r\n\(all\),2,2,3\.5,2,/);
  assert.match(byAgent, /\r\nteam:billing,1,1,5,1,/);
  const byDay = await (await page.request.get(server.url + await page.locator('#report-days-csv').getAttribute('href'))).text();
  assert.ok(byDay.startsWith('date,chats_opened,chats_closed\r\n') && byDay.trimEnd().endsWith(',2,2'), byDay);

  // The period's messages, as the admin's session downloads them.
  const csv = await page.request.get(server.url + await page.locator('#export-csv').getAttribute('href'));
  assert.equal(csv.status(), 200);
  const text = await csv.text();
  assert.ok(text.includes('hi from 15550401') && text.includes('hi from 15550402'), text);

  // An agent sees the figures, without the download (admins only).
  const agentPage = await consolePage(browser.browser, server, 'carol', 'carol-secret-1');
  await agentPage.getByRole('button', { name: 'Reports' }).click();
  await agentPage.locator('#reports-agents tr[data-agent="carol"]').waitFor();
  assert.equal(await agentPage.locator('#reports-export').isVisible(), false);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(agentPage.errors, []);
}));

test('saved replies: an admin writes them, an agent inserts one with / and the keyboard', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'dana', password: 'dana-secret-1', display_name: 'Dana' });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Saved replies' }).click();
  const dialog = page.locator('#replies-dialog');
  await dialog.locator('#replies-empty').waitFor();
  const form = dialog.locator('#reply-form');
  for (const [shortcut, text] of [['hours', 'We answer 9 to 5, Monday to Friday.'], ['refund', 'Refunds take 5 days.'],
    ['welcome', 'Hi {first_name}, {agent} on duty for {name}. {order}'], ['Bad Name', 'x']]) {
    await form.getByLabel('Shortcut').fill(shortcut);
    await form.getByLabel('Text').fill(text);
    await form.getByRole('button', { name: 'Add reply' }).click();
    if (shortcut === 'Bad Name') await form.locator('.error', { hasText: 'shortcut may hold only' }).waitFor();
    else await dialog.locator(`#replies-list li[data-shortcut="${shortcut}"]`).waitFor();
  }
  await dialog.getByRole('button', { name: 'Edit /refund' }).click();
  await form.getByLabel('Text').fill('Refunds take 3 days.');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await dialog.locator('#replies-list li[data-shortcut="refund"]', { hasText: 'Refunds take 3 days.' }).waitFor();
  assert.equal((await admin('GET', '/canned-responses')).canned_responses.find((r) => r.shortcut === 'refund').text, 'Refunds take 3 days.');

  // An agent: the list without the pen, and "/" in a chat's composer.
  const dana = await consolePage(browser.browser, server, 'dana', 'dana-secret-1');
  await dana.getByRole('button', { name: 'Saved replies' }).click();
  await dana.locator('#replies-list li[data-shortcut="hours"]').waitFor();
  assert.equal(await dana.locator('#reply-form').isVisible(), false);
  assert.equal(await dana.getByRole('button', { name: 'Edit /hours' }).count(), 0);
  await dana.locator('#replies-dialog').getByRole('button', { name: 'Close' }).click();

  await userSays(server, '15550501', 'support', 'Lee Park');
  await dana.locator('#conversation-list li[data-phone="15550501"]').click();
  await dana.getByRole('button', { name: 'Claim Chat' }).click();
  await dana.waitForFunction(() => !document.getElementById('composer-text').disabled);
  const box = dana.locator('#composer-text');
  await box.pressSequentially('/re');
  await dana.locator('#reply-suggestions li[data-shortcut="refund"][aria-selected="true"]').waitFor();
  assert.equal(await dana.locator('#reply-suggestions li[role=option]').count(), 1);
  await box.press('Backspace');
  await box.press('Backspace');  // "/": every reply, by shortcut
  await dana.locator('#reply-suggestions li[data-shortcut="hours"][aria-selected="true"]').waitFor();
  await box.press('ArrowDown');
  await dana.locator('#reply-suggestions li[data-shortcut="refund"][aria-selected="true"]').waitFor();
  await box.press('Enter');  // picks, does not send
  assert.equal(await box.inputValue(), 'Refunds take 3 days.');
  assert.equal(await dana.locator('#reply-suggestions').isVisible(), false);
  await box.press('Enter');  // now it sends
  await receiver.waitFor((m) => m.to === '15550501' && m.text === 'Refunds take 3 days.');

  // Its placeholders are filled in for this chat; anything else in braces stays.
  await box.pressSequentially('/welcome');
  await dana.locator('#reply-suggestions li[data-shortcut="welcome"][aria-selected="true"]').waitFor();
  await box.press('Enter');
  assert.equal(await box.inputValue(), 'Hi Lee, Dana on duty for Lee Park. {order}');
  await box.fill('');

  // Escape leaves "/" typed as it is.
  await box.pressSequentially('/ho');
  await dana.locator('#reply-suggestions li[data-shortcut="hours"]').waitFor();
  await box.press('Escape');
  assert.equal(await dana.locator('#reply-suggestions').isVisible(), false);
  assert.equal(await box.inputValue(), '/ho');

  // Deleted by the admin, it is offered no more.
  await dialog.getByRole('button', { name: 'Delete /hours' }).click();
  await dialog.locator('#replies-list li[data-shortcut="hours"]').waitFor({ state: 'detached' });
  await box.fill('');
  await box.pressSequentially('/ho');
  await dana.locator('#reply-suggestions li.none', { hasText: 'No saved reply matches /ho' }).waitFor();
  assert.deepEqual(page.errors, []);
  assert.deepEqual(dana.errors, []);
}));

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

test('an admin makes a team in its dialog; agents file chats under it, by hand, in bulk or by a macro, and every console filters by it', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'max', password: 'max-secret-1', display_name: 'Max' });
  await userSays(server, '15550781', 'my invoice is wrong', 'Sol');
  await userSays(server, '15550782', 'hi', 'Tam');
  await userSays(server, '15550783', 'hello', 'Uma');
  const max = await consolePage(browser.browser, server, 'max', 'max-secret-1');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const shown = (p) => p.evaluate(() => [...document.querySelectorAll('#conversation-list li')].map((l) => l.dataset.phone).sort().join());
  await page.locator('#conversation-list li[data-phone="15550781"]').click();
  await page.locator('#conv-name', { hasText: 'Sol' }).waitFor();
  // No teams yet: nothing offers one.
  assert.equal(await page.locator('#conv-team').isHidden(), true);
  assert.equal(await max.locator('#team-filter').isHidden(), true);

  // Made in the Teams dialog, where its members are ticked.
  await page.getByRole('button', { name: 'Teams', exact: true }).click();
  const dialog = page.locator('#teams-dialog');
  await dialog.locator('#teams-empty').waitFor();
  await dialog.getByLabel('Name').fill('Billing');
  await dialog.getByLabel('Description').fill('Refunds and invoices');
  await dialog.getByLabel('Max (@max)').check();
  await dialog.getByRole('button', { name: 'Add team' }).click();
  await dialog.locator('#teams-status', { hasText: 'billing is saved' }).waitFor();
  await dialog.locator('li[data-team="billing"] .team-members', { hasText: 'Max' }).waitFor();
  assert.deepEqual((await admin('GET', '/teams')).teams.map((t) => [t.name, t.description, t.members]),
    [['billing', 'Refunds and invoices', ['max']]]);
  // Refused: the form says why, and nothing is made.
  await dialog.getByLabel('Name').fill('none');
  await dialog.getByRole('button', { name: 'Add team' }).click();
  await dialog.locator('#teams-form .error', { hasText: 'none stands for no team' }).waitFor();
  assert.equal((await admin('GET', '/teams')).teams.length, 1);
  await dialog.getByRole('button', { name: 'Close' }).click();

  // Every console offers it at once (teams.updated).
  await page.locator('#conv-team').waitFor();
  await max.locator('#team-filter').waitFor();
  await page.getByLabel('Team', { exact: true }).selectOption('billing');
  await page.locator('#conversation-list li[data-phone="15550781"] .badge.team', { hasText: '👥 billing' }).waitFor();
  // Redrawn by the chat's events, the picker keeps its options: a list
  // rebuilt under the agent's pointer would close.
  await page.evaluate(() => { document.querySelector('#conv-team option[value="billing"]').dataset.kept = 'yes'; });
  await admin('PUT', '/conversations/15550781/priority', { priority: 'high' });
  await page.waitForFunction(() => document.getElementById('conv-priority').value === 'high');
  assert.equal(await page.locator('#conv-team option[data-kept="yes"]').count(), 1);
  await max.locator('#conversation-list li[data-phone="15550781"] .badge.team', { hasText: 'billing' }).waitFor();
  assert.equal((await admin('GET', '/conversations/15550781')).team, 'billing');

  // Max files one in bulk, and the admin runs a macro that files another.
  await max.getByRole('button', { name: 'Select' }).click();
  await max.locator('#conversation-list li[data-phone="15550782"]').click();
  await max.locator('#bulk-count', { hasText: '1 selected' }).waitFor();
  await max.locator('#bulk-team').selectOption('billing');
  await max.locator('#bulk-status', { hasText: 'Filed under billing' }).waitFor();
  await max.getByRole('button', { name: 'Done selecting' }).click();
  await page.locator('#macros').click();
  await actionRow(page, 1, 'team', 'billing');
  await page.locator('#macros-dialog').getByLabel('Name', { exact: true }).fill('To billing');
  await page.getByRole('button', { name: 'Add macro' }).click();
  await page.locator('#macros-status', { hasText: 'To billing is saved' }).waitFor();
  await page.locator('#macros-list li', { hasText: 'Team billing' }).waitFor();
  await page.locator('#macros-dialog').getByRole('button', { name: 'Close' }).click();
  await page.locator('#conversation-list li[data-phone="15550783"]').click();
  await page.locator('#conv-name', { hasText: 'Uma' }).waitFor();
  await page.locator('#macro-menu summary').click();
  await page.locator('#macro-choices').getByRole('button', { name: 'To billing' }).click();
  await page.waitForFunction(() => document.getElementById('conv-team').value === 'billing');

  // The list's filter: the team's, or those under none.
  for (const phone of ['15550782', '15550783'])
    await max.locator(`#conversation-list li[data-phone="${phone}"] .badge.team`).waitFor();
  await admin('PUT', '/conversations/15550783/team', { team: null });
  await max.locator('#conversation-list li[data-phone="15550783"] .badge.team').waitFor({ state: 'detached' });
  await max.getByLabel('Team filter').selectOption('billing');
  await max.waitForFunction(() => document.querySelectorAll('#conversation-list li').length === 2);
  assert.equal(await shown(max), '15550781,15550782');
  await max.getByLabel('Team filter').selectOption('none');
  await max.waitForFunction(() => document.querySelectorAll('#conversation-list li').length === 1);
  assert.equal(await shown(max), '15550783');
  await max.getByLabel('Team filter').selectOption('');
  await max.waitForFunction(() => document.querySelectorAll('#conversation-list li').length === 3);

  // An agent reads the teams and does not write them.
  await max.getByRole('button', { name: 'Teams', exact: true }).click();
  await max.locator('#teams-dialog li[data-team="billing"]', { hasText: 'Refunds and invoices' }).waitFor();
  assert.equal(await max.locator('#teams-form').isHidden(), true);
  assert.equal(await max.locator('#teams-dialog').getByRole('button', { name: 'Delete billing' }).count(), 0);

  // Deleted: its chats are under none in every console, and the pickers go.
  await page.getByRole('button', { name: 'Teams', exact: true }).click();
  await dialog.getByRole('button', { name: 'Delete billing' }).click();
  await dialog.locator('#teams-status', { hasText: 'billing is deleted' }).waitFor();
  await max.locator('#teams-dialog li[data-team="billing"]').waitFor({ state: 'detached' });  // an open dialog follows
  await max.waitForFunction(() => document.querySelectorAll('#conversation-list .badge.team').length === 0);
  await page.waitForFunction(() => document.getElementById('conv-team').hidden);
  await max.waitForFunction(() => document.getElementById('team-filter').hidden);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(max.errors, []);
}));

test('an admin reads the audit log, a page at a time; an agent has none', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'max', password: 'max-secret-1', display_name: 'Max' });
  await admin('PATCH', '/agents/max', { role: 'admin', max_chats: 3 });
  await admin('PATCH', '/agents/max', { role: 'agent' });
  for (let i = 1; i <= 50; i++) await admin('PUT', '/sla', { first_reply_minutes: i });
  await admin('PUT', '/teams/billing', { members: ['max'] });
  const max = await consolePage(browser.browser, server, 'max', 'max-secret-1');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  assert.equal(await max.locator('#audit').isHidden(), true);

  await page.getByRole('button', { name: 'Audit log' }).click();
  const rows = page.locator('#audit-rows tr');
  await rows.first().waitFor();
  // Newest first: max's login and the admin's own, then the team.
  assert.equal(await rows.count(), 50);
  const what = async (n) => (await rows.nth(n).locator('td').allTextContents()).slice(1).join(' | ');
  assert.deepEqual([await what(0), await what(1), await what(2)], [
    'admin | logged in | address: 127.0.0.1', 'max | logged in | address: 127.0.0.1', 'admin | added team billing | description: — · members: max']);
  assert.match(await what(3), /^admin \| changed the SLA targets \| first_reply_minutes: 50 · /);
  // Older: the rest, down to the first login.
  await page.getByRole('button', { name: 'Older' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#audit-rows tr').length === 57);
  assert.equal(await page.locator('#audit-older').isHidden(), true);
  assert.deepEqual(await Promise.all([53, 54, 55, 56].map(what)), [
    'admin | changed agent max | role: agent', 'admin | changed agent max | role: admin · max_chats: 3',
    'admin | added agent max | role: agent · display_name: Max', 'admin | logged in | address: 127.0.0.1']);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(max.errors, []);
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
  await page.getByRole('button', { name: 'Mark unread' }).click();
  await page.locator('#conversation').waitFor({ state: 'hidden' });
  await unreadBadge(page).filter({ hasText: '1 unread' }).waitFor();
  await unreadBadge(jo).filter({ hasText: '1 unread' }).waitFor();
  assert.equal((await admin('GET', '/conversations/15550741')).unread, 1);
  // Opened again, it is read again; the button shows only then.
  await jo.locator('#conversation-list li[data-phone="15550741"]').click();
  await unreadBadge(page).waitFor({ state: 'detached' });
  assert.equal(await jo.getByRole('button', { name: 'Mark unread' }).isVisible(), true);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(jo.errors, []);
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

// The list by priority: the most urgent first (one older than every page
// the console held too), a mark from elsewhere moves a row at once, and the
// browser keeps the choice.
test('the list sorts the most urgent first, and the console remembers it', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const number = (i) => String(15557100000 + i);
  await userSays(server, number(0), 'hello');  // the oldest: beyond the list's first page of 200
  await admin('PUT', `/conversations/${number(0)}/priority`, { priority: 'urgent' });
  await manySay(server, Array.from({ length: 200 }, (_, i) => number(1 + i)), 'hello');
  await admin('PUT', `/conversations/${number(150)}/priority`, { priority: 'high' });

  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const firstRows = (n) => page.evaluate((n) => [...document.querySelectorAll('#conversation-list li')].slice(0, n).map((l) => l.dataset.phone).join(), n);
  const rowsAre = (phones) => page.waitForFunction((want) => [...document.querySelectorAll('#conversation-list li')]
    .slice(0, want.length).map((l) => l.dataset.phone).join() === want.join(), phones);
  await page.locator('#conversation-list li').nth(199).waitFor();
  assert.equal(await page.locator(`#conversation-list li[data-phone="${number(0)}"]`).count(), 0);
  assert.equal(await page.getByLabel('Sort').inputValue(), 'activity');

  await page.getByLabel('Sort').selectOption('priority');
  await rowsAre([number(0), number(150)]);  // the urgent one, fetched; then the high one
  // Marked elsewhere, a newer one joins the urgent ones, ahead by its activity.
  await admin('PUT', `/conversations/${number(10)}/priority`, { priority: 'urgent' });
  await rowsAre([number(10), number(0), number(150)]);

  await page.reload();
  await page.locator('#conversation-list li').nth(2).waitFor();
  assert.equal(await page.getByLabel('Sort').inputValue(), 'priority');
  await rowsAre([number(10), number(0), number(150)]);
  await page.getByLabel('Sort').selectOption('activity');
  await page.waitForFunction((newest) => document.querySelector('#conversation-list li')?.dataset.phone !== newest, number(10));
  assert.notEqual((await firstRows(3)).split(',')[1], number(0));
  assert.deepEqual(page.errors, []);
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

test('an agent blocks a user after a confirmation, every console shows it, and unblocks them', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  await userSays(server, '15550751', 'support', 'Spammy');
  const lea = await consolePage(browser.browser, server, 'lea', 'lea-secret-1');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15550751"]').click();
  await page.getByRole('button', { name: 'Claim Chat' }).click();
  await page.locator('#conv-assignee', { hasText: 'Assigned to you' }).waitFor();

  // Cancelled: nothing changes.
  await page.getByRole('button', { name: 'Block', exact: true }).click();
  await page.locator('#block-who', { hasText: 'Spammy (+15550751)' }).waitFor();
  await page.locator('#block-dialog').getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await admin('GET', '/conversations/15550751')).blocked, false);

  await page.getByRole('button', { name: 'Block', exact: true }).click();
  await page.locator('#block-confirm').click();
  await page.locator('#conv-blocked').waitFor();
  await page.locator('.message.system', { hasText: 'Blocked by admin' }).waitFor();
  await page.locator('#composer-hint', { hasText: 'Spammy is blocked' }).waitFor();
  assert.equal(await page.locator('#composer-text').isDisabled(), true);
  assert.equal(await page.getByRole('button', { name: /Start Chat|Claim Chat/ }).isVisible(), false);
  assert.equal(await page.getByRole('button', { name: 'End Chat' }).isVisible(), false);  // the chat ended with it
  await lea.locator('#conversation-list li[data-phone="15550751"] .badge.blocked').waitFor();
  assert.equal(await lea.locator('#conversation-list li[data-phone="15550751"] .badge.live').count(), 0);
  const c = await admin('GET', '/conversations/15550751');
  assert.equal(c.blocked, true);
  assert.equal(c.state, 'IDLE');
  // What the user writes now reaches nobody.
  const answer = await userSays(server, '15550751', 'BUY NOW');
  assert.deepEqual(answer.replies, []);
  // A note still goes.
  await page.getByRole('tab', { name: 'Private note' }).click();
  assert.equal(await page.locator('#composer-text').isDisabled(), false);
  await page.getByRole('tab', { name: 'Reply' }).click();

  await page.getByRole('button', { name: 'Unblock' }).click();
  await page.locator('#conv-blocked').waitFor({ state: 'hidden' });
  await page.locator('.message.system', { hasText: 'Unblocked by admin' }).waitFor();
  await lea.locator('#conversation-list li[data-phone="15550751"] .badge.blocked').waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Start Chat' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Block', exact: true }).isVisible(), true);
  assert.equal(await page.locator('.message', { hasText: 'BUY NOW' }).count(), 0);
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
  const row = (phone) => page.locator(`#conversation-list li[data-phone="${phone}"]`);
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
  const pressed = () => page.locator('#conversation-list li').evaluateAll((els) => els.map((el) => el.getAttribute('aria-pressed')));
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

test('an admin writes a macro, and an agent runs it on a chat and on those selected; a refused action says which', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  for (const [phone, name] of [['15550961', 'Ann'], ['15550962', 'Ben'], ['15550963', 'Cai']]) await userSays(server, phone, 'support', name);
  await userSays(server, '15550964', 'hi', 'Dee');
  // The server's frames can be held back, to make the events of a refused
  // macro's first actions reach the page after its refusal.
  let held = null, heldNote, release;
  const noteHeld = new Promise((resolve) => { heldNote = resolve; });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, {
    beforeLoad: (p) => p.routeWebSocket(/\/ws$/, (ws) => {
      const upstream = ws.connectToServer();
      upstream.onMessage((m) => {
        if (!held) return ws.send(m);
        held.push(m);
        if (String(m).includes('Escalated to billing')) heldNote();
      });
      release = () => { const frames = held; held = null; for (const m of frames) ws.send(m); };
    }),
  });
  const row = (phone) => page.locator(`#conversation-list li[data-phone="${phone}"]`);
  await row('15550964').waitFor();

  // Written in the Macros dialog: a name and its actions, one row each.
  await page.locator('#macros').click();
  await page.locator('#macros-empty').waitFor();
  const action = (n, type, value) => actionRow(page, n, type, value);
  await page.getByLabel('Name', { exact: true }).fill('Billing escalation');
  await action(1, 'label', 'Billing');
  await action(2, 'priority', 'high');
  await action(3, 'note', 'Escalated to billing');
  await action(4, 'assign', 'lea');
  await page.getByRole('button', { name: 'Add macro' }).click();
  await page.locator('#macros-status', { hasText: 'Billing escalation is saved.' }).waitFor();
  assert.equal(await page.locator('#macros-list li .reply-text').textContent(),
    'Label billing → Priority high → Note: Escalated to billing → Assign to lea');
  // A wrong one is refused with the action named, and nothing is made.
  await page.getByLabel('Name', { exact: true }).fill('Broken');
  await action(1, 'assign', 'nobody');
  await page.getByRole('button', { name: 'Add macro' }).click();
  await page.locator('#macro-form .error', { hasText: 'action 1: no agent named nobody' }).waitFor();
  assert.equal((await admin('GET', '/macros')).macros.length, 1);
  await page.locator('#macros-dialog').getByRole('button', { name: 'Close' }).click();

  // Run from a chat's header: each action shows in the chat as it is done.
  const runIn = async (phone, name) => {
    await row(phone).click();
    await page.locator('#conv-name', { hasText: name }).waitFor();
    await page.locator('#macro-menu summary').click();
    await page.locator('#macro-choices').getByRole('button', { name: 'Billing escalation' }).click();
  };
  await runIn('15550961', 'Ann');
  await page.locator('#conv-assignee', { hasText: 'lea' }).waitFor();
  await page.locator('#conv-labels', { hasText: 'billing' }).waitFor();
  assert.equal(await page.locator('#conv-priority').inputValue(), 'high');
  await page.locator('.message.note', { hasText: 'Escalated to billing' }).waitFor();

  // Refused: Dee has no chat to hand over; the first three actions stay done.
  // Their events come after the refusal, and redraw the chat without
  // taking the refusal out of its hint.
  held = [];
  await runIn('15550964', 'Dee');
  const refusal = 'Billing escalation, action 4 of 4 (assign): no chat is active with 15550964';
  await page.locator('#composer-hint', { hasText: refusal }).waitFor();
  await noteHeld;
  release();
  await page.locator('#conv-labels', { hasText: 'billing' }).waitFor();
  await page.locator('.message.note', { hasText: 'Escalated to billing' }).waitFor();
  assert.ok((await page.locator('#composer-hint').textContent()).includes(refusal), 'the refusal outlives the redraws');

  // On those selected, from the bulk bar.
  await page.getByRole('button', { name: 'Select' }).click();
  await row('15550962').click();
  await row('15550963').click();
  await page.locator('#bulk-macro').selectOption({ label: 'Billing escalation' });
  await page.locator('#bulk-status', { hasText: 'Ran Billing escalation: 2 of 2 conversations.' }).waitFor();
  for (const phone of ['15550962', '15550963']) {
    const c = await admin('GET', `/conversations/${phone}`);
    assert.equal(c.assignee, 'lea', phone);
    assert.deepEqual(c.labels, ['billing'], phone);
  }

  // Changed and deleted in the dialog.
  await page.locator('#macros').click();
  await page.getByRole('button', { name: 'Edit Billing escalation' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Billing');
  await page.getByRole('button', { name: 'Remove action 3' }).click();
  await action(4, 'snooze-reply');  // the rows are numbered again: the new one is the fourth
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#macros-status', { hasText: 'Billing is saved.' }).waitFor();
  assert.equal(await page.locator('#macros-list li .reply-text').textContent(),
    'Label billing → Priority high → Assign to lea → Snooze until the user replies');
  const [kept] = (await admin('GET', '/macros')).macros;
  assert.deepEqual(kept.actions.map((a) => a.action), ['label', 'priority', 'assign', 'snooze']);
  assert.equal(kept.actions[3].until, 'next_reply');
  // Edited again, each row is the kind it was saved as.
  await page.getByRole('button', { name: 'Edit Billing' }).click();
  assert.equal(await page.getByLabel('Action 4', { exact: true }).inputValue(), 'snooze-reply');
  assert.equal(await page.getByLabel("Action 4's value").isVisible(), false);
  await page.locator('#macro-cancel').click();
  await page.getByRole('button', { name: 'Delete Billing' }).click();
  await page.locator('#macros-status', { hasText: 'Billing is deleted.' }).waitFor();
  await page.locator('#macros-empty').waitFor();
  await admin('POST', '/macros', kept);
  await page.locator('#macros-dialog').getByRole('button', { name: 'Close' }).click();

  // Lea reads and runs them; only admins write them.
  const lea = await consolePage(browser.browser, server, 'lea', 'lea-secret-1');
  await lea.locator('#macros').click();
  await lea.locator('#macros-list li', { hasText: 'Billing' }).waitFor();
  assert.equal(await lea.locator('#macro-form').isVisible(), false);
  assert.equal(await lea.locator('#macros-list').getByRole('button', { name: 'Delete Billing' }).count(), 0);
}));

test('a chat snoozed until a time rings for its agent when the time comes', () => withMemoryServer(['--idle-timeout', '20'], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  for (const [phone, name] of [['15550791', 'Uma'], ['15550792', 'Vic']]) {
    await userSays(server, phone, 'support', name);
    await admin('POST', `/conversations/${phone}/chat-support/start`);
  }
  await admin('PUT', '/conversations/15550792/snooze', { until: new Date(Date.now() + 3_600_000).toISOString() });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const rang = () => page.evaluate(() => Number(document.documentElement.dataset.alerts ?? 0));
  const rings = (n) => page.waitForFunction((want) => Number(document.documentElement.dataset.alerts ?? 0) === want, n);
  const row = (phone) => page.locator(`#conversation-list li[data-phone="${phone}"]`);
  await row('15550792').locator('.badge.snoozed').waitFor();
  // Both unread, and only the one awake waits for the agent.
  await row('15550791').locator('.badge.unread').waitFor();
  assert.equal(await page.title(), '(1) Switchboard');

  // Woken by the server's sweep (each 5 s with this idle timeout).
  await admin('PUT', '/conversations/15550791/snooze', { until: new Date(Date.now() + 1500).toISOString() });
  await row('15550791').locator('.badge.snoozed').waitFor();
  await rings(1);
  await row('15550791').locator('.badge.snoozed').waitFor({ state: 'detached' });

  await userSays(server, '15550792', 'here now');
  await row('15550792').locator('.badge.snoozed').waitFor({ state: 'detached' });
  await row('15550792').locator('.badge.unread', { hasText: '2 unread' }).waitFor();
  assert.equal(await rang(), 2);  // the message alone

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
  assert.equal(await rang(), 3 + (await sweepWakes()) - wokenBefore);
  assert.deepEqual(page.errors, []);
}));

// A search by a message's text shows that message in the row, and opens the
// chat at it, however far back in the history it is.
test('a search shows the message it found in the row, and opens the chat at it', () => withMemoryServer([], async (server) => {
  await userSays(server, '15550811', 'my parcel 4411 never came', 'Wes');
  for (let i = 0; i < 30; i += 1) await userSays(server, '15550811', `still waiting, day ${i}`);
  await userSays(server, '15550812', 'hello', 'Parcel Desk');  // found by its name alone
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const row = (phone) => page.locator(`#conversation-list li[data-phone="${phone}"]`);
  await row('15550811').locator('.preview', { hasText: 'still waiting, day 29' }).waitFor();

  await page.locator('#search').fill('PARCEL 4411');
  await row('15550811').locator('.preview.match mark', { hasText: 'parcel 4411' }).waitFor();
  assert.equal(await row('15550811').locator('.preview').textContent(), 'my parcel 4411 never came');
  await page.locator('#search').fill('parcel');
  await row('15550812').waitFor();
  assert.equal(await row('15550812').locator('.preview.match').count(), 0);
  assert.equal(await row('15550812').locator('.preview').textContent(), 'hello');
  await row('15550811').locator('.preview.match mark', { hasText: 'parcel' }).waitFor();

  // 62 messages after it: older than the newest page, and shown in view.
  await row('15550811').click();
  const found = page.locator('.message.found');
  await found.waitFor();
  assert.match(await found.textContent(), /my parcel 4411 never came/);
  assert.deepEqual(await found.locator('.text mark').allTextContents(), ['parcel']);  // the words searched for
  assert.equal(await page.locator('.message').count(), 62);  // the history whole from the first message
  const inView = await found.evaluate((el) => {
    const at = el.getBoundingClientRect(), list = document.getElementById('messages').getBoundingClientRect();
    return at.top >= list.top && at.bottom <= list.bottom;
  });
  assert.equal(inView, true);

  // No search: the row shows the newest message again, and opens at the end.
  await page.locator('#search').fill('');
  await row('15550811').locator('.preview', { hasText: 'still waiting, day 29' }).waitFor();
  await row('15550812').click();
  await row('15550811').click();
  await page.locator('.message.user', { hasText: 'still waiting, day 29' }).waitFor();
  assert.equal(await page.locator('.message.found').count(), 0);
  assert.deepEqual(page.errors, []);
}));

// Someone blocked long ago is on no page of the newest the console holds:
// the Blocked tab asks the server for them.
test('the Blocked tab lists the blocked users, those blocked long ago too', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550771', 'hello', 'Old Spam');
  await admin('PUT', '/conversations/15550771/blocked', { blocked: true });
  await manySay(server, Array.from({ length: 200 }, (_, i) => String(15559200000 + i)), 'hello');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li').nth(199).waitFor();
  assert.equal(await page.locator('#conversation-list li[data-phone="15550771"]').count(), 0);  // beyond the page
  await page.locator('.tabs [data-filter="blocked"] .count', { hasText: '1' }).waitFor();

  await page.getByRole('tab', { name: /Blocked/ }).click();
  await page.locator('#conversation-list li[data-phone="15550771"] .badge.blocked').waitFor();
  assert.equal(await page.locator('#conversation-list li').count(), 1);
  await page.locator('#conversation-list li[data-phone="15550771"]').click();
  await page.getByRole('button', { name: 'Unblock' }).click();
  await page.locator('#list-empty').waitFor();  // unblocked: no longer under the tab
  await page.locator('.tabs [data-filter="blocked"] .count', { hasText: /^$/ }).waitFor({ state: 'attached' });
  assert.deepEqual(page.errors, []);
}));

test('the Waiting tab lists who waits longest for an answer; a reply takes a chat off, the user\'s next message puts it back', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550881', 'support', 'Long Wait');  // in the queue: waiting since its `support`
  // Lea's chat, answered: waiting for no one, and beyond the page too.
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  const lea = await apiAs(server, 'lea', 'lea-secret-1');
  await userSays(server, '15550883', 'support', 'Answered');
  await lea('POST', '/conversations/15550883/chat-support/start');
  await lea('POST', '/conversations/15550883/chat-support/send', { text: 'Hello, Lea here' });
  await manySay(server, Array.from({ length: 200 }, (_, i) => String(15559300000 + i)), 'hello');
  await userSays(server, '15550882', 'support', 'Newer Wait');
  await admin('POST', '/conversations/15550882/chat-support/start');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li').nth(199).waitFor();
  assert.equal(await page.locator('#conversation-list li[data-phone="15550881"]').count(), 0);  // beyond the page
  const waitingCount = (n) => page.locator('.tabs [data-filter="waiting"] .count', { hasText: new RegExp(`^${n}$`) })
    .waitFor({ state: 'attached' });
  await waitingCount('2');
  const listed = (phones) => page.waitForFunction((want) => [...document.querySelectorAll('#conversation-list li')]
    .map((li) => li.dataset.phone).join() === want, phones.join());

  await page.getByRole('tab', { name: /Waiting/ }).click();
  await listed(['15550881', '15550882']);  // the longest wait first
  const newer = page.locator('#conversation-list li[data-phone="15550882"]');
  await newer.locator('.badge.waiting', { hasText: /^⏳ \d+s$/ }).waitFor();
  // The queued one says how long it waits in its queue badge instead.
  assert.equal(await page.locator('#conversation-list li[data-phone="15550881"] .badge.waiting').count(), 0);
  await newer.click();
  await page.locator('#conv-waiting', { hasText: 'Waiting for an answer' }).waitFor();

  // The reply's own event takes it off: no conversation.updated follows it.
  await page.locator('#composer-text').fill('Here, on it');
  await page.locator('#composer-text').press('Enter');
  await listed(['15550881']);
  await waitingCount('1');
  await page.locator('#conv-waiting').waitFor({ state: 'hidden' });
  await userSays(server, '15550882', 'one more thing');
  await listed(['15550881', '15550882']);
  await waitingCount('2');
  await page.locator('#conv-waiting', { hasText: 'Waiting for an answer' }).waitFor();
  // Lea's user writes again: a chat this console did not hold waits now,
  // and the count follows it.
  assert.equal(await page.locator('#conversation-list li[data-phone="15550883"]').count(), 0);
  await userSays(server, '15550883', 'are you still there?');
  await listed(['15550881', '15550882', '15550883']);
  await waitingCount('3');
  assert.deepEqual(page.errors, []);
}));

test('an admin sets reply-time targets in the SLA dialog; a chat whose user waited past its target is late in every console', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'erin', password: 'erin-password', display_name: 'Erin' });
  await userSays(server, '15550891', 'support', 'Slow Answer');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, {
    beforeLoad: async (p) => { await p.clock.install(); },
  });
  const agentPage = await consolePage(browser.browser, server, 'erin', 'erin-password');
  const row = page.locator('#conversation-list li[data-phone="15550891"]');
  await row.waitFor();
  assert.equal(await row.locator('.badge.waiting').count(), 0);  // in the queue, and no target yet

  await page.getByRole('button', { name: 'SLA' }).click();
  await page.getByLabel('First reply in a chat within (minutes)').fill('1');
  await page.getByLabel('Each reply after it within (minutes)').fill('2');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.locator('#sla-status', { hasText: 'Saved.' }).waitFor();
  await page.locator('#sla-close').click();
  // Erin's console heard of it: her dialog shows the targets, for reading only.
  await agentPage.getByRole('button', { name: 'SLA' }).click();
  await agentPage.waitForFunction(() => document.getElementById('sla-first').value === '1');
  assert.equal(await agentPage.locator('#sla-next').inputValue(), '2');
  assert.equal(await agentPage.locator('#sla-first').isDisabled(), true);
  assert.equal(await agentPage.locator('#sla-save').isVisible(), false);

  // A minute and a half on, the user has waited past the first reply's target.
  await page.clock.fastForward(90_000);
  await row.locator('.badge.waiting.late', { hasText: /· late$/ }).waitFor();
  await row.click();
  await page.locator('#conv-waiting.late', { hasText: 'late: the target is 1 min' }).waitFor();
  // An answer ends the wait; the next one has the next target (2 min).
  await admin('POST', '/conversations/15550891/chat-support/start');
  await admin('POST', '/conversations/15550891/chat-support/send', { text: 'Sorry for the wait' });
  await row.locator('.badge.waiting').waitFor({ state: 'detached' });
  await userSays(server, '15550891', 'ok, and my refund?');
  // The page's clock runs 90 s ahead of the server's since: within 2 minutes.
  await row.locator('.badge.waiting:not(.late)').waitFor();
  // Half a minute of the two left: said in seconds.
  await page.locator('#conv-waiting:not(.late)', { hasText: /^⏳ Waiting for an answer · 1m · due in \d+s$/ }).waitFor();
  // Now the admin's own chat: crossing its target rings, once.
  const rung = () => page.evaluate(() => Number(document.documentElement.dataset.alerts ?? 0));
  const before = await rung();
  await page.clock.fastForward(60_000);
  await row.locator('.badge.waiting.late').waitFor();
  await page.locator('#conv-waiting.late', { hasText: 'late: the target is 2 min' }).waitFor();
  await page.waitForFunction((n) => Number(document.documentElement.dataset.alerts ?? 0) === n + 1, before);
  await page.clock.fastForward(60_000);  // still late: no second chime
  await page.locator('#conv-waiting.late').waitFor();
  assert.equal(await rung(), before + 1);
  // The report counts the first reply against its target, as the server
  // timed it (seconds after the `support`), and the next one, answered now,
  // against the next target.
  await admin('POST', '/conversations/15550891/chat-support/send', { text: 'Refunded today' });
  await page.getByRole('button', { name: 'Reports' }).click();
  await page.locator('#reports-overall .figure', { hasText: 'First reply on time' })
    .filter({ hasText: '100%' }).filter({ hasText: '1 of 1 within 1 min' }).waitFor();
  await page.locator('#reports-overall .figure', { hasText: 'Next replies on time' })
    .filter({ hasText: '100%' }).filter({ hasText: '1 of 1 within 2 min' }).waitFor();
  // No resolution target: its column says so.
  assert.deepEqual(await page.locator('#reports-agents tr[data-agent="admin"] td').allTextContents().then((t) => t.slice(-3)),
    ['1 of 1', '1 of 1', '—']);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(agentPage.errors, []);
}));

// Open round the clock but today and tomorrow (UTC): a wait that begins
// today is due the target's minutes after the day after tomorrow's midnight.
const closedTodayAndTomorrow = () => {
  const today = Math.floor(Date.now() / 86_400_000);
  const date = (day) => new Date(day * 86_400_000).toISOString().slice(0, 10);
  return { args: ['--business-hours', 'mon-sun 00:00-24:00', '--timezone', 'UTC', '--days-off', `${date(today)},${date(today + 1)}`],
    opens: (today + 2) * 86_400_000 };
};

test('a target counted only in business hours waits for the team to open, in the console as on the server', () => {
  const hours = closedTodayAndTomorrow();
  return withMemoryServer(hours.args, async (server) => {
    const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
    await userSays(server, '15550893', 'support', 'Night Owl');
    const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, {
      beforeLoad: async (p) => { await p.clock.install(); },
    });
    const row = page.locator('#conversation-list li[data-phone="15550893"]');
    await row.click();
    await page.locator('#hours', { hasText: 'Closed until' }).waitFor();

    await page.getByRole('button', { name: 'SLA' }).click();
    await page.getByLabel('First reply in a chat within (minutes)').fill('1');
    await page.getByLabel('Count only business hours').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('#sla-status', { hasText: 'Saved.' }).waitFor();
    await page.locator('#sla-close').click();
    assert.equal((await admin('GET', '/sla')).only_during_business_hours, true);

    // Five minutes on the wall clock, none of the team's: not late.
    await page.clock.fastForward(5 * 60_000);
    await row.locator('.badge.queued', { hasText: '· 5m' }).waitFor();
    // Due a minute into the day after tomorrow: a day or more away.
    await page.locator('#conv-waiting:not(.late)', { hasText: /· 5m · due in 1d$/ }).waitFor();
    assert.equal(await row.locator('.badge.waiting.late').count(), 0);
    // Every minute counted, the same wait is late at once, in every console.
    await admin('POST', '/agents', { username: 'erin', password: 'erin-password', display_name: 'Erin' });
    const agentPage = await consolePage(browser.browser, server, 'erin', 'erin-password');
    await admin('PUT', '/sla', { first_reply_minutes: 1, only_during_business_hours: false });
    await page.locator('#conv-waiting.late', { hasText: 'late: the target is 1 min' }).waitFor();
    await agentPage.getByRole('button', { name: 'SLA' }).click();
    await agentPage.waitForFunction(() => !document.getElementById('sla-business-hours').checked);
    await admin('PUT', '/sla', { first_reply_minutes: 1, only_during_business_hours: true });
    await page.locator('#conv-waiting:not(.late)').waitFor();
    await agentPage.waitForFunction(() => document.getElementById('sla-business-hours').checked);
    assert.equal(await agentPage.locator('#sla-business-hours').isDisabled(), true);  // an admin's to change

    // A second before a minute of the team's time has passed, then after.
    const browserNow = await page.evaluate(() => Date.now());
    await page.clock.fastForward(hours.opens + 60_000 - 1000 - browserNow);
    await page.locator('#conv-waiting:not(.late)', { hasText: /\dd/ }).waitFor();
    await page.clock.fastForward(2000);
    await page.locator('#conv-waiting.late', { hasText: 'late: the target is 1 min of business hours' }).waitFor();
    await row.locator('.badge.waiting.late').waitFor();
    assert.deepEqual(page.errors, []);
    assert.deepEqual(agentPage.errors, []);
  });
});

// Chatwoot's resolution time: a chat open past the target, queued or live,
// is overdue in the list and in its header until it ends; Reports count the
// chats resolved within it.
test('a chat open past the resolution target is overdue until it ends, and reports count it', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'erin', password: 'erin-password', display_name: 'Erin' });
  await userSays(server, '15550894', 'support', 'Long Story');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, {
    beforeLoad: async (p) => { await p.clock.install(); },
  });
  const agentPage = await consolePage(browser.browser, server, 'erin', 'erin-password');
  const row = page.locator('#conversation-list li[data-phone="15550894"]');
  await row.click();
  await page.getByRole('button', { name: 'SLA' }).click();
  await page.getByLabel('Resolve each chat within (minutes)').fill('2');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.locator('#sla-status', { hasText: 'Saved.' }).waitFor();
  await page.locator('#sla-close').click();
  assert.equal((await admin('GET', '/sla')).resolution_minutes, 2);
  await agentPage.getByRole('button', { name: 'SLA' }).click();
  await agentPage.waitForFunction(() => document.getElementById('sla-resolution').value === '2');

  await page.clock.fastForward(90_000);
  await row.locator('.badge.queued', { hasText: '· 1m' }).waitFor();
  assert.equal(await row.locator('.badge.overdue').count(), 0);
  assert.equal(await page.locator('#conv-overdue').isVisible(), false);
  // Live and answered, and the admin's own: crossing the line rings, once.
  await admin('POST', '/conversations/15550894/chat-support/start');
  await admin('POST', '/conversations/15550894/chat-support/send', { text: 'Looking into it' });
  await row.locator('.badge.mine').waitFor();
  const rung = () => page.evaluate(() => Number(document.documentElement.dataset.alerts ?? 0));
  const before = await rung();
  await page.clock.fastForward(31_000);
  await row.locator('.badge.overdue', { hasText: 'Overdue' }).waitFor();
  await page.locator('#conv-overdue', { hasText: 'Open past the resolution target (2 min)' }).waitFor();
  await page.waitForFunction((n) => Number(document.documentElement.dataset.alerts ?? 0) === n + 1, before);
  await page.clock.fastForward(60_000);  // still overdue: no second chime
  await row.locator('.badge.overdue').waitFor();
  assert.equal(await rung(), before + 1);
  await admin('POST', '/conversations/15550894/chat-support/end', {});
  await row.locator('.badge.overdue').waitFor({ state: 'detached' });
  await page.locator('#conv-overdue').waitFor({ state: 'hidden' });
  // The server timed it: ended seconds after it opened, within the target.
  await page.getByRole('button', { name: 'Reports' }).click();
  await page.locator('#reports-overall .figure', { hasText: 'Resolved on time' })
    .filter({ hasText: '100%' }).filter({ hasText: '1 of 1 within 2 min' }).waitFor();
  assert.equal(await page.locator('#reports-agents tr[data-agent="admin"] td').last().textContent(), '1 of 1');
  assert.deepEqual(page.errors, []);
  assert.deepEqual(agentPage.errors, []);
}));

// The console's count of the team's time, against the same cases as the
// server's (business_hours_test): a lunch break, a day off, a closed night,
// and summer time's changes in Berlin (an opening skipped, an hour repeated,
// a close within it).
test('the console counts business hours as the server does, across days off and summer time', () => withMemoryServer([], async (server) => {
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const got = await page.evaluate(async () => {
    const { OpenClock } = await import('/js/open_clock.js');
    const week = (days, open, close) => days.map((day) => ({ day, open, close }));
    const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'];
    const all = [...weekdays, 'sat', 'sun'];
    const clocks = {
      lunch: new OpenClock({ timezone: 'Europe/Berlin', days_off: ['2026-12-08'],
        hours: [...week(weekdays, '09:00', '12:00'), ...week(weekdays, '13:00', '17:00')] }),
      spring: new OpenClock({ timezone: 'Europe/Berlin', days_off: [], hours: week(all, '02:30', '04:00') }),
      autumn: new OpenClock({ timezone: 'Europe/Berlin', days_off: [], hours: week(all, '01:00', '03:00') }),
      repeated: new OpenClock({ timezone: 'Europe/Berlin', days_off: [], hours: week(all, '00:00', '02:30') }),
    };
    const when = (clock, from, minutes) => new Date(clocks[clock].after(Date.parse(from), minutes * 60_000)).toISOString();
    return [
      when('lunch', '2026-12-04T15:50:00Z', 30), when('lunch', '2026-12-07T09:00:00Z', 30),
      when('lunch', '2026-12-07T10:50:00Z', 30), when('lunch', '2026-12-07T15:30:00Z', 60),
      when('lunch', '2026-12-06T22:00:00Z', 1),
      when('spring', '2026-03-29T00:00:00Z', 30), when('spring', '2026-03-28T03:00:00Z', 90),
      when('autumn', '2026-10-24T23:00:00Z', 150), when('autumn', '2026-10-24T23:00:00Z', 181),
      when('repeated', '2026-10-24T22:00:00Z', 210), when('repeated', '2026-10-24T22:00:00Z', 211),
    ];
  });
  assert.deepEqual(got, [
    '2026-12-07T08:20:00.000Z', '2026-12-07T09:30:00.000Z', '2026-12-07T12:20:00.000Z', '2026-12-09T08:30:00.000Z',
    '2026-12-07T08:01:00.000Z',
    '2026-03-29T01:30:00.000Z', '2026-03-30T01:00:00.000Z',
    '2026-10-25T01:30:00.000Z', '2026-10-26T00:01:00.000Z',
    '2026-10-25T01:30:00.000Z', '2026-10-25T23:01:00.000Z',
  ]);
}));

test('a private note reaches the other agents and never the user, and one that mentions an agent calls them', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'eve', password: 'eve-secret-1', display_name: 'Eve' });
  const eve = await apiAs(server, 'eve', 'eve-secret-1');
  await userSays(server, '15550601', 'support', 'Noor');
  await userSays(server, '15550602', 'support', 'Omar');
  await eve('POST', '/conversations/15550601/chat-support/start');
  const evePage = await consolePage(browser.browser, server, 'eve', 'eve-secret-1');
  await evePage.locator('#conversation-list li[data-phone="15550601"]').click();
  await evePage.locator('#conv-assignee', { hasText: 'Assigned to you' }).waitFor();

  // The admin does not hold the chat: no reply, but a note.
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15550601"]').click();
  await page.locator('#composer-hint', { hasText: 'A private note reaches them' }).waitFor();
  assert.equal(await page.locator('#composer-text').isDisabled(), true);
  await page.getByRole('tab', { name: 'Private note' }).click();
  await page.waitForFunction(() => !document.getElementById('composer-text').disabled);
  await page.locator('#composer-text').fill('Noor is a VIP: answer first');
  await page.locator('#composer-text').press('Enter');
  await page.locator('.message.note:not(.pending)', { hasText: 'Noor is a VIP' }).waitFor();
  const seen = evePage.locator('.message.note', { hasText: 'Noor is a VIP' });
  await seen.waitFor();
  assert.match(await seen.locator('.meta').textContent(), /admin · private note/);

  // Eve's reply after it reaches the user; the note never does.
  await evePage.locator('#composer-text').fill('Hello Noor');
  await evePage.locator('#composer-text').press('Enter');
  await receiver.waitFor((m) => m.to === '15550601' && m.text === 'Hello Noor');
  assert.equal(receiver.received.some((m) => m.text.includes('VIP')), false);

  // Another conversation opens in reply mode again.
  await page.locator('#conversation-list li[data-phone="15550602"]').click();
  await page.locator('#conv-name', { hasText: 'Omar' }).waitFor();
  assert.equal(await page.getByRole('tab', { name: 'Reply' }).getAttribute('aria-selected'), 'true');
  assert.equal(await page.locator('#composer-text').isDisabled(), true);

  // An @mention in a note calls that agent, wherever their console is; a
  // note that names nobody, or an address like eve@example.com, does not.
  // "@" offers the team, and Tab takes the one picked.
  await page.getByRole('tab', { name: 'Private note' }).click();
  const composer = page.locator('#composer-text');
  await composer.fill('Omar wrote to eve@example.com before');
  await composer.press('Enter');
  await page.locator('.message.note:not(.pending)', { hasText: 'eve@example.com' }).waitFor();
  await composer.pressSequentially('@ev');
  await page.locator('#mention-suggestions li[data-username="eve"][aria-selected="true"]', { hasText: 'Eve' }).waitFor();
  await composer.press('Tab');
  assert.equal(await composer.inputValue(), '@eve ');
  assert.equal(await page.locator('#mention-suggestions').isVisible(), false);
  await composer.pressSequentially('Omar asked about a refund, can you take him?');
  await composer.press('Enter');
  await page.locator('.message.note:not(.pending)', { hasText: '@eve Omar asked about a refund' }).waitFor();
  await evePage.waitForFunction(() => Number(document.documentElement.dataset.alerts ?? 0) >= 1);
  assert.equal(await evePage.evaluate(() => document.documentElement.dataset.alerts), '1');
  await evePage.locator('#conversation-list li[data-phone="15550602"]').click();
  await evePage.locator('.message.note.mentions-me', { hasText: 'can you take him?' }).waitFor();
  assert.equal(await evePage.locator('.message.note.mentions-me').count(), 1);
  assert.equal(await page.locator('.message.note.mentions-me').count(), 0);  // the admin is not named
  assert.deepEqual(page.errors, []);
  assert.deepEqual(evePage.errors, []);
}));

test('a message that did not reach the user says why, and is sent again with a click', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550701', 'support', 'Pia');
  await admin('POST', '/conversations/15550701/chat-support/start');
  await userSays(server, '15550702', 'support', 'Quinn');
  await admin('POST', '/conversations/15550702/chat-support/start');
  for (const to of ['15550701', '15550702']) await receiver.waitFor((m) => m.to === to);  // the claims' notices
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15550701"]').click();
  await page.waitForFunction(() => !document.getElementById('composer-text').disabled);

  // The user's endpoint refuses it for good: the agent sees its reason, not just a mark.
  let refusing = true;
  receiver.refuse = (m) => (refusing && m.to === '15550701' ? [400, '{"error":"15550701 has blocked this business"}']
    : m.to === '15550702' ? [400, '{"error":"no such number"}'] : null);
  try {
    // The send's answer held back until its events have shown the refusal:
    // coming last, it must not take the message back to "received".
    const refused = page.locator('.message.admin[data-seq]', { hasText: 'Your order has shipped' });
    const reason = refused.locator('.delivery-error', { hasText: 'Not delivered: HTTP 400: 15550701 has blocked this business' });
    await page.route('**/chat-support/send', async (route) => {
      const answer = await route.fetch();
      await reason.waitFor();
      await route.fulfill({ response: answer });
    }, { times: 1 });
    const answered = page.waitForResponse('**/chat-support/send');
    // Seen where it failed: the open chat reads it at once, and no list counts it.
    const seen = page.waitForResponse((r) => r.url().endsWith('/conversations/15550701/read'));
    await page.locator('#composer-text').fill('Your order has shipped');
    await page.locator('#composer-text').press('Enter');
    await answered;
    assert.equal((await (await seen).json()).undelivered, 0);
    await userSays(server, '15550701', 'thanks');  // its event comes after the answer is taken
    await page.locator('.message.user', { hasText: 'thanks' }).waitFor();
    await reason.waitFor();
    assert.equal(await refused.locator('.ticks').textContent(), '⚠ failed');
    // A failure in a chat the agent does not have open is counted on its
    // row, until the agent opens it; one in the chat they have open is seen
    // there, and the list does not count it.
    await admin('POST', '/conversations/15550702/chat-support/send', { text: 'Back soon' });
    const quinn = page.locator('#conversation-list li[data-phone="15550702"]');
    await quinn.locator('.badge.undelivered', { hasText: '⚠ 1 not delivered' }).waitFor();
    assert.equal((await admin('GET', '/conversations/15550701')).undelivered, 0);
    assert.equal(await page.locator('#conversation-list li[data-phone="15550701"] .badge.undelivered').count(), 0);

    // Sent again: a new message reaches the user; the refused one stays in the history.
    refusing = false;
    await refused.getByRole('button', { name: 'Send again' }).click();
    await receiver.waitFor((m) => m.to === '15550701' && m.text === 'Your order has shipped');
    const copies = page.locator('.message.admin', { hasText: 'Your order has shipped' });
    await page.waitForFunction(() => [...document.querySelectorAll('.message.admin')]
      .filter((e) => e.textContent.includes('Your order has shipped') && e.dataset.seq && !e.querySelector('.delivery-error')).length === 1);
    assert.equal(await copies.count(), 2);

    // The server never got it (the network dropped it): the copy says so, and
    // sending it again posts it once, in the copy's place.
    await page.route('**/chat-support/send', (route) => route.abort('internetdisconnected'));
    await page.locator('#composer-text').fill('Tracking number 42');
    await page.locator('#composer-text').press('Enter');
    const unsent = page.locator('.message.admin', { hasText: 'Tracking number 42' });
    await unsent.locator('.delivery-error', { hasText: 'Not sent' }).waitFor();
    await page.unroute('**/chat-support/send');
    await unsent.getByRole('button', { name: 'Send again' }).click();
    await receiver.waitFor((m) => m.to === '15550701' && m.text === 'Tracking number 42');
    await page.locator('.message.admin:not(.pending)[data-seq]:not([data-seq=""])', { hasText: 'Tracking number 42' }).waitFor();
    await page.locator('.message.admin .delivery-error', { hasText: 'Not sent' }).waitFor({ state: 'detached' });
    assert.equal(await page.locator('.message.admin', { hasText: 'Tracking number 42' }).count(), 1);
    assert.equal(receiver.received.filter((m) => m.text === 'Tracking number 42').length, 1);

    // Read again from the server, the refusal keeps its reason; only the
    // agent whose message it is is offered to send it again.
    await page.reload();
    await page.locator('#connection.live').waitFor();
    await page.locator('#conversation-list li[data-phone="15550701"]').click();
    await page.locator('.message.admin .delivery-error', { hasText: '15550701 has blocked this business' }).waitFor();
    await quinn.locator('.badge.undelivered', { hasText: '⚠ 1 not delivered' }).waitFor();  // kept by the server
    await quinn.click();
    await page.locator('.message.admin .delivery-error', { hasText: 'no such number' }).waitFor();
    await quinn.locator('.badge.undelivered').waitFor({ state: 'detached' });
    assert.equal((await admin('GET', '/conversations/15550702')).undelivered, 0);
    await page.locator('#conversation-list li[data-phone="15550701"]').click();
    await admin('POST', '/agents', { username: 'gus', password: 'gus-secret-1', display_name: 'Gus' });
    const gusPage = await consolePage(browser.browser, server, 'gus', 'gus-secret-1');
    await gusPage.locator('#conversation-list li[data-phone="15550701"]').click();
    await gusPage.locator('.message.admin .delivery-error', { hasText: '15550701 has blocked this business' }).waitFor();
    assert.equal(await gusPage.getByRole('button', { name: 'Send again' }).count(), 0);
    assert.deepEqual(page.errors, []);
    assert.deepEqual(gusPage.errors, []);
  } finally {
    receiver.refuse = null;
  }
}));

// WhatsApp delivers a free-form reply only within 24 hours of the user's last
// message. The page's clock is moved a day on; the server's stays. Then
// WhatsApp fails two sent replies in turn, with the chat open.
test("past WhatsApp's 24-hour window the console holds the reply; a later failure shows in the open chat and no list counts it", () => withMemoryServer(['--wa-api-base', receiver.url], async (server) => {
  const whatsappUserSays = async (id, text) => {
    const payload = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
      contacts: [{ profile: { name: 'Rui' }, wa_id: '15550801' }],
      messages: [{ from: '15550801', id, timestamp: '1763900000', type: 'text', text: { body: text } }] } }] }] };
    const res = await fetch(`${server.url}/webhook/whatsapp`, { method: 'POST', body: JSON.stringify(payload) });
    assert.equal(res.status, 200);
  };
  await whatsappUserSays('wamid.rui-1', 'is my order on its way?');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, { beforeLoad: (p) => p.clock.install() });
  await page.locator('#conversation-list li[data-phone="15550801"]').click();
  await page.locator('#composer-hint', { hasText: 'Start a chat to reply.' }).waitFor();
  assert.equal(await page.locator('#conv-channel').textContent(), 'WhatsApp');
  assert.equal(await page.locator('#conv-state').textContent(), 'With the bot');  // IDLE, in words

  // A day later, by the page's clock: its own timer closes the window.
  await page.clock.fastForward('24:05:00');
  const hint = page.locator('#composer-hint', { hasText: "Rui last wrote 1d ago: WhatsApp takes a reply only within 24 hours of the user's last message" });
  await hint.waitFor();
  await page.getByRole('button', { name: 'Start Chat' }).click();
  await page.locator('#conv-assignee', { hasText: 'Assigned to you' }).waitFor();
  await hint.waitFor();
  assert.equal(await page.locator('#composer-text').isDisabled(), true);
  await page.getByRole('tab', { name: 'Private note' }).click();  // notes reach the agents whatever WhatsApp does
  await page.waitForFunction(() => !document.getElementById('composer-text').disabled);
  await page.getByRole('tab', { name: 'Reply' }).click();
  assert.equal(await page.locator('#composer-text').isDisabled(), true);

  // The user writes again (back to the server's time): the window opens.
  await page.clock.setSystemTime(Date.now());
  await whatsappUserSays('wamid.rui-2', 'hello?');
  await page.locator('.message.user', { hasText: 'hello?' }).waitFor();
  await page.waitForFunction(() => !document.getElementById('composer-text').disabled);
  assert.equal(await page.locator('#composer-hint').textContent(), '');
  const wamids = { 'It left this morning': 'wamid.rui-out-1', 'Tracking number 42': 'wamid.rui-out-2' };
  receiver.refuse = (m) => (wamids[m.text?.body] ? [200, `{"messages":[{"id":"${wamids[m.text.body]}"}]}`] : null);
  try {
    for (const text of Object.keys(wamids)) {
      await page.locator('#composer-text').fill(text);
      await page.locator('#composer-text').press('Enter');
      await receiver.waitFor((m) => m.to === '15550801' && m.text?.body === text);
      await page.locator('.message.admin', { hasText: text }).locator('.ticks.sent').waitFor();
    }
  } finally {
    receiver.refuse = null;
  }
  // WhatsApp fails them later, one after the other: the open chat shows each,
  // and reads the conversation again so no list counts it, the second time
  // too, with no newer message to read.
  for (const [text, wamid] of Object.entries(wamids)) {
    const seen = page.waitForResponse((r) => r.url().endsWith('/conversations/15550801/read'));
    const failed = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', statuses: [{ id: wamid, status: 'failed', timestamp: '1763900170',
        recipient_id: '15550801', errors: [{ code: 131026, title: 'Message undeliverable' }] }] } }] }] };
    assert.equal((await fetch(`${server.url}/webhook/whatsapp`, { method: 'POST', body: JSON.stringify(failed) })).status, 200);
    await page.locator('.message.admin', { hasText: text }).locator('.delivery-error', { hasText: '(#131026) Message undeliverable' }).waitFor();
    assert.equal((await (await seen).json()).undelivered, 0);
  }
  assert.deepEqual(page.errors, []);
}));

// The window counts from the user's newest message however far back it is:
// behind 60 of the agent's, none of the user's is on the page the chat opens
// with, and the server says when they wrote. Its last hour is counted down.
test("the console counts down WhatsApp's window's last hour and holds the reply past it, when the user's last message is not on the page", () => withMemoryServer(['--wa-api-base', receiver.url], async (server) => {
  await whatsappUserSends(server, '15550811', 'wamid.far-1', 'text', null, 'is it fixed yet?');
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/conversations/15550811/chat-support/start');
  for (let i = 0; i < 60; ++i) await admin('POST', '/conversations/15550811/chat-support/send', { text: `step ${i}` });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, { beforeLoad: (p) => p.clock.install() });
  await page.locator('#conversation-list li[data-phone="15550811"]').click();
  await page.locator('.message.admin', { hasText: 'step 59' }).waitFor();
  assert.equal(await page.locator('.message.user').count(), 0);
  assert.equal(await page.locator('#composer-text').isDisabled(), false);
  assert.equal(await page.locator('#composer-hint').textContent(), '');

  // In the window's last hour the hint counts down; then the window closes.
  await page.clock.fastForward('23:30:00');
  await page.locator('#composer-hint', { hasText: /^WhatsApp takes replies to .* for 30 more min \(24 hours from their last message\)/ }).waitFor();
  assert.equal(await page.locator('#composer-text').isDisabled(), false);
  await page.clock.fastForward('00:10:00');
  await page.locator('#composer-hint', { hasText: 'for 20 more min' }).waitFor();
  await page.clock.fastForward('00:25:00');
  await page.locator('#composer-hint', { hasText: 'last wrote 1d ago: WhatsApp takes a reply only within 24 hours' }).waitFor();
  assert.equal(await page.locator('#composer-text').isDisabled(), true);
  assert.deepEqual(page.errors, []);
}));

test('past the 24-hour window an agent sends an approved WhatsApp template', () => withMemoryServer(['--wa-api-base', receiver.url, '--wa-business-account-id', 'waba-1'], async (server) => {
  receiver.templates = [
    { name: 'order_update', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [
      { type: 'HEADER', format: 'TEXT', text: 'Your order' },
      { type: 'BODY', text: 'Hi {{1}}, order {{2}} has shipped.' },
      { type: 'FOOTER', text: 'Reply STOP to opt out' }] },
    { name: 'welcome_back', language: 'en_US', status: 'APPROVED', category: 'MARKETING',
      components: [{ type: 'BODY', text: 'We miss you!' }] },
    { name: 'ticket', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [
      { type: 'HEADER', format: 'TEXT', text: 'Ticket {{1}}' }, { type: 'BODY', text: 'We answered {{1}}.' }] },
    { name: 'welcome_named', language: 'en_US', status: 'APPROVED', category: 'MARKETING', parameter_format: 'NAMED',
      components: [{ type: 'BODY', text: 'Welcome back, {{first_name}}! Your code: {{code}}.' }] },
    { name: 'in_review', language: 'en_US', status: 'PENDING', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hi' }] },
    { name: 'summer_sale', language: 'en_US', status: 'APPROVED', category: 'MARKETING', components: [
      { type: 'HEADER', format: 'IMAGE' }, { type: 'BODY', text: 'Our summer sale starts today.' },
      { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Shop now', url: 'https://shop.example.test/s/{{1}}' },
        { type: 'COPY_CODE', example: 'SUMMER25' }] }] },
  ];
  try {
    await whatsappUserSends(server, '15550901', 'wamid.tpl-1', 'text', null, 'where is my order?');
    const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, { beforeLoad: (p) => p.clock.install() });
    await page.locator('#conversation-list li[data-phone="15550901"]').click();
    await page.getByRole('button', { name: 'Start Chat' }).click();
    await page.locator('#conv-assignee', { hasText: 'Assigned to you' }).waitFor();
    const templateButton = page.getByRole('button', { name: 'Template', exact: true });
    await templateButton.waitFor();  // in the agent's own WhatsApp chat, window or not

    // A day later the reply is held, and the hint points to a template.
    await page.clock.fastForward('24:05:00');
    await page.locator('#composer-hint', { hasText: 'or you can send them an approved Template' }).waitFor();
    assert.equal(await page.locator('#composer-text').isDisabled(), true);
    await templateButton.click();
    const dialog = page.locator('#template-dialog');
    await dialog.locator('#template-value-1').waitFor();
    assert.deepEqual(await dialog.locator('#template-name option').allTextContents(),
      ['order_update · en_US', 'summer_sale · en_US', 'ticket · en_US', 'welcome_back · en_US', 'welcome_named · en_US']);  // approved ones only
    // A named template asks for each value by its name.
    await dialog.locator('#template-name').selectOption({ label: 'welcome_named · en_US' });
    await dialog.getByLabel('{{first_name}}').fill('Ines');
    await dialog.locator('#template-preview', { hasText: 'Welcome back, Ines! Your code: {{code}}.' }).waitFor();
    // A header's variable has a box of its own, first.
    await dialog.locator('#template-name').selectOption({ label: 'ticket · en_US' });
    await dialog.getByLabel('Header {{1}}').fill('T-9');
    await dialog.locator('#template-preview strong', { hasText: 'Ticket T-9' }).waitFor();
    await dialog.getByLabel('{{1}}', { exact: true }).fill('you');
    await dialog.locator('#template-preview', { hasText: 'We answered you.' }).waitFor();
    await dialog.locator('#template-name').selectOption({ label: 'order_update · en_US' });
    await dialog.getByLabel('{{1}}').fill('Ines');
    await dialog.getByLabel('{{2}}').fill('A  -  1     x');  // five spaces: WhatsApp would refuse it
    await dialog.locator('#template-preview', { hasText: 'Hi Ines, order A  -  1     x has shipped.' }).waitFor();
    assert.equal(await dialog.locator('#template-preview strong').textContent(), 'Your order');
    await dialog.getByRole('button', { name: 'Send template' }).click();
    await dialog.locator('#template-error', { hasText: 'more than four spaces' }).waitFor();
    assert.equal(await dialog.isVisible(), true);  // kept open to put it right

    await dialog.getByLabel('{{2}}').fill('A-1');
    receiver.refuse = (m) => (m.type === 'template' ? [200, '{"messages":[{"id":"wamid.tpl-out"}]}'] : null);
    await dialog.getByRole('button', { name: 'Send template' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const shown = page.locator('.message.admin', { hasText: 'Hi Ines, order A-1 has shipped.' });
    await shown.locator('.meta', { hasText: 'You · template' }).waitFor();
    const sent = await receiver.waitFor((m) => m.type === 'template');
    assert.equal(sent.to, '15550901');
    assert.deepEqual(sent.template, { name: 'order_update', language: { code: 'en_US' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ines' }, { type: 'text', text: 'A-1' }] }] });
    assert.equal(await page.locator('#composer-text').isDisabled(), true);  // still the user's turn to write
    await templateButton.click();
    await dialog.locator('#template-name').selectOption({ label: 'ticket · en_US' });
    await dialog.getByLabel('Header {{1}}').fill('T-9');
    await dialog.getByLabel('{{1}}', { exact: true }).fill('you');
    receiver.refuse = (m) => (m.type === 'template' ? [200, '{"messages":[{"id":"wamid.tpl-ticket"}]}'] : null);
    await dialog.getByRole('button', { name: 'Send template' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const ticket = await receiver.waitFor((m) => m.type === 'template' && m.template.name === 'ticket');
    assert.deepEqual(ticket.template.components, [
      { type: 'header', parameters: [{ type: 'text', text: 'T-9' }] },
      { type: 'body', parameters: [{ type: 'text', text: 'you' }] }]);
    // A photo header by its link, a link button's end and a code to copy.
    await templateButton.click();
    await dialog.locator('#template-name').selectOption({ label: 'summer_sale · en_US' });
    await dialog.locator('#template-preview', { hasText: '[image] its link' }).waitFor();
    await dialog.getByLabel("Link to the header's image").fill('https://cdn.example.test/sale.jpg');
    await dialog.locator('#template-preview', { hasText: '[image] https://cdn.example.test/sale.jpg' }).waitFor();
    await dialog.getByLabel('Button "Shop now": the end of https://shop.example.test/s/{{1}}').fill('ines');
    await dialog.getByLabel('Button "Copy offer code": the code').fill('SUMMER 25');
    await dialog.getByRole('button', { name: 'Send template' }).click();
    await dialog.locator('#template-error', { hasText: 'code must have no spaces' }).waitFor();
    await dialog.getByLabel('Button "Copy offer code": the code').fill('SUMMER25');
    receiver.refuse = (m) => (m.type === 'template' ? [200, '{"messages":[{"id":"wamid.tpl-sale"}]}'] : null);
    await dialog.getByRole('button', { name: 'Send template' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const sale = await receiver.waitFor((m) => m.type === 'template' && m.template.name === 'summer_sale');
    assert.deepEqual(sale.template.components, [
      { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.test/sale.jpg' } }] },
      { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'ines' }] },
      { type: 'button', sub_type: 'copy_code', index: '1', parameters: [{ type: 'coupon_code', coupon_code: 'SUMMER25' }] }]);
    await page.locator('.message.admin', { hasText: 'Our summer sale starts today.' }).waitFor();

    // The user answers, and Meta then fails the template: it says why, and
    // offers no Send again, which would send its text as a plain reply.
    await page.clock.setSystemTime(Date.now());
    await whatsappUserSends(server, '15550901', 'wamid.tpl-2', 'text', null, 'thanks!');
    await page.waitForFunction(() => !document.getElementById('composer-text').disabled);
    const failed = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', statuses: [{ id: 'wamid.tpl-out', status: 'failed', timestamp: '1763900170',
        recipient_id: '15550901', errors: [{ code: 132001, title: 'Template name does not exist in the translation' }] }] } }] }] };
    assert.equal((await fetch(`${server.url}/webhook/whatsapp`, { method: 'POST', body: JSON.stringify(failed) })).status, 200);
    await shown.locator('.delivery-error', { hasText: '(#132001) Template name does not exist' }).waitFor();
    assert.equal(await shown.locator('.resend').count(), 0);
    assert.deepEqual(page.errors, []);
  } finally {
    receiver.templates = [];
    receiver.refuse = null;
  }
}));

// A message shows only its time, so each day's messages start with the day:
// the page's clock is set by the messages' own time, then moved on.
test('a chat marks each day: Today, Yesterday, then the date', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550901', 'hello', 'Sol');
  const sent = new Date((await admin('GET', '/conversations/15550901')).messages[0].timestamp);
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD,
    { beforeLoad: (p) => p.clock.install({ time: sent }) });
  const row = page.locator('#conversation-list li[data-phone="15550901"]');
  const firstDay = page.locator('.messages .day').first();
  await row.click();
  await page.locator('.messages .day', { hasText: 'Today' }).waitFor();
  assert.equal(await page.locator('.messages .day').count(), 1);  // one day, one line

  // Past midnight with the chat open and nothing new: the line says so by
  // itself. Three days on, a new message draws the history again.
  const dayAfter = (days) => new Date(sent.getFullYear(), sent.getMonth(), sent.getDate() + days, 1);
  await page.clock.fastForward(dayAfter(1) - await page.evaluate(() => Date.now()));
  await page.locator('.messages .day', { hasText: 'Yesterday' }).waitFor();
  await userSays(server, '15550901', 'still there?');
  await page.locator('.message.user', { hasText: 'still there?' }).waitFor();
  assert.equal(await firstDay.textContent(), 'Yesterday');
  await page.clock.setSystemTime(dayAfter(3));
  await userSays(server, '15550901', 'hello again');
  await page.locator('.message.user', { hasText: 'hello again' }).waitFor();
  const label = await firstDay.textContent();
  assert.ok(!['Today', 'Yesterday'].includes(label) && label.includes(String(sent.getDate())), label);
  assert.equal(await page.locator('.messages .day').count(), 1);
  assert.deepEqual(page.errors, []);
}));

test('a chime for a new chat in the queue and for a message in the agent\'s own chat, and the bell mutes it', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const rang = () => page.evaluate(() => Number(document.documentElement.dataset.alerts ?? 0));
  const rings = (n) => page.waitForFunction((want) => Number(document.documentElement.dataset.alerts ?? 0) === want, n);
  const row = (phone) => page.locator(`#conversation-list li[data-phone="${phone}"]`);
  // Events come in order: once a later one shows, every earlier one has had its say.
  const unread = (phone, n) => row(phone).locator('.badge.unread', { hasText: `${n} unread` }).waitFor();

  await userSays(server, '15550701', 'support', 'Pia');
  await rings(1);
  await userSays(server, '15550702', 'support', 'Quinn');
  await rings(2);
  // Moving up the queue is no news; a message in one's own chat is.
  await admin('POST', '/conversations/15550701/chat-support/start');
  await userSays(server, '15550701', 'are you there?');
  await unread('15550701', 2);
  assert.equal(await rang(), 3);
  // Not while it is the chat open, nor in someone else's chat.
  await row('15550701').click();
  await page.locator('#conv-name', { hasText: 'Pia' }).waitFor();
  await userSays(server, '15550701', 'hello?');
  await page.locator('.message.user', { hasText: 'hello?' }).waitFor();
  await userSays(server, '15550702', 'still waiting');
  await unread('15550702', 2);
  assert.equal(await rang(), 3);
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
  assert.equal(await rang(), 4);

  // Muted, it stays quiet, across a reload too.
  await page.getByRole('button', { name: 'Sound alerts' }).click();
  assert.equal(await page.getByRole('button', { name: 'Sound alerts' }).getAttribute('aria-pressed'), 'false');
  await page.reload();
  await page.locator('#connection.live').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Sound alerts' }).getAttribute('aria-pressed'), 'false');
  await userSays(server, '15550703', 'support', 'Ria');
  await userSays(server, '15550703', 'anyone?');
  await unread('15550703', 2);
  assert.equal(await rang(), 0);  // a new page, and nothing rang
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
  const rings = (n) => page.waitForFunction((want) => Number(document.documentElement.dataset.alerts ?? 0) === want, n);

  await page.evaluate(() => { window.hidden_ = true; });
  await userSays(server, '15551301', 'support', 'Tara');
  await rings(1);
  await admin('POST', '/conversations/15551301/chat-support/start');
  await userSays(server, '15551301', 'my parcel is late');
  await rings(2);
  assert.deepEqual(await shown(), [
    { title: 'Tara is waiting for a chat', body: 'Number 1 in the queue', tag: '15551301' },
    { title: 'Tara', body: 'my parcel is late', tag: '15551301' }]);

  // In sight, the chime is enough.
  await page.evaluate(() => { window.hidden_ = false; });
  await userSays(server, '15551301', 'hello?');
  await rings(3);
  assert.equal((await shown()).length, 2);

  // A click on one brings the chat up.
  await page.evaluate(() => window.shown_[1].onclick());
  await page.locator('#conv-name', { hasText: 'Tara' }).waitFor();
  await page.locator('.message.user', { hasText: 'my parcel is late' }).waitFor();
  assert.equal(await page.evaluate(() => window.shown_[1].closed), true);
  assert.deepEqual(page.errors, []);
}));

// The list, the queue's head and the agent's own chats are all read at each
// connect, and overlap. A row whose conversation came back the same stays
// the element it was: one built anew between a press and its release loses the click.
test('a list read again with nothing changed keeps its rows, so a click on one is not lost', () => withMemoryServer([], async (server) => {
  await userSays(server, '15550411', 'support', 'Ada');  // queued: in the list and in the queue's head
  await userSays(server, '15550412', 'hello', 'Ben');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const loads = (n) => page.waitForFunction((want) => document.querySelector('#conversation-list').dataset.loads === String(want), n);
  await loads(1);
  const row = await page.locator('#conversation-list li[data-phone="15550411"]').elementHandle();
  await page.locator('#search').fill('1555');
  await loads(2);
  await page.locator('#search').fill('');
  await loads(3);
  assert.equal(await row.evaluate((el) => el.isConnected), true);
  assert.deepEqual(page.errors, []);
}));

test('a search typed over is dropped, and its answer never replaces the one typed after it', () => withMemoryServer([], async (server) => {
  await userSays(server, '15550401', 'where is my order 1234', 'Ann');
  await userSays(server, '15550402', 'I would like a refund', 'Bob');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const loads = (n) => page.waitForFunction((want) => document.querySelector('#conversation-list').dataset.loads === String(want), n);
  const shown = () => page.locator('#conversation-list li').evaluateAll((rows) => rows.map((r) => r.dataset.phone));
  await loads(1);
  assert.deepEqual((await shown()).sort(), ['15550401', '15550402']);

  // The answer to "order" (a match on message text) is held until "refund", typed after it, has been shown.
  let release, settled;
  const held = new Promise((resolve) => { release = resolve; });
  const answered = new Promise((resolve) => { settled = resolve; });
  await page.route((url) => url.pathname === '/conversations' && url.searchParams.get('q') === 'order', async (route) => {
    const response = await route.fetch();
    await held;
    await route.fulfill({ response }).catch(() => {});  // refused when the console has dropped the request
    settled();
  });
  const dropped = page.waitForEvent('requestfailed', (r) => new URL(r.url()).searchParams.get('q') === 'order');
  const searched = page.waitForRequest((r) => new URL(r.url()).searchParams.get('q') === 'order');
  await page.locator('#search').fill('order');
  await searched;
  await page.locator('#search').fill('refund');
  // Typing over aborts the request: its connection closes, so the server skips a scan still waiting its turn.
  assert.equal((await dropped).failure().errorText, 'net::ERR_ABORTED');
  await loads(3);  // "order" dropped, "refund" shown
  assert.deepEqual(await shown(), ['15550402']);
  release();
  await answered;
  assert.deepEqual(await shown(), ['15550402']);
  assert.equal(await page.locator('#conversation-list').getAttribute('data-loads'), '3');
  assert.deepEqual(page.errors, []);
}));

// What an agent typed and did not send stays with its chat: another chat's
// composer starts with its own, the chat opened again (or the page loaded
// again) shows it, a note as a note, and it is gone once sent or at log out.
test('a reply typed and not sent stays with its chat as a draft, and never goes to another user', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  await userSays(server, '15550821', 'support', 'Ada');
  await userSays(server, '15550822', 'support', 'Ben');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const open = async (phone, name) => {
    await page.locator(`#conversation-list li[data-phone="${phone}"]`).click();
    await page.locator('#conv-name', { hasText: name }).waitFor();
  };
  const box = page.locator('#composer-text');
  const modeOf = async () => ((await page.getByRole('tab', { name: 'Private note' }).getAttribute('aria-selected')) === 'true' ? 'note' : 'reply');
  await open('15550821', 'Ada');
  await page.getByRole('button', { name: 'Claim Chat' }).click();
  await page.locator('#conv-assignee', { hasText: 'Assigned to you' }).waitFor();
  const draftBadge = (phone) => page.locator(`#conversation-list li[data-phone="${phone}"] .badge.draft`, { hasText: '✎ Draft' });
  await box.fill('Your refund is on its way');
  await draftBadge('15550821').waitFor();  // the list marks where a draft waits
  await open('15550822', 'Ben');
  assert.equal(await box.inputValue(), '');
  assert.equal(await draftBadge('15550822').count(), 0);
  await page.getByRole('tab', { name: 'Private note' }).click();
  await box.fill('Ben asked about billing before');
  await draftBadge('15550822').waitFor();
  await open('15550821', 'Ada');
  assert.equal(await box.inputValue(), 'Your refund is on its way');
  assert.equal(await modeOf(), 'reply');

  // A reload keeps both, each as what it was.
  await page.reload();
  await page.locator('#connection.live').waitFor();
  await draftBadge('15550821').waitFor();
  await draftBadge('15550822').waitFor();
  await open('15550822', 'Ben');
  assert.equal(await box.inputValue(), 'Ben asked about billing before');
  assert.equal(await modeOf(), 'note');
  await open('15550821', 'Ada');
  assert.equal(await box.inputValue(), 'Your refund is on its way');
  assert.equal(await modeOf(), 'reply');

  // Sent, it is a draft no more.
  await box.press('Enter');
  await receiver.waitFor((m) => m.to === '15550821' && m.text === 'Your refund is on its way');
  await draftBadge('15550821').waitFor({ state: 'detached' });
  await open('15550822', 'Ben');
  await open('15550821', 'Ada');
  assert.equal(await box.inputValue(), '');
  assert.equal(receiver.received.filter((m) => m.text === 'Your refund is on its way').length, 1);

  // The browser keeps the 50 chats typed in most recently, and a store it
  // cannot read is no error.
  const kept = await page.evaluate(async () => {
    const { Drafts } = await import('/js/drafts.js');
    localStorage.setItem('switchboard.drafts.probe', 'not JSON');
    const drafts = new Drafts('probe');
    for (let i = 1; i <= 51; ++i) drafts.set(String(i), `draft ${i}`, 'reply');
    const again = new Drafts('probe');
    return [again.get('1'), again.get('2')?.text, again.get('51')?.text, again.byPhone.size];
  });
  assert.deepEqual(kept, [null, 'draft 2', 'draft 51', 50]);

  // Logging out forgets the rest.
  await page.locator('#logout').click();
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#connection.live').waitFor();
  await open('15550822', 'Ben');
  assert.equal(await box.inputValue(), '');
  assert.equal(await draftBadge('15550822').count(), 0);
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('switchboard.drafts.')).length), 0);
  assert.deepEqual(page.errors, []);
}));

// Two consoles of one agent in one browser share the drafts: what one tab
// keeps does not undo what the other kept, and each list marks both.
test('drafts typed in two tabs of one browser are both kept, and each list marks both', () => withMemoryServer([], async (server) => {
  await userSays(server, '15550841', 'hi', 'Eve');
  await userSays(server, '15550842', 'hi', 'Fay');
  const first = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const second = await first.context().newPage();  // the same browser: its session and its storage
  second.errors = [];
  second.on('pageerror', (e) => second.errors.push(e.message));
  await second.goto(server.url + '/');
  await second.locator('#connection.live').waitFor();
  const noteIn = async (page, phone, name, text) => {
    await page.locator(`#conversation-list li[data-phone="${phone}"]`).click();
    await page.locator('#conv-name', { hasText: name }).waitFor();
    await page.getByRole('tab', { name: 'Private note' }).click();  // the bot's chats: a note can be typed
    await page.locator('#composer-text').fill(text);
  };
  const draftBadge = (page, phone) => page.locator(`#conversation-list li[data-phone="${phone}"] .badge.draft`);

  await noteIn(first, '15550841', 'Eve', 'Eve: check the order');
  await draftBadge(second, '15550841').waitFor();  // the other tab hears of it
  await noteIn(second, '15550842', 'Fay', 'Fay: call back');
  await draftBadge(first, '15550842').waitFor();
  await first.reload();
  await first.locator('#connection.live').waitFor();
  await draftBadge(first, '15550841').waitFor();
  await draftBadge(first, '15550842').waitFor();
  await first.locator('#conversation-list li[data-phone="15550841"]').click();
  await first.locator('#conv-name', { hasText: 'Eve' }).waitFor();
  assert.equal(await first.locator('#composer-text').inputValue(), 'Eve: check the order');

  // Logging out in one tab ends the other's session too; as that one goes
  // back to the login form, it does not write its open note back.
  await first.locator('#logout').click();
  await first.getByLabel('Username').waitFor();
  await second.getByLabel('Username').waitFor();
  const kept = () => Object.keys(localStorage).filter((k) => k.startsWith('switchboard.drafts.')).length;
  assert.equal(await second.evaluate(kept), 0);
  assert.equal(await first.evaluate(kept), 0);
  assert.deepEqual(first.errors, []);
  assert.deepEqual(second.errors, []);
}));

// An agent who opens another chat stops "typing…" in the one they left at
// once. The other agent's clock stands still here (paused), so their
// console's own expiry of the indicator never comes: only the end sent for
// that chat clears it.
test('typing ends at once in the chat an agent leaves', () => withMemoryServer([], async (server) => {
  await userSays(server, '15550831', 'support', 'Cy');
  await userSays(server, '15550832', 'hi', 'Di');
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'bob', password: 'bob-password', display_name: 'Bob' });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const bobPage = await consolePage(browser.browser, server, 'bob', 'bob-password', { beforeLoad: (p) => p.clock.install() });
  await bobPage.clock.pauseAt(Date.now() + 1000);
  await page.locator('#conversation-list li[data-phone="15550831"]').click();
  await page.getByRole('button', { name: 'Claim Chat' }).click();
  await page.locator('#conv-assignee', { hasText: 'Assigned to you' }).waitFor();
  await bobPage.locator('#conversation-list li[data-phone="15550831"]').click();
  await bobPage.locator('#conv-assignee', { hasText: 'Assigned to admin' }).waitFor();
  await page.locator('#composer-text').pressSequentially('Let me check', { delay: 20 });
  const typing = bobPage.locator('#typing', { hasText: 'admin is typing' });
  await typing.waitFor();
  await page.locator('#conversation-list li[data-phone="15550832"]').click();
  await page.locator('#conv-name', { hasText: 'Di' }).waitFor();
  await typing.waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
  assert.deepEqual(bobPage.errors, []);
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

  await page.locator('#conversation-list li[data-phone="15550003"]').focus();
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

test('a long word, link or name wraps where it is shown and never widens the page', () => withMemoryServer([], async (server) => {
  const longName = 'Wolfeschlegelsteinhausenbergerdorff'.repeat(2).slice(0, 64);
  const longLink = `https://example.org/track?order=${'A1b2C3'.repeat(60)}`;
  await userSays(server, '15550009', 'register');
  await userSays(server, '15550009', longName);
  await userSays(server, '15550009', 'support');
  await userSays(server, '15550009', 'x'.repeat(300));
  await userSays(server, '15550009', longLink);
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15550009"]').click();
  await page.locator('.message', { hasText: longLink }).waitFor();
  // What overflows: the page, or any message, name or row that is wider than its box.
  const overflowing = () => page.evaluate(() => ({
    page: document.documentElement.scrollWidth - window.innerWidth,
    boxes: [...document.querySelectorAll('.message, #conv-name, #conversation-list li')]
      .filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent.slice(0, 30)),
  }));
  for (const width of [1280, 400]) {
    await page.setViewportSize({ width, height: 760 });
    if (width === 400 && !(await page.locator('#pane').isVisible())) {
      await page.locator('#conversation-list li[data-phone="15550009"]').click();
    }
    await page.locator('#conv-name', { hasText: longName }).waitFor();
    assert.deepEqual(await overflowing(), { page: 0, boxes: [] }, `at ${width}px`);
  }

  // A saved reply with the link: in its dialog, and offered under the composer.
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const shortcut = 'track-the-order-with-this-link-1';  // 32 characters, the most a shortcut has
  await admin('POST', '/canned-responses', { shortcut, text: `Track it here: ${longLink}` });
  await page.getByRole('button', { name: 'Saved replies' }).click();
  const reply = page.locator(`#replies-list li[data-shortcut="${shortcut}"]`);
  await reply.locator('.reply-text').waitFor();
  assert.ok(await reply.evaluate((li) => [li, ...li.querySelectorAll('*')].every((e) => e.scrollWidth <= e.clientWidth + 1)),
    'the saved reply is wider than its dialog');
  const edit = await page.getByRole('button', { name: `Edit /${shortcut}` }).boundingBox();
  const dialog = await page.locator('#replies-dialog').boundingBox();
  assert.ok(edit.x + edit.width <= dialog.x + dialog.width, 'its Edit button is outside the dialog');
  await page.locator('#replies-dialog').getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Claim Chat' }).click();
  await page.waitForFunction(() => !document.getElementById('composer-text').disabled);
  await page.locator('#composer-text').pressSequentially('/tr');
  await page.locator(`#reply-suggestions li[data-shortcut="${shortcut}"]`).waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth
    && [...document.querySelectorAll('#reply-suggestions li')].every((e) => e.scrollWidth <= e.clientWidth + 1)),
  'the suggestion is wider than its list');
  assert.deepEqual(page.errors, []);
}));

test("a message is shown as WhatsApp shows it, with its links, and stays text", () => withMemoryServer([], async (server) => {
  await userSays(server, '15550010', 'support', 'Kai');
  await userSays(server, '15550010',
    '*late* _again_, ~sorry~ ```ORD-42``` track: https://example.org/t?id=7&x=(1). my_order_id *not bold');
  await userSays(server, '15550010', 'javascript:alert(1) <b>x</b> *<img src=x onerror=alert(2)>*');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15550010"]').click();
  const first = page.locator('.message.user .text', { hasText: 'late' });
  await first.waitFor();
  const shown = (text) => text.evaluate((e) => [...e.childNodes].map((n) => (n.nodeType === 3 ? n.textContent
    : `<${n.tagName.toLowerCase()}${n.href ? ` ${n.href} ${n.target} ${n.rel}` : ''}>${n.textContent}`)));
  assert.deepEqual(await shown(first), [
    '<strong>late', ' ', '<em>again', ', ', '<s>sorry', ' ', '<code>ORD-42', ' track: ',
    '<a https://example.org/t?id=7&x=(1) _blank noopener noreferrer>https://example.org/t?id=7&x=(1)', '. my_order_id *not bold']);
  assert.equal(await first.textContent(),
    'late again, sorry ORD-42 track: https://example.org/t?id=7&x=(1). my_order_id *not bold');
  // Markup and other schemes stay text; the bold around markup is bold text.
  const second = page.locator('.message.user .text', { hasText: 'javascript' });
  assert.deepEqual(await shown(second), ['javascript:alert(1) <b>x</b> ', '<strong><img src=x onerror=alert(2)>']);
  assert.equal(await page.locator('.messages img, .messages b').count(), 0);
  assert.deepEqual(page.dialogs, []);
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

// An agent sends a WhatsApp user a file: picked with 📎 and sent with the
// reply's text as its caption, a picture pasted into the reply, or a file
// dropped on the chat. It is
// uploaded to the Graph API stand-in, sent by its id, and shown in the chat
// as the user's files are. One WhatsApp does not take can be sent again.
test('an agent sends a file with 📎, pastes a picture and drops a file, and one WhatsApp refused goes again', () => withMemoryServer(['--wa-api-base', receiver.url], async (server) => {
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGM4IScHRww4OQD1xwwxB+utmQAAAABJRU5ErkJggg==', 'base64');
  try {
    await whatsappUserSends(server, '15551201', 'wamid.jo-1', 'text', null, 'support');
    const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
    await page.locator('#conversation-list li[data-phone="15551201"]').click();
    await page.locator('#attach').waitFor();  // shown once the chat is open: a WhatsApp user's
    assert.equal(await page.locator('#attach').isDisabled(), true);  // not their chat yet
    await page.locator('#start-chat').click();  // the chat waits in the queue: Claim Chat
    await page.locator('#attach:enabled').waitFor();

    const pdf = Buffer.from('%PDF-1.4\r\n\0 not really');
    await page.locator('#attach-file').setInputFiles({ name: 'invoice.pdf', mimeType: 'application/pdf', buffer: pdf });
    assert.match(await page.locator('#attached-name').textContent(), /📎 invoice\.pdf · 22 bytes/);
    await page.locator('#composer-text').fill('Your invoice');
    await page.keyboard.press('Enter');
    const sent = await receiver.waitFor((m) => m.type === 'document');
    assert.equal(receiver.uploads.length, 1);
    assert.equal(receiver.uploads[0].filename, 'invoice.pdf');
    assert.equal(receiver.uploads[0].type, 'application/pdf');
    assert.deepEqual(receiver.uploads[0].bytes, pdf);
    assert.deepEqual(sent.document, { id: receiver.uploads[0].id, caption: 'Your invoice', filename: 'invoice.pdf' });
    const mine = page.locator('.message.admin', { has: page.locator('.attachment.file') });
    await mine.locator('.text', { hasText: 'Your invoice' }).waitFor();
    assert.equal(await mine.locator('.attachment.file a').textContent(), '📄 invoice.pdf');
    assert.equal(await page.locator('#attached').isHidden(), true);
    assert.equal(await page.locator('#composer-text').inputValue(), '');

    // A screenshot pasted into the reply, sent with nothing typed.
    await page.locator('#composer-text').focus();
    await page.evaluate((bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], 'image.png', { type: 'image/png' }));
      document.querySelector('#composer-text').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, [...png]);
    assert.match(await page.locator('#attached-name').textContent(), /image\.png/);
    await page.keyboard.press('Enter');
    const image = await receiver.waitFor((m) => m.type === 'image');
    assert.equal(image.image.id, receiver.uploads[1].id);
    await page.waitForFunction(() => [...document.querySelectorAll('.message.admin .attachment.image img')].some((i) => i.naturalWidth === 4));

    // WhatsApp refuses the next one, dropped on the chat: the agent reads
    // why, and sends it again.
    receiver.refuseUpload = () => [400, '{"error":{"message":"Param file must be a file with one of the following types","type":"OAuthException","code":100}}'];
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(['call back at 5'], 'notes.txt', { type: 'text/plain' }));
      document.querySelector('#messages').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    assert.match(await page.locator('#attached-name').textContent(), /notes\.txt · 14 bytes/);
    await page.keyboard.press('Enter');
    const failed = page.locator('.message.admin', { hasText: 'notes.txt' });
    await failed.locator('.delivery-error', { hasText: 'Not sent: WhatsApp did not take the file' }).waitFor();
    receiver.refuseUpload = null;
    await failed.getByRole('button', { name: 'Send again' }).click();
    const third = await receiver.waitFor((m) => m.document?.filename === 'notes.txt');
    assert.equal(third.document.id, receiver.uploads[2].id);
    await page.locator('.message.admin .attachment.file a', { hasText: '📄 notes.txt' }).waitFor();
    assert.equal(await page.locator('.delivery-error').count(), 0);

    // A private note takes no file.
    await page.getByRole('tab', { name: 'Private note' }).click();
    assert.equal(await page.locator('#attach').isHidden(), true);
    assert.deepEqual(page.errors.filter((e) => !e.includes('502')), []);
  } finally {
    receiver.media.clear();
    receiver.uploads.length = 0;
    receiver.refuseUpload = null;
  }
}));

// What a WhatsApp user sends besides text reaches the agent as itself: a
// photo shown in the chat (fetched through the server from the Graph API
// stand-in), a voice message to play, a document to download. A file
// WhatsApp no longer has says so.
test('a photo, a voice message, a document and a reaction a user sends are shown in the chat', () => withMemoryServer(['--wa-api-base', receiver.url], async (server) => {
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGM4IScHRww4OQD1xwwxB+utmQAAAABJRU5ErkJggg==', 'base64');
  receiver.media.set('9001', { type: 'image/png', bytes: png });
  receiver.media.set('9002', { type: 'audio/ogg; codecs=opus', bytes: Buffer.from('OggS not really') });
  receiver.media.set('9003', { type: 'application/pdf', bytes: Buffer.from('%PDF-1.4 not really') });
  const sends = (id, type, file, text) => whatsappUserSends(server, '15551101', id, type, file, text);
  try {
    await sends('wamid.ines-1', 'image', { id: '9001', mime_type: 'image/png', caption: 'my receipt' });
    await sends('wamid.ines-2', 'audio', { id: '9002', mime_type: 'audio/ogg; codecs=opus', voice: true });
    await sends('wamid.ines-3', 'document', { id: '9003', mime_type: 'application/pdf', filename: 'Rechnung März.pdf' });
    await sends('wamid.ines-4', 'image', { id: '9404', mime_type: 'image/jpeg' });  // gone from WhatsApp
    const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
    const row = page.locator('#conversation-list li[data-phone="15551101"]');
    assert.equal(await row.locator('.preview').textContent(), '📷 Photo');  // not "[image]"
    await row.click();

    const photo = page.locator('.message.user').filter({ has: page.locator('img') });
    await page.waitForFunction(() => document.querySelector('.attachment.image img')?.naturalWidth === 4);
    assert.equal(await photo.locator('.text').textContent(), 'my receipt');  // the caption, without "[image]"
    assert.equal(await photo.locator('img').getAttribute('alt'), 'my receipt');
    assert.equal(await page.locator('.attachment.audio audio').getAttribute('aria-label'), 'Audio');
    assert.equal(await page.locator('.message.user', { has: page.locator('audio') }).locator('.text').count(), 0);
    const download = page.locator('.attachment.file a');
    assert.equal(await download.textContent(), '📄 Rechnung März.pdf');
    assert.equal(await download.getAttribute('download'), 'Rechnung März.pdf');
    assert.equal(await page.evaluate(async (href) => (await fetch(href)).text(), await download.getAttribute('href')), '%PDF-1.4 not really');
    await page.locator('.attachment-missing', { hasText: 'Photo could not be loaded from WhatsApp.' }).waitFor();

    // A new message draws the history again; the player is the same one, so
    // a voice message being listened to goes on.
    await page.evaluate(() => { window.playerBefore = document.querySelector('.attachment.audio audio'); });
    await sends('wamid.ines-5', 'text', null, 'did you get them?');
    await page.locator('.message.user', { hasText: 'did you get them?' }).waitFor();
    assert.equal(await page.evaluate(() => document.querySelector('.attachment.audio audio') === window.playerBefore), true);
    await sends('wamid.ines-6', 'document', { id: '9003', mime_type: 'application/pdf', caption: 'the second page', filename: 'p2.pdf' });
    await row.locator('.preview', { hasText: '📄 the second page p2.pdf' }).waitFor();
    // A reaction is shown as one, and the bot said nothing to it.
    const bot = await page.locator('.message.bot').count();
    await sends('wamid.ines-7', 'reaction', { message_id: 'wamid.out-1', emoji: '👍' });
    await page.locator('.message.user.reaction .text', { hasText: 'Reacted 👍' }).waitFor();
    await row.locator('.preview', { hasText: 'Reacted 👍' }).waitFor();
    assert.equal(await page.locator('.message.bot').count(), bot);
    assert.deepEqual(page.errors.filter((e) => !e.includes('502')), []);
  } finally {
    receiver.media.clear();
  }
}));

test('a user quotes the agent on WhatsApp, and the agent replies quoting them', () => withMemoryServer(['--wa-api-base', receiver.url], async (server) => {
  const phone = '15550951';
  // A user's message that quotes one of ours, as WhatsApp sends a swipe to reply.
  const quoting = async (id, text, quoted) => {
    const payload = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
      contacts: [{ profile: { name: 'Ines' }, wa_id: phone }],
      messages: [{ from: phone, id, timestamp: '1763900000', type: 'text', text: { body: text }, context: { from: '15550783881', id: quoted } }] } }] }] };
    assert.equal((await fetch(`${server.url}/webhook/whatsapp`, { method: 'POST', body: JSON.stringify(payload) })).status, 200);
  };
  receiver.refuse = (m) => (m.text?.body === 'Which order is it?' ? [200, '{"messages":[{"id":"wamid.q-agent"}]}'] : null);
  try {
    await whatsappUserSends(server, phone, 'wamid.q-1', 'text', null, 'support');
    const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
    await page.locator(`#conversation-list li[data-phone="${phone}"]`).click();
    await page.getByRole('button', { name: 'Claim Chat' }).click();
    await page.locator('#conv-assignee', { hasText: 'Assigned to you' }).waitFor();
    await page.locator('#composer-text').fill('Which order is it?');
    await page.locator('#composer-text').press('Enter');
    const asked = page.locator('.message.admin', { hasText: 'Which order is it?' });
    await asked.locator('.ticks.sent').waitFor();  // WhatsApp took it, and named it

    await quoting('wamid.q-2', 'A-7, the blue one', 'wamid.q-agent');
    const answer = page.locator('.message.user', { hasText: 'A-7, the blue one' });
    await answer.locator('.quote', { hasText: 'You' }).waitFor();
    assert.equal(await answer.locator('.quote').textContent(), 'YouWhich order is it?');
    assert.equal(await page.locator('.message .quote').count(), 1);  // nothing else quotes

    // The agent quotes the user's answer: shown above the composer, sent with it, and gone after.
    await answer.getByRole('button', { name: 'Reply quoting this message' }).click();
    await page.locator('#replying', { hasText: 'Replying to Ines: A-7, the blue one' }).waitFor();
    assert.equal(await page.locator('#composer-text').evaluate((el) => el === document.activeElement), true);
    await page.locator('#composer-text').fill('Found it, it ships today.');
    await page.locator('#composer-text').press('Enter');
    const sent = await receiver.waitFor((m) => m.text?.body === 'Found it, it ships today.');
    assert.deepEqual(sent.context, { message_id: 'wamid.q-2' });
    assert.equal(await page.locator('#replying').isHidden(), true);
    const reply = page.locator('.message.admin', { hasText: 'Found it, it ships today.' });
    await reply.locator('.ticks.sent').waitFor();
    assert.equal(await reply.locator('.quote').textContent(), 'InesA-7, the blue one');
    // A quote shows the message it quotes.
    await reply.locator('.quote').click();
    await page.locator('.message.user.flash', { hasText: 'A-7, the blue one' }).waitFor();

    // A quote taken back before sending; a note quotes nothing, and offers no Reply.
    await answer.getByRole('button', { name: 'Reply quoting this message' }).click();
    await page.getByRole('button', { name: 'Do not quote it' }).click();
    await page.locator('#composer-text').fill('Anything else?');
    await page.locator('#composer-text').press('Enter');
    const plain = await receiver.waitFor((m) => m.text?.body === 'Anything else?');
    assert.equal(plain.context, undefined);
    // A file quotes as a text does.
    await answer.getByRole('button', { name: 'Reply quoting this message' }).click();
    await page.locator('#attach-file').setInputFiles({ name: 'label.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4') });
    await page.locator('#composer-text').press('Enter');
    const file = await receiver.waitFor((m) => m.to === phone && m.type === 'document');  // not an earlier test's
    assert.deepEqual(file.context, { message_id: 'wamid.q-2' });
    await page.locator('.message.admin', { has: page.locator('.attachment') }).locator('.quote', { hasText: 'A-7, the blue one' }).waitFor();
    await page.getByRole('tab', { name: 'Private note' }).click();
    assert.equal(await page.getByRole('button', { name: 'Reply quoting this message' }).count(), 0);
    assert.deepEqual(page.errors, []);
  } finally {
    receiver.refuse = null;
  }
}));

test('a WhatsApp user sees "typing…" while the agent writes a reply, not while they write a note', () => withMemoryServer(['--wa-api-base', receiver.url], async (server) => {
  const phone = '15550961';
  await whatsappUserSends(server, phone, 'wamid.t-1', 'text', null, 'support');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const typingSent = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => {
    const m = JSON.parse(f.payload);
    if (m.type === 'typing' && m.on) typingSent.push(m);
  }));
  await page.reload();  // the socket, opened again where the frames are seen
  await page.locator('#connection.live').waitFor();
  await page.locator(`#conversation-list li[data-phone="${phone}"]`).click();
  await page.getByRole('button', { name: 'Claim Chat' }).click();
  await page.locator('#conv-assignee', { hasText: 'Assigned to you' }).waitFor();

  await page.getByRole('tab', { name: 'Private note' }).click();
  await page.locator('#composer-text').fill('checking the order');
  await page.locator('#composer-text').press('Enter');
  await page.locator('.message.note', { hasText: 'checking the order' }).waitFor();
  assert.deepEqual(typingSent.map((m) => [m.conversation, m.to_user]), [[phone, false]]);

  await page.getByRole('tab', { name: 'Reply' }).click();
  await page.locator('#composer-text').pressSequentially('On it');
  const shown = await receiver.waitFor((m) => m.message_id === 'wamid.t-1' && m.typing_indicator);
  assert.deepEqual(shown, { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.t-1', typing_indicator: { type: 'text' } });
  assert.deepEqual(typingSent.at(-1), { type: 'typing', conversation: phone, on: true, to_user: true });
  assert.deepEqual(page.errors, []);
}));

test('a quote of a message older than the pages loaded is fetched and shown', () => withMemoryServer(['--wa-api-base', receiver.url], async (server) => {
  const phone = '15550952';
  receiver.refuse = (m) => (m.text?.body === 'What is the serial number?' ? [200, '{"messages":[{"id":"wamid.old-q"}]}'] : null);
  try {
    await whatsappUserSends(server, phone, 'wamid.o-0', 'text', null, 'support');
    const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
    const row = page.locator(`#conversation-list li[data-phone="${phone}"]`);
    await row.click();
    await page.getByRole('button', { name: 'Claim Chat' }).click();
    await page.locator('#conv-assignee', { hasText: 'Assigned to you' }).waitFor();
    await page.locator('#composer-text').fill('What is the serial number?');
    await page.locator('#composer-text').press('Enter');
    await page.locator('.message.admin', { hasText: 'What is the serial number?' }).locator('.ticks.sent').waitFor();
    // Sixty messages later (and the bot's sixty acknowledgements), the user answers the question.
    for (let i = 1; i <= 60; i++) await whatsappUserSends(server, phone, `wamid.o-${i}`, 'text', null, `still looking ${i}`);
    const payload = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
      messages: [{ from: phone, id: 'wamid.o-61', timestamp: '1763900000', type: 'text', text: { body: 'SN-4711' },
        context: { from: '15550783881', id: 'wamid.old-q' } }] } }] }] };
    assert.equal((await fetch(`${server.url}/webhook/whatsapp`, { method: 'POST', body: JSON.stringify(payload) })).status, 200);
    // Opened afresh: the newest 50 messages, the question not among them.
    await page.reload();
    await row.click();
    const answer = page.locator('.message.user', { hasText: 'SN-4711' });
    await answer.waitFor();
    assert.equal(await page.locator('.message.admin', { hasText: 'What is the serial number?' }).count(), 0);
    await answer.locator('.quote', { hasText: 'What is the serial number?' }).waitFor();
    assert.equal(await answer.locator('.quote b').textContent(), 'You');
    assert.deepEqual(page.errors, []);
  } finally {
    receiver.refuse = null;
  }
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
  // at each priority, labelled, snoozed, blocked; notes, replies, the bot's.
  for (const [phone, name] of [['15551001', 'Ana'], ['15551002', 'Ben'], ['15551003', 'Cai'], ['15551004', 'Dee']])
    await userSays(server, phone, 'support', name);
  await userSays(server, '15551005', 'hi', 'Eve');
  for (const phone of ['15551002', '15551003', '15551004']) await admin('POST', `/conversations/${phone}/chat-support/start`);
  for (const [phone, priority] of [['15551002', 'urgent'], ['15551003', 'high'], ['15551004', 'medium'], ['15551005', 'low']])
    await admin('PUT', `/conversations/${phone}/priority`, { priority });
  await admin('PUT', '/conversations/15551002/labels', { labels: ['billing'] });
  await admin('POST', '/conversations/15551002/notes', { text: 'Refund approved by @admin' });
  await admin('POST', '/conversations/15551002/chat-support/send', { text: 'Your refund is on its way' });
  await userSays(server, '15551002', 'thanks *a lot*, see `A-77`');
  await admin('PUT', '/conversations/15551003/snooze', { until: 'next_reply' });
  await admin('PUT', '/conversations/15551005/blocked', { blocked: true });

  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, {
    beforeLoad: (p) => p.emulateMedia({ colorScheme: 'light' }),
  });
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
  await page.locator('#conversation-list li[data-phone="15551003"]').click();
  await page.locator('#conv-snoozed').waitFor();
  await page.locator('#conversation-list li[data-phone="15552002"], #conversation-list li[data-phone="15551002"] .badge.draft').first().waitFor();
  await page.locator('#conversation-list li[data-phone="15551002"]').click();
  await page.locator('.message.note', { hasText: 'Refund approved' }).waitFor();

  // Automatic: light on a light system, and everything legible.
  assert.equal(await theme(), 'light');
  assert.equal(await pageBackground(), 'rgb(246, 247, 249)');
  assert.deepEqual(await lowContrast(page), []);
  // The system turns dark: so does the console, at once, and it stays legible.
  await systemTurns('dark');
  assert.equal(await theme(), 'dark');
  assert.equal(await pageBackground(), 'rgb(15, 17, 21)');
  assert.deepEqual(await lowContrast(page), []);
  await page.locator('#macros').click();  // a dialog, and its form, too
  await page.locator('#macros-dialog').waitFor();
  assert.deepEqual(await lowContrast(page), []);
  await page.locator('#macros-dialog').getByRole('button', { name: 'Close' }).click();

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

  await page.locator('#conversation-list li[data-phone="15551101"]').focus();
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

test('an admin writes an automation in its dialog, and it labels a chat by itself when the user writes its words', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  await userSays(server, '15551201', 'support', 'Ann');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const row = page.locator('#conversation-list li[data-phone="15551201"]');
  await row.waitFor();

  await page.locator('#automations').click();
  await page.locator('#automations-empty').waitFor();
  const form = page.locator('#automation-form');
  await form.getByLabel('Name').fill('Refunds');
  assert.equal(await form.getByLabel('Containing any of').isVisible(), true);
  await form.getByLabel('Containing any of').fill('refund,  money back ');
  // No reply to the user among its actions: the bot and their agent write to them.
  assert.equal(await page.getByLabel('Action 1', { exact: true }).locator('option[value="send"]').count(), 0);
  await actionRow(page, 1, 'label', 'billing');
  await actionRow(page, 2, 'priority', 'high');
  await page.getByRole('button', { name: 'Add automation' }).click();
  await page.locator('#automations-status', { hasText: 'Refunds is saved.' }).waitFor();
  const item = page.locator('#automations-list li', { hasText: 'Refunds' });
  assert.equal(await item.locator('.automation-when').textContent(), 'When a user writes “refund” or “money back”');
  assert.equal(await item.locator('.reply-text').textContent(), 'Label billing → Priority high');
  // A chat joining the queue has no words: the field goes; a wrong action is refused by name.
  await form.getByLabel('Name').fill('New chats');
  await form.getByLabel('When').selectOption('chat_queued');
  assert.equal(await form.getByLabel('Containing any of').isVisible(), false);
  await form.getByLabel('From').selectOption('whatsapp');
  await actionRow(page, 1, 'assign', 'nobody');
  await page.getByRole('button', { name: 'Add automation' }).click();
  await page.locator('#automation-form .error', { hasText: 'action 1: no agent named nobody' }).waitFor();
  await page.getByLabel("Action 1's value").fill('lea');
  await page.getByRole('button', { name: 'Add automation' }).click();
  await page.locator('#automations-status', { hasText: 'New chats is saved.' }).waitFor();
  assert.equal(await page.locator('#automations-list li', { hasText: 'New chats' }).locator('.automation-when').textContent(),
    'When a chat joins the queue, on WhatsApp');
  // On a target missed (SLA), which has no words either, but may name one target.
  assert.equal(await form.getByLabel('Which target').isVisible(), false);  // not for a queued chat
  await form.getByLabel('Name').fill('Late');
  await form.getByLabel('When').selectOption('sla_missed');
  assert.equal(await form.getByLabel('Containing any of').isVisible(), false);
  await form.getByLabel('Which target').selectOption('resolution');
  await actionRow(page, 1, 'priority', 'urgent');
  await page.getByRole('button', { name: 'Add automation' }).click();
  await page.locator('#automations-status', { hasText: 'Late is saved.' }).waitFor();
  assert.equal(await page.locator('#automations-list li', { hasText: 'Late' }).locator('.automation-when').textContent(),
    'When a chat misses its resolution target');
  const late = (await admin('GET', '/automations')).automations.find((a) => a.name === 'Late');
  assert.equal(late.event, 'sla_missed');
  assert.equal(late.target, 'resolution');
  await page.locator('#automations-dialog').getByRole('button', { name: 'Close' }).click();

  // The user writes its words: the chat is labelled and marked by itself, in every console.
  await userSays(server, '15551201', 'I need a REFUND');
  await row.locator('.badge.label', { hasText: 'billing' }).waitFor();
  await row.locator('.badge.priority.high').waitFor();
  await row.click();

  // Switched off in the form, then deleted.
  await page.locator('#automations').click();
  await page.getByRole('button', { name: 'Edit Refunds' }).click();
  assert.equal(await form.getByLabel('Containing any of').inputValue(), 'refund, money back');
  await form.getByLabel('On', { exact: true }).uncheck();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#automations-list li', { hasText: 'Refunds' }).locator('.automation-when', { hasText: '· off' }).waitFor();
  assert.equal((await admin('GET', '/automations')).automations.find((a) => a.name === 'Refunds').enabled, false);
  await page.getByRole('button', { name: 'Delete Refunds' }).click();
  await page.locator('#automations-status', { hasText: 'Refunds is deleted.' }).waitFor();
  await page.locator('#automations-dialog').getByRole('button', { name: 'Close' }).click();

  // Lea reads them; only admins write them.
  const lea = await consolePage(browser.browser, server, 'lea', 'lea-secret-1');
  await lea.locator('#automations').click();
  await lea.locator('#automations-list li', { hasText: 'New chats' }).waitFor();
  assert.equal(await lea.locator('#automation-form').isVisible(), false);
  assert.deepEqual([...page.errors, ...lea.errors], []);
}));
