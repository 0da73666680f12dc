// Snooze: an agent puts their live chat aside until a time (Chatwoot's
// snooze). The choices are in the agent's own time; the server wakes the
// chat then, or sooner when the user writes.

// The menu's choices from `now`: in an hour, tomorrow at 09:00, and next
// Monday at 09:00 (a week from today when today is Monday).
export function snoozeChoices(now = new Date()) {
  const at9 = (daysAhead) => {
    const d = new Date(now);
    d.setDate(d.getDate() + daysAhead);
    d.setHours(9, 0, 0, 0);
    return d;
  };
  const toMonday = ((8 - now.getDay()) % 7) || 7;
  return [
    { label: 'For an hour', until: new Date(now.getTime() + 3_600_000) },
    { label: 'Until tomorrow, 09:00', until: at9(1) },
    { label: 'Until next week, Mon 09:00', until: at9(toMonday) },
  ];
}

// When a snooze ends, as the agent reads it: "Fri 09:00", or with its
// date a week or more ahead ("Mon 14 Dec 09:00").
export function snoozeEnd(iso, now = Date.now()) {
  const at = new Date(iso);
  const far = at - now >= 6 * 86_400_000;
  return at.toLocaleString(undefined, {
    weekday: 'short', hour: '2-digit', minute: '2-digit', ...(far ? { day: 'numeric', month: 'short' } : {}),
  });
}

// A <input type="datetime-local"> value (the agent's own time) as a Date;
// null when empty or not a time.
export function fromLocalInput(value) {
  if (!value) return null;
  const at = new Date(value);  // a date-time without a zone is read as local
  return Number.isNaN(at.getTime()) ? null : at;
}
