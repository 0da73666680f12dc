// A short chime when something waits for the agent: a chat joins the queue,
// or a user writes in one of the agent's own chats that they are not looking
// at. The bell in the top bar turns it off and on (kept in this browser).
// While the console is out of sight (another tab, a minimised window) the
// same news also comes as a desktop notification, if the agent allowed them.
import { $ } from './dom.js';

const storageKey = 'switchboard.sound';

export class Alerts {
  constructor() {
    this.button = $('sound');
    this.on = localStorage.getItem(storageKey) !== 'off';
    this.button.addEventListener('click', () => this.set(!this.on));
    this.show();
  }

  set(on) {
    this.on = on;
    localStorage.setItem(storageKey, on ? 'on' : 'off');
    this.show();
  }

  show() {
    this.button.setAttribute('aria-pressed', String(this.on));
    this.button.textContent = this.on ? '🔔' : '🔕';
    this.button.title = this.on ? 'Sound on: click to mute' : 'Sound off: click to turn on';
  }

  // Asked once, while the agent does something (a browser asks only then):
  // logging in.
  static askToNotify() {
    if (!('Notification' in window) || Notification.permission !== 'default') return;
    // Older browsers take a callback and return nothing; a refusal is the agent's answer.
    try { Promise.resolve(Notification.requestPermission()).catch(() => {}); } catch { /* not offered here */ }
  }

  // A desktop notification, when the page is out of sight and they are
  // allowed; one per conversation at a time (`tag`), the latest replacing
  // the one before. A click brings the console back with `onClick`.
  notify(title, body, tag, onClick) {
    if (document.visibilityState === 'visible' || !('Notification' in window) || Notification.permission !== 'granted') return;
    try {
      const n = new Notification(title, { body, tag });
      n.onclick = () => { window.focus(); onClick(); n.close(); };
    } catch { /* a browser that shows them only from a service worker: the chime and the title still say it */ }
  }

  // Counted on the page (data-alerts) so that what rang can be checked.
  ring() {
    if (!this.on) return;
    const root = document.documentElement;
    root.dataset.alerts = String(Number(root.dataset.alerts ?? 0) + 1);
    try {
      this.audio ??= new AudioContext();
      const now = this.audio.currentTime;
      for (const [i, freq] of [880, 1175].entries()) {
        const tone = this.audio.createOscillator();
        const gain = this.audio.createGain();
        tone.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, now + i * 0.12);
        gain.gain.exponentialRampToValueAtTime(0.15, now + i * 0.12 + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.12 + 0.25);
        tone.connect(gain).connect(this.audio.destination);
        tone.start(now + i * 0.12);
        tone.stop(now + i * 0.12 + 0.3);
      }
    } catch { /* no audio here: the title's count still says it */ }
  }
}
