// Saved views (GET /views), as Chatwoot's custom views: an agent's own named
// lists — a tab, a search and the filters — and the team's, which admins
// share (👥), as chips over the list, each shown again in one click. The chip whose query is what the list shows now
// is marked; once the agent changes what the list shows, "Update" keeps
// the change in the view they last opened or saved. The server tells each
// of the agent's consoles the whole list after every change
// (views.updated), so a view saved in one tab is in all.
import { api, enc, loadUnlessOvertaken } from './api.js';
import { $, h } from './dom.js';

const byName = (a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || a.name.localeCompare(b.name);

function sameQuery(a, b) {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

// A view's query in words, for its chip's tooltip.
function described(query) {
  const parts = Object.entries(query).map(([k, v]) => `${k}: ${v}`);
  return parts.length ? parts.join(', ') : 'every conversation';
}

export class SavedViews {
  // current(): the list's state as a view's query; apply(query): shows the list so.
  constructor({ me, current, apply }) {
    this.me = me;
    this.current = current;
    this.apply = apply;
    $('view-shared-option').hidden = me.role !== 'admin';
    this.views = [];
    this.changes = 0;  // one more at each set: a load that crossed one is dropped
    this.applied = null;  // the id of the view last opened or saved here
    $('view-save').addEventListener('click', () => this.save());
    $('view-update').addEventListener('click', () => this.update());
    $('view-name').addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      this.save();
    });
    $('view-save-menu').addEventListener('toggle', () => { if ($('view-save-menu').open) $('view-name').focus(); });
  }

  // An answer that crossed a views.updated on the way is older than it: dropped.
  load() { return loadUnlessOvertaken('/views', () => this.changes, ({ views }) => this.set(views)); }

  set(views) {
    this.changes += 1;
    this.views = [...views].sort(byName);
    const el = $('views');
    el.hidden = this.views.length === 0;
    el.replaceChildren(...this.views.map((v) => h('span', { class: v.shared ? 'view-chip shared' : 'view-chip' },
      h('button', { type: 'button', class: 'view-open', 'data-view': v.id, 'aria-pressed': 'false',
        text: v.shared ? `👥 ${v.name}` : v.name, title: `${v.shared ? "The team's view: " : ''}${described(v.query)}`,
        onclick: () => { this.applied = v.id; this.apply(v.query); } }),
      this.mayChange(v) ? h('button', { type: 'button', class: 'view-delete', 'aria-label': `Delete the view ${v.name}`,
        text: '×', onclick: () => this.remove(v) }) : null)));
    this.mark();
  }

  // Marks the view the list shows, if any, and offers to update the one
  // last opened when the list no longer shows it. Called after every render.
  mark() {
    const applied = this.views.find((v) => v.id === this.applied);
    const now = applied || this.views.length ? this.current() : null;
    const stale = Boolean(applied) && this.mayChange(applied) && !sameQuery(applied.query, now);
    const update = $('view-update');
    if (update.hidden === stale) update.hidden = !stale;
    if (stale && update.dataset.view !== applied.name) {
      update.dataset.view = applied.name;
      update.textContent = `Update “${applied.name}”`;
      update.title = `Keep what the list shows now in the view ${applied.name}`;
    }
    if (!this.views.length) return;
    for (const b of $('views').querySelectorAll('.view-open')) {
      const v = this.views.find((x) => x.id === b.dataset.view);
      const on = String(Boolean(v) && sameQuery(v.query, now));
      if (b.getAttribute('aria-pressed') !== on) b.setAttribute('aria-pressed', on);
    }
  }

  async save() {
    const name = $('view-name').value.trim();
    if (!name) {
      this.say('Name the view first.');
      return;
    }
    try {
      const shared = this.me.role === 'admin' && $('view-shared').checked;
      const v = await api.post('/views', { name, query: this.current(), shared });
      this.applied = v.id;
      this.set([...this.views.filter((x) => x.id !== v.id), v]);
      $('view-name').value = '';
      $('view-shared').checked = false;
      $('view-save-menu').open = false;
      this.say('');
    } catch (e) {
      this.say(e.message);
    }
  }

  async update() {
    const id = this.applied;
    try {
      const v = await api.patch(`/views/${enc(id)}`, { query: this.current() });
      this.set(this.views.map((x) => (x.id === v.id ? v : x)));
      this.say('');
    } catch (e) {
      this.say(e.message);
    }
  }

  async remove(v) {
    try {
      await api.del(`/views/${enc(v.id)}`);
      this.set(this.views.filter((x) => x.id !== v.id));
      this.say('');
    } catch (e) {
      this.say(e.message);
    }
  }

  // The team's views are an admin's to change; one's own, one's own.
  mayChange(v) { return !v.shared || this.me.role === 'admin'; }

  say(text) { $('view-status').textContent = text; }
}
