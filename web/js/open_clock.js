// The team's open time, counted as the server counts it
// (chat::business_hours::after_open_seconds): from GET /business-hours, the
// instant when some amount of time within the hours has passed since
// another. A reply-time target only during business hours is due then.
const DAY_MS = 86_400_000;
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const minutesOf = (clock) => {  // "09:30" → 570; "24:00" → 1440
  const [h, m] = clock.split(':').map(Number);
  return h * 60 + m;
};
const isoDate = (day) => new Date(day * DAY_MS).toISOString().slice(0, 10);

export class OpenClock {
  // `hours`: GET /business-hours, configured.
  constructor({ timezone, hours, days_off: daysOff }) {
    this.ranges = WEEKDAYS.map((d) => hours.filter((r) => r.day === d).map((r) => [minutesOf(r.open), minutesOf(r.close)]));
    this.daysOff = new Set(daysOff);
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, hourCycle: 'h23',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  }

  // When `amount` ms within the hours have passed since `from` (ms since the
  // epoch); Infinity when they never do (days off closing every day ahead).
  after(from, amount) {
    let left = amount;
    let day = this.dayOf(from);
    for (let d = 0; d < 4000; d += 1, day += 1) {  // as the server's bound
      for (const [open, close] of this.openings(day)) {
        const start = Math.max(open, from);
        if (start >= close) continue;
        if (close - start >= left) return start + left;
        left -= close - start;
      }
    }
    return Infinity;
  }

  // One day's openings (days since 1970-01-01 in the zone) as instants.
  openings(day) {
    if (this.daysOff.has(isoDate(day))) return [];
    const weekday = (day + 3) % 7;  // 1970-01-01 was a Thursday
    return this.ranges[weekday].map(([open, close]) => [this.instant(day, open, false), this.instant(day, close, true)]);
  }

  // The zone's offset from UTC at an instant, in ms.
  offsetAt(ms) {
    const p = {};
    for (const { type, value } of this.parts.formatToParts(new Date(ms))) p[type] = Number(value);
    const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    return wall - Math.floor(ms / 1000) * 1000;
  }

  dayOf(ms) { return Math.floor((ms + this.offsetAt(ms)) / DAY_MS); }

  // The instant of a day's local minute: where summer time repeats it, the
  // earlier or the later (as the server's `choose::earliest` for an
  // opening and `latest` for a close); where it skips it, the change itself.
  instant(day, minute, latest) {
    const wall = day * DAY_MS + minute * 60_000;
    const candidates = [wall - this.offsetAt(wall - DAY_MS), wall - this.offsetAt(wall + DAY_MS)];
    const real = candidates.filter((t) => t + this.offsetAt(t) === wall);
    if (real.length) return latest ? Math.max(...real) : Math.min(...real);
    // Skipped: the first instant on the later offset, between the two.
    let [lo, hi] = [Math.min(...candidates), Math.max(...candidates)];
    const after = this.offsetAt(hi);
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (this.offsetAt(mid) === after) hi = mid; else lo = mid;
    }
    return hi;
  }
}
