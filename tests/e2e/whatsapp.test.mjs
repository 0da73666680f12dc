// The console in real headless chromium against the real server: WhatsApp: its 24-hour window,
// templates, files, quotes and typing.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import {
  ADMIN_PASSWORD, apiAs, browser, consolePage, holdNextAnswer, newUserShows, PNG_4X3, receiver, shareBrowserAndReceiver, userSays,
  whatsappHoldsFiles, whatsappUserSends, withMemoryServer,
} from './harness.mjs';

shareBrowserAndReceiver();

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

// An agent sends a WhatsApp user a file: picked with 📎 and sent with the
// reply's text as its caption, a picture pasted into the reply, or a file
// dropped on the chat. It is
// uploaded to the Graph API stand-in, sent by its id, and shown in the chat
// as the user's files are. One WhatsApp does not take can be sent again.
test('an agent sends a file with 📎, pastes a picture and drops a file, and one WhatsApp refused goes again', () => withMemoryServer(['--wa-api-base', receiver.url], async (server) => {
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
    }, [...PNG_4X3]);
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
test('a photo, a voice message, a document, a place, contact cards and a reaction a user sends are shown in the chat', () => withMemoryServer(['--wa-api-base', receiver.url], async (server) => {
  whatsappHoldsFiles({ image: '9001', audio: '9002', document: '9003' });
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
    // A shared place: its name and address, and a link that shows it on a map.
    await sends('wamid.ines-8', 'location', { latitude: 38.7223, longitude: -9.1393, name: 'Main Street Store', address: '1 Main Street' });
    const place = page.locator('.message.user .location');
    await place.locator('.text', { hasText: '📍 Main Street Store, 1 Main Street' }).waitFor();
    assert.equal(await place.getByRole('link', { name: 'Open in a map' }).getAttribute('href'),
      'https://www.openstreetmap.org/?mlat=38.7223&mlon=-9.1393#map=17/38.7223/-9.1393');
    assert.equal(await page.locator('.message.user', { hasText: '[location]' }).count(), 0);
    await row.locator('.preview', { hasText: '📍 Main Street Store, 1 Main Street' }).waitFor();
    // Contact cards: each name and number, as the phone shows them.
    await sends('wamid.ines-9', 'contacts', [
      { name: { formatted_name: 'Ana Lima' }, phones: [{ phone: '+55 11 5555-0100', type: 'CELL' }] }, { name: { formatted_name: 'Bo' } }]);
    await page.locator('.message.user .text', { hasText: '👤 Ana Lima +55 11 5555-0100, Bo' }).waitFor();
    await row.locator('.preview', { hasText: '👤 Ana Lima +55 11 5555-0100, Bo' }).waitFor();
    assert.equal(await page.locator('.message.user', { hasText: '[contacts]' }).count(), 0);
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

test('a reply scheduled past WhatsApp\'s 24-hour window says it will not go unless the user writes again', () => withMemoryServer(['--wa-api-base', receiver.url], async (server) => {
  const phone = '15550962';
  await whatsappUserSends(server, phone, 'wamid.w-1', 'text', null, 'support');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.locator(`#conversation-list li[data-phone="${phone}"]`).click();
  await page.getByRole('button', { name: 'Claim Chat' }).click();
  await page.locator('#send-later').waitFor();
  // At a time picked, in the agent's own: an hour on, then two days on (past the window, whatever the day).
  const later = async (hours, text) => {
    await page.locator('#composer-text').fill(text);
    await page.locator('#send-later summary').click();
    await page.locator('#send-later-at').fill(await page.evaluate((h) => {
      const at = new Date(Date.now() + h * 3_600_000);
      return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    }, hours));
    await page.locator('#send-later-custom').click();
    await page.locator('#scheduled-list li', { hasText: text }).waitFor();
    return page.locator('#composer-hint').textContent();
  };
  assert.match(await later(1, 'Within the window'), /^Your reply goes [^.]+\.$/);
  assert.match(await later(48, 'Past the window'),
    /^Your reply goes .+\. WhatsApp's 24-hour window closes .+: unless they write again by then, it will not go \(a Template would\)\.$/);
  assert.equal((await (await apiAs(server, 'admin', ADMIN_PASSWORD))('GET', `/conversations/${phone}/scheduled`)).scheduled.length, 2);
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
    // Opened afresh, read: the newest 50 messages, the question not among them.
    const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
    await admin('POST', `/conversations/${phone}/read`, { up_to: 1000 });
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

// New conversation: an agent writes first to a user who has not written: on
// the webhook with a text, on WhatsApp with a template, whose reply box
// waits for the user's answer. A number the server knows is opened instead.
test('an agent writes first to users who have not written, and a known number opens its conversation', () => withMemoryServer(['--wa-api-base', receiver.url, '--wa-business-account-id', 'waba-1', '--wa-phone-number-id', '106540352242922', '--outbound-url', receiver.url], async (server) => {
  receiver.templates = [
    { name: 'order_update', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [
      { type: 'BODY', text: 'Hi {{1}}, order {{2}} has shipped.' }] },
  ];
  try {
    await userSays(server, '15550950', 'hi', 'Lia');
    const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
    const newButton = page.getByRole('button', { name: '✉ New' });
    const dialog = page.locator('#new-conversation-dialog');
    await newButton.click();
    assert.deepEqual(await dialog.locator('#new-channel option').allTextContents(), ['WhatsApp', 'Webhook']);

    // A number the server knows: not made again, offered to open.
    await dialog.getByLabel('Phone number').fill('+1 555 0950');
    await dialog.getByLabel('Channel').selectOption({ label: 'Webhook' });
    await dialog.getByLabel('Message').fill('Hello');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.locator('#new-error', { hasText: '+15550950 has a conversation already.' }).waitFor();
    await dialog.getByRole('button', { name: 'Open it' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('#conv-name', { hasText: 'Lia' }).waitFor();
    assert.equal(await page.locator('#conversation-list li[data-phone="15550950"]').getAttribute('aria-current'), 'true');

    // On the webhook: the text goes, and the chat opens as the agent's.
    await newButton.click();
    assert.equal(await dialog.getByLabel('Phone number').inputValue(), '');  // a fresh form
    await dialog.getByLabel('Phone number').fill('+1 (555) 096-0001');
    await dialog.getByLabel('Name (optional)').fill('Ines');
    await dialog.getByLabel('Channel').selectOption({ label: 'Webhook' });
    await dialog.getByLabel('Message').fill('Your parcel left the warehouse.');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('#conv-name', { hasText: 'Ines' }).waitFor();
    assert.equal(await page.locator('#conv-phone').textContent(), '+15550960001');
    await page.locator('#conv-assignee', { hasText: 'Assigned to you' }).waitFor();
    await page.locator('.message.admin', { hasText: 'Your parcel left the warehouse.' }).waitFor();
    const sent = await receiver.waitFor((m) => m.to === '15550960001');
    assert.equal(sent.text, 'Your parcel left the warehouse.');
    await page.locator('#conversation-list li[data-phone="15550960001"][aria-current="true"]').waitFor();
    assert.equal(await page.locator('#composer-text').isDisabled(), false);

    // On WhatsApp: a template, chosen next; the reply waits for the user's answer.
    await page.locator('#composer-text').focus();
    await page.keyboard.press('Alt+KeyN');  // as the button, from anywhere
    await dialog.waitFor();
    await dialog.getByLabel('Phone number').fill('15550970');
    await dialog.getByLabel('Name (optional)').fill('Rui');
    await dialog.getByLabel('Channel').selectOption({ label: 'WhatsApp' });
    assert.equal(await dialog.getByLabel('Message').isVisible(), false);
    await dialog.getByRole('button', { name: 'Choose a template' }).click();
    const templates = page.locator('#template-dialog');
    await templates.locator('#template-title', { hasText: 'Write first to Rui' }).waitFor();
    await templates.getByLabel('{{1}}').fill('Rui');
    await templates.getByLabel('{{2}}').fill('B-2');
    receiver.refuse = (m) => (m.type === 'template' ? [200, '{"messages":[{"id":"wamid.first-1"}]}'] : null);
    await templates.getByRole('button', { name: 'Send and open the chat' }).click();
    await templates.waitFor({ state: 'hidden' });
    await page.locator('#conv-name', { hasText: 'Rui' }).waitFor();
    await page.locator('.message.admin', { hasText: 'Hi Rui, order B-2 has shipped.' }).locator('.meta', { hasText: 'You · template' }).waitFor();
    const first = await receiver.waitFor((m) => m.type === 'template' && m.to === '15550970');
    assert.equal(first.template.name, 'order_update');
    await page.locator('#composer-hint', { hasText: "Rui has not written yet: WhatsApp takes a reply only within 24 hours" }).waitFor();
    assert.equal(await page.locator('#composer-text').isDisabled(), true);
    await whatsappUserSends(server, '15550970', 'wamid.rui-answer', 'text', null, 'Thanks!');
    await page.locator('.message.user', { hasText: 'Thanks!' }).waitFor();
    await page.waitForFunction(() => !document.getElementById('composer-text').disabled);
    assert.equal(await page.locator('#conv-name').textContent(), 'Rui');  // as the agent named them, not their profile
    assert.deepEqual(page.errors, []);
  } finally {
    receiver.refuse = null;
  }
}));

// Campaigns: an admin sends one to the users under a label, on the webhook
// with a text and on WhatsApp with a template chosen in the template
// dialog, or schedules one; every agent's list follows them as they go.
test('an admin sends a campaign to the users under a label, on the webhook and on WhatsApp, and agents follow it', () => withMemoryServer(['--wa-api-base', receiver.url, '--wa-business-account-id', 'waba-1', '--outbound-url', receiver.url], async (server) => {
  receiver.templates = [
    { name: 'winter_sale', language: 'en_US', status: 'APPROVED', category: 'MARKETING', components: [
      { type: 'BODY', text: 'Hi! {{1}} off everything this week.' }] },
  ];
  const api = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await api('POST', '/agents', { username: 'lea', password: 'long-password-2' });
  for (const phone of ['15551201', '15551202', '15551203']) await userSays(server, phone, 'hi');
  await whatsappUserSends(server, '15551204', 'wamid.c-1', 'text', null, 'hi');
  for (const phone of ['15551201', '15551202', '15551204']) await api('PUT', `/conversations/${phone}/labels`, { labels: ['vip'] });
  await api('PUT', '/conversations/15551203/labels', { labels: ['newsletter', 'opted-out'] });

  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const lea = await consolePage(browser.browser, server, 'lea', 'long-password-2');
  await lea.getByRole('button', { name: 'Campaigns' }).click();
  await lea.locator('#campaigns-empty').waitFor();
  assert.equal(await lea.locator('#campaigns-form').isVisible(), false);  // admins make them

  await page.getByRole('button', { name: 'Campaigns' }).click();
  const dialog = page.locator('#campaigns-dialog');
  assert.deepEqual(await dialog.locator('#campaign-channel option').allTextContents(), ['WhatsApp', 'Webhook']);
  await dialog.getByRole('button', { name: 'Choose a template' }).click();  // WhatsApp's, first
  await dialog.locator('.error', { hasText: 'A campaign needs a name.' }).waitFor();

  // On the webhook: a text, now.
  await dialog.getByLabel('Name').fill('Winter sale');
  await dialog.getByLabel('Channel').selectOption({ label: 'Webhook' });
  await dialog.getByLabel('To the users under any of these labels').fill('VIP, newsletter');
  await dialog.locator('#campaign-audience', { hasText: 'Goes to 3 users now' }).waitFor();  // 1201, 1202 and 1203
  await dialog.getByLabel('But not those under any of these').fill('Opted out');
  await dialog.locator('#campaign-audience', { hasText: 'Goes to 2 users now' }).waitFor();  // 1203 opted out
  await dialog.getByLabel('Message').fill('20% off this week');
  await dialog.getByRole('button', { name: 'Send now' }).click();
  const sale = dialog.locator('#campaigns-list li', { hasText: 'Winter sale' });
  await sale.locator('.campaign-progress', { hasText: 'to 2 of 2 users' }).waitFor();
  assert.match(await sale.textContent(), /Webhook · to newsletter, vip but not opted-out · by admin/);
  await receiver.waitFor((m) => m.to === '15551201' && m.text === '20% off this week');
  await receiver.waitFor((m) => m.to === '15551202' && m.text === '20% off this week');
  await lea.locator('#campaigns-list li', { hasText: 'Winter sale' }).locator('.campaign-progress', { hasText: 'to 2 of 2 users' }).waitFor();
  assert.equal(await lea.locator('#campaigns-list button', { hasText: 'Delete' }).count(), 0);

  // On WhatsApp: a template, chosen next, for a time ahead.
  await dialog.getByLabel('Name').fill('New year');
  await dialog.getByLabel('Channel').selectOption({ label: 'WhatsApp' });
  assert.equal(await dialog.getByLabel('Message').isVisible(), false);
  await dialog.getByLabel('To the users under any of these labels').fill('vip');
  await dialog.locator('#campaign-audience', { hasText: 'Goes to 1 user now' }).waitFor();  // 1204, on WhatsApp
  await dialog.getByLabel('When (empty: now)').fill('2099-12-31T09:00');
  await dialog.getByRole('button', { name: 'Choose a template' }).click();
  const templates = page.locator('#template-dialog');
  await templates.locator('#template-title', { hasText: 'Campaign: New year' }).waitFor();
  await templates.getByLabel('{{1}}').fill('30%');
  await templates.getByRole('button', { name: 'Schedule the campaign' }).click();
  await templates.locator('#template-error', { hasText: 'a year ahead at most' }).waitFor();  // refused as the server says
  await templates.getByRole('button', { name: 'Cancel' }).click();
  await dialog.getByLabel('When (empty: now)').fill('');
  await dialog.getByRole('button', { name: 'Choose a template' }).click();
  await templates.getByLabel('{{1}}').fill('30%');
  receiver.refuse = (m) => (m.type === 'template' ? [200, '{"messages":[{"id":"wamid.new-year"}]}'] : null);
  await templates.getByRole('button', { name: 'Send the campaign' }).click();
  await templates.waitFor({ state: 'hidden' });
  const newYear = dialog.locator('#campaigns-list li', { hasText: 'New year' });
  await newYear.locator('.campaign-progress', { hasText: 'to 1 of 1 user · 0 delivered, 0 read' }).waitFor();
  assert.match(await newYear.textContent(), /winter_sale: Hi! 30% off everything this week\./);
  const sent = await receiver.waitFor((m) => m.type === 'template' && m.to === '15551204');
  receiver.refuse = null;
  assert.equal(sent.template.name, 'winter_sale');
  // WhatsApp says it was read (once it is on its way, as Lea sees it): the list counts it.
  await lea.getByRole('button', { name: 'Close' }).click();
  await lea.locator('#conversation-list li[data-phone="15551204"]').click();
  await lea.locator('.message.admin', { hasText: '30% off' }).locator('.ticks.sent').waitFor();
  const read = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', statuses: [{ id: 'wamid.new-year', status: 'read', timestamp: '1763900170', recipient_id: '15551204' }] } }] }] };
  assert.equal((await fetch(`${server.url}/webhook/whatsapp`, { method: 'POST', body: JSON.stringify(read) })).status, 200);
  await newYear.locator('.campaign-progress', { hasText: '1 delivered, 1 read' }).waitFor();
  await lea.getByRole('button', { name: 'Campaigns' }).click();

  // Scheduled, then deleted before its time.
  await dialog.getByLabel('Name').fill('Spring');
  await dialog.getByLabel('Channel').selectOption({ label: 'Webhook' });
  await dialog.getByLabel('To the users under any of these labels').fill('vip');
  const tomorrow = new Date(Date.now() + 86_400_000);
  const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await dialog.getByLabel('When (empty: now)').fill(local);
  await dialog.getByLabel('Message').fill('Spring is here');
  await dialog.getByRole('button', { name: 'Schedule' }).click();
  await dialog.locator('#campaigns-status', { hasText: 'Spring is scheduled.' }).waitFor();
  await dialog.locator('#campaigns-list li', { hasText: 'Spring' }).locator('.campaign-progress', { hasText: 'Scheduled for' }).waitFor();
  await lea.locator('#campaigns-list li', { hasText: 'Spring' }).waitFor();
  assert.equal(await lea.getByRole('button', { name: 'Edit Spring' }).count(), 0);
  // Changed before its time: the form shows it as it is, and keeps its channel.
  await dialog.getByRole('button', { name: 'Edit Spring' }).click();
  assert.equal(await dialog.locator('#campaign-form-title').textContent(), 'Change Spring');
  assert.equal(await dialog.getByLabel('Name').inputValue(), 'Spring');
  assert.equal(await dialog.getByLabel('When (empty: now)').inputValue(), local);
  assert.equal(await dialog.getByLabel('Message').inputValue(), 'Spring is here');
  assert.equal(await dialog.getByLabel('Channel').isDisabled(), true);
  await dialog.getByLabel('Name').fill('Spring sale');
  await dialog.getByLabel('Message').fill('Spring sale is here');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.locator('#campaigns-status', { hasText: 'Spring sale is changed.' }).waitFor();
  await lea.locator('#campaigns-list li', { hasText: 'Spring sale is here' }).waitFor();
  assert.equal(await dialog.locator('#campaign-form-title').textContent(), 'New campaign');
  assert.equal((await api('GET', '/campaigns')).campaigns.find((c) => c.name === 'Spring sale').text, 'Spring sale is here');
  await dialog.getByRole('button', { name: 'Delete Spring sale' }).click();
  await dialog.locator('#campaigns-status', { hasText: 'Spring sale is deleted.' }).waitFor();
  await lea.locator('#campaigns-list li', { hasText: 'Spring' }).waitFor({ state: 'detached' });

  // A WhatsApp campaign for tomorrow, its template changed before its time, then deleted.
  await dialog.getByLabel('Name').fill('Summer');
  await dialog.getByLabel('Channel').selectOption({ label: 'WhatsApp' });
  await dialog.getByLabel('To the users under any of these labels').fill('vip');
  await dialog.getByLabel('When (empty: now)').fill(local);
  await dialog.getByRole('button', { name: 'Choose a template' }).click();
  await templates.getByLabel('{{1}}').fill('30%');
  await templates.getByRole('button', { name: 'Schedule the campaign' }).click();
  await templates.waitFor({ state: 'hidden' });
  await dialog.getByRole('button', { name: 'Edit Summer' }).click();
  assert.equal(await dialog.getByLabel('Message').isVisible(), false);
  await dialog.getByRole('button', { name: 'Choose another template' }).click();
  await templates.getByLabel('{{1}}').fill('40%');
  await templates.getByRole('button', { name: 'Save the campaign' }).click();
  await templates.waitFor({ state: 'hidden' });
  await dialog.locator('#campaigns-status', { hasText: 'Summer is changed.' }).waitFor();
  await dialog.locator('#campaigns-list li', { hasText: 'Summer' }).locator('.reply-text', { hasText: 'Hi! 40% off' }).waitFor();
  await dialog.getByRole('button', { name: 'Delete Summer' }).click();
  await dialog.locator('#campaigns-status', { hasText: 'Summer is deleted.' }).waitFor();
  assert.equal((await api('GET', '/campaigns')).campaigns.length, 2);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(lea.errors, []);
}));

// Contacts: an admin imports a CSV of users in the Campaigns dialog; a bad
// line is named and nothing is imported; the campaign form then counts
// them, and the list shows none of them until a message is written.
test('an admin imports contacts from a CSV file, whom the campaign form then counts', () => withMemoryServer(['--outbound-url', receiver.url, '--wa-phone-number-id', '555000111'], async (server) => {
  const api = await apiAs(server, 'admin', ADMIN_PASSWORD);
  await api('POST', '/agents', { username: 'lea', password: 'long-password-2' });
  await userSays(server, '15551301', 'hi');
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const lea = await consolePage(browser.browser, server, 'lea', 'long-password-2');
  await lea.getByRole('button', { name: 'Campaigns' }).click();
  await lea.locator('#campaigns-empty').waitFor();
  assert.equal(await lea.locator('#contacts-import-form').isVisible(), false);  // admins import

  await page.getByRole('button', { name: 'Campaigns' }).click();
  const dialog = page.locator('#campaigns-dialog');
  assert.deepEqual(await dialog.locator('#import-channel option').allTextContents(), ['WhatsApp', 'Webhook']);
  await dialog.getByLabel('Reached on').selectOption({ label: 'Webhook' });
  const file = (text) => ({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
  await dialog.getByRole('button', { name: 'Import' }).click();
  await dialog.locator('#contacts-import-form .error', { hasText: 'Choose a CSV file first.' }).waitFor();
  await dialog.getByLabel('CSV file').setInputFiles(file('phone,name,labels\n15551302,Ana,vip\n15551x03,Bo,vip\n'));
  await dialog.getByRole('button', { name: 'Import' }).click();
  await dialog.locator('#contacts-import-form .error', { hasText: 'line 3: "15551x03" is no phone number' }).waitFor();
  assert.equal((await api('GET', '/campaigns/audience?channel=plain&labels=vip')).users, 0);

  await dialog.getByLabel('CSV file').setInputFiles(file('phone,name,labels,plan\n15551302,Ana,vip,gold\n15551303,Bo,"vip, news",\n15551301,,,\n'));
  await dialog.getByLabel('File them all under').fill('VIP');
  await dialog.getByRole('button', { name: 'Import' }).click();
  await dialog.locator('#import-result', { hasText: '3 contacts in the file: 2 new, 1 already known and updated' }).waitFor();
  assert.equal(await dialog.locator('#contacts-import-form .error').textContent(), '');
  await dialog.getByLabel('To the users under any of these labels').fill('vip');
  await dialog.locator('#campaign-audience', { hasText: 'Goes to 3 users now' }).waitFor();
  const ana = await api('GET', '/conversations/15551302');
  assert.equal(ana.name, 'Ana');
  assert.deepEqual(ana.attributes, { plan: 'gold' });
  // Every user, as the import reads them.
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.locator('#contacts-export').click()]);
  assert.equal(download.suggestedFilename(), 'contacts.csv');
  assert.equal(await readFile(await download.path(), 'utf8'),
    'phone,name,labels,channel,plan\r\n15551301,,vip,plain,\r\n15551302,Ana,vip,plain,gold\r\n15551303,Bo,"news,vip",plain,\r\n');

  // The list shows the user who wrote, and no contact until a message is written.
  await page.keyboard.press('Escape');
  const rows = page.locator('#conversation-list li');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1);
  await userSays(server, '15551303', 'hello');
  await page.locator('#conversation-list li', { hasText: 'Bo' }).waitFor();
  assert.equal(await rows.count(), 2);

  // An agent writes first to a contact: the chat opens under the name the file gave.
  await page.getByRole('button', { name: '✉ New' }).click();
  const writeFirst = page.locator('#new-conversation-dialog');
  await writeFirst.getByLabel('Phone number').fill('+1 555 1302');
  await writeFirst.getByLabel('Channel').selectOption({ label: 'Webhook' });
  await writeFirst.getByLabel('Message').fill('Hi Ana, your order is ready.');
  await writeFirst.getByRole('button', { name: 'Send' }).click();
  await writeFirst.waitFor({ state: 'hidden' });
  await page.locator('#conv-name', { hasText: 'Ana' }).waitFor();
  await page.locator('.message.admin', { hasText: 'your order is ready' }).waitFor();
  await page.locator('#conversation-list li[data-phone="15551302"][aria-current="true"]').waitFor();
  assert.deepEqual(page.errors, []);
  assert.deepEqual(lea.errors, []);
}));

// A campaign deleted and another made as the Campaigns dialog reads the
// list: the list read before and answered after their events shows them
// as the events said.
test('a campaign deleted and one made while the Campaigns dialog reads the list show so', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const later = new Date(Date.now() + 86_400_000).toISOString();
  const winter = await admin('POST', '/campaigns', { name: 'Winter', channel: 'plain', labels: ['vip'], text: 'Winter sale', scheduled_at: later });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  const held = await holdNextAnswer(page, /\/campaigns$/);
  await page.getByRole('button', { name: 'Campaigns' }).click();
  await held.read;  // Winter only
  await admin('DELETE', `/campaigns/${winter.id}`);
  await admin('POST', '/campaigns', { name: 'Spring', channel: 'plain', labels: ['vip'], text: 'Spring sale', scheduled_at: later });
  await newUserShows(page, server, '15551401', 'Bo');  // the console has had both events
  await held.handOver();
  const dialog = page.locator('#campaigns-dialog');
  await dialog.waitFor();
  assert.deepEqual(await dialog.locator('#campaigns-list li strong').allTextContents(), ['Spring']);
  assert.deepEqual(page.errors, []);
}));

// A campaign changed by another admin while the list shows: its item reads
// the change in place (a running campaign is told each second, and an item
// drawn anew between a press and its release loses the click), and Edit
// opens the campaign as it is now.
test('a campaign changed elsewhere shows in place, and Edit opens it as it is now', () => withMemoryServer(['--outbound-url', receiver.url], async (server) => {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  const later = new Date(Date.now() + 86_400_000).toISOString();
  const spring = await admin('POST', '/campaigns', { name: 'Spring', channel: 'plain', labels: ['vip'], text: 'Spring sale', scheduled_at: later });
  const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Campaigns' }).click();
  const dialog = page.locator('#campaigns-dialog');
  const item = dialog.locator(`#campaigns-list li[data-campaign="${spring.id}"]`);
  await item.waitFor();
  await item.evaluate((li) => { li.drawnFirst = true; });
  await admin('PATCH', `/campaigns/${spring.id}`, { name: 'Spring sale', text: 'Spring sale: 20% off' });
  await item.locator('strong', { hasText: 'Spring sale' }).waitFor();
  assert.equal(await item.evaluate((li) => li.drawnFirst === true), true);
  assert.equal(await item.locator('.reply-text').textContent(), 'Spring sale: 20% off');
  await item.getByRole('button', { name: 'Edit Spring sale' }).click();
  assert.equal(await dialog.locator('#campaign-form-title').textContent(), 'Change Spring sale');
  await item.getByRole('button', { name: 'Delete Spring sale' }).click();
  await dialog.locator('#campaigns-status', { hasText: 'Spring sale is deleted.' }).waitFor();
  assert.equal(await dialog.locator('#campaigns-list li').count(), 0);
  assert.deepEqual(page.errors, []);
}));
