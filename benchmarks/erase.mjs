#!/usr/bin/env node
// What erasing a user costs (DELETE /conversations/{phone}, an admin's
// answer to a request under the GDPR's right to erasure): a history of U
// users' webhooks (switchboard-load --mode ingest: each user's messages and
// the bot's answers), then D of them deleted one after another, in memory
// and on disk: each deletion's time (p50, p99, the longest), and the
// acknowledgement of webhooks from other users at a steady open-loop rate
// (--mode ingest --rate), alone and while the deletions run. It checks that
// the deleted are gone and the rest are there (GET /contacts counts them),
// and fails otherwise. Loopback only; bounded by U, the history and D.
//
// usage: node benchmarks/erase.mjs [users, default 10000] [webhooks of history, default 200000]
//          [deletions, default 200] [webhook rate, default 2000] [switchboard binary] [switchboard-load binary]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { built, call, spread, spreadWords, startServer, webhookLoad, webhooksBeside, webhookWords } from './server.mjs';

const [usersArg, historyArg, deletionsArg, rateArg, binaryArg, loadArg] = process.argv.slice(2);
const users = Number(usersArg ?? 10_000);
const history = Number(historyArg ?? 200_000);
const deletions = Number(deletionsArg ?? 200);
const rate = Number(rateArg ?? 2000);
// The load tool's users are 4000000000 on; the webhooks alongside the
// deletions come from the first 5,000 (webhookLoad), so those deleted are
// of the users after them.
const loadUsers = 5000, firstDeleted = 4000000000 + loadUsers;
if (![users, history, deletions, rate].every((n) => Number.isInteger(n) && n > 0) || deletions > users - loadUsers) {
  console.error('usage: node benchmarks/erase.mjs [users] [webhooks of history] [deletions <= users - 5000] [webhook rate] '
    + '[switchboard binary] [switchboard-load binary]');
  process.exit(2);
}
const binary = binaryArg ?? built('switchboard');
const loadTool = loadArg ?? built('benchmarks/switchboard-load');
const password = 'erase-bench-secret';

// The history: `history` webhooks from `users` users, closed loop.
function writeHistory(server) {
  return new Promise((resolve, reject) => {
    const child = spawn(loadTool, ['--mode', 'ingest', '--url', server.url, '--users', String(users), '--requests',
      String(history), '--connections', '16', '--label', 'history'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`switchboard-load failed (${code}): ${err}`))));
  });
}

// The first `n` users by phone from `first` on, a page of 200 at a time.
async function phonesFrom(server, token, first, n) {
  const phones = [];
  let after = String(first - 1);
  while (phones.length < n) {
    const page = await call(server, 'GET', `/contacts?limit=200${after ? `&after=${after}` : ''}`, undefined, token);
    phones.push(...page.contacts.map((c) => c.phone));
    if (!page.next_after) break;
    after = page.next_after;
  }
  return phones.slice(0, n);
}

const dir = mkdtempSync(join(tmpdir(), 'switchboard-erase-'));
try {
  for (const [store, data] of [['in memory', ':memory:'], ['on disk', dir]]) {
    const server = await startServer(binary, ['--data', data, '--admin-password', password, '--log-level', 'error']);
    try {
      const { token } = await call(server, 'POST', '/auth/login', { username: 'admin', password });
      await writeHistory(server);
      const { total } = await call(server, 'GET', '/contacts?limit=1', undefined, token);
      const phones = await phonesFrom(server, token, firstDeleted, deletions);
      const messages = (await call(server, 'GET', `/conversations/${phones[0]}`, undefined, token)).messages.length;
      const seconds = Math.max(1, Math.min(5, deletions / 50));
      const alone = await webhookLoad(loadTool, server, { rate, seconds, label: `webhooks alone, ${store}` });
      const loading = webhookLoad(loadTool, server, { rate, seconds, label: `webhooks during deletions, ${store}` });
      const took = [];
      let erased = 0;
      const started = performance.now();
      for (const phone of phones) {
        const t = performance.now();
        erased += (await call(server, 'DELETE', `/conversations/${phone}`, undefined, token)).messages;
        took.push(performance.now() - t);
      }
      const wallSeconds = (performance.now() - started) / 1000;
      const during = await loading;
      const left = (await call(server, 'GET', '/contacts?limit=1', undefined, token)).total;
      const gone = await fetch(`${server.url}/conversations/${phones[0]}`, { headers: { Authorization: `Bearer ${token}` } });
      if (total !== users || phones.length !== deletions || gone.status !== 404 || left !== users - deletions)
        throw new Error(`${store}: ${total} users of ${users} before, ${left} after ${deletions} deletions, `
          + `a deleted one answered ${gone.status}`);
      const result = {
        mode: 'erase', store, users, history_webhooks: history, deletions, messages_erased: erased,
        delete_ms: spread(took), deletions_per_second: Math.round(deletions / wallSeconds), webhook_rate: rate,
        ...webhooksBeside(alone, during),
      };
      console.log(`${store.padEnd(9)}  ${deletions} of ${users} users deleted (${erased} messages, about ${messages} each `
        + `when first read): ${spreadWords(result.delete_ms)}webhooks at ${rate}/s `
        + `${webhookWords(alone, during, result.webhook_p99_ratio)}`);
      console.log(JSON.stringify(result));
    } finally {
      await server.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
