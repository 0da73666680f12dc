// A Switchboard server for the node benchmarks: started on --port 0, its
// port read from its first lines, its log lines handed to `onLog`.
import { spawn } from 'node:child_process';

export function startServer(binary, args, { onLog } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['--port', '0', ...args], { stdio: ['ignore', 'pipe', onLog ? 'pipe' : 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on [^\n]*:(\d+)\n/);
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}`, port: Number(m[1]), pid: child.pid, stop: () => new Promise((done) => { child.once('exit', done); child.kill('SIGTERM'); }) });
    });
    if (onLog) {
      let err = '';
      child.stderr.on('data', (d) => {
        err += d;
        for (let nl = err.indexOf('\n'); nl >= 0; nl = err.indexOf('\n')) {
          onLog(err.slice(0, nl));
          err = err.slice(nl + 1);
        }
      });
    }
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

export async function call(server, method, path, body, token) {
  const res = await fetch(server.url + path, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

// Webhooks from 5,000 other users at `rate` a second for `seconds`
// (switchboard-load --mode ingest, open loop): the load tool's JSON line.
export function webhookLoad(loadTool, server, { rate, seconds, label }) {
  return new Promise((resolve, reject) => {
    const child = spawn(loadTool, ['--mode', 'ingest', '--url', server.url, '--rate', String(rate), '--duration',
      String(seconds), '--users', '5000', '--connections', '16', '--label', label], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) reject(new Error(`switchboard-load failed (${code}): ${err}`));
      else resolve(JSON.parse(line));
    });
  });
}

// The build's binaries, by name (benchmarks/run builds them in build/).
export const built = (name) => new URL(`../build/${name}`, import.meta.url).pathname;
export const ms = (x) => `${x.toFixed(2)} ms`;
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

// Times in milliseconds as a result's p50, p99 and longest.
export function spread(took) {
  const sorted = [...took].sort((a, b) => a - b);
  const fixed = (x) => Number(x.toFixed(3));
  return { p50: fixed(quantile(sorted, 0.5)), p99: fixed(quantile(sorted, 0.99)), max: fixed(sorted.at(-1)) };
}

// The webhooks' figures (webhookLoad's lines) alone and during some work, as a result's fields.
export function webhooksBeside(alone, during) {
  return {
    webhook_p50_ms: { alone: alone.p50_ms, during: during.p50_ms },
    webhook_p99_ms: { alone: alone.p99_ms, during: during.p99_ms },
    webhook_p99_ratio: Number((during.p99_ms / alone.p99_ms).toFixed(2)),
    webhook_errors_during: during.errors,
  };
}

// A run's spread and webhooks in words, as erase.mjs and notes.mjs print them:
// "each p50 … p99 … max …; " and "alone p50 … p99 …, during p50 … p99 … (× r)".
export const spreadWords = ({ p50, p99, max }) => `each p50 ${ms(p50)} p99 ${ms(p99)} max ${ms(max)}; `;
export const webhookWords = (alone, during, ratio) =>
  `alone p50 ${ms(alone.p50_ms)} p99 ${ms(alone.p99_ms)}, during p50 ${ms(during.p50_ms)} p99 ${ms(during.p99_ms)} (× ${ratio})`;
