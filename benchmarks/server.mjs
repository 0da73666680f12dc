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
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}`, port: Number(m[1]), stop: () => new Promise((done) => { child.once('exit', done); child.kill('SIGTERM'); }) });
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
