// The team's business hours in the top bar: while they are closed, a badge
// says until when (in the agent's own time), since every user who asks for
// support then is told the team is away. It looks again when the hours
// change and whenever the console connects again. It keeps the team's open
// time (`clock`) for reply-time targets counted within the hours.
import { api } from './api.js';
import { $ } from './dom.js';
import { OpenClock } from './open_clock.js';

const longestTimer = 2 ** 31 - 1;  // setTimeout's limit, about 24 days

export class BusinessHours {
  // `onChange`: the hours as last heard changed (what counts them redraws).
  constructor({ onChange = () => {} } = {}) {
    this.onChange = onChange;
    this.timer = null;
    this.asking = null;
    this.configured = false;  // whether --business-hours are set, as last heard
    this.clock = null;  // an OpenClock of them, when set
    this.heard = '';
  }

  async refresh() {
    if (this.asking) return this.asking;  // one question at a time
    this.asking = api.get('/business-hours')
      .then((h) => this.show(h))
      .catch(() => {})  // kept as it was: the next connection asks again
      .finally(() => { this.asking = null; });
    return this.asking;
  }

  show(h) {
    this.configured = h.configured;
    const schedule = JSON.stringify([h.configured, h.timezone, h.hours, h.days_off]);
    if (schedule !== this.heard) {
      const counted = this.clock !== null;
      this.heard = schedule;
      this.clock = h.configured ? new OpenClock(h) : null;
      // No hours before nor now (the first answer, mostly): nothing counts otherwise.
      if (counted || this.clock) this.onChange();
    }
    const badge = $('hours');
    badge.hidden = !h.configured || h.open_now;
    if (!badge.hidden) {
      const until = new Date(h.opens_at).toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
      badge.textContent = `🌙 Closed until ${until}`;
      const ranges = h.hours.map((r) => `${r.day} ${r.open}–${r.close}`).join(', ');
      badge.title = `Outside business hours (${ranges}, ${h.timezone}): users who ask for support are told when the team is back`;
    }
    clearTimeout(this.timer);
    const change = h.open_now ? h.closes_at : h.opens_at;
    if (change) {
      // A second late, so the server's clock has passed it too.
      const wait = Math.min(Math.max(new Date(change) - Date.now() + 1000, 1000), longestTimer);
      this.timer = setTimeout(() => this.refresh(), wait);
    }
  }
}
