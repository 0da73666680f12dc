// The console in real headless chromium against the real server: messages in a chat: notes, failures,
// days, drafts, typing and how text is shown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ADMIN_PASSWORD, apiAs, browser, consolePage, newUserShows, openSetting, receiver, shareBrowserAndReceiver,
  userSays, withMemoryServer,
} from './harness.mjs';

shareBrowserAndReceiver();

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
  // The chime comes as the note does, before the list has drawn it (at most
  // 100 ms later): a click on Omar's row then could land while it is built
  // again, and be lost. A user written since is listed after it.
  await newUserShows(evePage, server, '15550603', 'Pia');
  await evePage.locator('#conversation-list li[data-phone="15550602"]').click();
  await evePage.locator('.message.note.mentions-me', { hasText: 'can you take him?' }).waitFor();
  assert.equal(await evePage.locator('.message.note.mentions-me').count(), 1);
  assert.equal(await page.locator('.message.note.mentions-me').count(), 0);  // the admin is not named
  assert.deepEqual(page.errors, []);
  assert.deepEqual(evePage.errors, []);
}));

test('a note is deleted by its writer or an admin, after a confirmation, and every console and inbox shows it deleted', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  for (const name of ['eve', 'max']) await admin('POST', '/agents', { username: name, password: `${name}-secret-1`, display_name: name });
  const eve = await apiAs(server, 'eve', 'eve-secret-1');
  await userSays(server, '15550651', 'support', 'Rae');
  await eve('POST', '/conversations/15550651/chat-support/start');
  await eve('POST', '/conversations/15550651/notes', { text: '@max the door code is 7731' });
  await admin('POST', '/conversations/15550651/notes', { text: 'from the admin' });
  const open = async (page) => {
    await page.locator('#conversation-list li[data-phone="15550651"]').click();
    await page.locator('.message.note', { hasText: 'from the admin' }).waitFor();
    return { eves: page.locator('.message.note', { hasText: '7731' }), admins: page.locator('.message.note', { hasText: 'from the admin' }) };
  };
  const evePage = await consolePage(browser.browser, server, 'eve', 'eve-secret-1');
  const maxPage = await consolePage(browser.browser, server, 'max', 'max-secret-1');
  const adminPage = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const atEve = await open(evePage), atMax = await open(maxPage), atAdmin = await open(adminPage);
  // Its writer's and an admin's to delete; not another agent's.
  assert.equal(await atEve.eves.locator('.delete-note').count(), 1);
  assert.equal(await atEve.admins.locator('.delete-note').count(), 0);
  assert.equal(await atMax.eves.locator('.delete-note').count(), 0);
  assert.equal(await atAdmin.eves.locator('.delete-note').count(), 1);
  assert.equal(await atAdmin.admins.locator('.delete-note').count(), 1);
  await maxPage.locator('#inbox').click();
  const mention = maxPage.locator('#inbox-rows li', { hasText: 'eve mentioned you' });
  assert.equal(await mention.locator('.preview').textContent(), '@max the door code is 7731');

  // Dismissed, nothing goes; confirmed, it goes everywhere.
  await atEve.eves.hover();
  await atEve.eves.getByRole('button', { name: 'Delete this note' }).click();
  await evePage.locator('#delete-note-dialog').waitFor();
  await evePage.keyboard.press('Escape');
  await evePage.locator('#delete-note-dialog').waitFor({ state: 'hidden' });
  assert.equal((await eve('GET', '/conversations/15550651')).messages.some((m) => m.text.includes('7731')), true);
  await atEve.eves.hover();
  await atEve.eves.getByRole('button', { name: 'Delete this note' }).click();
  await evePage.getByRole('button', { name: 'Delete note', exact: true }).click();
  for (const page of [evePage, maxPage, adminPage]) {
    await page.locator('.message.note .text.deleted', { hasText: 'This note was deleted' }).waitFor();
    assert.equal(await page.locator('.message.note', { hasText: '7731' }).count(), 0);
    assert.equal(await page.locator('.message.note .delete-note').count(), page === evePage ? 0 : page === adminPage ? 1 : 0);
  }
  await mention.locator('.preview.deleted', { hasText: 'The note was deleted' }).waitFor();
  assert.equal(await maxPage.locator('#inbox-rows', { hasText: '7731' }).count(), 0);
  assert.equal((await eve('GET', '/conversations/15550651')).messages.some((m) => m.text.includes('7731')), false);
  // The admins' audit log says who deleted which, never its words.
  await openSetting(adminPage, 'Audit log');
  const entry = adminPage.locator('#audit-rows tr').first();
  await entry.waitFor();
  assert.match((await entry.locator('td').allTextContents()).slice(1).join(' | '),
    /^eve \| deleted a private note in the conversation with \+15550651 \| seq: \d+ · writer: eve$/);
  for (const page of [evePage, maxPage, adminPage]) assert.deepEqual(page.errors, []);
}));

test('a note is edited in place by its writer alone, and every console and inbox shows its new words', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  for (const name of ['eve', 'max']) await admin('POST', '/agents', { username: name, password: `${name}-secret-1`, display_name: name });
  const eve = await apiAs(server, 'eve', 'eve-secret-1');
  await userSays(server, '15550661', 'support', 'Sol');
  await eve('POST', '/conversations/15550661/chat-support/start');
  await eve('POST', '/conversations/15550661/notes', { text: '@max meet at 3' });
  await admin('POST', '/conversations/15550661/notes', { text: 'from the admin' });
  const open = async (page) => {
    await page.locator('#conversation-list li[data-phone="15550661"]').click();
    await page.locator('.message.note', { hasText: 'from the admin' }).waitFor();
    return page.locator('.message.note').first();
  };
  const evePage = await consolePage(browser.browser, server, 'eve', 'eve-secret-1');
  const maxPage = await consolePage(browser.browser, server, 'max', 'max-secret-1');
  const adminPage = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const atEve = await open(evePage), atMax = await open(maxPage), atAdmin = await open(adminPage);
  // Only its writer edits it: not another agent, nor an admin (who may delete it).
  assert.equal(await evePage.locator('.edit-note').count(), 1);
  assert.equal(await atEve.locator('.edit-note').count(), 1);
  assert.equal(await maxPage.locator('.edit-note').count(), 0);
  assert.equal(await atAdmin.locator('.edit-note').count(), 0);
  assert.equal(await adminPage.locator('.message.note', { hasText: 'from the admin' }).locator('.edit-note').count(), 1);
  await maxPage.locator('#inbox').click();
  const mention = maxPage.locator('#inbox-rows li', { hasText: 'eve mentioned you' });
  await mention.waitFor();

  // Escape leaves it as it was, even changed; the box holds its words, multi-line.
  const edit = async () => {
    await atEve.hover();
    await atEve.getByRole('button', { name: 'Edit this note' }).click();
    const box = evePage.getByRole('textbox', { name: 'Edit the note' });
    await box.waitFor();
    return box;
  };
  let box = await edit();
  assert.equal(await box.inputValue(), '@max meet at 3');
  assert.equal(await atEve.locator('.text').isVisible(), false);
  await box.press('End');
  await box.pressSequentially(' or 4');
  await box.press('Escape');
  await atEve.locator('.text', { hasText: '@max meet at 3' }).waitFor();
  assert.equal(await evePage.locator('.note-editor').count(), 0);
  assert.equal((await eve('GET', '/conversations/15550661')).messages.find((m) => m.type === 'note').edited_at, undefined);

  // The chat ended by the admin while eve types: the pane is drawn again, but the words being typed stay.
  box = await edit();
  await box.fill('@max meet at 4');
  await admin('POST', '/conversations/15550661/chat-support/end', {});
  await evePage.locator('#composer-hint', { hasText: 'Start a chat to reply' }).waitFor();
  assert.equal(await box.inputValue(), '@max meet at 4');
  await box.press('Shift+Enter');
  await box.pressSequentially('bring the form');
  await box.press('Enter');
  for (const page of [evePage, maxPage, adminPage]) {
    const note = page.locator('.message.note').first();
    await note.locator('.text', { hasText: 'bring the form' }).waitFor();
    assert.equal(await note.locator('.text').innerText(), '@max meet at 4\nbring the form');
    assert.match(await note.locator('.edited').getAttribute('title'), /^Edited /);
    assert.equal(await note.locator('.meta .edited').textContent(), 'edited');
  }
  assert.equal(await atAdmin.locator('.edited').count(), 1);
  assert.equal(await adminPage.locator('.message.note', { hasText: 'from the admin' }).locator('.edited').count(), 0);
  await mention.locator('.preview', { hasText: 'bring the form' }).waitFor();
  const stored = (await eve('GET', '/conversations/15550661')).messages.find((m) => m.type === 'note');
  assert.equal(stored.text, '@max meet at 4\nbring the form');
  assert.ok(stored.edited_at);
  // Enter on words unchanged sends nothing.
  const patches = [];
  evePage.on('request', (r) => { if (r.method() === 'PATCH') patches.push(r.url()); });
  box = await edit();
  await box.press('Enter');
  assert.equal(await evePage.locator('.note-editor').count(), 0);
  // The page's own request after Enter: one Enter sent would have been seen before it.
  assert.equal(await evePage.evaluate(() => fetch('/healthz').then((r) => r.status)), 200);
  assert.deepEqual(patches, []);
  assert.equal((await eve('GET', '/conversations/15550661')).messages.find((m) => m.type === 'note').edited_at, stored.edited_at);

  // ↑ in an empty note edits her newest one, and Escape gives the keyboard back to the composer; not with words typed.
  await eve('POST', '/conversations/15550661/notes', { text: 'her newest note' });
  await evePage.locator('.message.note', { hasText: 'her newest note' }).waitFor();
  await evePage.getByRole('tab', { name: 'Private note' }).click();
  const composer = evePage.locator('#composer-text');
  await composer.press('ArrowUp');
  box = evePage.getByRole('textbox', { name: 'Edit the note' });
  assert.equal(await box.inputValue(), 'her newest note');
  await box.press('Escape');
  await evePage.waitForFunction(() => document.activeElement?.id === 'composer-text');
  await composer.fill('typed');
  await composer.press('ArrowUp');
  assert.equal(await evePage.locator('.note-editor').count(), 0);

  await openSetting(adminPage, 'Audit log');
  const entry = adminPage.locator('#audit-rows tr').first();
  await entry.waitFor();
  assert.match((await entry.locator('td').allTextContents()).slice(1).join(' | '),
    /^eve \| edited a private note in the conversation with \+15550661 \| seq: \d+$/);

  // Another chat opened by the keyboard from the editor leaves it behind: back, the note is drawn as events say.
  await userSays(server, '15550662', 'hi', 'Tom');
  await evePage.locator('#conversation-list li[data-phone="15550662"]').waitFor();
  box = await edit();
  await box.press('Alt+K');
  await evePage.locator('#conv-name', { hasText: 'Tom' }).waitFor();
  await evePage.locator('#conversation-list li[data-phone="15550661"]').click();
  await atEve.locator('.text', { hasText: 'bring the form' }).waitFor();
  await admin('DELETE', `/conversations/15550661/notes/${stored.seq}`);
  await atEve.locator('.text.deleted', { hasText: 'This note was deleted' }).waitFor();
  for (const page of [evePage, maxPage, adminPage]) assert.deepEqual(page.errors, []);
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
  // The list takes the reply as Ada's last message, and may move her row
  // with it: a click before that could land on the row that moved there.
  await page.locator('#conversation-list li[data-phone="15550821"]', { hasText: 'Your refund is on its way' }).waitFor();
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
  await page.locator('#back').click();  // a phone's width shows the top bar with the list
  await openSetting(page, 'Saved replies');
  const reply = page.locator(`#replies-list li[data-shortcut="${shortcut}"]`);
  await reply.locator('.reply-text').waitFor();
  assert.ok(await reply.evaluate((li) => [li, ...li.querySelectorAll('*')].every((e) => e.scrollWidth <= e.clientWidth + 1)),
    'the saved reply is wider than its dialog');
  const edit = await page.getByRole('button', { name: `Edit /${shortcut}` }).boundingBox();
  const dialog = await page.locator('#replies-dialog').boundingBox();
  assert.ok(edit.x + edit.width <= dialog.x + dialog.width, 'its Edit button is outside the dialog');
  await page.locator('#replies-dialog').getByRole('button', { name: 'Close' }).click();
  await page.locator('#conversation-list li[data-phone="15550009"]').click();
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

// The bot's buttons show under its message, as the user's app drew them,
// so that an agent reads a `4` as the tap it was; they are not pressable.
test("the bot's buttons show under its message, as the user saw them, live too", () => withMemoryServer([], async (server) => {
  await userSays(server, '15550011', 'hi', 'Ida');
  await userSays(server, '15550011', 'support');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15550011"]').click();
  const menu = page.locator('.message.bot', { hasText: 'Welcome!' });
  await menu.locator('.choices li').nth(1).waitFor();
  assert.deepEqual(await menu.locator('.choices li').allTextContents(), ['Support', 'Register']);
  assert.equal(await menu.locator('.choices li').first().getAttribute('title'), 'Sends "support"');
  assert.equal(await menu.locator('.choices').getAttribute('aria-label'), 'Buttons the user was shown');
  assert.equal(await menu.locator('.choices button').count(), 0);
  // The reply that offered nothing shows none.
  const connecting = page.locator('.message.bot', { hasText: 'Connecting you' });
  await connecting.waitFor();
  assert.equal(await connecting.locator('.choices').count(), 0);

  // The rating question comes in live, its scores with it.
  await userSays(server, '15550011', 'exit');
  const question = page.locator('.message.bot', { hasText: 'session ended' });
  await question.locator('.choices li').nth(4).waitFor();
  assert.deepEqual(await question.locator('.choices li').allTextContents(), ['1 ★', '2 ★★', '3 ★★★', '4 ★★★★', '5 ★★★★★']);
  assert.deepEqual(page.errors, []);
}));

test('an agent signs their replies with the signature they wrote, never a note, and this browser keeps the switch', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  await userSays(server, '15551601', 'support', 'Sam');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15551601"]').click();
  await page.getByRole('button', { name: 'Claim Chat' }).click();
  await page.waitForFunction(() => !document.getElementById('composer-text').disabled);
  assert.equal(await page.locator('#sign').isVisible(), false);  // no signature yet

  // Written in the Team dialog, kept on the server.
  await openSetting(page, 'Team');
  const team = page.locator('#team-dialog');
  assert.equal(await team.locator('#email-form').isVisible(), false);  // this server sends no e-mail
  assert.equal(await page.locator('#mail-transcript').evaluate((f) => f.hidden), true);  // nor transcripts
  await team.locator('#signature-form').getByLabel('Signature').fill('  Ada · Support\nSwitchboard  ');
  await team.getByRole('button', { name: 'Save signature' }).click();
  await team.locator('#team-status', { hasText: 'Your signature is saved.' }).waitFor();
  await team.getByRole('button', { name: 'Close' }).click();
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  assert.equal((await admin('GET', '/me')).agent.signature, 'Ada · Support\nSwitchboard');

  // Switched on, it goes under a reply; a note has none, and no switch.
  const sign = page.locator('#sign');
  assert.equal(await sign.getAttribute('aria-pressed'), 'false');
  await sign.click();
  assert.equal(await sign.getAttribute('aria-pressed'), 'true');
  await page.locator('#composer-text').fill('Hello Sam');
  await page.locator('#composer-text').press('Enter');
  await receiver.waitFor((m) => m.to === '15551601' && m.text === 'Hello Sam\n\nAda · Support\nSwitchboard');
  await page.locator('#mode-note').click();
  assert.equal(await sign.isVisible(), false);
  await page.locator('#composer-text').fill('Sam asked twice');
  await page.locator('#composer-text').press('Enter');
  await page.locator('.message.note:not(.pending)', { hasText: 'Sam asked twice' }).waitFor();  // stored, not just shown
  const notes = (await admin('GET', '/conversations/15551601')).messages.filter((m) => m.type === 'note');
  assert.deepEqual(notes.map((m) => m.text), ['Sam asked twice']);

  // This browser keeps it on across a reload, until switched off.
  await page.reload();
  await page.locator('#connection.live').waitFor();
  await page.locator('#conversation-list li[data-phone="15551601"]').click();
  await page.waitForFunction(() => !document.getElementById('composer-text').disabled);
  assert.equal(await sign.getAttribute('aria-pressed'), 'true');
  await sign.click();
  await page.locator('#composer-text').fill('Bye Sam');
  await page.locator('#composer-text').press('Enter');
  await receiver.waitFor((m) => m.to === '15551601' && m.text === 'Bye Sam');
  assert.deepEqual(page.errors, []);
}));

// Chatwoot's reply box has an emoji picker: one goes in where the caret is,
// and the reply goes with it.
test('an agent puts an emoji in a reply from the picker, where the caret is', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  await userSays(server, '15551701', 'support', 'Ola');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15551701"]').click();
  await page.getByRole('button', { name: 'Claim Chat' }).waitFor();  // the chat drawn
  assert.equal(await page.locator('#emoji').isDisabled(), true);  // no reply here yet: not the agent's chat
  await page.getByRole('button', { name: 'Claim Chat' }).click();
  await page.waitForFunction(() => !document.getElementById('composer-text').disabled);
  const text = page.locator('#composer-text');
  await text.fill('Thanks for waiting');
  await text.evaluate((t) => t.setSelectionRange(6, 6));  // after "Thanks"
  await page.getByRole('button', { name: 'Insert an emoji' }).click();
  const panel = page.getByRole('group', { name: 'Emoji' });
  await panel.waitFor();
  assert.equal(await page.locator('#emoji').getAttribute('aria-expanded'), 'true');
  await panel.getByRole('button', { name: 'folded hands' }).click();
  assert.equal(await text.inputValue(), 'Thanks🙏 for waiting');
  assert.equal(await panel.isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'composer-text');
  assert.equal(await text.evaluate((t) => t.selectionStart), 'Thanks🙏'.length);  // typing goes on after it

  // Escape closes the picker alone, and the button has the focus again.
  await page.getByRole('button', { name: 'Insert an emoji' }).click();
  await panel.waitFor();
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'emoji');
  assert.equal(await page.locator('#conv-name', { hasText: 'Ola' }).isVisible(), true);  // the chat still open

  await text.press('End');
  await text.press('Enter');
  await receiver.waitFor((m) => m.to === '15551701' && m.text === 'Thanks🙏 for waiting');
  assert.deepEqual(page.errors, []);
}));

// Intercom's send later: ⏰ beside Send schedules what the composer holds;
// the strip over the composer lists it, in every console, until it goes or
// is cancelled; one that could not go says why, until deleted.
test('an agent schedules a reply to go later: it waits over the composer, goes at its time, or says why it could not', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  await admin('PATCH', '/agents/admin', { signature: 'Ada' });
  await userSays(server, '15550951', 'support', 'Rita');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const lea = await consolePage(browser.browser, server, 'lea', 'lea-secret-1');
  for (const p of [page, lea]) {
    await p.locator('#conversation-list li[data-phone="15550951"]').click();
    await p.locator('#conv-name', { hasText: 'Rita' }).waitFor();
  }
  const later = page.locator('#send-later');
  assert.equal(await later.isVisible(), false);  // not the admin's chat yet
  await page.locator('#start-chat').click();  // Claim Chat: it waits in the queue
  await later.waitFor();
  assert.equal(await lea.locator('#send-later').isVisible(), false);  // nor lea's
  const scheduled = async () => (await admin('GET', '/conversations/15550951/scheduled')).scheduled;

  // Nothing written: nothing to schedule.
  await later.locator('summary').click();
  await page.getByRole('button', { name: 'In an hour' }).click();
  await page.locator('#composer-hint', { hasText: 'Write the reply first' }).waitFor();
  // Written, then sent next Monday at 09:00, the agent's own time: listed in every console.
  await page.locator('#composer-text').fill('Following up on your order');
  await later.locator('summary').click();
  await page.getByRole('button', { name: 'Next week, Mon 09:00' }).click();
  for (const p of [page, lea])
    await p.locator('#scheduled-list li', { hasText: 'Following up on your order' }).filter({ hasText: '⏰' }).waitFor();
  assert.equal(await page.locator('#composer-text').inputValue(), '');
  await lea.reload();  // read with the chat, not only heard of
  await lea.locator('#scheduled-list li', { hasText: 'Following up on your order' }).waitFor();
  const [kept] = await scheduled();
  assert.deepEqual(await page.evaluate((iso) => [new Date(iso).getDay(), new Date(iso).getHours(), new Date(iso).getMinutes()], kept.send_at), [1, 9, 0]);
  await page.locator('#composer-hint', { hasText: 'Your reply goes' }).waitFor();
  // Cancelled: gone from every console.
  await page.getByRole('button', { name: /^Cancel the reply scheduled for/ }).click();
  await lea.locator('#scheduled-list li').waitFor({ state: 'detached' });
  assert.deepEqual(await scheduled(), []);
  assert.equal(await page.locator('#scheduled-list').isVisible(), false);

  // Edit, its writer's alone: taken back into the composer as typed (signed again as it is sent), once the
  // composer is free, and off every console's strip.
  await page.locator('#sign').click();
  await page.locator('#composer-text').fill('Your refund is on its way');
  await later.locator('summary').click();
  await page.getByRole('button', { name: 'In an hour' }).click();
  const waiting = page.locator('#scheduled-list li', { hasText: 'Your refund is on its way' });
  await waiting.waitFor();
  assert.equal((await scheduled())[0].text, 'Your refund is on its way\n\nAda');
  await lea.locator('#scheduled-list li', { hasText: 'Your refund is on its way' }).waitFor();
  assert.equal(await lea.getByRole('button', { name: /^Edit the reply/ }).count(), 0);
  await page.locator('#composer-text').fill('half a thought');
  await waiting.getByRole('button', { name: /^Edit the reply scheduled for/ }).click();
  await page.locator('#composer-hint', { hasText: 'Send or clear what the composer holds first' }).waitFor();
  assert.equal((await scheduled()).length, 1);
  await page.locator('#composer-text').fill('');
  await waiting.getByRole('button', { name: /^Edit the reply scheduled for/ }).click();
  await lea.locator('#scheduled-list li').waitFor({ state: 'detached' });
  assert.equal(await page.locator('#composer-text').inputValue(), 'Your refund is on its way');
  assert.deepEqual(await scheduled(), []);
  await page.locator('#composer-text').fill('');
  await page.locator('#sign').click();

  // One due in a moment: listed, then sent at its time as a reply of the admin's, and off the list.
  // Three seconds: room for the strip to show it first on a busy machine.
  await admin('POST', '/conversations/15550951/scheduled', { text: 'Here is your tracking number', send_at: new Date(Date.now() + 3000).toISOString() });
  await page.locator('#scheduled-list li', { hasText: 'Here is your tracking number' }).waitFor();
  await receiver.waitFor((m) => m.to === '15550951' && m.text === 'Here is your tracking number');
  await page.locator('#messages .message', { hasText: 'Here is your tracking number' }).waitFor();
  await page.locator('#scheduled-list li').waitFor({ state: 'detached' });

  // One whose chat ended before its time: not sent, saying why, until deleted.
  // The chat ended at once, well before its time (three seconds).
  await admin('POST', '/conversations/15550951/scheduled', { text: 'Too late', send_at: new Date(Date.now() + 3000).toISOString() });
  await admin('POST', '/conversations/15550951/chat-support/end', {});
  const failed = page.locator('#scheduled-list li.failed', { hasText: 'Too late' });
  await failed.filter({ hasText: 'Not sent' }).filter({ hasText: 'no chat is active with 15550951' }).waitFor();
  await lea.locator('#scheduled-list li.failed', { hasText: 'Too late' }).waitFor();
  assert.equal(await later.isVisible(), false);  // the chat is over: nothing more to schedule
  await failed.getByRole('button', { name: 'Edit the reply not sent' }).click();  // nor to write until it is the admin's again
  await page.locator('#composer-hint', { hasText: 'once the chat is yours again' }).waitFor();
  assert.equal((await scheduled()).length, 1);
  await failed.getByRole('button', { name: 'Delete the reply not sent' }).click();
  await lea.locator('#scheduled-list li').waitFor({ state: 'detached' });
  assert.deepEqual(await scheduled(), []);
  assert.deepEqual([...page.errors, ...lea.errors], []);
}));
