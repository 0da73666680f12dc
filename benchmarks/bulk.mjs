#!/usr/bin/env node
// What a bulk action of 200 conversations (the list's page) costs, each
// action in turn, a macro of three actions, and their deletion last, in memory and on disk: the time the agent waits for
// POST /conversations/bulk. Each conversation is its own command, so on disk
// each is its own commit. Against the same 200 sent one request each
// (a priority marked, alternately high and low, so each changes it), as the
// ratio. Loopback only; about two seconds.
//
// usage: node benchmarks/bulk.mjs [switchboard binary]  (default build/switchboard)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, call } from './server.mjs';

const binary = process.argv[2] ?? new URL('../build/switchboard', import.meta.url).pathname;
const password = 'bulk-bench-secret';
const count = 200;
const start = (data) => startServer(binary, ['--data', data, '--admin-password', password, '--log-level', 'error']);

const actions = [['assign', { to: 'admin' }], ['label', { label: 'batch' }], ['priority', { priority: 'high' }],
  ['snooze', { until: new Date(Date.now() + 3_600_000).toISOString() }], ['read', {}], ['end', { message: 'Closing' }]];
const dir = mkdtempSync(join(tmpdir(), 'switchboard-bulk-'));
try {
  for (const [store, data] of [['in memory', ':memory:'], ['on disk', dir]]) {
    const server = await start(data);
    try {
      const phones = Array.from({ length: count }, (_, i) => String(15560000 + i));
      for (const from of phones) await call(server, 'POST', '/webhook', { from, text: 'support' });
      const { token } = await call(server, 'POST', '/auth/login', { username: 'admin', password });
      // A macro of three actions, run last: each conversation's three commands.
      const macro = await call(server, 'POST', '/macros', { name: 'Triage', actions: [{ action: 'label', label: 'triaged' },
        { action: 'priority', priority: 'low' }, { action: 'note', text: 'Triaged in bulk' }] }, token);
      for (const [action, fields] of [...actions, ['macro', { macro: macro.id }]]) {
        const t = performance.now();
        const { succeeded } = await call(server, 'POST', '/conversations/bulk', { action, phones, ...fields }, token);
        const ms = performance.now() - t;
        if (succeeded !== count) throw new Error(`${action} ${store}: ${succeeded} of ${count} done`);
        console.log(`${store.padEnd(9)}  ${action.padEnd(8)}  ${succeeded} of ${count}  ${ms.toFixed(1).padStart(6)} ms  (${Math.round(ms / count * 1000)} µs each)`);
        console.log(JSON.stringify({ mode: 'bulk', store, action, conversations: count, succeeded, ms: Number(ms.toFixed(2)) }));
      }
      // The same change one request at a time, then in one bulk action.
      const timed = async (run) => { const t = performance.now(); await run(); return performance.now() - t; };
      const single = await timed(async () => {
        for (const phone of phones) await call(server, 'PUT', `/conversations/${phone}/priority`, { priority: 'low' }, token);
      });
      const bulk = await timed(() => call(server, 'POST', '/conversations/bulk', { action: 'priority', priority: 'urgent', phones }, token));
      console.log(`${store.padEnd(9)}  priority one request each ${single.toFixed(1)} ms, in one bulk action ${bulk.toFixed(1)} ms: ${(single / bulk).toFixed(1)}× faster`);
      console.log(JSON.stringify({ mode: 'bulk_vs_single', store, conversations: count, single_ms: Number(single.toFixed(2)), bulk_ms: Number(bulk.toFixed(2)) }));
      // Last, since it leaves nothing: all 200 deleted (an admin's), each user erased and audited.
      const t = performance.now();
      const { succeeded } = await call(server, 'POST', '/conversations/bulk', { action: 'delete', phones }, token);
      const ms = performance.now() - t;
      const { total } = await call(server, 'GET', '/contacts?limit=1', undefined, token);
      if (succeeded !== count || total !== 0) throw new Error(`delete ${store}: ${succeeded} of ${count} done, ${total} left`);
      console.log(`${store.padEnd(9)}  delete    ${succeeded} of ${count}  ${ms.toFixed(1).padStart(6)} ms  (${Math.round(ms / count * 1000)} µs each)`);
      console.log(JSON.stringify({ mode: 'bulk', store, action: 'delete', conversations: count, succeeded, ms: Number(ms.toFixed(2)) }));
    } finally {
      await server.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
