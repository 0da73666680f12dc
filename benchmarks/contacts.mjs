#!/usr/bin/env node
// What importing contacts costs (POST /contacts/import): N users from CSV
// files of 10,000 lines at most (the route's limit), each a conversation
// with no message, in memory and on disk: the time, the contacts a second,
// the server's resident memory per contact, and the time of the first file
// again (every line unchanged: what an import run twice costs). Then
// webhooks from other users at a steady open-loop rate (switchboard-load
// --mode ingest --rate), alone and again while N more contacts are
// imported: their p50 and p99 acknowledgement, and the ratio. It checks
// that every contact is there (GET /campaigns/audience counts them) and in
// no list (GET /conversations), and fails otherwise. Loopback only;
// bounded by N.
//
// usage: node benchmarks/contacts.mjs [contacts, default 100000] [webhook rate, default 2000]
//          [switchboard binary] [switchboard-load binary]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, call, webhookLoad } from './server.mjs';

const [countArg, rateArg, binaryArg, loadArg] = process.argv.slice(2);
const contacts = Number(countArg ?? 100_000);
const rate = Number(rateArg ?? 2000);
if (!Number.isInteger(contacts) || contacts < 1 || !Number.isInteger(rate) || rate < 1) {
  console.error('usage: node benchmarks/contacts.mjs [contacts] [webhook rate] [switchboard binary] [switchboard-load binary]');
  process.exit(2);
}
const binary = binaryArg ?? new URL('../build/switchboard', import.meta.url).pathname;
const loadTool = loadArg ?? new URL('../build/benchmarks/switchboard-load', import.meta.url).pathname;
// A short run (the test suite's) loads for a second.
const loadSeconds = contacts < 10_000 ? 1 : 5;
const password = 'contacts-bench-secret';
const perFile = 10_000;

// The files of `contacts` users from `first`, as a CRM would export them:
// a phone, a name, two labels, an e-mail and a plan.
function filesFrom(first) {
  const files = [];
  for (let from = 0; from < contacts; from += perFile) {
    const lines = ['phone,name,labels,email,plan'];
    for (let i = from; i < Math.min(contacts, from + perFile); i += 1)
      lines.push(`${first + i},User ${i},"news, ${i % 2 ? 'vip' : 'trial'}",user${i}@example.com,${i % 3 ? 'basic' : 'gold'}`);
    files.push(`${lines.join('\n')}\n`);
  }
  return files;
}
const files = filesFrom(18000000000);
const moreFiles = filesFrom(19000000000);

const ms = (x) => `${x.toFixed(2)} ms`;

function rssKiB(pid) {
  return Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);
}

async function importFiles(server, token, list) {
  let created = 0;
  for (const csv of list) created += (await importFile(server, token, csv)).created;
  return created;
}

async function importFile(server, token, csv) {
  const res = await fetch(`${server.url}/contacts/import?channel=plain`, {
    method: 'POST', body: csv, headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`POST /contacts/import: ${res.status} ${await res.text()}`);
  return res.json();
}

const dir = mkdtempSync(join(tmpdir(), 'switchboard-contacts-'));
try {
  for (const [store, data] of [['in memory', ':memory:'], ['on disk', dir]]) {
    const server = await startServer(binary, ['--data', data, '--admin-password', password, '--log-level', 'error']);
    try {
      const { token } = await call(server, 'POST', '/auth/login', { username: 'admin', password });
      const before = rssKiB(server.pid);
      const started = performance.now();
      const created = await importFiles(server, token, files);
      const seconds = (performance.now() - started) / 1000;
      const after = rssKiB(server.pid);
      const againStarted = performance.now();
      const again = await importFile(server, token, files[0]);
      const againSeconds = (performance.now() - againStarted) / 1000;

      const { counts } = await call(server, 'GET', '/conversations', undefined, token);

      const alone = await webhookLoad(loadTool, server, { rate, seconds: loadSeconds, label: `webhooks alone, ${store}` });
      const loading = webhookLoad(loadTool, server, { rate, seconds: loadSeconds, label: `webhooks during an import, ${store}` });
      const moreStarted = performance.now();
      const moreCreated = await importFiles(server, token, moreFiles);
      const moreSeconds = (performance.now() - moreStarted) / 1000;
      const during = await loading;

      const { users } = await call(server, 'GET', '/campaigns/audience?channel=plain&labels=news', undefined, token);
      if (created !== contacts || moreCreated !== contacts || users !== 2 * contacts || counts.all !== 0
          || again.unchanged !== Math.min(contacts, perFile))
        throw new Error(`${store}: ${created} and ${moreCreated} created, ${users} in the audience of ${2 * contacts}, `
          + `${counts.all} listed, ${again.unchanged} unchanged again`);
      const result = {
        mode: 'contacts', store, contacts, files: files.length, seconds: Number(seconds.toFixed(3)),
        contacts_per_second: Math.round(contacts / seconds),
        rss_bytes_per_contact: Math.round(((after - before) * 1024) / contacts),
        again_contacts: again.unchanged, again_seconds: Number(againSeconds.toFixed(3)),
        seconds_under_webhooks: Number(moreSeconds.toFixed(3)), webhook_rate: rate,
        webhook_p50_ms: { alone: alone.p50_ms, during: during.p50_ms },
        webhook_p99_ms: { alone: alone.p99_ms, during: during.p99_ms },
        webhook_p99_ratio: Number((during.p99_ms / alone.p99_ms).toFixed(2)),
        webhook_errors_during: during.errors,
      };
      console.log(`${store.padEnd(9)}  ${contacts} contacts in ${files.length} files: ${seconds.toFixed(2)} s `
        + `(${result.contacts_per_second}/s), ${result.rss_bytes_per_contact} bytes resident each; `
        + `the first file again (${again.unchanged} unchanged) ${againSeconds.toFixed(2)} s; `
        + `webhooks at ${rate}/s alone p50 ${ms(alone.p50_ms)} p99 ${ms(alone.p99_ms)}, during ${contacts} more `
        + `(${moreSeconds.toFixed(2)} s) p50 ${ms(during.p50_ms)} p99 ${ms(during.p99_ms)} (× ${result.webhook_p99_ratio})`);
      console.log(JSON.stringify(result));
    } finally {
      await server.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
