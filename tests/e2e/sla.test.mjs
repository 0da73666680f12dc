// The console in real headless chromium against the real server: reply-time targets and business
// hours.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ADMIN_PASSWORD, apiAs, browser, chimes, chimesReach, consolePage, openSetting, shareBrowserAndReceiver,
  userSays, withMemoryServer,
} from './harness.mjs';

shareBrowserAndReceiver();

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

  await openSetting(page, 'SLA');
  await page.getByLabel('First reply in a chat within (minutes)').fill('1');
  await page.getByLabel('Each reply after it within (minutes)').fill('2');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.locator('#sla-status', { hasText: 'Saved.' }).waitFor();
  await page.locator('#sla-close').click();
  // Erin's console heard of it: her dialog shows the targets, for reading only.
  await openSetting(agentPage, 'SLA');
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
  const before = await chimes(page);
  await page.clock.fastForward(60_000);
  await row.locator('.badge.waiting.late').waitFor();
  await page.locator('#conv-waiting.late', { hasText: 'late: the target is 2 min' }).waitFor();
  await chimesReach(page, before + 1);
  await page.clock.fastForward(60_000);  // still late: no second chime
  await page.locator('#conv-waiting.late').waitFor();
  assert.equal(await chimes(page), before + 1);
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

    await openSetting(page, 'SLA');
    await page.getByLabel('First reply in a chat within (minutes)').fill('1');
    await page.getByLabel('Count only business hours').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('#sla-status', { hasText: 'Saved.' }).waitFor();
    await page.locator('#sla-close').click();
    assert.equal((await admin('GET', '/sla')).only_during_business_hours, true);

    // Five minutes on the wall clock, none of the team's: not late.
    await page.clock.fastForward(5 * 60_000);
    await row.locator('.badge.queued', { hasText: '· 5m' }).waitFor();
    // Due a minute into the day after tomorrow: a day or more away; less,
    // when the test began before midnight and this is after it.
    const left = hours.opens + 60_000 - await page.evaluate(() => Date.now());
    const dueIn = left >= 86_400_000 ? `${Math.floor(left / 86_400_000)}d` : `${Math.floor(left / 3_600_000)}h`;
    await page.locator('#conv-waiting:not(.late)', { hasText: new RegExp(`· 5m · due in ${dueIn}$`) }).waitFor();
    assert.equal(await row.locator('.badge.waiting.late').count(), 0);
    // Every minute counted, the same wait is late at once, in every console.
    await admin('POST', '/agents', { username: 'erin', password: 'erin-password', display_name: 'Erin' });
    const agentPage = await consolePage(browser.browser, server, 'erin', 'erin-password');
    await admin('PUT', '/sla', { first_reply_minutes: 1, only_during_business_hours: false });
    await page.locator('#conv-waiting.late', { hasText: 'late: the target is 1 min' }).waitFor();
    await openSetting(agentPage, 'SLA');
    await agentPage.waitForFunction(() => !document.getElementById('sla-business-hours').checked);
    await admin('PUT', '/sla', { first_reply_minutes: 1, only_during_business_hours: true });
    await page.locator('#conv-waiting:not(.late)').waitFor();
    await agentPage.waitForFunction(() => document.getElementById('sla-business-hours').checked);
    assert.equal(await agentPage.locator('#sla-business-hours').isDisabled(), true);  // an admin's to change

    // A second before a minute of the team's time has passed, then after;
    // the clock paused, so the chat turns late when it crosses the line,
    // not at the console's next 30-second refresh.
    await page.clock.pauseAt(hours.opens + 60_000 - 1000);
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
  await openSetting(page, 'SLA');
  await page.getByLabel('Resolve each chat within (minutes)').fill('2');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.locator('#sla-status', { hasText: 'Saved.' }).waitFor();
  await page.locator('#sla-close').click();
  assert.equal((await admin('GET', '/sla')).resolution_minutes, 2);
  await openSetting(agentPage, 'SLA');
  await agentPage.waitForFunction(() => document.getElementById('sla-resolution').value === '2');

  // The console's 30-second refresh runs at 95 s, and next at 125 s.
  const start = Date.parse((await admin('GET', '/conversations/15550894')).chat_start_time);
  await page.clock.pauseAt(start + 95_000);
  await row.locator('.badge.queued', { hasText: '· 1m' }).waitFor();
  assert.equal(await row.locator('.badge.overdue').count(), 0);
  assert.equal(await page.locator('#conv-overdue').isVisible(), false);
  // Live and answered, and the admin's own: crossing the line rings, once.
  await page.clock.resume();
  await admin('POST', '/conversations/15550894/chat-support/start');
  await admin('POST', '/conversations/15550894/chat-support/send', { text: 'Looking into it' });
  await row.locator('.badge.mine').waitFor();
  const before = await chimes(page);
  // Paused a second short of the line, then past it: the chat is overdue
  // when it crosses, before the next refresh.
  await page.clock.pauseAt(start + 119_000);
  await page.clock.fastForward(2000);
  await row.locator('.badge.overdue', { hasText: 'Overdue' }).waitFor();
  await page.locator('#conv-overdue', { hasText: 'Open past the resolution target (2 min)' }).waitFor();
  await chimesReach(page, before + 1);
  await page.clock.fastForward(60_000);  // still overdue: no second chime
  await row.locator('.badge.overdue').waitFor();
  assert.equal(await chimes(page), before + 1);
  await page.clock.resume();
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

test('an agent who turned off notices of missed targets is not rung when their chat crosses one', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('PUT', '/sla', { first_reply_minutes: 1 });
  await admin('PATCH', '/notifications/preferences', { sla_missed: false });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, {
    beforeLoad: async (p) => { await p.clock.install(); },
  });
  await userSays(server, '15550895', 'support', 'Quiet Please');
  await admin('POST', '/conversations/15550895/chat-support/start');
  const row = page.locator('#conversation-list li[data-phone="15550895"]');
  await row.locator('.badge.waiting:not(.late)').waitFor();
  // The console has the agent's choice (asked for as it connects).
  await page.locator('#inbox').click();
  await page.getByText('Which notifications you get').click();
  await page.waitForFunction(() => document.querySelector('#inbox-kinds input[name="sla_missed"]').checked === false);
  await page.keyboard.press('Escape');
  const before = await chimes(page);
  await page.clock.fastForward(90_000);
  await row.locator('.badge.waiting.late').waitFor();  // the same refresh would have rung
  assert.equal(await chimes(page), before);
  assert.deepEqual(page.errors, []);
}));

test("a team's own targets, set in the Teams dialog, make its chats late by them in the console", () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('PUT', '/sla', { first_reply_minutes: 10 });
  await userSays(server, '15550897', 'support', 'Vip User');
  await userSays(server, '15550898', 'support', 'Plain User');
  await userSays(server, '15550899', 'support', 'Calm User');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, {
    beforeLoad: async (p) => { await p.clock.install(); },
  });
  await openSetting(page, 'Teams');
  const dialog = page.locator('#teams-dialog');
  await dialog.getByLabel('Name').fill('vip');
  await dialog.getByLabel('First reply within (minutes)').fill('1');
  await dialog.getByRole('button', { name: 'Add team' }).click();
  await dialog.locator('li[data-team="vip"] .team-targets', { hasText: 'Targets: first reply 1 min' }).waitFor();
  const ownOf = async () => (await admin('GET', '/teams')).teams[0].sla;
  assert.deepEqual(await ownOf(), { first_reply_minutes: 1, next_reply_minutes: null, resolution_minutes: null });
  // Edited for its description, it keeps its targets.
  await dialog.getByRole('button', { name: 'Edit vip' }).click();
  assert.equal(await dialog.getByLabel('First reply within (minutes)').inputValue(), '1');
  await dialog.getByLabel('Description').fill('Our best customers');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await dialog.locator('li[data-team="vip"] .reply-text', { hasText: 'Our best customers' }).waitFor();
  assert.deepEqual(await ownOf(), { first_reply_minutes: 1, next_reply_minutes: null, resolution_minutes: null });
  await dialog.getByRole('button', { name: 'Close' }).click();
  // The audit log says what they are, in words.
  await openSetting(page, 'Audit log');
  await page.locator('#audit-rows tr', { hasText: 'sla: first_reply_minutes 1' }).first().waitFor();
  await page.locator('#audit-dialog').evaluate((d) => d.close());

  await admin('PUT', '/conversations/15550897/team', { team: 'vip' });
  const row = (phone) => page.locator(`#conversation-list li[data-phone="${phone}"]`);
  await page.waitForFunction(() => document.querySelector('#conversation-list li[data-phone="15550897"]')?.textContent.includes('vip'));
  assert.equal(await row('15550897').locator('.badge.waiting.late').count(), 0);
  // Ninety seconds on: past vip's minute, within the standard ten.
  await page.clock.fastForward(90_000);
  await row('15550897').locator('.badge.waiting.late').waitFor();
  assert.equal(await row('15550898').locator('.badge.waiting.late').count(), 0);
  await row('15550897').click();
  await page.locator('#conv-waiting.late', { hasText: 'late: the target is 1 min' }).waitFor();

  // A team with no first-reply target, whatever the standard's: "none for this team".
  await openSetting(page, 'Teams');
  await dialog.getByLabel('Name').fill('calm');
  await dialog.getByLabel('First reply within (minutes)').fill('3');
  await dialog.locator('input[name="first_reply_minutes_none"]').check();
  assert.equal(await dialog.getByLabel('First reply within (minutes)').isDisabled(), true);
  await dialog.getByRole('button', { name: 'Add team' }).click();
  await dialog.locator('li[data-team="calm"] .team-targets', { hasText: 'Targets: first reply none' }).waitFor();
  const calm = (await admin('GET', '/teams')).teams.find((t) => t.name === 'calm');
  assert.deepEqual(calm.sla, { first_reply_minutes: false, next_reply_minutes: null, resolution_minutes: null });
  await dialog.getByRole('button', { name: 'Edit vip' }).click();
  assert.equal(await dialog.locator('input[name="first_reply_minutes_none"]').isChecked(), false);
  assert.equal(await dialog.getByLabel('First reply within (minutes)').inputValue(), '1');
  await dialog.getByRole('button', { name: 'Edit calm' }).click();
  assert.equal(await dialog.locator('input[name="first_reply_minutes_none"]').isChecked(), true);
  assert.equal(await dialog.getByLabel('First reply within (minutes)').isDisabled(), true);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await admin('PUT', '/conversations/15550899/team', { team: 'calm' });
  await page.waitForFunction(() => document.querySelector('#conversation-list li[data-phone="15550899"]')?.textContent.includes('calm'));
  // Ten minutes on: past the standard target, which holds the plain chat and not calm's.
  await page.clock.fastForward(600_000);
  await row('15550898').locator('.badge.waiting.late').waitFor();
  assert.equal(await row('15550899').locator('.badge.waiting.late').count(), 0);
  assert.deepEqual(page.errors, []);
}));
