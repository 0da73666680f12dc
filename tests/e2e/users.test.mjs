// The console in real headless chromium against the real server: the users behind the
// conversations: blocking one, deleting one for good, and the Contacts dialog of them all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ADMIN_PASSWORD, apiAs, browser, chatAction, consolePage, holdNextAnswer, receiver, shareBrowserAndReceiver,
  userSays, withMemoryServer,
} from './harness.mjs';

shareBrowserAndReceiver();

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
  await chatAction(page, 'Block');
  await page.locator('#block-who', { hasText: 'Spammy (+15550751)' }).waitFor();
  await page.locator('#block-dialog').getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await admin('GET', '/conversations/15550751')).blocked, false);

  await chatAction(page, 'Block');
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

  await chatAction(page, 'Unblock');
  await page.locator('#conv-blocked').waitFor({ state: 'hidden' });
  await page.locator('.message.system', { hasText: 'Unblocked by admin' }).waitFor();
  await lea.locator('#conversation-list li[data-phone="15550751"] .badge.blocked').waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Start Chat' }).waitFor();
  assert.equal(await page.locator('#block-user').textContent(), 'Block');
  assert.equal(await page.locator('.message', { hasText: 'BUY NOW' }).count(), 0);
  assert.deepEqual([...page.errors, ...lea.errors], []);
}));

// An admin erases a user (the GDPR's right to erasure): after a
// confirmation that says what goes, every console lets the conversation go,
// its draft and its notifications too; agents are not offered it.
test('an admin deletes a conversation for good, and every console lets it go', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  await userSays(server, '15550761', 'my card 9911 was charged twice', 'Nia');
  await userSays(server, '15550762', 'hello', 'Oz');
  const lea = await consolePage(browser.browser, server, 'lea', 'lea-secret-1');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  // Lea starts a note to Nia's chat, and goes on to Oz's.
  await lea.locator('#conversation-list li[data-phone="15550761"]').click();
  await lea.locator('#conv-name', { hasText: 'Nia' }).waitFor();
  await lea.locator('#more-menu > summary').click();
  await lea.locator('#block-user').waitFor();
  assert.equal(await lea.locator('#delete-conversation').isVisible(), false);  // admins only
  await lea.keyboard.press('Escape');
  await lea.getByRole('tab', { name: 'Private note' }).click();
  await lea.locator('#composer-text').fill('We are refunding the second');
  await lea.locator('#conversation-list li[data-phone="15550761"] .badge.draft').waitFor();  // its row a line taller: then the next is clicked
  await lea.locator('#conversation-list li[data-phone="15550762"]').click();
  await lea.locator('#conv-name', { hasText: 'Oz' }).waitFor();
  const leaDrafts = () => lea.evaluate(() => Object.values(localStorage).join());
  assert.match(await leaDrafts(), /refunding/);
  // Mentioned, lea follows it and has a notification of it.
  await admin('POST', '/conversations/15550761/notes', { text: '@lea have a look' });
  await lea.locator('#inbox-count', { hasText: '1' }).waitFor();
  await lea.locator('.tabs [data-filter="following"] .count', { hasText: '1' }).waitFor();
  await page.locator('#conversation-list li[data-phone="15550761"]').click();
  await page.locator('#conv-name', { hasText: 'Nia' }).waitFor();

  // Cancelled: nothing changes.
  await chatAction(page, 'Delete');
  await page.locator('#delete-who', { hasText: 'Nia (+15550761)' }).waitFor();
  await page.locator('#delete-dialog').getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await admin('GET', '/conversations/15550761')).name, 'Nia');

  await chatAction(page, 'Delete');
  await page.locator('#delete-confirm').click();
  await page.locator('#pane-empty', { hasText: 'The conversation with Nia was deleted by admin.' }).waitFor();
  assert.equal(await page.locator('#conversation').isVisible(), false);
  for (const p of [page, lea]) {
    await p.locator('#conversation-list li[data-phone="15550761"]').waitFor({ state: 'detached' });
    await p.locator('#conversation-list li[data-phone="15550762"]').waitFor();
  }
  // Lea's open chat stays; her Following count (the server's), her inbox and her draft let Nia go.
  await lea.waitForFunction(() => document.querySelector('.tabs [data-filter="following"] .count').textContent === '');
  await lea.locator('#inbox-count').waitFor({ state: 'hidden' });
  assert.equal(await lea.locator('#conv-name', { hasText: 'Oz' }).isVisible(), true);
  assert.doesNotMatch(await leaDrafts(), /refunding/);
  assert.match((await admin('GET', '/conversations/15550761')).error.message, /15550761/);

  // In bulk: the admin selects two and deletes them; an agent has no Delete in the bar.
  await userSays(server, '15550763', 'hi', 'Pia');
  await userSays(server, '15550764', 'hi', 'Quy');
  await lea.getByRole('button', { name: 'Select' }).click();
  await lea.locator('#bulk-count', { hasText: '0 selected' }).waitFor();
  assert.equal(await lea.locator('#bulk-delete').isVisible(), false);
  await page.getByRole('button', { name: 'Select' }).click();
  for (const phone of ['15550762', '15550763']) await page.locator(`#conversation-list li[data-phone="${phone}"]`).click();
  await page.locator('#bulk-count', { hasText: '2 selected' }).waitFor();
  await page.locator('#bulk-delete').click();
  await page.locator('#erase-many-count', { hasText: '2 conversations will be deleted.' }).waitFor();
  await page.locator('#erase-many-dialog').getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await admin('GET', '/conversations/15550763')).name, 'Pia');
  await page.locator('#bulk-delete').click();
  await page.locator('#erase-many-confirm').click();
  await page.locator('#bulk-status', { hasText: 'Deleted: 2 of 2 conversations.' }).waitFor();
  await page.locator('#bulk-count', { hasText: '0 selected' }).waitFor();
  for (const p of [page, lea]) {
    for (const phone of ['15550762', '15550763']) await p.locator(`#conversation-list li[data-phone="${phone}"]`).waitFor({ state: 'detached' });
    await p.locator('#conversation-list li[data-phone="15550764"]').waitFor();
  }
  assert.equal((await admin('GET', '/conversations')).counts.all, 1);
  // Dismissed with Escape after a Delete confirmed: nothing goes.
  await page.locator('#conversation-list li[data-phone="15550764"]').click();
  await page.locator('#bulk-count', { hasText: '1 selected' }).waitFor();
  await page.locator('#bulk-delete').click();
  await page.locator('#erase-many-count', { hasText: '1 conversation will be deleted.' }).waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#erase-many-dialog').waitFor({ state: 'hidden' });
  await page.getByRole('button', { name: 'Mark read' }).click();  // a bulk action after it, answered in order
  await page.locator('#bulk-status', { hasText: 'Marked read: 1 of 1 conversation.' }).waitFor();
  assert.equal((await admin('GET', '/conversations/15550764')).name, 'Quy');
  assert.deepEqual([...page.errors, ...lea.errors], []);
}));

// Chatwoot's Contacts: every user, the imported ones the list leaves out
// too, a page at a time and searched; Open shows one to write to first.
test('the Contacts dialog lists every user, searches them, and opens one nobody has written to yet', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await admin('POST', '/agents', { username: 'lea', password: 'lea-secret-1', display_name: 'Lea' });
  await userSays(server, '15550771', 'hi', 'Ana');
  const { token } = await (await fetch(`${server.url}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) })).json();
  const many = Array.from({ length: 60 }, (_, i) => `155508${String(i).padStart(2, '0')},,fair`).join('\n');
  const imported = await fetch(`${server.url}/contacts/import?channel=plain`, { method: 'POST', headers: { Authorization: `Bearer ${token}` },
    body: `phone,name,labels\n15550772,Bo,vip\n${many}\n` });
  assert.equal(imported.status, 200);
  const lea = await consolePage(browser.browser, server, 'lea', 'lea-secret-1');
  await lea.locator('#conversation-list li[data-phone="15550771"]').waitFor();
  assert.equal(await lea.locator('#conversation-list li[data-phone="15550772"]').count(), 0);  // not in the list

  await lea.getByRole('button', { name: 'Contacts', exact: true }).click();
  const dialog = lea.locator('#contacts-dialog');
  await dialog.locator('#contacts-total', { hasText: '62 contacts' }).waitFor();
  assert.equal(await dialog.locator('#contacts-admin-tools').isVisible(), false);  // agents select none
  assert.equal(await dialog.locator('#contacts-rows input[type="checkbox"]').count(), 0);
  assert.equal(await dialog.locator('#contacts-rows li').count(), 50);
  assert.deepEqual(await dialog.locator('#contacts-rows li').evaluateAll((rows) => rows.slice(0, 2).map((r) => r.dataset.phone)),
    ['15550771', '15550772']);
  await dialog.locator('li[data-phone="15550772"]', { hasText: 'Not written to yet' }).waitFor();
  assert.equal(await dialog.locator('li[data-phone="15550771"]', { hasText: 'Not written to yet' }).count(), 0);
  await admin('DELETE', '/conversations/15550858');  // on the page not read yet: the total counts it
  await dialog.locator('#contacts-total', { hasText: '61 contacts' }).waitFor();
  await dialog.getByRole('button', { name: 'More' }).click();
  await dialog.locator('#contacts-rows li[data-phone="15550859"]').waitFor();
  assert.equal(await dialog.locator('#contacts-rows li').count(), 61);
  assert.equal(await dialog.getByRole('button', { name: 'More' }).isVisible(), false);
  // While it is open: a user renamed and labelled, a note on one not written to (who still is not), one deleted.
  await admin('PUT', '/conversations/15550771/name', { name: 'Ana Lima' });
  await dialog.locator('li[data-phone="15550771"] .who', { hasText: 'Ana Lima' }).waitFor();
  await admin('PUT', '/conversations/15550771/labels', { labels: ['gold', 'fair'] });
  await dialog.locator('li[data-phone="15550771"]', { hasText: 'fair, gold' }).waitFor();
  const noted = dialog.locator('li[data-phone="15550801"]');
  await noted.evaluate((li) => { li.dataset.before = 'yes'; });
  await admin('POST', '/conversations/15550801/notes', { text: 'Met at the fair' });
  await dialog.locator('li[data-phone="15550801"]:not([data-before])').waitFor();  // the row made anew
  assert.equal(await noted.locator('.badge', { hasText: 'Not written to yet' }).count(), 1);
  await admin('DELETE', '/conversations/15550800');
  await dialog.locator('#contacts-total', { hasText: '60 contacts' }).waitFor();
  assert.equal(await dialog.locator('#contacts-rows li[data-phone="15550800"]').count(), 0);

  await dialog.getByLabel('Search contacts').fill('vip');
  await dialog.locator('#contacts-total', { hasText: '1 contact found' }).waitFor();
  assert.equal(await dialog.locator('#contacts-rows li').count(), 1);
  await dialog.getByRole('button', { name: 'Open Bo' }).click();
  await lea.locator('#conv-name', { hasText: 'Bo' }).waitFor();
  assert.equal(await dialog.isVisible(), false);
  // Lea writes first: Bo joins the list, as any conversation.
  await lea.getByRole('button', { name: 'Start Chat' }).click();
  await lea.locator('#conversation-list li[data-phone="15550772"]').waitFor();
  await lea.locator('#conv-assignee', { hasText: 'Assigned to you' }).waitFor();

  // A wrong import of 230 (more than a request selects or deletes at
  // once): an admin deletes all the search finds, those not shown too (whom
  // the list never shows), but for Ana.
  const expo = Array.from({ length: 230 }, (_, i) => `${15551000 + i},,expo`).join('\n');
  const again = await fetch(`${server.url}/contacts/import?channel=plain`, { method: 'POST', headers: { Authorization: `Bearer ${token}` },
    body: `phone,name,labels\n${expo}\n` });
  assert.equal(again.status, 200);
  await admin('PUT', '/conversations/15550771/labels', { labels: ['expo', 'fair', 'gold'] });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Contacts', exact: true }).click();
  const theirs = page.locator('#contacts-dialog');
  await theirs.getByLabel('Search contacts').fill('expo');
  await theirs.locator('#contacts-total', { hasText: '231 contacts found' }).waitFor();
  await theirs.locator('#contacts-rows li').nth(49).waitFor();
  await theirs.getByRole('button', { name: 'Select all shown' }).click();
  await theirs.locator('#contacts-selected', { hasText: '50 selected' }).waitFor();
  await theirs.getByRole('button', { name: 'None' }).click();
  await theirs.locator('#contacts-selected', { hasText: '0 selected' }).waitFor();
  await theirs.getByRole('button', { name: 'Select all 231 found' }).click();
  await theirs.locator('#contacts-selected', { hasText: '231 selected' }).waitFor();
  await theirs.getByLabel('Select Ana Lima').uncheck();
  await theirs.locator('#contacts-selected', { hasText: '230 selected' }).waitFor();
  await theirs.getByRole('button', { name: 'Delete selected' }).click();
  await page.locator('#erase-many-count', { hasText: '230 contacts will be deleted.' }).waitFor();
  await page.locator('#erase-many-confirm').click();
  await theirs.locator('#contacts-status', { hasText: 'Deleted 230 of 230.' }).waitFor();
  await theirs.locator('#contacts-total', { hasText: '1 contact found' }).waitFor();
  await theirs.locator('#contacts-selected', { hasText: '0 selected' }).waitFor();
  assert.equal(await theirs.getByRole('button', { name: /^Select all \d+/ }).isVisible(), false);  // all shown
  assert.equal(await theirs.locator('#contacts-rows li').count(), 1);  // Ana, kept
  assert.equal((await admin('GET', '/contacts?q=expo')).total, 1);
  assert.equal((await admin('GET', '/contacts?q=fair')).total, 59);  // the other import, but for the one deleted
  assert.equal((await admin('GET', '/conversations/15550771')).name, 'Ana Lima');
  assert.deepEqual([...lea.errors, ...page.errors], []);
}));

test('the Contacts dialog narrows to the users of a custom attribute\'s choice, whom an admin selects and deletes at once', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550781', 'hi', 'Ana');
  const { token } = await (await fetch(`${server.url}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) })).json();
  const gold = Array.from({ length: 60 }, (_, i) => `155509${String(i).padStart(2, '0')},,gold`).join('\n');
  const imported = await fetch(`${server.url}/contacts/import?channel=plain`, { method: 'POST', headers: { Authorization: `Bearer ${token}` },
    body: `phone,name,plan\n15550782,Bo,silver\n15550783,Cy,\n${gold}\n` });
  assert.equal(imported.status, 200);
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Contacts', exact: true }).click();
  const dialog = page.locator('#contacts-dialog');
  await dialog.locator('#contacts-total', { hasText: '63 contacts' }).waitFor();
  const detail = dialog.getByRole('combobox', { name: 'Detail filter' });
  assert.equal(await detail.isVisible(), false);  // no custom attribute has choices yet

  // Defined while the dialog is open: offered at once, each choice, a yes or no too.
  await admin('PUT', '/custom-attributes/plan', { display_name: 'Plan', type: 'list', values: ['Gold', 'Silver'] });
  await admin('PUT', '/custom-attributes/signup', { display_name: 'Signed up', type: 'date' });
  await detail.waitFor();
  await admin('PUT', '/conversations/15550781/attributes', { attributes: { plan: 'gold' } });
  assert.deepEqual(await detail.locator('option').allTextContents(), ['Any detail', 'Plan: Gold', 'Plan: Silver']);
  await detail.selectOption({ label: 'Plan: Gold' });
  await dialog.locator('#contacts-total', { hasText: '61 contacts found' }).waitFor();
  assert.equal(await dialog.locator('#contacts-rows li').count(), 50);
  await dialog.getByLabel('Search contacts').fill('ana');
  await dialog.locator('#contacts-total', { hasText: '1 contact found' }).waitFor();
  assert.deepEqual(await dialog.locator('#contacts-rows li').evaluateAll((rows) => rows.map((r) => r.dataset.phone)), ['15550781']);
  await dialog.getByLabel('Search contacts').fill('');
  await dialog.locator('#contacts-total', { hasText: '61 contacts found' }).waitFor();
  await admin('PUT', '/custom-attributes/plan', { display_name: 'Plan', type: 'list', values: ['Gold', 'Silver', 'Bronze'] });
  await detail.locator('option', { hasText: 'Plan: Bronze' }).waitFor({ state: 'attached' });
  assert.equal(await detail.inputValue(), 'plan:Gold');  // still the one the rows are of
  // Ana, no longer of Gold, leaves the rows and the count as it changes.
  await admin('PUT', '/conversations/15550781/attributes', { attributes: { plan: 'Silver' } });
  await dialog.locator('#contacts-total', { hasText: '60 contacts found' }).waitFor();
  assert.equal(await dialog.locator('#contacts-rows li[data-phone="15550781"]').count(), 0);

  // All 60 of Gold, those not shown too, and none of the others.
  await dialog.getByRole('button', { name: 'Select all 60 found' }).click();
  await dialog.locator('#contacts-selected', { hasText: '60 selected' }).waitFor();
  await dialog.getByRole('button', { name: 'Delete selected' }).click();
  await page.locator('#erase-many-count', { hasText: '60 contacts will be deleted.' }).waitFor();
  await page.locator('#erase-many-confirm').click();
  await dialog.locator('#contacts-status', { hasText: 'Deleted 60 of 60.' }).waitFor();
  await dialog.locator('#contacts-total', { hasText: '0 contacts found' }).waitFor();
  assert.deepEqual((await admin('GET', '/contacts')).contacts.map((c) => c.phone), ['15550781', '15550782', '15550783']);
  await detail.selectOption({ label: 'Any detail' });
  await dialog.locator('#contacts-total', { hasText: /^3 contacts$/ }).waitFor();
  assert.deepEqual(page.errors, []);
}));

// A user renamed and another deleted as the Contacts dialog reads its first
// page: the page read before and answered after their events shows them
// as the events said.
test('a page of contacts read before a rename and a deletion, answered after their events, shows both', () => withMemoryServer([], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await userSays(server, '15550781', 'hi', 'Ana');
  await userSays(server, '15550782', 'hi', 'Bo');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator('#conversation-list li[data-phone="15550782"]').waitFor();
  const held = await holdNextAnswer(page, /\/contacts\?limit=/);
  await page.getByRole('button', { name: 'Contacts', exact: true }).click();
  await held.read;  // Ana and Bo, as they were
  await admin('PUT', '/conversations/15550781/name', { name: 'Ana Lima' });
  await admin('DELETE', '/conversations/15550782');
  await page.locator('#conversation-list li[data-phone="15550782"]').waitFor({ state: 'detached' });  // the console has had both events
  await held.handOver();
  const dialog = page.locator('#contacts-dialog');
  await dialog.locator('#contacts-total', { hasText: 'contact' }).waitFor();
  assert.deepEqual(await dialog.locator('#contacts-rows li .who').allTextContents(), ['Ana Lima']);
  assert.equal(await dialog.locator('#contacts-total').textContent(), '1 contact');
  assert.deepEqual(page.errors, []);
}));
