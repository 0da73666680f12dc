// The label catalog, as Chatwoot's Labels settings (GET /labels): the
// labels the team files conversations under, each with a colour and a
// description. The chips in the list and the chat's header are painted
// with it, "+ Label" offers its labels first, and it follows each change
// (labels.updated); the Labels dialog lists them, and admins write them
// there. A label not in it (typed in, or deleted since) shows plain.
import { api, enc, loadUnlessOvertaken, sameAsHeld } from './api.js';
import { $, h } from './dom.js';
import { SharedListDialog } from './shared_list.js';

// Dark or light text, whichever reads on `color` ("#rrggbb").
function inkOn(color) {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.4 ? '#101828' : '#ffffff';
}

export class LabelCatalog {
  constructor() {
    this.labels = [];
    this.byName = new Map();
    this.version = 0;  // one more at each change: drawn chips compare it
    this.listeners = [];
  }

  // An answer that crossed a labels.updated on the way is older than it: dropped.
  load() { return loadUnlessOvertaken('/labels', () => this.version, ({ labels }) => this.set(labels)); }

  set(labels) {
    if (sameAsHeld(this.labels, labels)) return;
    this.labels = labels;
    this.byName = new Map(labels.map((l) => [l.name, l]));
    this.version += 1;
    // Offered where a macro or an automation names a label.
    $('catalog-labels')?.replaceChildren(...labels.map((l) => h('option', { value: l.name })));
    for (const listener of this.listeners) listener();
  }

  onChange(listener) { this.listeners.push(listener); }

  names() { return this.labels.map((l) => l.name); }

  // A chip's attributes for `label`: its colour and description, where the
  // catalog has it; `title` otherwise.
  chip(label, title) {
    const known = this.byName.get(label);
    if (!known) return { title };
    return { style: { background: known.color, color: inkOn(known.color) },
      title: known.description ? `${title}: ${known.description}` : title, 'data-color': known.color };
  }

  // The labels to offer: the catalog's, then `others` it lacks.
  offered(others) { return [...this.names(), ...others.filter((l) => !this.byName.has(l))]; }
}

// The Labels dialog.
export class LabelsPanel extends SharedListDialog {
  constructor({ me, catalog }) {
    super(me, { button: 'labels', template: 'labels-template', dialog: 'labels-dialog', form: 'labels-form',
      cancel: 'labels-cancel', status: 'labels-status' });
    this.catalog = catalog;
    // Another admin's change shows at once; the form being typed in stays.
    catalog.onChange(() => { if ($('labels-dialog')?.open) this.render(); });
  }

  async reload() {
    await this.catalog.load();
    this.render();
  }

  render() {
    const labels = this.catalog.labels;
    $('labels-empty').hidden = labels.length > 0;
    $('labels-list').replaceChildren(...labels.map((l) => h('li', { 'data-label': l.name },
      this.itemHead(h('span', { class: 'badge label', text: l.name, ...this.catalog.chip(l.name, l.name) }), l.name, l),
      l.description ? h('p', { class: 'reply-text', text: l.description }) : null)));
  }

  edit(label) {
    this.editing = label ? label.name : null;
    const f = $('labels-form').elements;
    f.name.value = label ? label.name : '';
    f.name.readOnly = Boolean(label);  // a label is its name: conversations carry it
    f.description.value = label ? label.description : '';
    f.color.value = label ? label.color : '#1f93ff';
    $('labels-form-title').textContent = label ? `Edit ${label.name}` : 'Add a label';
    $('labels-save').textContent = label ? 'Save changes' : 'Add label';
    $('labels-cancel').hidden = !label;
    $('labels-form').querySelector('.error').textContent = '';
  }

  async save() {
    const f = $('labels-form').elements;
    // The name as typed: the server keeps it as a conversation's label is ("VIP customer" is vip-customer).
    const saved = await api.put(`/labels/${enc(f.name.value.trim() || ' ')}`,
      { description: f.description.value.trim(), color: f.color.value });
    this.edit(null);
    await this.reload();
    this.say(`${saved.name} is saved.`);
  }

  remove(label) { return this.removeAt(`/labels/${enc(label.name)}`, label.name, label.name); }
}
