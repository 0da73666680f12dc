// What the console tests stand on: the real server, a receiver for outbound
// messages, and Debian's chromium driven by playwright-core.
import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const binary = process.env.SWITCHBOARD_BINARY;
if (!binary) throw new Error('SWITCHBOARD_BINARY is not set (run through ctest)');

export const ADMIN_PASSWORD = 'console-test-admin';

export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-e2e-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// Starts switchboard and resolves once it prints its port.
export function startServer(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['--admin-password', ADMIN_PASSWORD, '--log-level', 'warn', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 15000);
    child.stderr.on('data', (d) => { err += d; });
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on [^\n]*:(\d+)\n/);
      if (m) {
        clearTimeout(timer);
        const port = Number(m[1]);
        resolve({
          port, child, url: `http://127.0.0.1:${port}`,
          // At once for one that has exited already: waiting for its exit
          // again would never end (a test's `finally` stopping a server
          // that had died, or one stopped before a restart that failed).
          // A server that has not exited 10 s after SIGTERM (its own backstop
          // is 4 s) is killed, and the test fails saying so, rather than
          // hanging until the suite's timeout.
          // Its threads' stacks go with the failure where gdb is there to read them.
          stop: () => new Promise((done, fail) => {
            if (child.exitCode !== null || child.signalCode !== null) { done(); return; }
            const stuck = setTimeout(() => {
              let stacks = '';
              try {
                stacks = execFileSync('gdb', ['-p', String(child.pid), '-batch', '-ex', 'thread apply all bt'],
                  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20000 });
              } catch { /* no gdb, or not allowed to attach */ }
              child.kill('SIGKILL');
              fail(new Error(`server did not stop within 10 s of SIGTERM: ${err.slice(-2000)}${stacks ? `\nits threads:\n${stacks.slice(-12000)}` : ''}`));
            }, 10000);
            child.once('exit', () => { clearTimeout(stuck); done(); });
            child.kill('SIGTERM');
          }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

// A free port number, for a server that must come back on the same one.
// Below the kernel's range for outgoing connections (Linux's default is
// 32768–60999), so that no browser's or test's connection takes it while
// the server is down; tried at random until one is free.
export async function freePort() {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

// Records what the server POSTs to --outbound-url, and takes it unless told to refuse it.
// As --wa-api-base it also serves the files in `media` as the Graph API does:
// GET /inbox/{id} answers the file's URL, which answers the file; and takes
// an agent's file as Meta does (POST /inbox/{number}/media, a form), keeping
// it in `media` and `uploads` under the id it answers.
export function startReceiver() {
  const received = [];
  const waiters = [];
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url.includes('/message_templates?')) {  // a business account's templates, one page
      receiver.templateReads.push(req.url);
      res.writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ data: receiver.templates, paging: { cursors: { before: 'a', after: 'b' } } }));
      return;
    }
    if (req.method === 'GET') {
      const [, where, id] = req.url.split('/');
      const file = receiver.media.get(id);
      if (!file) {
        res.writeHead(400, { 'Content-Type': 'application/json' })
          .end('{"error":{"message":"Unsupported get request.","type":"GraphMethodException","code":100}}');
      } else if (where === 'inbox') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(
          { url: `${receiver.url.replace('/inbox', '')}/files/${id}`, mime_type: file.type, file_size: file.bytes.length, id }));
      } else {
        res.writeHead(200, { 'Content-Type': file.type }).end(file.bytes);
      }
      return;
    }
    const chunks = [];
    req.on('data', (d) => { chunks.push(d); });
    req.on('end', () => {
      if (req.url.endsWith('/media')) return takeUpload(req, Buffer.concat(chunks), res);
      const message = JSON.parse(Buffer.concat(chunks).toString());
      const [status, answer] = receiver.refuse?.(message) ?? [200, '{}'];
      if (status < 300) received.push(message);
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(answer);
      for (const w of waiters.splice(0)) w();
    });
  });
  // The form's file part: its type, name and bytes.
  const takeUpload = (req, form, res) => {
    const boundary = `--${/boundary=(.*)$/.exec(req.headers['content-type'])[1]}`;
    const start = form.indexOf('name="file"');
    const head = form.subarray(start, form.indexOf('\r\n\r\n', start)).toString();
    const from = form.indexOf('\r\n\r\n', start) + 4;
    const file = { type: /Content-Type: (.*)/.exec(head)[1], filename: /filename="([^"]*)"/.exec(head)[1],
      bytes: form.subarray(from, form.indexOf(`\r\n${boundary}--`, from)) };
    const [status, answer] = receiver.refuseUpload?.(file) ?? [200, null];
    if (status >= 300) return res.writeHead(status, { 'Content-Type': 'application/json' }).end(answer);
    const id = `up-${receiver.uploads.length + 1}`;
    receiver.uploads.push({ id, ...file });
    receiver.media.set(id, file);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id }));
  };
  const receiver = {
    url: '',
    received,
    // Agents' files as uploaded: { id, type, filename, bytes }; `refuseUpload(file)` → [status, body] refuses one.
    uploads: [],
    refuseUpload: null,
    // `refuse(message)` → [status, body] to refuse it, or null to take it.
    refuse: null,
    // WhatsApp's files by media id: { type, bytes }.
    media: new Map(),
    // The business account's message templates, as Meta lists them, and the reads of them.
    templates: [],
    templateReads: [],
    // Resolves with the first received message that satisfies `pred`.
    async waitFor(pred, timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = received.find(pred);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`receiver never got it; got ${JSON.stringify(received)}`);
        await new Promise((r) => { waiters.push(r); setTimeout(r, 200); });
      }
    },
    close: () => new Promise((r) => server.close(r)),
  };
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    receiver.url = `http://127.0.0.1:${server.address().port}/inbox`;
    resolve(receiver);
  }));
}

// A mail server for --smtp-url: takes every mail over plain SMTP (no TLS,
// no login) and keeps it as { to, data, body }, dot-stuffing undone.
export function startMailReceiver() {
  const mails = [];
  const waiters = [];
  const server = createNetServer((socket) => {
    let buffered = '', to = [], data = null;
    const say = (line) => socket.write(`${line}\r\n`);
    say('220 mail.test ESMTP');
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (let end; (end = buffered.indexOf('\r\n')) >= 0;) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (data) {
          if (line !== '.') { data.push(line.startsWith('..') ? line.slice(1) : line); continue; }
          const text = Buffer.from(data.join('\r\n'), 'latin1').toString('utf8');
          mails.push({ to, data: text, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
          data = null;
          to = [];
          say('250 kept');
          for (const w of waiters.splice(0)) w();
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') { say('250-mail.test'); say('250 8BITMIME'); }
        else if (verb === 'RCPT') { to.push(/<([^>]*)>/.exec(line)[1]); say('250 ok'); }
        else if (verb === 'DATA') { data = []; say('354 go on'); }
        else if (verb === 'QUIT') { say('221 bye'); socket.end(); }
        else say('250 ok');  // HELO, MAIL, RSET, NOOP
      }
    });
    socket.on('error', () => {});
  });
  const receiver = {
    url: '',
    mails,
    // Resolves with the `count`th mail once it is in.
    async waitFor(count, timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs;
      while (mails.length < count) {
        if (Date.now() > deadline) throw new Error(`${mails.length} mails came, not ${count}`);
        await new Promise((r) => { waiters.push(r); setTimeout(r, 200); });
      }
      return mails[count - 1];
    },
    close: () => new Promise((r) => server.close(r)),
  };
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    receiver.url = `smtp://127.0.0.1:${server.address().port}`;
    resolve(receiver);
  }));
}

// The console link a mail gives (its first "http…#password=…" or the like).
export function linkIn(mail, fragment) {
  const found = new RegExp(`https?://\\S*#${fragment}=\\S+`).exec(mail.body);
  if (!found) throw new Error(`no #${fragment}= link in ${mail.body}`);
  return found[0];
}

export async function userSays(server, from, text, name) {
  const res = await fetch(`${server.url}/webhook`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ from, text, ...(name ? { name } : {}) }),
  });
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  return res.json();
}

// A picture 4 pixels wide and 3 high.
export const PNG_4X3 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGM4IScHRww4OQD1xwwxB+utmQAAAABJRU5ErkJggg==', 'base64');

// Files WhatsApp holds for the receiver (as --wa-api-base) to serve by
// their media ids: that picture, a voice message and a PDF (neither of the
// last two real). A test clears `receiver.media` when done.
export function whatsappHoldsFiles({ image, audio, document }) {
  receiver.media.set(image, { type: 'image/png', bytes: PNG_4X3 });
  receiver.media.set(audio, { type: 'audio/ogg; codecs=opus', bytes: Buffer.from('OggS not really') });
  receiver.media.set(document, { type: 'application/pdf', bytes: Buffer.from('%PDF-1.4 not really') });
}

// A WhatsApp user's message (`type` and its object, or a text), through
// /webhook/whatsapp as Meta sends it.
export async function whatsappUserSends(server, from, id, type, file, text) {
  const message = { from, id, timestamp: '1763900000', type, ...(file ? { [type]: file } : { text: { body: text } }) };
  const payload = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
    contacts: [{ profile: { name: 'Ines' }, wa_id: from }], messages: [message] } }] }] };
  const res = await fetch(`${server.url}/webhook/whatsapp`, { method: 'POST', body: JSON.stringify(payload) });
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
}

export async function apiAs(server, username, password) {
  const login = await fetch(`${server.url}/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  const { token } = await login.json();
  return async (method, path, body) => {
    const res = await fetch(`${server.url}${path}`, {
      method, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res.json();
  };
}

// The 30-second step an authenticator app is at now (RFC 6238).
export const stepNow = () => Math.floor(Date.now() / 30000);

// The six digits an authenticator app shows for a base32 `secret` at `step`
// (RFC 4226's HMAC-SHA1 and truncation), made here apart from the server's.
export function appCode(secret, step = stepNow()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, '0');
}

// playwright-core gives every launch a fresh, empty --user-data-dir of its own
// (it refuses one passed in args), and each context its own cookie jar.
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return { browser, close: () => browser.close() };
}

// A page logged in to the console, with every dialog and page error recorded.
// `beforeLoad(page)` runs before the console loads (to install a fake clock, say);
// `context` adds to the browser context's options (an agent's time zone and locale).
export async function consolePage(browser, server, username, password, { beforeLoad, context: options } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  await beforeLoad?.(page);
  page.dialogs = [];
  page.errors = [];
  page.on('dialog', (d) => { page.dialogs.push(d.message()); d.dismiss(); });
  page.on('pageerror', (e) => page.errors.push(e.message));
  recordForFailures(page, username);
  await page.goto(server.url + '/');
  await logIn(page, username, password);
  await page.locator('#connection.live').waitFor();
  return page;
}

// Three days from today in UTC, 10:00-11:00: closed whenever this runs.
export const closedHours = (() => {
  const day = new Date(Date.now() + 3 * 86400000);
  day.setUTCHours(10, 0, 0, 0);
  const name = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][day.getUTCDay()];
  return { spec: `${name} 10:00-11:00`, opens: day, name };
})();

// Picks `name` from one of the console's menus (menus.js): its summary opens it.
async function fromMenu(page, menu, name) {
  await page.locator(`${menu} > summary`).click();
  await page.locator(`${menu} > .menu-items`).getByRole('button', { name, exact: true }).click();
}
// A dialog from the top bar's Settings menu (Team, Teams, Labels, …).
export const openSetting = (page, name) => fromMenu(page, '#settings-menu', name);
// An action from the open chat's More menu (Mark unread, Mute, Unmute, Block, Unblock, Delete).
export const chatAction = (page, name) => fromMenu(page, '#more-menu', name);

// How many times a console has chimed (alerts.js counts each on <html>),
// and a wait for it to have chimed `n` times.
export const chimes = (page) => page.evaluate(() => Number(document.documentElement.dataset.alerts ?? 0));
export const chimesReach = (page, n) => page.waitForFunction((want) => Number(document.documentElement.dataset.alerts ?? 0) === want, n);

// Fills the login form's first step and sends it.
export async function logIn(page, username, password) {
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

// Makes the page's next request to `pattern` an answer older than what it
// heard since: the server answers it at once (`read` resolves then), and
// the page has the answer only at `handOver(rewrite?)`, which resolves once
// the request is finished; `rewrite(json)` changes its JSON body first (to
// make it as a rarer moment would). Requests after it pass.
export async function holdNextAnswer(page, pattern) {
  let answeredAtServer, release;
  const read = new Promise((resolve) => { answeredAtServer = resolve; });
  const released = new Promise((resolve) => { release = resolve; });
  let held = false;
  await page.route(pattern, async (route) => {
    if (held) return route.continue();
    held = true;
    const response = await route.fetch();
    answeredAtServer();
    const rewrite = await released;
    await route.fulfill(rewrite ? { response, json: rewrite(await response.json()) } : { response });
  });
  const handOver = async (rewrite = null) => {
    const finished = page.waitForEvent('requestfinished', (r) => pattern.test(r.url()));
    release(rewrite);
    await finished;
  };
  return { read, handOver };
}

// A new user writes, and the page lists them: every event numbered before
// theirs has come to the page by then (the hub sends them in order), and
// an answer handed over before it has been taken. A test waits on it for
// events whose effect it cannot see, or to read what an answer left.
export async function newUserShows(page, server, phone, name) {
  await userSays(server, phone, 'hello', name);
  await page.locator(`#conversation-list li[data-phone="${phone}"]`).waitFor();
}

// One browser and one outbound receiver for a test file, started before its
// first test and closed after its last; each test makes its own contexts and
// server. Exported as live bindings, so a test reads them once they are set.
export let browser, receiver;
export function shareBrowserAndReceiver() {
  before(async () => {
    browser = await launchBrowser();
    receiver = await startReceiver();
  });
  after(async () => {
    await browser?.close();
    await receiver?.close();
  });
}

// What each console page of the test running now saw last: its requests,
// the events it was sent, what it logged and its errors, printed when the test fails. A wait that
// times out says only what it waited for; a failure on a busy CI machine
// that does not come again here is read from this.
const pagesOfTest = new Map();  // page → its lines, the newest last
const LINES_KEPT = 80;

function recordForFailures(page, who) {
  const lines = [];
  pagesOfTest.set(page, { who, lines });
  const started = Date.now();
  const note = (line) => {
    lines.push(`${String(Date.now() - started).padStart(6)} ms  ${line}`);
    if (lines.length > LINES_KEPT) lines.shift();
  };
  const path = (url) => url.replace(/^https?:\/\/[^/]+/, '');
  const api = (r) => !['document', 'script', 'stylesheet', 'image', 'font'].includes(r.resourceType());
  page.on('requestfinished', async (r) => api(r) && note(`${r.method()} ${path(r.url())} ${(await r.response().catch(() => null))?.status() ?? '?'}`));
  page.on('requestfailed', (r) => note(`${r.method()} ${path(r.url())} failed: ${r.failure()?.errorText}`));
  page.on('websocket', (ws) => {
    note(`websocket ${path(ws.url())} opened`);
    ws.on('framereceived', ({ payload }) => {
      const events = (() => { try { return [].concat(JSON.parse(payload)); } catch { return null; } })();
      note(events ? `${events.length > 1 ? 'events' : 'event'} ${events.map((e) => [e.seq, e.type, e.conversation].filter(Boolean).join(' ')).join(', ')}`
        : `frame ${String(payload).slice(0, 60)}`);
    });
    ws.on('close', () => note(`websocket ${path(ws.url())} closed`));
  });
  page.on('console', (m) => note(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => note(`page error: ${e.message}`));
}

function reportPages(err) {
  for (const [page, { who, lines }] of pagesOfTest) {
    console.log(`${who}'s console page${page.isClosed() ? ' (closed)' : ''}, its last ${lines.length} events (test failed: ${String(err?.message ?? err).split('\n')[0]}):`);
    for (const line of lines) console.log(`  ${line}`);
  }
}

// Runs `body` against a fresh server on `:memory:` with `args`, and stops it
// whatever happens.
export async function withMemoryServer(args, body) {
  pagesOfTest.clear();
  const server = await startServer(['--port', '0', '--data', ':memory:', ...args]);
  try {
    await body(server);
  } catch (err) {
    reportPages(err);
    throw err;
  } finally {
    // A test's pages would go on reconnecting to its stopped server, and
    // ticking, through every later test of the file.
    await Promise.all([...new Set([...pagesOfTest.keys()].map((page) => page.context()))].map((c) => c.close().catch(() => {})));
    pagesOfTest.clear();
    await server.stop();
  }
}
