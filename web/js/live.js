// The /ws channel: reconnects with backoff, resumes after the last seq it
// saw, notices gaps, and asks for a REST reload when it cannot fill them.

// The server pings the socket, but a browser answers without telling the
// page, and a connection that died without a close (a laptop asleep, a
// network switched) can look open for many minutes. So the console checks
// for itself: after `quietMs` without a frame it sends a ping, and after
// `deadMs` it gives the socket up and connects again, resuming where it was.
const quietMs = 20000;
const deadMs = 35000;
const checkEveryMs = 5000;

export class Live {
  // `onHello` runs on the first hello, `onConnected` on every one (each new
  // socket), after any resume has been asked for.
  constructor({ onEvent, onStatus, onResync, onHello, onConnected, onPolicyClose }) {
    this.onEvent = onEvent;
    // 1008, or an upgrade refused (the session expired while the laptop
    // slept, say): the session may have ended.
    this.onPolicyClose = onPolicyClose;
    this.onStatus = onStatus;
    this.onResync = onResync;
    this.onHello = onHello;
    this.onConnected = onConnected;
    this.lastSeq = null;  // null until the first hello
    // While a resume is answered: the hello's seq, which its replay reaches.
    this.resumingTo = null;
    this.attempt = 0;
    this.closedByUs = false;
    setInterval(() => this.checkHeard(), checkEveryMs);
  }

  connect() {
    this.closedByUs = false;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}/ws`);
    this.ws = ws;
    this.heard();
    this.onStatus('connecting');
    let opened = false;
    ws.onopen = () => { opened = true; };
    ws.onmessage = (msg) => {
      this.heard();
      let data;
      try { data = JSON.parse(msg.data); } catch { return; }
      for (const item of Array.isArray(data) ? data : [data]) this.receive(item);
    };
    ws.onclose = (closed) => {
      if (this.ws !== ws) return;
      if ((closed.code === 1008 || !opened) && !this.closedByUs) this.onPolicyClose?.();
      this.lost();
    };
  }

  // The socket is gone (closed, or given up): connect again after a backoff.
  lost() {
    this.ws = null;
    if (this.closedByUs) return;
    const delay = Math.min(10000, 500 * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt += 1;
    this.onStatus('reconnecting', Math.round(delay / 1000));
    this.timer = setTimeout(() => this.connect(), delay);
  }

  heard() {
    this.lastHeard = Date.now();
    this.pinged = false;
  }

  checkHeard() {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const silent = Date.now() - this.lastHeard;
    if (silent >= deadMs) {
      ws.onclose = null;  // whenever its close comes, it is no longer this one
      ws.onmessage = null;
      ws.close();
      this.lost();
    } else if (silent >= quietMs && !this.pinged) {
      this.send({ type: 'ping' });
      this.pinged = true;
    }
  }

  receive(item) {
    if (item.type === 'hello') {
      this.attempt = 0;
      this.onStatus('live');
      if (this.lastSeq === null) {
        this.lastSeq = item.seq;
        this.onHello?.(item);
      } else if (item.seq !== this.lastSeq) {
        this.resumingTo = item.seq;
        this.send({ type: 'resume', after: this.lastSeq });
      }
      this.onConnected?.(item);
      return;
    }
    if (item.type === 'pong') return;  // heard: that was all it was for
    if (item.type === 'resync') {
      this.lastSeq = item.seq;
      this.resumingTo = null;
      this.onResync();
      return;
    }
    if (typeof item.seq !== 'number') {  // typing, viewers: ephemeral
      this.onEvent(item);
      return;
    }
    if (item.seq <= this.lastSeq) return;  // seen already
    // Newer than the hello while its replay is on its way: the server sends
    // live events a moment after the hello unless the console has spoken by
    // then (a slow machine, a slow network). They are no gap, and the
    // replay sends them again: it goes on from the seq asked for to now.
    if (this.resumingTo !== null && item.seq > this.resumingTo) return;
    if (item.seq > this.lastSeq + 1) {     // a gap: reload rather than show a partial picture
      this.lastSeq = item.seq;
      this.resumingTo = null;
      this.onResync();
      return;
    }
    this.lastSeq = item.seq;
    if (this.resumingTo !== null && this.lastSeq >= this.resumingTo) this.resumingTo = null;
    this.onEvent(item);
  }

  isOpen() { return this.ws?.readyState === WebSocket.OPEN; }

  send(obj) {
    if (this.isOpen()) this.ws.send(JSON.stringify(obj));
  }

  close() {
    this.closedByUs = true;
    clearTimeout(this.timer);
    this.ws?.close();
  }
}
