// The command bar, as Chatwoot's (Ctrl+K, or ⌘K on a Mac, from anywhere):
// one box that finds a conversation by its user's name or phone (those the
// list holds at once, then those the server finds beyond them), an action
// on the chat open, a tab of the list or a dialog, and does it on Enter.
// An action or a dialog is the console's own button, clicked: it does what
// the button does, under the same rules, and is offered only while the
// button is there to press. The macros (Macros' menu) and the saved views
// (their chips) are commands too.
import { api, enc } from './api.js';
import { h, $ } from './dom.js';
import { movedByArrows } from './picker.js';

// The chat's own actions, by the id of the control that does each; the
// label is the control's text as it is now (Claim Chat or Start Chat, Mute
// or Unmute). Those in a menu or popover are offered too.
const chatActions = ['start-chat', 'transfer-chat', 'return-chat', 'snooze-menu', 'unsnooze', 'macro-menu', 'end-chat',
  'follow', 'mark-unread', 'mute-conversation', 'block-user', 'delete-conversation', 'past-chats', 'transcript-menu'];
// The top bar's and Settings' dialogs, each under the name an agent calls it.
const dialogs = [['new-conversation', 'New conversation'], ['inbox', 'Notifications'], ['contacts', 'Contacts'],
  ['reports', 'Reports'], ['campaigns', 'Campaigns'], ['me', 'Your account'], ['team', 'Team'], ['teams', 'Teams'],
  ['labels', 'Labels'], ['custom-attributes', 'Custom attributes'], ['replies', 'Saved replies'], ['macros', 'Macros'],
  ['automations', 'Automations'], ['sla', 'SLA'], ['audit', 'Audit log'], ['shortcuts', 'Keyboard shortcuts'], ['theme', 'Light or dark'],
  ['logout', 'Log out']];
const conversationsShown = 8;
// The server is asked once typing pauses this long, for two characters or more.
const searchPauseMs = 150;

const textOf = (el) => (el.tagName === 'DETAILS' ? el.querySelector('summary') : el).textContent.replace(/\s+/g, ' ').trim();
const offered = (el) => el && !el.disabled && !el.closest('[hidden]');  // hidden, or in what is
const pressOf = (el) => () => (el.tagName === 'DETAILS' ? el.querySelector('summary') : el).click();
const digits = (s) => s.replace(/\D/g, '');

export class CommandBar {
  // `conversations()`: the conversation objects the list holds;
  // `openConversation(phone)` opens one; `macros.load()` reads the macros,
  // `macros.run(macro)` runs one on the chat open.
  constructor({ conversations, openConversation, macros }) {
    this.conversations = conversations;
    this.openConversation = openConversation;
    this.macros = macros;
    this.macroList = [];  // as last read
    this.dialog = $('command-bar');
    this.input = $('command-input');
    this.list = $('command-list');
    this.shown = [];
    this.active = 0;
    this.searched = { query: '', conversations: [] };  // the server's answer for the last query asked
    this.searchTimer = null;
    document.addEventListener('keydown', (e) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || e.key.toLowerCase() !== 'k') return;
      if (document.querySelector('dialog[open]') || $('app-view').hidden) return;
      e.preventDefault();
      this.open();
    });
    this.input.addEventListener('input', () => { this.active = 0; this.render(); this.searchSoon(); });
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    // A click outside the box closes it, as Escape does.
    this.dialog.addEventListener('click', (e) => { if (e.target === this.dialog) this.dialog.close(); });
  }

  open() {
    this.input.value = '';
    this.active = 0;
    this.render();
    this.dialog.showModal();
    this.input.focus();
    // Offered as they were last read until they are read again.
    if (!$('conversation').hidden)
      this.macros.load().then((macros) => {
        this.macroList = macros;
        if (this.dialog.open) this.render();
      }).catch(() => {});
  }

  // Every command there is now, in the order offered: the conversations
  // found, the chat's, the list's tabs, the dialogs.
  commands(query) {
    const out = query ? this.found(query) : [];
    if (!$('conversation').hidden) {
      const name = `Chat with ${$('conv-name').textContent}`;
      for (const id of chatActions) {
        const el = $(id);
        if (offered(el)) out.push({ group: name, label: textOf(el), run: pressOf(el) });
      }
      if (offered($('macro-menu')))
        for (const m of this.macroList) out.push({ group: name, label: `Run ${m.name}`, run: () => this.macros.run(m) });
      for (const tab of document.querySelectorAll('.composer-mode [role=tab]'))
        if (offered(tab) && tab.getAttribute('aria-selected') !== 'true')
          out.push({ group: name, label: `Write a ${textOf(tab).toLowerCase()}`, run: () => { tab.click(); $('composer-text').focus(); } });
    }
    for (const tab of document.querySelectorAll('.tabs [role=tab]'))
      out.push({ group: 'List', label: `Show ${tab.firstChild.textContent.trim()}`, run: () => tab.click() });
    for (const view of document.querySelectorAll('#views .view-open'))
      out.push({ group: 'Saved view', label: `Show ${textOf(view)}`, run: () => view.click() });
    for (const [id, label] of dialogs) {
      const el = $(id);
      if (offered(el)) out.push({ group: 'Open', label, run: pressOf(el) });
    }
    return out;
  }

  // The conversations whose user's name or phone has what was typed in it,
  // the newest activity first: those the list holds, and those the server
  // found for it beyond them (an older user's, the list holding the newest 200).
  found(query) {
    const typed = query.toLowerCase();
    const number = digits(query);
    const at = (c) => Date.parse(c.last_activity_at ?? c.updated_at);
    const held = [...this.conversations()];
    const phones = new Set(held.map((c) => c.phone));
    const beyond = this.searched.query === query ? this.searched.conversations.filter((c) => !phones.has(c.phone)) : [];
    return [...held, ...beyond]
      .filter((c) => (c.name ?? '').toLowerCase().includes(typed) || (number && c.phone.includes(number)))
      .sort((a, b) => at(b) - at(a))
      .slice(0, conversationsShown)
      .map((c) => ({ group: 'Conversation', label: c.name ? `${c.name} · +${c.phone}` : `+${c.phone}`, found: true,
        run: () => this.openConversation(c.phone) }));
  }

  // The server's search for what is typed, once typing pauses; its answer
  // is drawn while the same text is there. It also finds users by their
  // messages, labels and details: found() keeps those of that name or phone.
  searchSoon() {
    clearTimeout(this.searchTimer);
    const query = this.input.value.trim();
    if (query.length < 2) return;
    this.searchTimer = setTimeout(async () => {
      try {
        const { conversations } = await api.get(`/conversations?q=${enc(query)}&limit=50`);
        this.searched = { query, conversations };
        if (this.dialog.open && this.input.value.trim() === query) this.render();
      } catch { /* the list's own rows stay offered */ }
    }, searchPauseMs);
  }

  // The commands whose label holds every word typed, in any case; a
  // conversation found by its name or phone is one already.
  render() {
    const query = this.input.value.trim();
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    this.shown = this.commands(query).filter((c) => c.found || words.every((w) => c.label.toLowerCase().includes(w)));
    this.active = Math.min(this.active, Math.max(0, this.shown.length - 1));
    this.list.replaceChildren(...(this.shown.length ? this.shown.map((c, i) => h('li', {
      id: `command-${i}`, role: 'option', 'aria-selected': String(i === this.active),
      onclick: () => this.run(c) }, h('span', { class: 'command-label', text: c.label }), h('span', { class: 'command-group', text: c.group })))
      : [h('li', { class: 'none', role: 'option', 'aria-disabled': 'true', text: `Nothing called “${query}”` })]));
    if (this.shown.length) this.input.setAttribute('aria-activedescendant', `command-${this.active}`);
    else this.input.removeAttribute('aria-activedescendant');
    this.list.children[this.active]?.scrollIntoView({ block: 'nearest' });
  }

  onKey(e) {
    if (movedByArrows(e, this)) { /* moved */ }
    else if (e.key === 'Enter' && this.shown.length) this.run(this.shown[this.active]);
    else return;
    e.preventDefault();
  }

  // Closed first: the focus goes back where it was, and a dialog the
  // command opens is the only one open.
  run(command) {
    this.dialog.close();
    command.run();
  }
}
