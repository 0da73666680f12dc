// A user's chats, the open one and those before it (GET …/chats), in the
// chat's header, as Chatwoot's previous conversations: when each began,
// who had it, how it ended and how the user rated it. Read when the menu
// opens, so that it is always the server's latest.
import { api, enc } from './api.js';
import { h, $, clockTime, dayLabel, duration } from './dom.js';
import { stars } from './model.js';

const ENDINGS = { user: 'ended by the user', agent: 'ended by the agent', timeout: 'timed out', blocked: 'ended by a block' };
const PAGE = 20;

export function chatSummary(c) {
  const parts = [`${dayLabel(c.opened_at)} ${clockTime(c.opened_at)}`, c.agent ?? 'no agent'];
  if (!c.closed_at) parts.push('open now');
  else parts.push(`${ENDINGS[c.close_reason] ?? c.close_reason} after ${duration((Date.parse(c.closed_at) - Date.parse(c.opened_at)) / 1000)}`);
  if (c.labels.length) parts.push(c.labels.join(', '));
  return parts.join(' · ');
}

export class PastChats {
  // `openAt(seq)`: shows the open conversation's history at that message.
  constructor({ openAt }) {
    this.openAt = openAt;
    this.phone = null;
    this.next = null;
    $('past-chats').addEventListener('toggle', () => { if ($('past-chats').open) this.load(true); });
    $('past-chats-older').addEventListener('click', () => this.load(false));
  }

  // Another conversation: its own list, read when asked for.
  show(phone) {
    if (phone === this.phone) return;
    this.phone = phone;
    $('past-chats').open = false;
    $('past-chat-rows').replaceChildren();
  }

  async load(fresh) {
    const phone = this.phone;
    const query = new URLSearchParams({ limit: PAGE });
    if (!fresh && this.next) query.set('before', this.next);
    try {
      const page = await api.get(`/conversations/${enc(phone)}/chats?${query}`);
      if (phone !== this.phone) return;
      const rows = page.chats.map((c) => h('li', { class: 'past-chat', 'data-ticket': c.ticket },
        // Where it began in the history, when that is known (not for chats kept before it was).
        c.first_seq ? h('button', { type: 'button', class: 'link', title: 'Show where this chat began', text: chatSummary(c),
          onclick: () => { $('past-chats').open = false; this.openAt(c.first_seq); } })
          : h('span', { text: chatSummary(c) }),
        c.rating ? h('span', { class: 'stars', 'aria-label': `rated ${c.rating} of 5`, text: ` ${stars(c.rating)}` }) : null));
      if (fresh) $('past-chat-rows').replaceChildren(...rows);
      else $('past-chat-rows').append(...rows);
      this.next = page.next_before;
      $('past-chats-older').hidden = !this.next;
      $('past-chats-empty').textContent = 'No chat yet.';
      $('past-chats-empty').hidden = $('past-chat-rows').children.length > 0;
    } catch (err) {
      if (phone !== this.phone) return;
      $('past-chats-empty').textContent = `Not loaded: ${err.message}`;
      $('past-chats-empty').hidden = false;
    }
  }
}
