// The console in real headless chromium against the real server: the conversation list: its rows,
// filters, tabs, counts, queue and search.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ADMIN_PASSWORD, apiAs, browser, chatAction, consolePage, holdNextAnswer, newUserShows, receiver,
  shareBrowserAndReceiver, userSays, whatsappUserSends, withMemoryServer,
} from './harness.mjs';

shareBrowserAndReceiver();

// A tab's count as the page shows it ('' for none), and a wait until it is exactly `n`.
const tabCount = (page, filter) => page.locator(`.tabs [data-filter="${filter}"] .count`);
const tabCountIs = (page, filter, n) => page.locator(`.tabs [data-filter="${filter}"] .count`, { hasText: new RegExp(`^${n}$`) })
  .waitFor({ state: 'attached' });

test('the tab title and the filters count what waits for the agent', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const count = (filter) => tabCount(page, filter).textContent();
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
  // DOM nodes alive, after a collection: those in the page, those its code
  // holds, and the dialogs' templates.
  const cdp = await page.context().newCDPSession(page);
  const nodesAlive = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Memory.getDOMCounters')).nodes;
  };
  const nodesBefore = await nodesAlive();  // 200 rows shown, as after the burst

  const burst = Array.from({ length: 600 }, (_, i) => number(1000 + i));
  await inTurn(burst, 'hi');
  await page.locator('#list-more', { hasText: '600 more:' }).waitFor();  // 800 listed (the oldest is not), 200 shown
  assert.deepEqual(fetched, []);
  const rendered = await renders() - rendersBefore;
  assert.ok(rendered < 200, `${rendered} renders for ${burst.length * 3} events`);
  // Rows scrolled off the top are let go: the page shows 200 rows as
  // before, and about as many nodes are alive (600 rows held would be
  // about as many again as the whole page).
  const nodes = await nodesAlive();
  assert.ok(nodes < 1.5 * nodesBefore, `${nodes} nodes alive after the burst, ${nodesBefore} before it`);

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
  // The other chat drawn first: until then the pane still holds the one opened at the match.
  await page.locator('#conv-name', { hasText: 'Parcel Desk' }).waitFor();
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
  await chatAction(page, 'Unblock');
  await page.locator('#list-empty').waitFor();  // unblocked: no longer under the tab
  const empty = await page.locator('#list-empty').boundingBox();
  assert.ok(empty.y < 300, `the empty list says so at y ${empty.y}: under the tools, not at the window's foot`);
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
  const waitingCount = (n) => tabCountIs(page, 'waiting', n);
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

// A chat handed out asks for the tabs' counts again; a user's message
// moves the Waiting count at once. Counts asked for before that message and
// answered after it are older than the console's own, and leave its
// Waiting count as it is, and it asks again. Here the server's answer is
// read at once and handed to the page only after the user's message.
test('a Waiting count read before a user\'s message and answered after it does not undo that message', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550891', 'support', 'Ada');
  await admin('POST', '/conversations/15550891/chat-support/start');
  await admin('POST', '/conversations/15550891/chat-support/send', { text: 'Here, on it' });
  await userSays(server, '15550892', 'support', 'Ben');  // in the queue: waiting
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const waitingCountIs = (n) => tabCountIs(page, 'waiting', n);
  await waitingCountIs('1');

  const held = await holdNextAnswer(page, /filter=queued&order=queue/);
  const asked = page.waitForRequest(/filter=queued&order=queue/);  // fails the test, in time, if none comes
  await admin('POST', '/conversations/15550892/chat-support/start');
  await Promise.all([asked, held.read]);  // the server's count: Ben alone waits
  await userSays(server, '15550891', 'one more thing');
  await waitingCountIs('2');
  const askedAgain = page.waitForRequest(/filter=queued&order=queue/);
  await held.handOver();
  await askedAgain;  // for counts with the message in them
  // A conversation drawn after the answer says the console has had it.
  await newUserShows(page, server, '15550893', 'Cy');
  assert.equal(await tabCount(page, 'waiting').textContent(), '2');
  assert.deepEqual(page.errors, []);
}));

// Reads of the queue overlap: one asked for, held up, and answered after a
// later one is older than it, and its counts and positions are dropped.
test('a queue read answered after a later one leaves the later one\'s counts', () => withMemoryServer([], async (server) => {
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const held = await holdNextAnswer(page, /filter=queued&order=queue/);
  await userSays(server, '15550451', 'support', 'Ann');
  await held.read;  // the server's count: one queued
  await userSays(server, '15550452', 'support', 'Ben');
  await tabCountIs(page, 'queued', '2');
  await held.handOver();
  // A conversation drawn after the answer says the console has had it.
  await newUserShows(page, server, '15550453', 'Cid');
  assert.equal(await tabCount(page, 'queued').textContent(), '2');
  assert.equal(await page.locator('#conversation-list li[data-phone="15550452"] .badge.queued').count(), 1);
  assert.deepEqual(page.errors, []);
}));

// The queue's pages are read again as it moves (a read each 200 ms at
// most), and a read may be answered after an event that came after it was
// asked: a user queued since is not on its pages, and stays queued.
test('a queue read asked before a user asked for support, and answered after it, leaves them in the queue', () => withMemoryServer([], async (server) => {
  const held = [];  // every queue read's answer, the server's as it was asked, held until handed over
  let heldTwo, lettingGo = false;
  const firstRead = new Promise((resolve) => { heldTwo = resolve; });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, {
    beforeLoad: (p) => p.route(/filter=queued/, async (route) => {
      const answer = { route, response: await route.fetch() };
      if (lettingGo) return route.fulfill({ response: answer.response });
      held.push(answer);
      if (held.length === 2) heldTwo();  // the head and the newest page: one read
    }),
  });
  await firstRead;  // the queue as the console connected: empty
  await userSays(server, '15550441', 'support', 'Ann');
  const queued = page.locator('#conversation-list li[data-phone="15550441"] .badge.queued');
  await queued.waitFor();  // from the events
  const taken = held.slice(0, 2).map(({ route, response }) => {
    const finished = page.waitForEvent('requestfinished', (r) => r === route.request());
    route.fulfill({ response });
    return finished;
  });
  await Promise.all(taken);
  // A conversation drawn after the answer says the console has had it.
  await newUserShows(page, server, '15550442', 'Ben');
  assert.equal(await queued.count(), 1);
  assert.deepEqual(page.errors, []);
  lettingGo = true;
  await Promise.all(held.slice(2).map(({ route, response }) => route.fulfill({ response })));
}));

// The list counts the events about each conversation (so that a read asked
// before one is known to be older), and keeps that count bounded: past 4,000
// conversations it forgets those it holds no row of, but never one it holds,
// nor the one whose event it has just counted (its row may be on its way).
test('the count of events per conversation is bounded, and keeps those the list holds', () => withMemoryServer([], async (server) => {
  const page = await browser.browser.newPage();
  try {
    await page.goto(server.url + '/');
    const kept = await page.evaluate(async () => {
      const { ConversationList } = await import('/js/list.js');
      const list = new ConversationList({ me: { username: 'admin', role: 'admin' }, drafts: new Map(), onOpen: () => {} });
      list.rows.set('held', { phone: 'held' });
      list.heardAbout('held');
      const mark = list.readMark();
      for (let i = 0; i < 4000; i += 1) list.heardAbout(`p${i}`);  // the 4,000th takes it past 4,000
      return { size: list.heardOf.size, held: list.heardSince('held', mark - 1), last: list.heardSince('p3999', mark),
        before: list.heardSince('p3998', mark) };
    });
    assert.deepEqual(kept, { size: 2, held: true, last: true, before: false });
  } finally {
    await page.close();
  }
}));

// An admin's console whose first page of the list the server answers at
// once and the page has only at `held.handOver()`.
async function consoleHoldingFirstPage(server) {
  let held;
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, {
    beforeLoad: async (p) => { held = await holdNextAnswer(p, /\/conversations\?limit=200$/); },
  });
  return { page, held };
}

// A page of the list read before an admin erased a user, and answered
// after the erasure's event, does not bring their row back; a conversation
// they begin afterwards is listed as any.
test('a list read before a user was erased and answered after it does not bring them back', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550461', 'my card is 4111 1111', 'Bo');
  const { page, held } = await consoleHoldingFirstPage(server);
  await held.read;  // Bo is on it
  assert.equal((await admin('DELETE', '/conversations/15550461')).deleted, '15550461');
  // Conversations drawn after the erasure, and after the answer, say the console has had each.
  await newUserShows(page, server, '15550462', 'Ann');
  await held.handOver();
  await newUserShows(page, server, '15550463', 'Cy');
  assert.equal(await page.locator('#conversation-list li[data-phone="15550461"]').count(), 0);
  // Bo writes again: a new conversation, listed.
  await userSays(server, '15550461', 'hello again', 'Bo');
  await page.locator('#conversation-list li[data-phone="15550461"]').waitFor();
  assert.deepEqual(page.errors, []);
}));

// A conversation's updated_at is to the millisecond: a read's copy as old
// as the one an event brought (changed in the same millisecond) but read
// before that event came is the older. Here the read's is made so.
test('a list read asked before a message, its copy as old as the message\'s, does not take the row back', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550476', 'first', 'Ann');
  const { page, held } = await consoleHoldingFirstPage(server);
  await held.read;  // Ann, with her first message
  await userSays(server, '15550476', 'second');
  const row = page.locator('#conversation-list li[data-phone="15550476"]');
  await row.locator('.preview', { hasText: 'second' }).waitFor();
  const stamp = (await admin('GET', '/conversations/15550476')).updated_at;  // of the copy her message's event brought
  await held.handOver((json) => {
    for (const c of json.conversations) if (c.phone === '15550476') c.updated_at = stamp;
    return json;
  });
  // A conversation drawn after the answer says the console has had it.
  await newUserShows(page, server, '15550477', 'Ben');
  assert.equal(await row.locator('.preview').textContent(), 'second');
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

// The rows' times move on every 30 s. A row keeps its element, its times
// read anew in place: one replaced between a press and its release loses
// the click, and the tick came whatever the agent was doing.
test('a row keeps its element as its times move on', () => withMemoryServer([], async (server) => {
  await userSays(server, '15550471', 'support', 'Ann');  // queued: how long, and since when active
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, { beforeLoad: (p) => p.clock.install() });
  const row = page.locator('#conversation-list li[data-phone="15550471"]');
  await row.locator('.time', { hasText: /^\d{1,2}s$/ }).waitFor();
  const el = await row.elementHandle();
  await page.clock.runFor(30000);  // a tick
  await row.locator('.time', { hasText: /^(3\d|4\d)s$/ }).waitFor();
  assert.equal(await el.evaluate((e) => e.isConnected), true);
  assert.match(await el.evaluate((e) => e.querySelector('.badge.queued').textContent), /^Queued #1 · (3\d|4\d)s$/);
  assert.deepEqual(page.errors, []);
}));

// The settings read at each connect (reply-time targets, teams, the label
// catalog, business hours) mostly bring what the console holds. Answered
// after the rows are drawn, they leave them as they were: a change of any
// of them draws every row anew. Here each answer is held until a row is on
// show; a row drawn after them says the console has had them.
test('settings read at a connect that bring nothing new leave the rows as they were', () => withMemoryServer([], async (server) => {
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  const settings = /\/(sla|teams|labels|business-hours)$/;
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, {
    beforeLoad: (p) => p.route(settings, async (route) => { await held; await route.continue(); }),
  });
  await userSays(server, '15550421', 'support', 'Ada');
  // Her row as drawn once all her events are in (a later user's row shows): each may draw it anew.
  await newUserShows(page, server, '15550420', 'Zed');
  const row = await page.locator('#conversation-list li[data-phone="15550421"]').elementHandle();
  const answered = new Set();
  const allAnswered = new Promise((resolve) => page.on('requestfinished', (r) => {
    const setting = new URL(r.url()).pathname.match(settings)?.[1];
    if (setting && answered.add(setting).size === 4) resolve();
  }));
  release();
  await allAnswered;
  await newUserShows(page, server, '15550422', 'Ben');
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

// The views are read at each connect, and views.updated says them anew.
// An answer asked for before a view was saved and answered after its
// event is older, and leaves the view's chip where it is.
test('saved views read before a view was saved and answered after its event do not take it away', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  let held;
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD, {
    beforeLoad: async (p) => { held = await holdNextAnswer(p, /\/views$/); },
  });
  await held.read;  // the server's views: none
  await admin('POST', '/views', { name: 'Urgent', query: { priority: 'urgent' } });
  const chip = page.locator('#views .view-open', { hasText: 'Urgent' });
  await chip.waitFor();
  await held.handOver();
  // A conversation drawn after the answer says the console has had it.
  await newUserShows(page, server, '15550431', 'Ann');
  assert.equal(await chip.count(), 1);
  assert.deepEqual(page.errors, []);
}));

test("the list narrows to one agent's chats, and an agent's saved views show it again in one click, in each of their consoles", () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'bob', password: 'bob-secret-123', display_name: 'Bob' });
  const bob = await apiAs(server, 'bob', 'bob-secret-123');
  await userSays(server, '15550401', 'hello', 'Ann');
  await userSays(server, '15550402', 'hello', 'Ben');
  await userSays(server, '15550403', 'hello', 'Cid');
  await admin('POST', '/conversations/15550401/chat-support/start');
  await admin('POST', '/conversations/15550402/chat-support/start');
  await bob('POST', '/conversations/15550403/chat-support/start');
  await admin('PUT', '/conversations/15550402/priority', { priority: 'urgent' });

  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const other = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);  // a second tab
  const shown = (p, phones) => p.waitForFunction((want) => [...document.querySelectorAll('#conversation-list li')]
    .map((li) => li.dataset.phone).sort().join() === want, phones.join());
  await shown(page, ['15550401', '15550402', '15550403']);

  // Bob's chats, then the admin's own urgent ones.
  await page.locator('#assignee-filter').selectOption('bob');
  await shown(page, ['15550403']);
  await page.locator('#assignee-filter').selectOption('admin');
  await page.locator('#priority-filter').selectOption('urgent');
  await shown(page, ['15550402']);

  // Saved as a view: its chip is marked while the list shows it.
  await page.getByText('☆ Save view').click();
  await page.getByLabel('Name of the view').fill('My urgent');
  await page.getByLabel('Name of the view').press('Enter');
  const chip = (p, name) => p.locator('#views .view-open', { hasText: name });
  await chip(page, 'My urgent').waitFor();
  assert.equal(await chip(page, 'My urgent').getAttribute('aria-pressed'), 'true');
  await page.locator('#priority-filter').selectOption('');
  await page.locator('#assignee-filter').selectOption('');
  await shown(page, ['15550401', '15550402', '15550403']);
  assert.equal(await chip(page, 'My urgent').getAttribute('aria-pressed'), 'false');

  // A tab and a search in a second view.
  await page.locator('.tabs [data-filter="mine"]').click();
  await page.locator('#search').fill('Ben');
  await shown(page, ['15550402']);
  await page.getByText('☆ Save view').click();
  await page.getByLabel('Name of the view').fill('Ben');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await chip(page, 'Ben').waitFor();
  await page.locator('.tabs [data-filter="all"]').click();
  await page.locator('#search').fill('');
  await shown(page, ['15550401', '15550402', '15550403']);

  // One click shows each again, every control as the view has it.
  await chip(page, 'My urgent').click();
  await shown(page, ['15550402']);
  assert.equal(await page.locator('#priority-filter').inputValue(), 'urgent');
  assert.equal(await page.locator('#assignee-filter').inputValue(), 'admin');
  assert.equal(await chip(page, 'My urgent').getAttribute('aria-pressed'), 'true');
  await chip(page, 'Ben').click();
  await shown(page, ['15550402']);
  assert.equal(await page.locator('.tabs [data-filter="mine"]').getAttribute('aria-selected'), 'true');
  assert.equal(await page.locator('#search').inputValue(), 'Ben');
  assert.equal(await page.locator('#priority-filter').inputValue(), '');
  assert.equal(await page.locator('#assignee-filter').inputValue(), '');
  await page.locator('.tabs [data-filter="all"]').click();
  await page.locator('#search').fill('');
  await shown(page, ['15550401', '15550402', '15550403']);

  // The other tab got them as they were made, by name; a reload keeps them.
  await other.waitForFunction(() => [...document.querySelectorAll('#views .view-open')].map((b) => b.textContent).join() === 'Ben,My urgent');
  await chip(other, 'My urgent').click();
  await shown(other, ['15550402']);
  await page.reload();
  await chip(page, 'Ben').waitFor();
  // Deleted in one, gone from both; bob never had them.
  await page.getByRole('button', { name: 'Delete the view Ben' }).click();
  await other.waitForFunction(() => [...document.querySelectorAll('#views .view-open')].map((b) => b.textContent).join() === 'My urgent');
  await chip(page, 'Ben').waitFor({ state: 'detached' });
  assert.deepEqual((await bob('GET', '/views')).views, []);
  // Shown, then changed: Update keeps the change in it, in every console.
  await chip(page, 'My urgent').click();
  await shown(page, ['15550402']);
  assert.equal(await page.locator('#view-update').isVisible(), false);
  await page.locator('#priority-filter').selectOption('');
  await shown(page, ['15550401', '15550402']);
  await page.getByRole('button', { name: 'Update “My urgent”' }).click();
  await page.waitForFunction(() => document.querySelector('#views .view-open').getAttribute('aria-pressed') === 'true');
  assert.equal(await page.locator('#view-update').isVisible(), false);
  assert.deepEqual((await admin('GET', '/views')).views.map((v) => v.query), [{ assignee: 'admin' }]);
  await chip(other, 'My urgent').click();
  await shown(other, ['15550401', '15550402']);
  // Shared with the team by the admin: bob's console shows it, to run, not to delete.
  const bobPage = await consolePage(browser.browser, server, 'bob', 'bob-secret-123');
  assert.equal(await bobPage.locator('#view-shared-option').isVisible(), false);
  await page.locator('#priority-filter').selectOption('urgent');
  await page.getByText('☆ Save view').click();
  await page.getByLabel('Name of the view').fill('Team urgent');
  await page.getByLabel('Share with the team').check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await chip(bobPage, '👥 Team urgent').waitFor();
  assert.equal(await bobPage.getByRole('button', { name: 'Delete the view Team urgent' }).count(), 0);
  await chip(bobPage, '👥 Team urgent').click();
  await shown(bobPage, ['15550402']);
  assert.equal((await bob('GET', '/views')).views.map((v) => [v.name, v.shared]).join(), 'Team urgent,true');
  await page.getByRole('button', { name: 'Delete the view Team urgent' }).click();
  await chip(bobPage, '👥 Team urgent').waitFor({ state: 'detached' });
  await page.locator('#priority-filter').selectOption('');
  // A name taken is refused, in words.
  await page.getByText('☆ Save view').click();
  await page.getByLabel('Name of the view').fill('my URGENT');
  await page.getByLabel('Name of the view').press('Enter');
  await page.locator('#view-status', { hasText: 'already' }).waitFor();
  assert.deepEqual(page.errors, []);
  assert.deepEqual(other.errors, []);
  assert.deepEqual(bobPage.errors, []);
}));

// Chatwoot's inbox filter: one channel's users, offered once the list holds
// users of both; the server lists those beyond the rows held; a saved view
// keeps it.
test('the list narrows to the users of a detail, offered once a custom attribute has choices', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550421', 'hello', 'Ann');
  await userSays(server, '15550422', 'hello', 'Bo');
  await userSays(server, '15550423', 'hello', 'Cy');
  await admin('PUT', '/conversations/15550421/attributes', { attributes: { plan: 'Gold' } });
  await admin('PUT', '/conversations/15550422/attributes', { attributes: { plan: 'silver' } });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const shown = (phones) => page.waitForFunction((want) => [...document.querySelectorAll('#conversation-list li')]
    .map((li) => li.dataset.phone).sort().join() === want, phones.join());
  await shown(['15550421', '15550422', '15550423']);
  const filter = page.locator('#attribute-filter');
  assert.equal(await filter.isHidden(), true);  // no custom attribute to pick from
  await admin('PUT', '/custom-attributes/plan', { display_name: 'Plan', type: 'list', values: ['Gold', 'Silver'] });
  await admin('PUT', '/custom-attributes/newsletter', { display_name: 'Newsletter', type: 'checkbox' });
  await admin('PUT', '/custom-attributes/email', { type: 'text' });  // nothing to pick: not offered
  await page.waitForFunction(() => document.querySelectorAll('#attribute-filter option').length === 5);
  assert.deepEqual(await filter.locator('option').allTextContents(),
    ['Any detail', 'Newsletter: Yes', 'Newsletter: No', 'Plan: Gold', 'Plan: Silver']);

  const asked = page.waitForRequest((r) => /\/conversations\?.*attribute=plan%3AGold/.test(r.url()));
  await filter.selectOption('plan:Gold');
  await shown(['15550421']);
  await asked;
  assert.equal(await page.locator('#filters-fold').textContent(), 'Filters (1)');
  await filter.selectOption('plan:Silver');
  await shown(['15550422']);  // silver, in any case
  // A user given the detail joins the list as it comes.
  await filter.selectOption('plan:Gold');
  await shown(['15550421']);
  await admin('PUT', '/conversations/15550423/attributes', { attributes: { plan: 'GOLD' } });
  await shown(['15550421', '15550423']);
  // Saved as a view, and shown again by it.
  await page.getByText('☆ Save view').click();
  await page.getByLabel('Name of the view').fill('Gold plans');
  await page.getByLabel('Name of the view').press('Enter');
  const chip = page.locator('#views .view-open', { hasText: 'Gold plans' });
  await chip.waitFor();
  assert.deepEqual((await admin('GET', '/views')).views.map((v) => v.query), [{ attribute: 'plan:Gold' }]);
  await filter.selectOption('');
  await shown(['15550421', '15550422', '15550423']);
  await chip.click();
  await shown(['15550421', '15550423']);
  assert.equal(await filter.inputValue(), 'plan:Gold');
  assert.deepEqual(page.errors, []);
}));

test("the list narrows to one channel's users, offered once there are users of both", () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550411', 'hello', 'Ann');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const shown = (phones) => page.waitForFunction((want) => [...document.querySelectorAll('#conversation-list li')]
    .map((li) => li.dataset.phone).sort().join() === want, phones.join());
  await shown(['15550411']);
  const filter = page.locator('#channel-filter');
  assert.equal(await filter.isHidden(), true);  // one channel: nothing to narrow to
  const channelOf = (phone) => page.locator(`#conversation-list li[data-phone="${phone}"] .badge.channel`);
  assert.equal(await channelOf('15550411').count(), 0);  // nor to say on each row
  await whatsappUserSends(server, '15550412', 'wamid.412', 'text', null, 'hola');
  await shown(['15550411', '15550412']);
  await filter.waitFor();
  // Each row says its channel from the render that brought the second, as Chatwoot's cards name their inbox.
  assert.deepEqual(await page.evaluate(() => ['15550411', '15550412'].map((phone) =>
    document.querySelector(`#conversation-list li[data-phone="${phone}"] .badge.channel`)?.textContent)), ['Webhook', 'WhatsApp']);

  const asked = page.waitForRequest((r) => /\/conversations\?.*channel=whatsapp/.test(r.url()));
  await filter.selectOption('whatsapp');
  await shown(['15550412']);
  await asked;
  assert.equal(await page.locator('#filters-fold').textContent(), 'Filters (1)');
  await filter.selectOption('plain');
  await shown(['15550411']);
  // Saved as a view, and shown again by it.
  await filter.selectOption('whatsapp');
  await page.getByText('☆ Save view').click();
  await page.getByLabel('Name of the view').fill('WhatsApp users');
  await page.getByLabel('Name of the view').press('Enter');
  const chip = page.locator('#views .view-open', { hasText: 'WhatsApp users' });
  await chip.waitFor();
  assert.deepEqual((await admin('GET', '/views')).views.map((v) => v.query), [{ channel: 'whatsapp' }]);
  await filter.selectOption('');
  await shown(['15550411', '15550412']);
  assert.equal(await page.locator('#filters-fold').textContent(), 'Filters');
  await chip.click();
  await shown(['15550412']);
  assert.equal(await filter.inputValue(), 'whatsapp');
  assert.deepEqual(page.errors, []);
}));

// A message draws the pressed row anew before the release: the browser
// clicks nothing then, and the agent's click was lost.
test('a press on a row that a message draws anew before the release still opens its chat', () => withMemoryServer([], async (server) => {
  await userSays(server, '15557300003', 'hello', 'Cy');
  await userSays(server, '15557300002', 'hello', 'Ben');
  await userSays(server, '15557300001', 'hello', 'Ana');  // the newest: on top, where her next message keeps her
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const row = page.locator('#conversation-list li[data-phone="15557300001"]');
  await row.waitFor();
  const pressed = await row.elementHandle();
  const box = await row.locator('button.row').boundingBox();
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  await page.mouse.down();
  await userSays(server, '15557300001', 'are you there?');
  await page.waitForFunction((el) => !el.isConnected, pressed);
  assert.equal(await page.locator('#conversation-list li').first().getAttribute('data-phone'), '15557300001');
  await page.mouse.up();
  await page.locator('#conv-name', { hasText: 'Ana' }).waitFor();
  await page.locator('#messages .message', { hasText: 'are you there?' }).waitFor();

  // A row drawn anew that moved away, another under the release: no click.
  const cy = page.locator('#conversation-list li[data-phone="15557300003"]');
  const cyPressed = await cy.elementHandle();
  const cyBox = await cy.locator('button.row').boundingBox();
  await page.mouse.move(cyBox.x + 20, cyBox.y + cyBox.height / 2);
  await page.mouse.down();
  await userSays(server, '15557300003', 'me first');  // Cy to the top: Ben comes under the pointer
  await page.waitForFunction((el) => !el.isConnected, cyPressed);
  assert.equal(await page.locator('#conversation-list li').nth(2).getAttribute('data-phone'), '15557300002');
  await page.mouse.up();
  assert.equal(await row.getAttribute('aria-current'), 'true');
  assert.equal(await page.locator('#conversation-list li[aria-current="true"]').count(), 1);
  assert.deepEqual(page.errors, []);
}));
