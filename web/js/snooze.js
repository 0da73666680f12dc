// Snooze: an agent puts their live chat aside until a time, or until the
// user replies (Chatwoot's snooze). The choices are in the agent's own
// time; the server wakes the chat then, or sooner when the user writes.

// What the server takes as `until` for a snooze only the user's reply ends.
export const NEXT_REPLY = 'next_reply';

// The menu's choices from `now`: until the user replies, in an hour,
// tomorrow at 09:00, and next Monday at 09:00 (a week from today when today
// is Monday). `until` is a Date, or NEXT_REPLY.
export function snoozeChoices(now = new Date()) {
  const at9 = (daysAhead) => {
    const d = new Date(now);
    d.setDate(d.getDate() + daysAhead);
    d.setHours(9, 0, 0, 0);
    return d;
  };
  const toMonday = ((8 - now.getDay()) % 7) || 7;
  return [
    { label: 'Until the user replies', until: NEXT_REPLY },
    { label: 'For an hour', until: new Date(now.getTime() + 3_600_000) },
    { label: 'Until tomorrow, 09:00', until: at9(1) },
    { label: 'Until next week, Mon 09:00', until: at9(toMonday) },
  ];
}

// A choice's `until` as the server takes it.
export const untilBody = (until) => (until === NEXT_REPLY ? NEXT_REPLY : until.toISOString());

// Until when conversation `c` sleeps, as the agent reads it: "Fri 09:00",
// with its date a week or more ahead ("Mon 14 Dec 09:00"), or "the user
// replies" when only that wakes it.
export const snoozedUntil = (c, now = Date.now()) => (c.snoozed_until ? snoozeEnd(c.snoozed_until, now) : 'the user replies');

// When a snooze ends, as the agent reads it: "Fri 09:00", or with its
// date a week or more ahead ("Mon 14 Dec 09:00").
export function snoozeEnd(iso, now = Date.now()) {
  const at = new Date(iso);
  const far = at - now >= 6 * 86_400_000;
  return at.toLocaleString(undefined, {
    weekday: 'short', hour: '2-digit', minute: '2-digit', ...(far ? { day: 'numeric', month: 'short' } : {}),
  });
}

// A time as a <input type="datetime-local"> shows it: the agent's own, to the minute.
export function toLocalInput(iso) {
  const at = new Date(iso);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

// A <input type="datetime-local"> value (the agent's own time) as a Date;
// null when empty or not a time.
export function fromLocalInput(value) {
  if (!value) return null;
  const at = new Date(value);  // a date-time without a zone is read as local
  return Number.isNaN(at.getTime()) ? null : at;
}
