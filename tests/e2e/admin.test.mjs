// The console in real headless chromium against the real server: what admins run: agents, API tokens,
// reports, saved replies, teams, the audit log, macros and automations.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import {
  ADMIN_PASSWORD, apiAs, browser, consolePage, holdNextAnswer, newUserShows, openSetting, receiver,
  shareBrowserAndReceiver, userSays, withMemoryServer,
} from './harness.mjs';

shareBrowserAndReceiver();

// A macro's or an automation's editor, its row `n` (a new one after the
// first): its action, and its value.
async function actionRow(page, n, type, value) {
  if (n > 1) await page.getByRole('button', { name: '+ Action' }).click();
  await page.getByLabel(`Action ${n}`, { exact: true }).selectOption(type);
  if (type === 'priority') await page.getByLabel(`Action ${n}'s priority`).selectOption(value);
  else if (type === 'team') await page.getByLabel(`Action ${n}'s team`).selectOption(value);
  else if (value !== undefined) await page.getByLabel(`Action ${n}'s value`).fill(value);
}

test('an admin runs the team from the console, and an agent their own account', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const carolOnServer = async () => (await admin('GET', '/agents')).agents.find((a) => a.username === 'carol');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await openSetting(page, 'Team');
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

  // Her own name in the top bar opens her own account, in the Team dialog.
  await carol.getByRole('button', { name: 'Carol Danvers (agent)' }).click();
  await carol.locator('#team-dialog[open]').waitFor();
  assert.equal(await carol.evaluate(() => document.activeElement.closest('form')?.id), 'name-form');
  await carol.keyboard.press('Escape');
  await carol.locator('#team-dialog[open]').waitFor({ state: 'detached' });

  // An agent's Team: nobody to add, no roles or passwords of others to set.
  await openSetting(carol, 'Team');
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
  // No channel is set up for campaigns here (no --outbound-url, no templates): no 📣.
  assert.equal(await page.getByRole('button', { name: 'Campaigns' }).isVisible(), false);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(carol.errors, []);
}));

// A colleague who logs in, and is set away, as the Team dialog opens: the
// agents read before and answered after those events show them as the
// events said.
test('a colleague who logs in while the Team dialog reads the agents shows online, and away as set', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'carol', password: 'carol-secret-1', display_name: 'Carol' });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const held = await holdNextAnswer(page, /\/agents$/);
  await openSetting(page, 'Team');
  await held.read;  // Carol offline and available
  const carol = await consolePage(browser.browser, server, 'carol', 'carol-secret-1');
  await admin('PATCH', '/agents/carol', { available: false });
  await newUserShows(page, server, '15550991', 'Bo');  // the console has had both events
  await held.handOver();
  const row = page.locator('#team-dialog tr[data-username="carol"]');
  await row.waitFor();
  assert.equal(await row.locator('.presence').textContent(), '● Online');
  assert.equal(await page.getByLabel('Carol available').isChecked(), false);
  // And what comes after it, as ever.
  await carol.close();
  await row.locator('.presence', { hasText: '○ Offline' }).waitFor();
  assert.deepEqual(page.errors, []);
}));

// A colleague who logs in, and is set away, while an admin types in the
// Team dialog: their row shows it in place, and what is being typed in the
// rows (another's new password, a capacity not yet left) stays.
test('presence shows in its row and leaves what an admin is typing in the Team dialog', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'carol', password: 'carol-secret-1', display_name: 'Carol' });
  await admin('POST', '/agents', { username: 'dave', password: 'dave-secret-1', display_name: 'Dave' });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await openSetting(page, 'Team');
  const team = page.locator('#team-dialog');
  await team.locator('tr[data-username="dave"] summary', { hasText: 'Set password' }).click();
  await team.getByLabel('New password for Dave').fill('dave-secret-2');
  await team.getByLabel('Most chats for Carol').fill('7');
  const theirs = await consolePage(browser.browser, server, 'carol', 'carol-secret-1');
  const carol = team.locator('tr[data-username="carol"]');
  await carol.locator('.presence', { hasText: '● Online' }).waitFor();
  await admin('PATCH', '/agents/carol', { available: false });
  await page.waitForFunction(() => document.querySelector('#team-rows input[aria-label="Carol available"]')?.checked === false);
  assert.equal(await team.locator('tr[data-username="dave"] details').evaluate((d) => d.open), true);
  assert.equal(await team.getByLabel('New password for Dave').inputValue(), 'dave-secret-2');
  assert.equal(await team.getByLabel('Most chats for Carol').inputValue(), '7');
  // An agent's Team says another's availability in words, in place too.
  await openSetting(theirs, 'Team');
  const dave = theirs.locator('#team-dialog tr[data-username="dave"]');
  await dave.locator('td.available', { hasText: 'yes' }).waitFor();
  await admin('PATCH', '/agents/dave', { available: false });
  await dave.locator('td.available', { hasText: 'away' }).waitFor();
  assert.deepEqual([...page.errors, ...theirs.errors], []);
}));

test('an agent makes an API token, sees it once, and revokes it', () => withMemoryServer([], async (server) => {
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const asToken = (token) => fetch(`${server.url}/me`, { headers: { Authorization: `Bearer ${token}` } });
  await openSetting(page, 'Team');
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
  await openSetting(page, 'Team');
  await team.locator('#token-list li', { hasText: 'CRM sync' }).waitFor();
  assert.equal(await team.locator('#token-made').isVisible(), false);
  assert.equal(await team.locator('#token-value').inputValue(), '');

  await team.getByRole('button', { name: 'Revoke CRM sync' }).click();
  await team.locator('#team-status', { hasText: 'CRM sync is revoked' }).waitFor();
  await team.locator('#token-list li').waitFor({ state: 'detached' });
  assert.equal((await asToken(token)).status, 401);
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
    await admin('PUT', `/conversations/${phone}/labels`, { labels: agent === admin ? ['refund', 'vip'] : ['vip'] });
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
  assert.equal(await page.locator('#reports-overall .figure', { hasText: 'CSAT' }).locator('.muted').textContent(), '2 ratings · 100% of 2 asked');
  assert.equal(await page.locator('#reports-csat-scores li[data-score="5"]').getAttribute('aria-label'), '5 of 5: 1');
  assert.equal(await page.locator('#reports-csat-scores li[data-score="3"]').getAttribute('aria-label'), '3 of 5: 0');
  // Each rating, newest first; its name opens the chat.
  await page.locator('#reports-csat-responses li').nth(1).waitFor();
  assert.deepEqual(await page.locator('#reports-csat-responses li .link').allTextContents(), ['+15550402', '+15550401']);
  assert.match(await page.locator('#reports-csat-responses li').first().textContent(), /^★★☆☆☆\+15550402for carol · /);
  // One score's, one agent's.
  const rated = () => page.locator('#reports-csat-responses li .link').allTextContents();
  await page.getByLabel('Ratings of a score').selectOption('5');
  await page.waitForFunction(() => document.querySelectorAll('#reports-csat-responses li').length === 1);
  assert.deepEqual(await rated(), ['+15550401']);
  await page.getByLabel('Ratings of a score').selectOption('');
  assert.deepEqual(await page.locator('#reports-csat-agent option').allTextContents(), ['Any agent', 'admin', 'carol']);
  await page.getByLabel("Ratings of an agent's chats").selectOption('carol');
  await page.locator('#reports-csat-responses li').first().filter({ hasText: 'for carol' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('#reports-csat-responses li').length === 1);
  assert.deepEqual(await rated(), ['+15550402']);
  await page.getByLabel("Ratings of an agent's chats").selectOption('');
  assert.match(await page.locator('#reports-agents tr[data-agent="admin"]').textContent(), /^admin115\.00 \/ 5/);
  assert.match(await page.locator('#reports-agents tr[data-agent="carol"]').textContent(), /^carol112\.00 \/ 5/);
  // By team: the chats filed under one, only.
  assert.equal(await page.locator('#reports-by-team').isVisible(), true);
  assert.equal(await page.locator('#reports-teams tr').count(), 1);
  assert.match(await page.locator('#reports-teams tr[data-team="billing"]').textContent(), /^billing115\.00 \/ 5/);
  // By label: a chat under two counts in both. Each table is headed by what names its rows.
  assert.equal(await page.locator('#reports-by-label').isVisible(), true);
  const heads = await page.locator('#reports-dialog table:not(.traffic, .now-agents) thead').evaluateAll((all) => all.map((t) => t.innerText.split('\t')[0]));
  assert.deepEqual(heads, ['Agent', 'Team', 'Label', 'Channel']);
  assert.equal(await page.locator('#reports-by-label thead th').last().textContent(), 'Resolved on time');
  assert.equal(await page.locator('#reports-labels tr').count(), 2);
  assert.match(await page.locator('#reports-labels tr[data-label="refund"]').textContent(), /^refund115\.00 \/ 5/);
  assert.match(await page.locator('#reports-labels tr[data-label="vip"]').textContent(), /^vip223\.50 \/ 5/);
  // By channel: both came through the webhook.
  assert.equal(await page.locator('#reports-by-channel').isVisible(), true);
  assert.equal(await page.locator('#reports-channels tr').count(), 1);
  assert.match(await page.locator('#reports-channels tr[data-channel="plain"]').textContent(), /^Webhook223\.50 \/ 5/);
  assert.notEqual(await figure('Resolution'), '—');
  // Each day of the period in the agent's own zone (Kolkata here), today last with both chats.
  const today = await page.evaluate(() => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Kolkata' }).format(new Date()));
  const lastDay = page.locator('#reports-days li').last();
  assert.equal(await lastDay.getAttribute('data-date'), today);
  assert.match(await lastDay.getAttribute('aria-label'), /: 2 opened, 2 closed$/);
  assert.ok(await page.locator('#reports-days li').count() >= 7);
  // The heatmap: each chat in the weekday's row and the hour (Kolkata's) it opened, and nowhere else.
  const cells = new Map();
  for (const phone of ['15550401', '15550402']) {
    const { chats } = await admin('GET', `/conversations/${phone}/chats`);
    const at = new Date(chats[0].opened_at);
    const weekday = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Kolkata', weekday: 'long' }).format(at);
    const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Kolkata', hour: 'numeric', hourCycle: 'h23' }).format(at));
    cells.set(`${weekday} ${hour}`, (cells.get(`${weekday} ${hour}`) ?? 0) + 1);
  }
  assert.equal(await page.locator('#reports-traffic tbody tr').count(), 7);
  assert.equal(await page.locator('#reports-traffic tbody td').count(), 7 * 24);
  const busy = await page.locator('#reports-traffic td:not([data-count="0"])').evaluateAll((tds) =>
    tds.map((td) => `${td.parentElement.dataset.weekday} ${td.dataset.hour}: ${td.dataset.count}`));
  assert.deepEqual(busy, [...cells].map(([cell, n]) => `${cell}: ${n}`));
  assert.match(await page.locator('#reports-traffic td:not([data-count="0"])').first().getAttribute('aria-label'),
    /^[A-Z][a-z]+day \d\d:00–\d\d:00: [12] chats? opened$/);

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
  const byHour = await (await page.request.get(server.url + await page.locator('#report-hours-csv').getAttribute('href'))).text();
  assert.ok(byHour.startsWith('date,chats_opened,chats_closed,opened_00,') && byHour.includes('\r\n' + today + ',2,2,'), byHour);

  // The period's messages, as the admin's session downloads them.
  const csv = await page.request.get(server.url + await page.locator('#export-csv').getAttribute('href'));
  assert.equal(csv.status(), 200);
  const text = await csv.text();
  assert.ok(text.includes('hi from 15550401') && text.includes('hi from 15550402'), text);

  // A rating's row opens its chat.
  await page.locator('#reports-period').selectOption('7');
  await page.locator('#reports-csat-responses li .link', { hasText: '+15550401' }).click();
  await page.locator('#reports-dialog').waitFor({ state: 'hidden' });
  await page.locator('#conv-phone', { hasText: '+15550401' }).waitFor();

  // An agent sees the figures, without the download (admins only).
  const agentPage = await consolePage(browser.browser, server, 'carol', 'carol-secret-1');
  await agentPage.getByRole('button', { name: 'Reports' }).click();
  await agentPage.locator('#reports-agents tr[data-agent="carol"]').waitFor();
  assert.equal(await agentPage.locator('#reports-export').isVisible(), false);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(agentPage.errors, []);
}));

// Ten ratings a page, the newest first; Older brings the ten before them.
test('reports show what is happening now, and keep it up to date while open: the queue, the live chats, the waits and each agent', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea Roth' });
  await admin('POST', '/agents', { username: 'bob', password: 'bob-secret-1' });
  await admin('POST', '/agents', { username: 'gone', password: 'gone-secret-1' });
  await admin('PATCH', '/agents/lea', { max_chats: 3 });
  await admin('PATCH', '/agents/gone', { active: false });
  const lea = await apiAs(server, 'lea', 'lea-secret-1');
  for (const phone of ['15551901', '15551902', '15551903', '15551904']) await userSays(server, phone, 'support');
  await admin('POST', '/conversations/15551901/chat-support/start');
  await lea('POST', '/conversations/15551902/chat-support/start');
  await lea('PUT', '/conversations/15551902/snooze', { until: 'next_reply' });
  await lea('POST', '/conversations/15551904/chat-support/start');
  await admin('POST', '/conversations/15551901/chat-support/send', { text: 'Hello, how can I help?' });
  const leaPage = await consolePage(browser.browser, server, 'lea', 'lea-secret-1');
  await admin('PATCH', '/agents/lea', { available: false });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Reports' }).click();

  const figure = (name) => page.locator(`#reports-now-figures [data-figure="${name}"]`);
  // Within a second of what changed it: within 10 s, on a busy machine, and well before its half-minute read.
  const shows = async (name, value, note) => {
    await figure(name).locator('.value', { hasText: new RegExp(`^${value}$`) }).waitFor({ timeout: 10000 });
    if (note) assert.match(await figure(name).locator('.muted').textContent(), note, name);
  };
  // One in the queue; two live chats and one snoozed; the queued one and Lea's unanswered one wait for an answer
  // (the snoozed one is put aside, the admin's answered).
  await shows('In the queue', 1, /^the longest for \d+[sm]$/);
  await shows('Live chats', 2, /^and 1 snoozed$/);
  await shows('Waiting for an answer', 2, /^the longest for \d+[sm]$/);
  await shows('Agents online', 2, /^1 available · 3 in all$/);
  // Each active agent: online and available first, then away (Lea, with more chats), then offline; their live
  // chats (the snoozed one too: still hers) of their most.
  const rows = () => page.locator('#reports-now-agents tr').evaluateAll((trs) => trs.map((tr) =>
    [...tr.children].map((c) => c.textContent).join(' | ')));
  assert.deepEqual(await rows(), [
    'Administrator (admin) | ● Online | 1 of 5',
    'Lea Roth (lea) | ● Away | 2 of 3',
    'bob | ○ Offline | 0 of 5',
  ]);

  // While it is open, it follows what happens: a user asks for support, one is claimed, Lea leaves.
  await userSays(server, '15551905', 'support');
  await shows('In the queue', 2);
  await shows('Waiting for an answer', 3);
  await admin('POST', '/conversations/15551903/chat-support/start');
  await shows('Live chats', 3);
  await shows('In the queue', 1);
  await page.locator('#reports-now-agents tr[data-agent="admin"]', { hasText: '2 of 5' }).waitFor({ timeout: 10000 });
  await leaPage.close();
  await page.locator('#reports-now-agents tr[data-agent="lea"]', { hasText: '○ Offline' }).waitFor({ timeout: 10000 });
  await shows('Agents online', 1, /^1 available · 3 in all$/);

  // The queue, and an agent's chats, open in the list (the dialog closes; other filters go).
  const listed = async (phones, gone) => {
    for (const phone of phones) await page.locator(`#conversation-list li[data-phone="${phone}"]`).waitFor();
    for (const phone of gone) await page.locator(`#conversation-list li[data-phone="${phone}"]`).waitFor({ state: 'detached' });
    assert.deepEqual(await page.locator('#conversation-list li').evaluateAll((rows) => rows.map((r) => r.dataset.phone).sort()), phones);
  };
  await page.locator('#priority-filter').selectOption('high');  // left on: showing the queue takes it off
  await figure('In the queue').getByRole('button', { name: 'In the queue: 1, in the list' }).click();
  await page.locator('#reports-dialog[open]').waitFor({ state: 'detached' });
  assert.equal(await page.locator('.tabs [aria-selected="true"]').getAttribute('data-filter'), 'queued');
  assert.equal(await page.locator('#priority-filter').inputValue(), '');
  await listed(['15551905'], ['15551901', '15551904']);
  await page.getByRole('button', { name: 'Reports' }).click();
  await page.locator('#reports-now-agents').getByRole('button', { name: 'Lea Roth (lea): 2 of 3 live chats, in the list' }).click();
  assert.equal(await page.locator('.tabs [aria-selected="true"]').getAttribute('data-filter'), 'all');
  assert.equal(await page.locator('#assignee-filter').inputValue(), 'lea');
  await listed(['15551902', '15551904'], ['15551901', '15551905']);
  assert.deepEqual(page.errors, []);
}));

// Right now reads again at each change: a read answered after a later one's
// does not put back the figures it held.
test('a Right now read answered after a later one leaves the later one\'s figures', () => withMemoryServer([], async (server) => {
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const held = await holdNextAnswer(page, /\/queue\?limit=1$/);
  await page.getByRole('button', { name: 'Reports' }).click();
  await held.read;  // the queue as the dialog opened: empty
  await userSays(server, '15551951', 'support');
  const queued = page.locator('#reports-now-figures [data-figure="In the queue"] .value');
  await queued.filter({ hasText: /^1$/ }).waitFor({ timeout: 10000 });  // the later read, a second after the event
  await held.handOver();
  // A conversation drawn after the answer says the console has had it.
  await newUserShows(page, server, '15551952', 'Cy');
  assert.equal(await queued.textContent(), '1');
  assert.deepEqual(page.errors, []);
}));

test('the reports list the ratings ten at a time, newest first', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  for (let i = 0; i < 11; i += 1) {
    const phone = `155504${String(50 + i)}`;
    await userSays(server, phone, 'support');
    await admin('POST', `/conversations/${phone}/chat-support/start`);
    await admin('POST', `/conversations/${phone}/chat-support/end`, {});
    await userSays(server, phone, String(1 + (i % 5)));
  }
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Reports' }).click();
  const rows = page.locator('#reports-csat-responses li');
  await rows.nth(9).waitFor();
  assert.equal(await rows.count(), 10);
  assert.equal(await rows.first().getAttribute('data-ticket') !== null, true);
  assert.equal(await rows.locator('.link').first().textContent(), '+15550460');
  await page.getByRole('button', { name: 'Older ratings' }).click();
  await rows.nth(10).waitFor();
  assert.equal(await rows.locator('.link').last().textContent(), '+15550450');
  assert.equal(await page.getByRole('button', { name: 'Older ratings' }).isVisible(), false);
  assert.deepEqual(page.errors, []);
}));

test('saved replies: an admin writes them, an agent inserts one with / and the keyboard', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'dana', password: 'dana-secret-1', display_name: 'Dana' });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await openSetting(page, 'Saved replies');
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
  await openSetting(dana, 'Saved replies');
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
  await openSetting(page, 'Teams');
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
  await openSetting(page, 'Macros');
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
  await openSetting(max, 'Teams');
  await max.locator('#teams-dialog li[data-team="billing"]', { hasText: 'Refunds and invoices' }).waitFor();
  assert.equal(await max.locator('#teams-form').isHidden(), true);
  assert.equal(await max.locator('#teams-dialog').getByRole('button', { name: 'Delete billing' }).count(), 0);

  // Deleted: its chats are under none in every console, and the pickers go.
  await openSetting(page, 'Teams');
  await dialog.getByRole('button', { name: 'Delete billing' }).click();
  await dialog.locator('#teams-status', { hasText: 'billing is deleted' }).waitFor();
  await max.locator('#teams-dialog li[data-team="billing"]').waitFor({ state: 'detached' });  // an open dialog follows
  await max.waitForFunction(() => document.querySelectorAll('#conversation-list .badge.team').length === 0);
  await page.waitForFunction(() => document.getElementById('conv-team').hidden);
  await max.waitForFunction(() => document.getElementById('team-filter').hidden);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(max.errors, []);
}));

test('the audit log says in words what was done to a label', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('PUT', '/labels/vip', { description: 'Pays for priority', color: '#aa3377' });
  await admin('PUT', '/labels/vip', { color: '#3377aa' });
  await admin('DELETE', '/labels/vip');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await openSetting(page, 'Audit log');
  await page.locator('#audit-rows tr').first().waitFor();
  const said = await page.locator('#audit-rows tr').evaluateAll((rows) => rows.map((r) => r.cells[2].textContent));
  assert.deepEqual(said.slice(1, 4), ['deleted label vip', 'changed label vip', 'added label vip']);
  await page.context().close();
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
  await max.locator('#settings-menu > summary').click();
  await max.locator('#sla').waitFor();  // the menu is open: what is hidden in it is hidden for max
  assert.equal(await max.locator('#audit').isHidden(), true);

  await openSetting(page, 'Audit log');
  const rows = page.locator('#audit-rows tr');
  await rows.first().waitFor();
  // Newest first: max's login and the admin's own, then the team.
  assert.equal(await rows.count(), 50);
  const what = async (n) => (await rows.nth(n).locator('td').allTextContents()).slice(1).join(' | ');
  assert.deepEqual([await what(0), await what(1), await what(2)], [
    'admin | logged in | address: 127.0.0.1', 'max | logged in | address: 127.0.0.1', 'admin | added team billing | description: — · members: max']);
  assert.match(await what(3), /^admin \| changed the SLA targets \| first_reply_minutes: 50 · /);
  // When: as a chat's days say it (Today; Yesterday past a midnight), the whole date in its title.
  const when = rows.first().locator('td').first();
  assert.match(await when.textContent(), /^(Today|Yesterday), \d{1,2}:\d{2}/);
  const at = Date.parse(await when.locator('time').getAttribute('datetime'));
  assert.ok(Math.abs(at - Date.now()) < 10 * 60000, `${at}`);
  assert.match(await when.getAttribute('title'), new RegExp(`${new Date(at).getFullYear()}`));
  // Older: the rest, down to the first login.
  await page.getByRole('button', { name: 'Older' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#audit-rows tr').length === 57);
  assert.equal(await page.locator('#audit-older').isHidden(), true);
  assert.deepEqual(await Promise.all([53, 54, 55, 56].map(what)), [
    'admin | changed agent max | role: agent', 'admin | changed agent max | role: admin · max_chats: 3',
    'admin | added agent max | role: agent · display_name: Max', 'admin | logged in | address: 127.0.0.1']);
  // All of it as CSV, newest first, for a spreadsheet.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#audit-csv').click()]);
  assert.equal(download.suggestedFilename(), 'audit-log.csv');
  const lines = (await readFile(await download.path(), 'utf8')).trimEnd().split('\r\n');
  assert.equal(lines.length, 58);
  assert.equal(lines[0], 'id,at,actor,action,target,details');
  assert.match(lines[57], /^1,.*,admin,session.login,,"{""address"":""127.0.0.1""}"$/);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(max.errors, []);
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
  await openSetting(page, 'Macros');
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
  // Picked again (those done are let go), and followed by the agent who picked them.
  await row('15550962').click();
  await row('15550963').click();
  await page.getByRole('button', { name: 'Follow', exact: true }).click();
  await page.locator('#bulk-status', { hasText: 'Followed: 2 of 2 conversations.' }).waitFor();
  for (const phone of ['15550962', '15550963'])
    assert.deepEqual((await admin('GET', `/conversations/${phone}`)).participants, ['admin'], phone);
  // And muted (a wave of spam, say).
  await row('15550962').click();
  await row('15550963').click();
  await page.getByRole('button', { name: 'Mute', exact: true }).click();
  await page.locator('#bulk-status', { hasText: 'Muted: 2 of 2 conversations.' }).waitFor();
  for (const phone of ['15550962', '15550963']) {
    assert.equal((await admin('GET', `/conversations/${phone}`)).muted, true, phone);
    await row(phone).locator('.badge.muted').waitFor();
  }

  // Changed and deleted in the dialog.
  await openSetting(page, 'Macros');
  await page.getByRole('button', { name: 'Edit Billing escalation' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Billing');
  await page.getByRole('button', { name: 'Remove action 3' }).click();
  await action(4, 'snooze-reply');  // the rows are numbered again: the new one is the fourth
  await action(5, 'follow', 'lea');
  await action(6, 'unfollow', '');  // whoever runs it
  await action(7, 'mute');
  await action(8, 'unmute');
  await action(9, 'transcript', '');  // to the user's email detail
  assert.equal(await page.getByLabel("Action 9's value").getAttribute('placeholder'), "address (blank: the user's email detail)");
  await action(10, 'transcript', 'lead@example.com');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#macros-status', { hasText: 'Billing is saved.' }).waitFor();
  assert.equal(await page.locator('#macros-list li .reply-text').textContent(),
    'Label billing → Priority high → Assign to lea → Snooze until the user replies → lea follows → Unfollow (whoever runs it) → Mute → Unmute'
    + " → Transcript to the user's email → Transcript to lead@example.com");
  const [kept] = (await admin('GET', '/macros')).macros;
  assert.deepEqual(kept.actions.map((a) => a.action),
    ['label', 'priority', 'assign', 'snooze', 'follow', 'unfollow', 'mute', 'unmute', 'transcript', 'transcript']);
  assert.equal(kept.actions[3].until, 'next_reply');
  assert.deepEqual(kept.actions.slice(4), [{ action: 'follow', username: 'lea' }, { action: 'unfollow' }, { action: 'mute' }, { action: 'unmute' },
    { action: 'transcript' }, { action: 'transcript', to: 'lead@example.com' }]);
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
  await openSetting(lea, 'Macros');
  await lea.locator('#macros-list li', { hasText: 'Billing' }).waitFor();
  assert.equal(await lea.locator('#macro-form').isVisible(), false);
  assert.equal(await lea.locator('#macros-list').getByRole('button', { name: 'Delete Billing' }).count(), 0);
}));

test('an admin writes an automation in its dialog, and it labels a chat by itself when the user writes its words', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  await userSays(server, '15551201', 'support', 'Ann');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const row = page.locator('#conversation-list li[data-phone="15551201"]');
  await row.waitFor();

  await openSetting(page, 'Automations');
  await page.locator('#automations-empty').waitFor();
  const form = page.locator('#automation-form');
  await form.getByLabel('Name').fill('Refunds');
  assert.equal(await form.getByLabel('Containing any of').isVisible(), true);
  await form.getByLabel('Containing any of').fill('refund,  money back ');
  // No reply or transcript to the user among its actions: the bot and their agent write to them.
  assert.equal(await page.getByLabel('Action 1', { exact: true }).locator('option[value="send"]').count(), 0);
  assert.equal(await page.getByLabel('Action 1', { exact: true }).locator('option[value="transcript"]').count(), 0);
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
  // For one team's chats: offered once there is a team.
  const team = form.locator('select[name="team"]');
  assert.equal(await team.isVisible(), false);
  await admin('PUT', '/teams/billing', { members: ['lea'] });
  await team.waitFor();
  await team.selectOption('billing');
  // Of one priority, with a label, while nobody has the chat.
  await form.locator('select[name="priority"]').selectOption('urgent');
  await form.getByLabel('With the label').fill(' VIP ');
  await form.locator('select[name="assigned"]').selectOption('false');
  // Whose detail is a value: the custom attributes offered; a detail without its value refused in words.
  await admin('PUT', '/custom-attributes/plan', { display_name: 'Plan', type: 'list', values: ['Gold', 'Silver'] });
  await page.waitForFunction(() => [...document.querySelectorAll('#catalog-attributes option')].map((o) => o.value).join() === 'plan');
  await form.getByLabel('Whose detail').fill('plan');
  await page.getByRole('button', { name: 'Add automation' }).click();
  await page.locator('#automation-form .error', { hasText: 'attribute must be' }).waitFor();
  await form.getByLabel('Is', { exact: true }).fill('Gold');
  await page.getByRole('button', { name: 'Add automation' }).click();
  await page.locator('#automations-status', { hasText: 'Late is saved.' }).waitFor();
  assert.equal(await page.locator('#automations-list li', { hasText: 'Late' }).locator('.automation-when').textContent(),
    "When a chat misses its resolution target, for billing's chats, marked urgent, labelled vip, whose plan is Gold, while nobody has it");
  const late = (await admin('GET', '/automations')).automations.find((a) => a.name === 'Late');
  assert.equal(late.event, 'sla_missed');
  assert.equal(late.target, 'resolution');
  assert.equal(late.team, 'billing');
  assert.equal(late.priority, 'urgent');
  assert.equal(late.label, 'vip');
  assert.equal(late.assigned, false);
  assert.deepEqual(late.attribute, { key: 'plan', value: 'Gold' });
  assert.equal(await form.getByLabel('Whose detail').inputValue(), '');  // the form blank again, for the next
  // Its form shows them again; "no priority" is a priority of its own.
  await page.getByRole('button', { name: 'Edit Late' }).click();
  assert.equal(await form.locator('select[name="priority"]').inputValue(), 'urgent');
  assert.deepEqual([await form.getByLabel('Whose detail').inputValue(), await form.getByLabel('Is', { exact: true }).inputValue()], ['plan', 'Gold']);
  await form.getByLabel('Whose detail').fill('');
  await form.getByLabel('Is', { exact: true }).fill('');
  assert.equal(await form.getByLabel('With the label').inputValue(), 'vip');
  assert.equal(await form.locator('select[name="assigned"]').inputValue(), 'false');
  await form.locator('select[name="priority"]').selectOption('none');
  await form.locator('select[name="assigned"]').selectOption('');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#automations-list li', { hasText: 'Late' })
    .locator('.automation-when', { hasText: "for billing's chats, of no priority, labelled vip" }).waitFor();
  const edited = (await admin('GET', '/automations')).automations.find((a) => a.name === 'Late');
  assert.equal(edited.priority, 'none');
  assert.equal(edited.assigned, null);
  assert.equal(edited.attribute, null);
  await page.locator('#automations-dialog').getByRole('button', { name: 'Close' }).click();

  // The user writes its words: the chat is labelled and marked by itself, in every console.
  await userSays(server, '15551201', 'I need a REFUND');
  await row.locator('.badge.label', { hasText: 'billing' }).waitFor();
  await row.locator('.badge.priority.high').waitFor();
  await row.click();

  // Switched off in the form, then deleted.
  await openSetting(page, 'Automations');
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
  await openSetting(lea, 'Automations');
  await lea.locator('#automations-list li', { hasText: 'New chats' }).waitFor();
  assert.equal(await lea.locator('#automation-form').isVisible(), false);
  assert.deepEqual([...page.errors, ...lea.errors], []);
}));

// Where the server e-mails agents who are away, each agent gives their
// address in the Team dialog; a link in such a mail opens its conversation.
test('an agent gives the address their notifications are e-mailed to, and a link from one opens its conversation', () => withMemoryServer(['--smtp-url', 'smtp://127.0.0.1:9', '--smtp-from', 'support@example.com'], async (server) => {
  await userSays(server, '15551701', 'hi', 'Noor');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  // Without an address, the inbox offers no choices by mail.
  await page.locator('#inbox').click();
  await page.getByText('Which notifications you get').click();
  assert.equal(await page.locator('#inbox-kinds').isVisible(), true);
  assert.equal(await page.locator('#inbox-mail-kinds').isVisible(), false);
  await page.keyboard.press('Escape');
  await openSetting(page, 'Team');
  const team = page.locator('#team-dialog');
  const form = team.locator('#email-form');
  // A password link would go to the address: a new one asks for the password.
  await form.getByLabel('E-mail').fill('ada@example');
  await form.getByRole('button', { name: 'Save e-mail' }).click();
  await form.locator('.error', { hasText: 'Type your current password to change your e-mail address.' }).waitFor();
  await form.getByLabel('Current password').fill(ADMIN_PASSWORD);
  await form.getByRole('button', { name: 'Save e-mail' }).click();
  await form.locator('.error', { hasText: 'email must be an address such as name@example.com' }).waitFor();
  await form.getByLabel('E-mail').fill(' ada@example.com ');
  await form.getByLabel('Current password').fill('not-the-password');
  await form.getByRole('button', { name: 'Save e-mail' }).click();
  await form.locator('.error', { hasText: 'current_password is not your password' }).waitFor();
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  assert.equal((await admin('GET', '/me')).agent.email, '');
  await form.getByLabel('Current password').fill(ADMIN_PASSWORD);
  await form.getByRole('button', { name: 'Save e-mail' }).click();
  await team.locator('#team-status', { hasText: 'Your notifications go to ada@example.com while you are away.' }).waitFor();
  assert.equal(await form.getByLabel('Current password').inputValue(), '');  // not kept in the page
  assert.equal((await admin('GET', '/me')).agent.email, 'ada@example.com');
  await team.getByRole('button', { name: 'Close' }).click();
  await openSetting(page, 'Team');
  assert.equal(await form.getByLabel('E-mail').inputValue(), 'ada@example.com');  // as the server keeps it
  await team.getByRole('button', { name: 'Close' }).click();

  // An admin sets another agent's address in that agent's row.
  await admin('POST', '/agents', { username: 'carl', password: 'carl-secret-1', display_name: 'Carl' });
  await openSetting(page, 'Team');
  const carl = team.locator('tr[data-username="carl"]');
  await carl.getByText('E-mail', { exact: true }).click();
  await carl.getByLabel('E-mail of Carl').fill('carl@example.com');
  await carl.getByRole('button', { name: 'Set' }).last().click();
  await team.locator('#team-status', { hasText: "Carl's notifications go to carl@example.com while they are away." }).waitFor();
  assert.equal((await admin('GET', '/agents')).agents.find((a) => a.username === 'carl').email, 'carl@example.com');
  await team.getByRole('button', { name: 'Close' }).click();

  // With one, each kind can be kept off the mail alone.
  await page.locator('#inbox').click();
  const byMail = page.locator('#inbox-mail-kinds');
  await byMail.waitFor();
  assert.equal(await byMail.getByLabel('Notes that mention you').isChecked(), true);
  const answered = page.waitForResponse((r) => r.url().endsWith('/notifications/preferences') && r.request().method() === 'PATCH');
  await byMail.getByLabel('Notes that mention you').uncheck();
  assert.equal((await answered).status(), 200);
  const { preferences } = await admin('GET', '/notifications/preferences');
  assert.equal(preferences.email_mention, false);
  assert.equal(preferences.mention, true);  // the inbox still gets them
  await page.keyboard.press('Escape');

  // The mail's link: the conversation opens, and the address bar names it.
  await admin('PUT', '/conversations/15551701/attributes', { attributes: { email: 'noor@example.com' } });
  await page.goto(`${server.url}/#conversation=15551701`);
  await page.locator('#conv-name', { hasText: 'Noor' }).waitFor();
  assert.equal(new URL(page.url()).hash, '#conversation=15551701');

  // The transcript goes to the user's e-mail, the one among their details unless another is typed.
  await page.locator('summary', { hasText: 'Transcript' }).click();
  const mail = page.locator('#mail-transcript');
  assert.equal(await mail.getByLabel('E-mail it to the user').inputValue(), 'noor@example.com');
  await mail.getByLabel('E-mail it to the user').fill('noor@');
  await mail.getByRole('button', { name: 'Send' }).click();
  await mail.locator('.status.error', { hasText: 'an address such as name@example.com' }).waitFor();
  await mail.getByLabel('E-mail it to the user').fill('noor@example.com');
  await mail.getByRole('button', { name: 'Send' }).click();
  await mail.locator('.status', { hasText: 'Sent to noor@example.com: 2 messages.' }).waitFor();  // hi, and the menu
  const [entry] = (await admin('GET', '/audit-log')).entries;
  assert.equal(entry.action, 'transcript.emailed');
  assert.equal(entry.details.to, 'noor@example.com');
  // Followed from a mail with the console closed: it loads, and opens it.
  await page.goto('about:blank');
  await page.goto(`${server.url}/#conversation=15551701`);
  await page.locator('#conv-name', { hasText: 'Noor' }).waitFor();
  assert.deepEqual(page.errors, []);
}));
