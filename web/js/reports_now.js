// Reports' "Right now", as Chatwoot's live overview: the queue, the live
// chats, the users waiting for an answer and each agent at this moment.
// Read as the dialog opens, again as events change them (at most once a
// second, however busy the line), and each half minute for the waits' ages.
// The queue, the waiting and an agent's chats open in the list.
import { api } from './api.js';
import { $, h, relativeTime } from './dom.js';

const AT_MOST_EVERY_MS = 1000;
const AGES_EVERY_MS = 30000;

// A report's figure: its name, its value (text, or a button that opens it), a note under it.
export const figure = (name, value, note = null) => h('div', { class: 'figure', 'data-figure': name },
  h('dt', { text: name }),
  h('dd', {}, typeof value === 'string' ? h('span', { class: 'value', text: value }) : value,
    note ? h('span', { class: 'muted', text: note }) : null));

export class RightNow {
  // `showList(query)`: the list as a saved view's query has it (the dialog closes first).
  constructor({ showList }) {
    this.showList = showList;
  }

  // The dialog is open (`dialog`): read now, and keep it fresh until it closes.
  start(dialog) {
    clearInterval(this.ticker);
    this.ticker = setInterval(() => this.load(), AGES_EVERY_MS);
    dialog.addEventListener('close', () => clearInterval(this.ticker), { once: true });
    return this.load();
  }

  // Something that may change it happened (a chat queued, claimed, ended or
  // snoozed; a message; an agent came, went or turned available).
  changed() {
    if (!$('reports-dialog')?.open || this.soon) return;
    this.soon = setTimeout(() => { this.soon = null; this.load(); }, AT_MOST_EVERY_MS);
  }

  async load() {
    const asked = (this.asked = (this.asked ?? 0) + 1);
    try {
      const [queue, waiting, { agents }] = await Promise.all([api.get('/queue?limit=1'),
        api.get('/conversations?filter=waiting&order=waiting&limit=1'), api.get('/agents')]);
      if (asked !== this.asked) return;  // a later read is on its way
      $('reports-now-status').textContent = '';
      this.render(queue, waiting, agents.filter((a) => a.active));
    } catch (err) {
      $('reports-now-status').textContent = `What is happening now could not be read: ${err.message}`;
    }
  }

  // A button that shows `query`'s conversations in the list.
  opener(text, label, query) {
    return h('button', { type: 'button', class: 'link value', text, 'aria-label': label,
      onclick: () => { $('reports-dialog').close(); this.showList(query); } });
  }

  render(queue, waiting, agents) {
    const { counts } = waiting;
    // The queue's and the waiting's open in the list.
    const opens = (name, value, query) => this.opener(String(value), `${name}: ${value}, in the list`, query);
    const head = queue.queue[0];
    const longestWaiting = waiting.conversations[0]?.waiting_since;
    const online = agents.filter((a) => a.online);
    $('reports-now-figures').replaceChildren(
      figure('In the queue', opens('In the queue', queue.total, { filter: 'queued' }),
        head ? `the longest for ${relativeTime(head.queued_at)}` : null),
      // `active` counts the queue's chats too, and not the snoozed ones.
      figure('Live chats', String(counts.active - counts.queued), counts.snoozed ? `and ${counts.snoozed} snoozed` : null),
      figure('Waiting for an answer', opens('Waiting for an answer', counts.waiting, { filter: 'waiting' }),
        longestWaiting ? `the longest for ${relativeTime(longestWaiting)}` : null),
      figure('Agents online', String(online.length), `${online.filter((a) => a.available).length} available · ${agents.length} in all`));
    // Those online first, the busiest first among them; then by name.
    const order = (a) => (a.online ? (a.available ? 0 : 1) : 2);
    const sorted = [...agents].sort((a, b) => order(a) - order(b) || b.open_chats - a.open_chats
      || a.display_name.localeCompare(b.display_name));
    $('reports-now-agents').replaceChildren(...sorted.map((a) => {
      // As the Team dialog says it; away: online, and automatic routing gives them no chats.
      const [kind, status] = !a.online ? ['offline', '○ Offline'] : a.available ? ['online', '● Online'] : ['away', '● Away'];
      const name = a.display_name === a.username ? a.username : `${a.display_name} (${a.username})`;
      return h('tr', { 'data-agent': a.username },
        h('th', { scope: 'row', text: name }),
        h('td', {}, h('span', { class: `presence ${kind}`, text: status })),
        // Its name holds what it shows (WCAG's label in name).
        h('td', {}, this.opener(`${a.open_chats} of ${a.max_chats}`, `${name}: ${a.open_chats} of ${a.max_chats} live chats, in the list`,
          { filter: 'all', assignee: a.username })));
    }));
  }
}
