#!/usr/bin/env node
// What a campaign costs (POST /campaigns): how fast its runner reaches N
// users, a user at a time through each one's conversation, and what it does
// to the webhooks that come meanwhile, in memory and on disk. The users
// write once each and are filed under a label in bulk; then webhooks from
// other users at a steady open-loop rate (switchboard-load --mode ingest
// --rate), alone and again while the campaign runs: their p50 and p99
// acknowledgement, and the ratio. The campaign's messages go to a local
// receiver, which counts them. Loopback only; bounded by N.
//
// usage: node benchmarks/campaign.mjs [users, default 20000] [webhook rate, default 2000]
//          [switchboard binary] [switchboard-load binary]
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, call, webhookLoad } from './server.mjs';

const [usersArg, rateArg, binaryArg, loadArg] = process.argv.slice(2);
const users = Number(usersArg ?? 20_000);
const rate = Number(rateArg ?? 2000);
if (!Number.isInteger(users) || users < 1 || !Number.isInteger(rate) || rate < 1) {
  console.error('usage: node benchmarks/campaign.mjs [users] [webhook rate] [switchboard binary] [switchboard-load binary]');
  process.exit(2);
}
const binary = binaryArg ?? new URL('../build/switchboard', import.meta.url).pathname;
const loadTool = loadArg ?? new URL('../build/benchmarks/switchboard-load', import.meta.url).pathname;
const password = 'campaign-bench-secret';
// A short run (the test suite's) loads for a second.
const loadSeconds = users < 1000 ? 1 : 5;

// Counts what reaches --outbound-url, and says when `want` have.
function startReceiver() {
  const receiver = { count: 0, waiting: null };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      receiver.count += 1;
      if (receiver.waiting && receiver.count >= receiver.waiting.want) receiver.waiting.done();
    });
  });
  receiver.until = (want) => new Promise((done) => {
    if (receiver.count >= want) done();
    else receiver.waiting = { want, done };
  });
  receiver.close = () => new Promise((r) => server.close(r));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    receiver.url = `http://127.0.0.1:${server.address().port}/inbox`;
    resolve(receiver);
  }));
}

// `count` users' first messages, `inFlight` at a time.
async function usersWrite(server, phones, inFlight = 32) {
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < phones.length) await call(server, 'POST', '/webhook', { from: phones[next++], text: 'hi' });
  }));
}

const ms = (x) => `${x.toFixed(2)} ms`;
const dir = mkdtempSync(join(tmpdir(), 'switchboard-campaign-'));
const receiver = await startReceiver();
try {
  for (const [store, data] of [['in memory', ':memory:'], ['on disk', dir]]) {
    receiver.count = 0;
    // Unpaced (--campaign-rate 0): what the runner costs at full speed.
    const server = await startServer(binary, ['--data', data, '--admin-password', password, '--log-level', 'error',
      '--outbound-url', receiver.url, '--campaign-rate', '0']);
    try {
      const phones = Array.from({ length: users }, (_, i) => String(17000000000 + i));
      await usersWrite(server, phones);
      const { token } = await call(server, 'POST', '/auth/login', { username: 'admin', password });
      for (let i = 0; i < phones.length; i += 200)
        await call(server, 'POST', '/conversations/bulk', { action: 'label', label: 'news', phones: phones.slice(i, i + 200) }, token);

      const alone = await webhookLoad(loadTool, server, { rate, seconds: loadSeconds, label: `webhooks alone, ${store}` });
      const made = await call(server, 'POST', '/campaigns', { name: 'Bench', channel: 'plain', labels: ['news'], text: 'Sale today' }, token);
      const during = await webhookLoad(loadTool, server, { rate, seconds: loadSeconds, label: `webhooks during a campaign, ${store}` });
      let c = made;
      while (c.status !== 'done') {
        await new Promise((r) => { setTimeout(r, 100); });
        c = await call(server, 'GET', `/campaigns/${made.id}`, undefined, token);
      }
      await receiver.until(users);
      const seconds = (Date.parse(c.finished_at) - Date.parse(c.started_at)) / 1000;
      if (c.sent !== users) throw new Error(`${store}: the campaign reached ${c.sent} of ${users}`);
      const result = {
        mode: 'campaign', store, users, sent: c.sent, seconds: Number(seconds.toFixed(3)),
        users_per_second: Math.round(users / seconds), webhook_rate: rate,
        webhook_p50_ms: { alone: alone.p50_ms, during: during.p50_ms },
        webhook_p99_ms: { alone: alone.p99_ms, during: during.p99_ms },
        webhook_p99_ratio: Number((during.p99_ms / alone.p99_ms).toFixed(2)),
        webhook_errors_during: during.errors,
      };
      console.log(`${store.padEnd(9)}  ${users} users in ${seconds.toFixed(2)} s (${result.users_per_second}/s);`
        + `  webhooks at ${rate}/s alone p50 ${ms(alone.p50_ms)} p99 ${ms(alone.p99_ms)},`
        + ` during it p50 ${ms(during.p50_ms)} p99 ${ms(during.p99_ms)} (× ${result.webhook_p99_ratio})`);
      console.log(JSON.stringify(result));
    } finally {
      await server.stop();
    }
  }
} finally {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
}
