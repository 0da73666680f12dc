#!/usr/bin/env node
// What a search of message text (GET /conversations?q=) costs on a large
// history, with the search index and without it (--search-index false, when
// every search reads every message), and what the index costs: the time to
// make it from the history at a start, and its size beside the database's.
//
// A history of N webhooks from 100,000 users (switchboard-load --mode ingest:
// each webhook a user's message and the bot's answer, 2N messages) on a
// durable server without the index; then searches, each five times, the
// median; then the server again on that data with the index, which it makes
// at its start; the same searches. Loopback only; bounded by N.
//
// usage: node benchmarks/search.mjs [webhooks, default 1000000] [switchboard binary] [switchboard-load binary]
//          [--users N, default 100000 or the webhooks if fewer: fewer users, fewer conversations a search walks]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, call } from './server.mjs';

const args = process.argv.slice(2);
const usersAt = args.indexOf('--users');
const usersArg = usersAt >= 0 ? Number(args.splice(usersAt, 2)[1]) : undefined;
const webhooks = Number(args[0] ?? 1_000_000);
if (!Number.isInteger(webhooks) || webhooks < 1 || (usersArg !== undefined && !(Number.isInteger(usersArg) && usersArg >= 1))) {
  console.error('usage: node benchmarks/search.mjs [webhooks, default 1000000] [switchboard binary] [switchboard-load binary] [--users N]');
  process.exit(2);
}
const binary = args[1] ?? new URL('../build/switchboard', import.meta.url).pathname;
const loadTool = args[2] ?? new URL('../build/benchmarks/switchboard-load', import.meta.url).pathname;
const password = 'search-bench-secret';
const users = Math.min(usersArg ?? 100_000, webhooks);
const runs = 5;

// The load tool's messages are "load message <i>", i from 0.
const last = webhooks - 1;
const searches = [
  ['one message', `load message ${last}`],
  ['a few messages', `message ${Math.floor(last / 10)}`],
  ['no message', 'parcel'],
  ['every message (the 1,000 latest conversations)', 'load message'],
  ['two characters (not indexed)', 'zq'],
];

const sizeOf = (file) => ['', '-wal'].reduce((sum, part) => sum + (existsSync(file + part) ? statSync(file + part).size : 0), 0);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeSearches(server) {
  const { token } = await call(server, 'POST', '/auth/login', { username: 'admin', password });
  const out = {};
  for (const [name, q] of searches) {
    const ms = [];
    let found = 0;
    for (let i = 0; i < runs; ++i) {
      const t = performance.now();
      const page = await call(server, 'GET', `/conversations?filter=all&limit=50&q=${encodeURIComponent(q)}`, undefined, token);
      ms.push(performance.now() - t);
      found = page.conversations.length;
    }
    out[name] = { ms: median(ms), found };
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'switchboard-search-'));
try {
  const args = ['--data', dir, '--admin-password', password, '--log-level', 'info'];
  let server = await startServer(binary, [...args, '--search-index', 'false'], { onLog: () => {} });
  const t = performance.now();
  const load = spawnSync(loadTool, ['--mode', 'ingest', '--url', server.url, '--connections', '64',
    '--users', String(users), '--requests', String(webhooks)], { encoding: 'utf8' });
  if (load.status !== 0) throw new Error(`switchboard-load failed (${load.status}): ${load.stderr}`);
  console.log(`history: ${webhooks} webhooks (${2 * webhooks} messages) from ${users} users in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const scanned = await timeSearches(server);
  await server.stop();

  let caughtUp;
  const ready = new Promise((resolve) => { caughtUp = resolve; });
  const started = performance.now();
  server = await startServer(binary, [...args, '--search-index', 'true'], {
    onLog: (line) => { if (line.includes('search index caught up')) caughtUp(line); },
  });
  const line = await ready;
  const buildMs = Number(line.match(/ ms=(\d+)/)[1]);
  console.log(`index made at the start: ${(buildMs / 1000).toFixed(1)} s (${((performance.now() - started) / 1000).toFixed(1)} s from the start)`);
  const indexed = await timeSearches(server);
  await server.stop();

  const dbBytes = sizeOf(join(dir, 'switchboard.db'));
  const indexBytes = sizeOf(join(dir, 'search.db'));
  if (indexBytes === 0) throw new Error('no search index was made');
  console.log(`database ${(dbBytes / 1e6).toFixed(1)} MB, search index ${(indexBytes / 1e6).toFixed(1)} MB`);
  console.log(JSON.stringify({ mode: 'search_index', webhooks, users, messages: 2 * webhooks, build_ms: buildMs,
    database_bytes: dbBytes, index_bytes: indexBytes }));
  console.log('search                                           without index   with index   found');
  for (const [name] of searches) {
    const a = scanned[name], b = indexed[name];
    if (a.found !== b.found) throw new Error(`${name}: ${a.found} conversations without the index, ${b.found} with it`);
    console.log(`${name.padEnd(48)} ${a.ms.toFixed(1).padStart(10)} ms ${b.ms.toFixed(1).padStart(10)} ms ${String(b.found).padStart(6)}`);
    console.log(JSON.stringify({ mode: 'search', search: name, webhooks, users, without_index_ms: Number(a.ms.toFixed(2)),
      with_index_ms: Number(b.ms.toFixed(2)), found: b.found }));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
