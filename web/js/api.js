// The REST API over fetch, with the session cookie. Errors carry the
// server's error code and status.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

async function call(method, path, body, signal) {
  const init = { method, credentials: 'same-origin', headers: {}, signal };
  if (body instanceof Blob) {  // a file, sent as it is
    init.headers['Content-Type'] = body.type || 'application/octet-stream';
    init.body = body;
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) throw new ApiError(res.status, data?.error?.code, data?.error?.message);
  return data;
}

export const api = {
  // `signal`: an AbortSignal that drops the request (fetch rejects with an AbortError).
  get: (path, signal) => call('GET', path, undefined, signal),
  post: (path, body) => call('POST', path, body ?? {}),
  // A file (a Blob) as the request's body, its type the Content-Type.
  upload: (path, file) => call('POST', path, file),
  put: (path, body) => call('PUT', path, body),
  patch: (path, body) => call('PATCH', path, body),
  del: (path) => call('DELETE', path),
};

export const enc = encodeURIComponent;

// Whether a setting read again is what the console holds: the loads at
// each connect mostly bring nothing new, and a change redraws every row
// (one built anew between a press and its release loses the click).
export const sameAsHeld = (held, answer) => JSON.stringify(held) === JSON.stringify(answer);

// GETs `path` and hands `apply` its answer, unless `changes()` moved while
// it was on its way: an event newer than the answer came first, and stands.
export async function loadUnlessOvertaken(path, changes, apply) {
  const seen = changes();
  const answer = await api.get(path);
  if (changes() === seen) apply(answer);
}

// Reads of a list that events change one item at a time (an agent's
// presence, a campaign, a contact): an answer may be older than an event
// that came while it was on its way. Each event's change is done at once
// and kept for every read then on its way, to be done again on top of that
// read's answer; the change of a later event comes later and wins. A read
// answered after a later one is dropped.
export class ReadsAcrossEvents {
  constructor() {
    this.onTheirWay = new Set();  // for each read on its way, the changes since it was asked
    this.asked = 0;
    this.taken = 0;
  }

  // An event's change: `redo` is done now and again after each read on its
  // way. What it returned now.
  change(redo) {
    const done = redo();
    for (const since of this.onTheirWay) since.push(redo);
    return done;
  }

  // Reads with `ask()` and hands its answer to `take`, then does again what
  // came meanwhile. Whether the answer was taken.
  async read(ask, take) {
    const since = [];
    const asked = ++this.asked;
    this.onTheirWay.add(since);
    try {
      const answer = await ask();
      if (asked < this.taken) return false;
      this.taken = asked;
      take(answer);
      for (const redo of since) redo();
      return true;
    } finally {
      this.onTheirWay.delete(since);
    }
  }
}
