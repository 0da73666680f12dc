// A conversation's priority, as the server names it: the words a select
// offers and the badge a row shows ("none" shows none).
import { h } from './dom.js';

const PRIORITIES = [
  { value: 'urgent', text: 'Urgent', badge: '🔥 Urgent' },
  { value: 'high', text: 'High', badge: '▲ High' },
  { value: 'medium', text: 'Medium', badge: '◇ Medium' },
  { value: 'low', text: 'Low', badge: '▽ Low' },
];

// Fills `select` with the priorities, most urgent first, after `first`
// ({ value, text }: "none" in a chat's header, "" for any in the list).
export function fillPriorities(select, first) {
  select.replaceChildren(h('option', first), ...PRIORITIES.map(({ value, text }) => h('option', { value, text })));
}

export const priorityBadge = (priority) => PRIORITIES.find((p) => p.value === priority)?.badge;

// Higher for the more urgent, 0 for none: the list's order by priority.
export const priorityRank = (priority) => {
  const at = PRIORITIES.findIndex((p) => p.value === priority);
  return at < 0 ? 0 : PRIORITIES.length - at;
};
