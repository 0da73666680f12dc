// The Contacts dialog, as Chatwoot's Contacts: every user the server knows,
// those who wrote and those imported whom nobody has written to yet (whom
// the list leaves out), by phone, a page at a time (GET /contacts), and a
// search of their names, phones, labels and details, narrowed to the users
// of a custom attribute's choice (`Plan: Gold`) as the list is. Open shows one in the
// chat pane, where an agent writes to them first and an admin deletes them.
// Admins select contacts and delete them at once (POST /conversations/bulk):
// those imported whom nobody has written to are in no list to select from.
import { api, enc, ReadsAcrossEvents } from './api.js';
import { $, dialogFromTemplate, h, plural, showStatus } from './dom.js';
import { confirmErasure } from './erasure.js';
import { channelName, hasDetail, userName } from './model.js';

const PAGE = 50;
const BULK = 200;  // phones a bulk action takes at once

// A page of GET /contacts: `q` searched and narrowed to the users with the
// detail `attribute` (`plan:Gold`), after the phone `after` (null: from the first).
const contactsPage = (limit, { q, attribute }, after) =>
  api.get(`/contacts?limit=${limit}${q ? `&q=${enc(q)}` : ''}${attribute ? `&attribute=${enc(attribute)}` : ''}${after ? `&after=${enc(after)}` : ''}`);

// What the dialog's search and Detail filter ask for now.
const shownFilter = () => ({ q: $('contacts-search').value.trim(), attribute: $('contacts-attribute').value || null });
const narrowed = ({ q, attribute }) => Boolean(q || attribute);

export class ContactsPanel {
  // `openConversation(phone)`: shows the user's conversation in the pane.
  constructor({ openConversation, me, catalog }) {
    this.openConversation = openConversation;
    this.catalog = catalog;
    this.admin = me.role === 'admin';
    this.next = null;  // where the next page starts
    this.asked = 0;    // the latest load: an answer to an earlier one (a search typed over) is dropped
    this.counting = false;  // a count of the total alone on its way (recount)
    this.countAgain = false;
    this.reads = new ReadsAcrossEvents();  // a user renamed or deleted as a page is read shows so
    this.selected = new Set();
    $('contacts').addEventListener('click', () => this.open());
    // A choice added or taken away while the dialog is open is offered so at once.
    catalog.onChange(() => { if ($('contacts-dialog')?.open) this.fillDetailFilter(); });
  }

  // The one chosen stays chosen, though the catalog lost it: the rows shown are of it.
  fillDetailFilter() {
    const select = $('contacts-attribute');
    this.catalog.fillDetailFilter(select, select.value || null);
  }

  async open() {
    const dialog = dialogFromTemplate('contacts-template', 'contacts-dialog', () => {
      $('contacts-more').addEventListener('click', () => this.load(this.next));
      $('contacts-search').addEventListener('input', () => this.load(null));
      $('contacts-attribute').addEventListener('change', () => this.load(null));
      $('contacts-admin-tools').hidden = !this.admin;
      $('contacts-select-shown').addEventListener('click', () => this.selectShown(true));
      $('contacts-select-none').addEventListener('click', () => { this.selected.clear(); this.selectShown(false); });
      $('contacts-select-found').addEventListener('click', () => this.selectFound());
      $('contacts-delete').addEventListener('click', async () => {
        if (await confirmErasure(this.selected.size, 'contact')) this.deleteSelected();
      });
    });
    this.fillDetailFilter();
    if (!dialog.open) dialog.showModal();
    await this.load(null);
  }

  // Those shown, all picked or none.
  selectShown(on) {
    for (const box of $('contacts-rows').querySelectorAll('input[type="checkbox"]')) {
      box.checked = on;
      this.pick(box.closest('li').dataset.phone, on);
    }
  }

  // Every contact the search finds, those not shown yet too (a wrong import,
  // by its label): their phones, a bulk action's worth a request.
  async selectFound() {
    const filter = shownFilter();
    const asked = this.asked;
    $('contacts-select-found').disabled = true;
    try {
      let after = null;
      do {
        const page = await contactsPage(BULK, filter, after);
        if (asked !== this.asked) return;  // searched again meanwhile
        for (const c of page.contacts) this.selected.add(c.phone);
        after = page.next_after;
      } while (after);
      this.selectShown(true);
    } catch (err) {
      showStatus($('contacts-status'), `Not selected: ${err.message}`, true);
    } finally {
      $('contacts-select-found').disabled = false;
    }
  }

  pick(phone, on) {
    if (on) this.selected.add(phone);
    else this.selected.delete(phone);
    this.showPicked();
  }

  showPicked() {
    $('contacts-selected').textContent = `${this.selected.size} selected`;
    $('contacts-delete').disabled = this.selected.size === 0 || this.deleting;
  }

  // A bulk action's worth at a time, then the list again; those refused are listed.
  async deleteSelected() {
    const phones = [...this.selected];
    this.deleting = true;
    $('contacts-delete').disabled = true;
    $('contacts-refused').replaceChildren();
    let deleted = 0;
    const refused = [];
    try {
      for (let i = 0; i < phones.length; i += BULK) {
        const { results } = await api.post('/conversations/bulk', { action: 'delete', phones: phones.slice(i, i + BULK) });
        for (const r of results) {
          if (r.status === 200) deleted += 1;
          else refused.push(r);
        }
      }
      // The list as it is now: some of those deleted were not shown.
      await this.load(null);
      showStatus($('contacts-status'), `Deleted ${deleted} of ${phones.length}.${refused.length ? ` ${refused.length} refused:` : ''}`,
        refused.length > 0);
      $('contacts-refused').replaceChildren(...refused.map((r) => h('li', { text: `+${r.phone}: ${r.error.message}` })));
    } catch (err) {
      showStatus($('contacts-status'), `Not deleted: ${err.message}`, true);
    } finally {
      this.deleting = false;
      this.showPicked();
    }
  }

  async load(after) {
    const asked = ++this.asked;
    const filter = shownFilter();
    if (!after) {  // another list: what was picked from the last is let go
      this.selected.clear();
      this.showPicked();
    }
    showStatus($('contacts-status'), '');
    $('contacts-refused').replaceChildren();
    try {
      await this.reads.read(() => contactsPage(PAGE, filter, after), (page) => {
        if (asked !== this.asked) return;
        if (!after) $('contacts-rows').replaceChildren();
        $('contacts-rows').append(...page.contacts.map((c) => this.row(c)));
        this.next = page.next_after;
        $('contacts-more').hidden = !this.next;
        this.showTotal(page.total, filter);
      });
    } catch (err) {
      if (asked === this.asked) $('contacts-status').textContent = `The contacts could not be loaded: ${err.message}`;
    }
  }

  // Events while the dialog is open: a user renamed or labelled shows so;
  // one deleted, or no longer of the detail it is narrowed to, leaves it.
  update(c) {
    this.reads.change(() => {
      const row = this.rowOf(c.phone);
      if (!row) return;
      const detail = $('contacts-attribute').value;
      if (detail && !hasDetail(c, detail)) {
        this.drop(row, c.phone);
        return;
      }
      // An event's conversation does not say; nobody has written while it shows no message.
      const waiting = row.querySelector('.badge') !== null && !c.last_message;
      row.replaceWith(this.row({ ...c, no_message_yet: c.no_message_yet ?? waiting }));
    });
  }

  // A page read before the deletion holds the row, and its total counts it.
  // One not shown (on a page not read yet, or not found by the search) may
  // or may not be in the total: the server counts again.
  forget(phone) {
    this.reads.change(() => {
      if (!document.getElementById('contacts-dialog')?.open) return;
      const row = this.rowOf(phone);
      if (!row) {
        this.recount();
        return;
      }
      this.drop(row, phone);
    });
  }

  drop(row, phone) {
    row.remove();
    this.pick(phone, false);
    this.showTotal(Number($('contacts-total').dataset.total) - 1, shownFilter());
  }

  // One count on its way at a time: a bulk deletion's hundred events ask
  // for one more after it, not a hundred.
  async recount() {
    if (this.counting) {
      this.countAgain = true;
      return;
    }
    this.counting = true;
    try {
      do {
        this.countAgain = false;
        const list = this.asked;
        const filter = shownFilter();
        const { total } = await contactsPage(1, filter, null);
        if (list === this.asked && !this.countAgain) this.showTotal(total, filter);
      } while (this.countAgain);
    } catch {
      // Left as it was: the next list read counts again.
    } finally {
      this.counting = false;
    }
  }

  rowOf(phone) {
    return document.getElementById('contacts-dialog')?.open
      ? [...$('contacts-rows').children].find((li) => li.dataset.phone === phone) : null;
  }

  showTotal(total, filter) {
    const found = narrowed(filter) ? ' found' : '';
    $('contacts-total').dataset.total = String(total);
    $('contacts-total').textContent = `${plural(total, 'contact')}${found}`;
    $('contacts-empty').hidden = total > 0;
    const all = $('contacts-select-found');
    all.hidden = !this.admin || !this.next;  // all shown: Select all shown does
    all.textContent = `Select all ${total}${found}`;
  }

  row(c) {
    const who = userName(c);
    const about = [c.name ? `+${c.phone}` : null, channelName(c.channel), (c.labels ?? []).join(', ') || null];
    return h('li', { 'data-phone': c.phone },
      this.admin ? h('input', { type: 'checkbox', 'aria-label': `Select ${who}`, checked: this.selected.has(c.phone),
        onchange: (e) => this.pick(c.phone, e.target.checked) }) : null,
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
