#!/usr/bin/env node
// What deleting a private note costs (DELETE /conversations/{phone}/notes/{seq}):
// its row moves, the search index drops its text, and the event log's
// message.created that announced it is rewritten, in the hub's ring and in
// the stored blocks begun within a minute of it. N notes are written, then
// webhooks come from 5,000 users at a steady open-loop rate for A seconds
// (the blocks the store looks through grow with them), then the notes are
// deleted one after another while the webhooks go on, in memory and on
// disk: each deletion's time (p50, p99, the longest), and the webhooks'
// acknowledgement alone and during the deletions. It checks that every
// note reads back deleted, and fails otherwise. Loopback only; bounded by
// N and A.
//
// usage: node benchmarks/notes.mjs [notes, default 200] [seconds of webhooks between, default 20]
//          [webhook rate, default 2000] [switchboard binary] [switchboard-load binary]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { built, call, spread, spreadWords, startServer, webhookLoad, webhooksBeside, webhookWords } from './server.mjs';

const [notesArg, ageArg, rateArg, binaryArg, loadArg] = process.argv.slice(2);
const notes = Number(notesArg ?? 200);
const age = Number(ageArg ?? 20);
const rate = Number(rateArg ?? 2000);
if (![notes, age, rate].every((n) => Number.isInteger(n) && n > 0) || notes > 5000) {
  console.error('usage: node benchmarks/notes.mjs [notes <= 5000] [seconds of webhooks between] [webhook rate] '
    + '[switchboard binary] [switchboard-load binary]');
  process.exit(2);
}
const binary = binaryArg ?? built('switchboard');
const loadTool = loadArg ?? built('benchmarks/switchboard-load');
const password = 'notes-bench-secret';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-notes-'));
try {
  for (const [store, data] of [['in memory', ':memory:'], ['on disk', dir]]) {
    const server = await startServer(binary, ['--data', data, '--admin-password', password, '--log-level', 'error']);
    try {
      const { token } = await call(server, 'POST', '/auth/login', { username: 'admin', password });
      // The users the notes are about write first (the load tool's phones are 4000000000 on).
      const phones = Array.from({ length: notes }, (_, i) => String(4000000000 + i));
      for (const phone of phones) await call(server, 'POST', '/webhook', { from: phone, text: 'hello' });
      const written = [];
      for (const phone of phones)
        written.push([phone, (await call(server, 'POST', `/conversations/${phone}/notes`, { text: `door code ${phone}` }, token)).seq]);
      await webhookLoad(loadTool, server, { rate, seconds: age, label: `webhooks after the notes, ${store}` });
      const seconds = Math.max(1, Math.min(5, notes / 50));
      const alone = await webhookLoad(loadTool, server, { rate, seconds, label: `webhooks alone, ${store}` });
      const loading = webhookLoad(loadTool, server, { rate, seconds, label: `webhooks during deletions, ${store}` });
      const took = [];
      const started = performance.now();
      for (const [phone, seq] of written) {
        const t = performance.now();
        await call(server, 'DELETE', `/conversations/${phone}/notes/${seq}`, undefined, token);
        took.push(performance.now() - t);
      }
      const wallSeconds = (performance.now() - started) / 1000;
      const during = await loading;
      for (const [phone, seq] of written) {
        const c = await call(server, 'GET', `/conversations/${phone}`, undefined, token);
        const note = c.messages.find((m) => m.seq === seq);
        if (!note?.deleted || note.text !== '') throw new Error(`${store}: note ${seq} of ${phone} reads ${JSON.stringify(note)}`);
      }
      const result = {
        mode: 'delete_note', store, notes, seconds_between: age, webhook_rate: rate, delete_ms: spread(took),
        deletions_per_second: Math.round(notes / wallSeconds), ...webhooksBeside(alone, during),
      };
      console.log(`${store.padEnd(9)}  ${notes} notes deleted, ${age} s of webhooks at ${rate}/s after them: `
        + `${spreadWords(result.delete_ms)}webhooks ${webhookWords(alone, during, result.webhook_p99_ratio)}`);
      console.log(JSON.stringify(result));
    } finally {
      await server.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
