// The Contacts dialog, as Chatwoot's Contacts: every user the server knows,
// those who wrote and those imported whom nobody has written to yet (whom
// the list leaves out), by phone, a page at a time (GET /contacts), and a
// search of their names, phones, labels and details. Open shows one in the
// chat pane, where an agent writes to them first and an admin deletes them.
import { api, enc } from './api.js';
import { $, dialogFromTemplate, h } from './dom.js';
import { channelName, userName } from './model.js';

const PAGE = 50;

export class ContactsPanel {
  // `openConversation(phone)`: shows the user's conversation in the pane.
  constructor({ openConversation }) {
    this.openConversation = openConversation;
    this.next = null;  // where the next page starts
    this.asked = 0;    // the latest load: an answer to an earlier one (a search typed over) is dropped
    $('contacts').addEventListener('click', () => this.open());
  }

  async open() {
    const dialog = dialogFromTemplate('contacts-template', 'contacts-dialog', () => {
      $('contacts-more').addEventListener('click', () => this.load(this.next));
      $('contacts-search').addEventListener('input', () => this.load(null));
    });
    if (!dialog.open) dialog.showModal();
    await this.load(null);
  }

  async load(after) {
    const asked = ++this.asked;
    const q = $('contacts-search').value.trim();
    $('contacts-status').textContent = '';
    try {
      const page = await api.get(`/contacts?limit=${PAGE}${q ? `&q=${enc(q)}` : ''}${after ? `&after=${enc(after)}` : ''}`);
      if (asked !== this.asked) return;
      if (!after) $('contacts-rows').replaceChildren();
      $('contacts-rows').append(...page.contacts.map((c) => this.row(c)));
      this.next = page.next_after;
      $('contacts-more').hidden = !this.next;
      this.showTotal(page.total, q);
    } catch (err) {
      if (asked === this.asked) $('contacts-status').textContent = `The contacts could not be loaded: ${err.message}`;
    }
  }

  // Events while the dialog is open: a user renamed or labelled shows so;
  // one deleted leaves it.
  update(c) {
    const row = this.rowOf(c.phone);
    if (!row) return;
    // An event's conversation does not say; nobody has written while it shows no message.
    const waiting = row.querySelector('.badge') !== null && !c.last_message;
    row.replaceWith(this.row({ ...c, no_message_yet: c.no_message_yet ?? waiting }));
  }

  forget(phone) {
    const row = this.rowOf(phone);
    if (!row) return;
    row.remove();
    const total = Number($('contacts-total').dataset.total) - 1;
    this.showTotal(total, $('contacts-search').value.trim());
  }

  rowOf(phone) {
    return document.getElementById('contacts-dialog')?.open
      ? [...$('contacts-rows').children].find((li) => li.dataset.phone === phone) : null;
  }

  showTotal(total, q) {
    $('contacts-total').dataset.total = String(total);
    $('contacts-total').textContent = `${total} ${total === 1 ? 'contact' : 'contacts'}${q ? ' found' : ''}`;
    $('contacts-empty').hidden = total > 0;
  }

  row(c) {
    const who = userName(c);
    const about = [c.name ? `+${c.phone}` : null, channelName(c.channel), (c.labels ?? []).join(', ') || null];
    return h('li', { 'data-phone': c.phone },
      h('span', { class: 'who', text: who }),
      h('span', { class: 'muted', text: ` ${about.filter(Boolean).join(' · ')} ` }),
      c.no_message_yet ? h('span', { class: 'badge', text: 'Not written to yet' }) : null,
      h('button', {
        type: 'button', class: 'link', text: 'Open', 'aria-label': `Open ${who}`,
        onclick: () => {
          $('contacts-dialog').close();
          this.openConversation(c.phone);
        },
      }));
  }
}
