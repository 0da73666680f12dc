// The notification inbox, as Chatwoot's: the notes that mention this agent,
// the chats handed to them and their chats past a target (SLA), kept by
// the server until read, so that an
// agent who was away finds them (GET /notifications). The 📥 button counts
// the unread; its dialog lists them newest first, a page at a time.
// Opening one opens its conversation (at the note, for a mention), and
// opening a conversation reads all of its own. Each console of
// the agent's follows the others through notification.created and
// notification.updated, which carry the unread count. Which kinds the
// agent gets is theirs to choose (GET /notifications/preferences), in the
// dialog; the console's own chimes for mentions and late chats follow it.
import { api, enc, loadUnlessOvertaken, ReadsAcrossEvents } from './api.js';
import { $, dialogFromTemplate, h, relativeTime } from './dom.js';
import { TARGET_WORDS } from './sla.js';

const PAGE = 25;

// What happened, in words.
export function headline(n) {
  if (n.type === 'mention') return `${n.actor ?? 'Someone'} mentioned you`;
  if (n.type === 'assigned') return n.actor ? `${n.actor} assigned you a chat` : 'Automatic routing assigned you a chat';
  if (n.type === 'sla_missed') return `Your chat missed its ${TARGET_WORDS[n.target] ?? n.target} target`;
  if (n.type === 'message') return 'A new message in a conversation you follow';
  return n.type;
}
const whose = (n) => n.name || `+${n.conversation}`;

export class NotificationInbox {
  // `openConversation(phone, seq)`: opens a chat, at a message if one.
  // `me`: the signed-in agent, whose e-mail address (if any) offers the choices by mail.
  constructor({ me, openConversation }) {
    this.me = me;
    this.openConversation = openConversation;
    this.unread = 0;
    // One more at each event of the inbox's, each with the count as it then
    // was: an answer asked for before one may be older than its count.
    this.events = 0;
    this.preferenceChanges = 0;  // one more at each set: a read that crossed one is dropped
    this.shown = new Map();  // id → the notification, as the open dialog shows it
    this.pages = new ReadsAcrossEvents();  // one that comes, or is read elsewhere, as a page is read shows so
    this.next = null;        // where the next page starts
    this.preferences = {};   // kind → whether the agent gets it; every kind until the server says
    $('inbox').addEventListener('click', () => this.open());
  }

  // The count, and the open list, as the server has them: at start and each
  // time the socket connects again (what came meanwhile came to nobody).
  // An answer that crossed an event of the inbox's, or a change of the
  // preferences, is older than it: dropped.
  async refresh() {
    try {
      await Promise.all([
        loadUnlessOvertaken('/notifications?limit=1', () => this.events, ({ unread }) => this.setUnread(unread)),
        loadUnlessOvertaken('/notifications/preferences', () => this.preferenceChanges,
          ({ preferences }) => this.setPreferences(preferences)),
      ]);
      if ($('inbox-dialog')?.open) await this.load(null);
    } catch { /* the next connection asks again */ }
  }

  // Whether the agent gets notifications of this kind.
  wants(kind) { return this.preferences[kind] !== false; }

  // As the server has them: from its answers, and from
  // notification_preferences.updated when they change in any console.
  setPreferences(preferences) {
    this.preferenceChanges += 1;
    this.preferences = preferences;
    this.showPreferences();
  }

  showPreferences() {
    for (const box of document.querySelectorAll('#inbox-kinds input, #inbox-mail-kinds input')) box.checked = this.wants(box.name);
  }

  async choose(box) {
    $('inbox-status').textContent = '';
    try {
      const { preferences } = await api.patch('/notifications/preferences', { [box.name]: box.checked });
      this.setPreferences(preferences);
    } catch (err) {
      box.checked = this.wants(box.name);
      $('inbox-status').textContent = `Not changed: ${err.message}`;
    }
  }

  // The count of an answer asked for when `seen` events had come: kept
  // only if none came since. Every change of the count comes with an event
  // that says it, so one that came meanwhile has a count as new or newer.
  setUnreadAsOf(seen, n) {
    if (this.events === seen) this.setUnread(n);
  }

  setUnread(n) {
    this.unread = n;
    const badge = $('inbox-count');
    badge.textContent = n > 99 ? '99+' : String(n);
    badge.hidden = n === 0;
    $('inbox').setAttribute('aria-label', n ? `Notifications, ${n} unread` : 'Notifications');
  }

  // notification.created and notification.updated: this agent's alone.
  onEvent(e) {
    this.events += 1;
    this.pages.change(() => this.showEvent(e));
    this.setUnread(e.data.unread);
  }

  showEvent(e) {
    if (e.type === 'notification.created') {
      const n = e.data.notification;
      if ($('inbox-dialog')?.open && !this.shown.has(n.id)) {
        this.shown.set(n.id, n);
        $('inbox-rows').prepend(this.row(n));
        $('inbox-empty').hidden = true;
      }
    } else if (e.type === 'notification.updated') {
      for (const id of e.data.ids) {
        const n = this.shown.get(id);
        if (n) this.showRead(n, e.data.read_at);
      }
    }
  }

  async open() {
    const dialog = dialogFromTemplate('inbox-template', 'inbox-dialog', () => {
      $('inbox-older').addEventListener('click', () => this.load(this.next));
      $('inbox-read-all').addEventListener('click', () => this.readAll());
      $('inbox-unread-only').addEventListener('change', () => this.load(null));
      for (const box of document.querySelectorAll('#inbox-kinds input, #inbox-mail-kinds input'))
        box.addEventListener('change', () => this.choose(box));
    });
    $('inbox-mail-kinds').hidden = !this.me.email;
    this.showPreferences();
    if (!dialog.open) dialog.showModal();
    await this.load(null);
  }

  async load(before) {
    $('inbox-status').textContent = '';
    const unreadOnly = $('inbox-unread-only').checked;
    try {
      const seen = this.events;
      const path = `/notifications?limit=${PAGE}${unreadOnly ? '&unread=true' : ''}${before ? `&before=${enc(before)}` : ''}`;
      await this.pages.read(() => api.get(path), (page) => {
        if (!before) {
          this.shown.clear();
          $('inbox-rows').replaceChildren();
        }
        for (const n of page.notifications) {
          if (this.shown.has(n.id)) continue;  // came live meanwhile
          this.shown.set(n.id, n);
          $('inbox-rows').append(this.row(n));
        }
        this.next = page.next_before;
        this.setUnreadAsOf(seen, page.unread);
        $('inbox-older').hidden = !this.next;
        $('inbox-empty').hidden = this.shown.size > 0;
      });
    } catch (err) {
      $('inbox-status').textContent = `The notifications could not be loaded: ${err.message}`;
    }
  }

  row(n) {
    const li = h('li', { class: 'notification', 'data-id': n.id, 'data-type': n.type },
      h('button', { type: 'button', class: 'open-notification', onclick: () => this.select(n) },
        h('span', { class: 'headline', text: headline(n) }),
        h('span', { class: 'muted', text: ` · ${whose(n)} · ${relativeTime(n.created_at)}` }),
        n.text ? h('span', { class: 'preview', text: n.text })
          : n.type === 'mention' ? h('span', { class: 'preview deleted', text: 'The note was deleted' }) : null),
      h('button', { type: 'button', class: 'link toggle-read', onclick: () => this.toggle(n) }));
    n.row = li;
    this.showRead(n, n.read_at);
    return li;
  }

  showRead(n, readAt) {
    n.read_at = readAt;
    n.row.classList.toggle('unread', !readAt);
    const toggle = n.row.querySelector('.toggle-read');
    toggle.textContent = readAt ? 'Mark unread' : 'Mark read';
  }

  async toggle(n) {
    try {
      const done = await api.post(`/notifications/${n.id}/${n.read_at ? 'unread' : 'read'}`);
      this.showRead(n, done.read_at);
    } catch (err) {
      $('inbox-status').textContent = err.message;
    }
  }

  // Opening its conversation reads it (conversationOpened).
  select(n) {
    $('inbox-dialog').close();
    this.openConversation(n.conversation, n.seq);  // at the note, or the user's message
  }

  // The rows follow notification.updated, which every console of the agent's gets.
  async readAll() {
    try {
      const seen = this.events;
      const { unread } = await api.post('/notifications/read-all');
      this.setUnreadAsOf(seen, unread);
    } catch (err) {
      $('inbox-status').textContent = err.message;
    }
  }

  // A note of `phone`'s was edited (`text` its words now) or deleted (''):
  // the mention shown of it reads so, as the server's does.
  noteRewritten(phone, seq, text) {
    for (const n of this.shown.values())
      if (n.type === 'mention' && n.conversation === phone && n.seq === seq) {
        n.text = text;
        n.row.replaceWith(this.row(n));
      }
  }

  // The agent opened a conversation: what the inbox had of it is read.
  conversationOpened(phone) {
    if (this.unread) api.post('/notifications/read-all', { conversation: phone }).catch(() => {});
  }
}
