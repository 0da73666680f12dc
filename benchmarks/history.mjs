#!/usr/bin/env node
// What a user's message costs the console with the chat open, as its
// history grows: in Debian's chromium, from the webhook's POST (made by the
// page itself) to the message's item in the history, for a chat showing 50
// messages and one scrolled back to show 1,000. The pane draws the history
// again on each message, in place (renderMessages). Loopback only; about
// half a minute.
//
// usage: node benchmarks/history.mjs [switchboard binary] [console's web root]
//   (default build/switchboard and its own web/); a web root from another
//   commit (a git worktree's web/) compares that console on the same server.
const binary = process.argv[2] ?? new URL('../build/switchboard', import.meta.url).pathname;
const webRoot = process.argv[3] ?? new URL('../web', import.meta.url).pathname;
process.env.SWITCHBOARD_BINARY = binary;
const { ADMIN_PASSWORD, apiAs, consolePage, launchBrowser, startServer, userSays } =
  await import('../tests/e2e/harness.mjs');

const messages = 40;  // timed, after 5 not timed

// Each message's time in the page: its POST /webhook to its item drawn.
async function timeMessages(page, phone, count) {
  return page.evaluate(async ({ phone, count }) => {
    const list = document.getElementById('messages');
    const drawn = (text) => new Promise((resolve) => {
      const has = () => [...list.querySelectorAll('.message.user .text')].some((t) => t.textContent === text);
      const watch = new MutationObserver(() => { if (has()) { watch.disconnect(); resolve(); } });
      watch.observe(list, { childList: true, subtree: true, characterData: true });
    });
    const times = [];
    for (let i = 0; i < count; i += 1) {
      const text = `timed message ${i}`;
      const t = performance.now();
      const shown = drawn(text);
      await fetch('/webhook', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ from: phone, text }) });
      await shown;
      times.push(performance.now() - t);
    }
    return times;
  }, { phone, count });
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

const server = await startServer(['--data', ':memory:', '--web-root', webRoot]);
const browser = await launchBrowser();
try {
  const admin = await apiAs(server, 'admin', ADMIN_PASSWORD);
  for (const [phone, shown] of [['15570001', 50], ['15570002', 1000]]) {
    await userSays(server, phone, 'support', 'Ava');
    await admin('POST', `/conversations/${phone}/chat-support/start`);
    for (let i = 0; i < shown; i += 1) await admin('POST', `/conversations/${phone}/notes`, { text: `note ${i}` });
    const page = await consolePage(browser.browser, server, 'admin', ADMIN_PASSWORD);
    await page.locator(`#conversation-list li[data-phone="${phone}"]`).click();
    await page.locator('.message.note', { hasText: `note ${shown - 1}` }).waitFor();
    // Scrolled back a page at a time until the chat's first message shows.
    while (await page.locator('.message.user .text', { hasText: /^support$/ }).count() === 0) {
      const items = await page.locator('#messages .message').count();
      await page.locator('#messages').evaluate((el) => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); });
      await page.waitForFunction((n) => document.querySelectorAll('#messages .message').length > n, items);
    }
    const items = await page.locator('#messages .message').count();
    await page.locator('#messages').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await timeMessages(page, phone, 5);
    const times = (await timeMessages(page, phone, messages)).sort((a, b) => a - b);
    const median = quantile(times, 0.5), p90 = quantile(times, 0.9);
    console.log(`a user's message into a chat showing ${String(items).padStart(4)} messages: median ${median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms (${messages} messages)`);
    console.log(JSON.stringify({ mode: 'history', web_root: webRoot, shown: items, messages,
      median_ms: Number(median.toFixed(2)), p90_ms: Number(p90.toFixed(2)) }));
    await page.context().close();
  }
} finally {
  await browser.close();
  await server.stop();
}
