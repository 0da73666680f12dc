// The custom attributes, as Chatwoot's Custom Attributes settings (GET
// /custom-attributes): the details the team keeps of its users, each with
// a name to show, a type and a description. The chat's header shows a
// user's details by them and edits each by its type (details.js), offering
// the defined ones first, and it follows each change
// (custom_attributes.updated); the dialog lists them, and admins write
// them there. A detail not in it (typed in, or deleted since) is plain text.
import { api, enc, loadUnlessOvertaken, sameAsHeld } from './api.js';
import { $, h } from './dom.js';
import { SharedListDialog } from './shared_list.js';

export const ATTRIBUTE_TYPES = [['text', 'Text'], ['number', 'Number'], ['link', 'Link'], ['date', 'Date'],
  ['list', 'List'], ['checkbox', 'Yes or no']];
const typeName = (type) => ATTRIBUTE_TYPES.find(([t]) => t === type)?.[1] ?? type;

export class AttributeCatalog {
  constructor() {
    this.attributes = [];
    this.byKey = new Map();
    this.version = 0;  // one more at each change: drawn chips compare it
    this.listeners = [];
  }

  // An answer that crossed a custom_attributes.updated on the way is older than it: dropped.
  load() {
    return loadUnlessOvertaken('/custom-attributes', () => this.version, ({ custom_attributes }) => this.set(custom_attributes));
  }

  set(attributes) {
    if (sameAsHeld(this.attributes, attributes)) return;
    this.attributes = attributes;
    this.byKey = new Map(attributes.map((a) => [a.key, a]));
    this.version += 1;
    // Offered where an automation names a detail.
    $('catalog-attributes')?.replaceChildren(...attributes.map((a) => h('option', { value: a.key, label: a.display_name })));
    for (const listener of this.listeners) listener();
  }

  onChange(listener) { this.listeners.push(listener); }

  // `select` offering the custom attributes' choices to narrow to (a
  // list's, yes or no), as Chatwoot's filter offers them, `current`
  // (`plan:Gold`, null for any) chosen, kept though the catalog lacks it (a
  // saved view's); shown once there is one. The list's Detail filter and
  // the Contacts'.
  fillDetailFilter(select, current) {
    const choices = this.attributes.filter((a) => a.type === 'list' || a.type === 'checkbox').map((a) => h('optgroup', { label: a.display_name },
      ...(a.type === 'list' ? a.values.map((v) => [v, v]) : [['true', 'Yes'], ['false', 'No']])
        .map(([value, text]) => h('option', { value: `${a.key}:${value}`, text: `${a.display_name}: ${text}` }))));
    const options = [h('option', { value: '', text: 'Any detail' }), ...choices];
    if (current && !choices.some((g) => [...g.children].some((o) => o.value === current)))
      options.push(h('option', { value: current, text: current }));
    select.replaceChildren(...options);
    select.value = current ?? '';
    select.hidden = options.length === 1;
  }
}

// The Custom attributes dialog.
export class AttributesPanel extends SharedListDialog {
  constructor({ me, catalog }) {
    super(me, { button: 'custom-attributes', template: 'attributes-template', dialog: 'attributes-dialog',
      form: 'attributes-form', cancel: 'attributes-cancel', status: 'attributes-status' });
    this.catalog = catalog;
    // Another admin's change shows at once; the form being typed in stays.
    catalog.onChange(() => { if ($('attributes-dialog')?.open) this.render(); });
  }

  setUp() {
    const f = $('attributes-form').elements;
    f.type.replaceChildren(...ATTRIBUTE_TYPES.map(([value, text]) => h('option', { value, text })));
    f.type.addEventListener('change', () => this.showValues());
  }

  // The choices' field, for a list alone.
  showValues() { $('attributes-values').hidden = $('attributes-form').elements.type.value !== 'list'; }

  async reload() {
    await this.catalog.load();
    this.render();
  }

  render() {
    const attributes = this.catalog.attributes;
    $('attributes-empty').hidden = attributes.length > 0;
    $('attributes-list').replaceChildren(...attributes.map((a) => h('li', { 'data-key': a.key },
      this.itemHead(h('strong', { text: a.display_name }), a.display_name, a),
      h('p', { class: 'muted', text: `${a.key} · ${typeName(a.type)}${a.type === 'list' ? `: ${a.values.join(', ')}` : ''}` }),
      a.description ? h('p', { class: 'reply-text', text: a.description }) : null)));
  }

  edit(attribute) {
    this.editing = attribute ? attribute.key : null;
    const f = $('attributes-form').elements;
    f.display_name.value = attribute ? attribute.display_name : '';
    f.key.value = attribute ? attribute.key : '';
    f.key.readOnly = Boolean(attribute);  // users' details carry it
    f.type.value = attribute ? attribute.type : 'text';
    f.values.value = attribute ? attribute.values.join(', ') : '';
    f.description.value = attribute ? attribute.description : '';
    this.showValues();
    $('attributes-form-title').textContent = attribute ? `Edit ${attribute.display_name}` : 'Add an attribute';
    $('attributes-save').textContent = attribute ? 'Save changes' : 'Add attribute';
    $('attributes-cancel').hidden = !attribute;
    $('attributes-form').querySelector('.error').textContent = '';
  }

  async save() {
    const f = $('attributes-form').elements;
    const name = f.display_name.value.trim();
    // The key as typed, or the name's: the server keeps it as a detail's name ("Signed up" is signed_up).
    const key = f.key.value.trim() || name || ' ';
    const type = f.type.value;
    const body = { display_name: name, type, description: f.description.value.trim() };
    if (type === 'list') body.values = f.values.value.split(',').map((v) => v.trim()).filter(Boolean);
    const saved = await api.put(`/custom-attributes/${enc(key)}`, body);
    this.edit(null);
    await this.reload();
    this.say(`${saved.display_name} is saved.`);
  }

  remove(attribute) {
    return this.removeAt(`/custom-attributes/${enc(attribute.key)}`, attribute.display_name, attribute.key);
  }
}
