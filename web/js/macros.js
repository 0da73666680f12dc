// Macros, as Chatwoot's: a named list of actions an agent runs on a chat in
// one click (the chat header's Macros menu) or on those picked in the list
// (the bulk bar). The Macros dialog lists them; admins write them there.
import { api, enc } from './api.js';
import { $, h } from './dom.js';
import { fillPriorities } from './priority.js';
import { SharedListDialog } from './shared_list.js';
import { NEXT_REPLY } from './snooze.js';

export const loadMacros = async () => (await api.get('/macros')).macros;

// Each action a macro can take: its words in the editor, the field its one
// value goes in (none for some), and how a list of them reads. Snooze is
// two in the editor: for hours, or until the user replies (`fixed`: what
// that one always sends, and how a saved action is told to be it).
const ACTIONS = [
  { action: 'label', text: 'Add label', field: 'label', reads: (a) => `Label ${a.label}` },
  { action: 'unlabel', text: 'Remove label', field: 'label', reads: (a) => `Remove label ${a.label}` },
  { action: 'priority', text: 'Set priority', field: 'priority', reads: (a) => `Priority ${a.priority}` },
  { action: 'team', text: 'Set team', field: 'team', reads: (a) => (a.team ? `Team ${a.team}` : 'No team') },
  { action: 'note', text: 'Add a private note', field: 'text', reads: (a) => `Note: ${a.text}` },
  { action: 'send', text: 'Send a reply', field: 'text', reads: (a) => `Reply: ${a.text}` },
  { action: 'assign', text: 'Assign to', field: 'to', reads: (a) => `Assign to ${a.to}` },
  { key: 'snooze-reply', action: 'snooze', text: 'Snooze until the user replies', fixed: { until: NEXT_REPLY },
    reads: () => 'Snooze until the user replies' },
  { action: 'snooze', text: 'Snooze for hours', field: 'hours', reads: (a) => `Snooze ${a.hours} h` },
  { action: 'read', text: 'Mark read', reads: () => 'Mark read' },
  { action: 'mute', text: 'Mute', reads: () => 'Mute' },
  { action: 'unmute', text: 'Unmute', reads: () => 'Unmute' },
  { action: 'follow', text: 'Follow', field: 'username', optional: true,
    reads: (a) => (a.username ? `${a.username} follows` : 'Follow (whoever runs it)') },
  { action: 'unfollow', text: 'Unfollow', field: 'username', optional: true,
    reads: (a) => (a.username ? `${a.username} unfollows` : 'Unfollow (whoever runs it)') },
  { action: 'return', text: 'Return to queue', reads: () => 'Return to queue' },
  { action: 'end', text: 'End the chat', field: 'message', optional: true,
    reads: (a) => (a.message ? `End: ${a.message}` : 'End the chat') },
  { action: 'transcript', text: 'E-mail the transcript', field: 'to', optional: true,
    placeholder: "address (blank: the user's email detail)",
    reads: (a) => (a.to ? `Transcript to ${a.to}` : "Transcript to the user's email") },
];
const keyOf = (k) => k.key ?? k.action;
const byKey = (key) => ACTIONS.find((k) => keyOf(k) === key);
// The editor's kind of a saved action.
const kind = (a) => ACTIONS.find((k) => k.action === a.action && Object.entries(k.fixed ?? {}).every(([f, v]) => a[f] === v));

// "Label billing → Priority high → Assign to lea"
export const describeActions = (actions) => actions.map((a) => kind(a)?.reads(a) ?? a.action).join(' → ');

// The chat header's menu: the macros, read each time it opens.
export class MacroMenu {
  constructor({ phone, onDone, onError }) {
    const menu = $('macro-menu');
    menu.addEventListener('toggle', async () => {
      if (!menu.open) return;
      const macros = await loadMacros();
      $('macro-choices').replaceChildren(...(macros.length ? macros.map((m) => h('button', {
        type: 'button', text: m.name, title: describeActions(m.actions),
        onclick: () => { menu.open = false; this.run(m); },
      })) : [h('p', { class: 'muted', text: 'No macros yet: an admin adds them under Settings › Macros.' })]));
    });
    // On the chat open now, which may change before the answer.
    this.run = async (m) => {
      const on = phone();
      try {
        onDone(on, await api.post(`/conversations/${enc(on)}/macros/${enc(m.id)}`));
      } catch (e) {
        onError(on, e.message);
      }
    };
  }
}

// The rows of actions a macro (or an automation) takes, in a form's <ol>:
// what to do, and its value where it takes one: typed, or picked (a
// priority, a team).
const PICKED = ['priority', 'team'];

export class ActionsEditor {
  // `without`: actions this list cannot take (an automation does not reply);
  // `teams`: the team roster (teams.js), which a team action picks from.
  constructor(list, without = [], teams) {
    this.list = list;
    this.teams = teams;
    this.kinds = ACTIONS.filter((k) => !without.includes(k.action));
  }

  fill(actions) {
    this.list.replaceChildren();
    for (const a of actions) this.add(a);
  }

  add(a = { action: 'label' }) {
    const type = h('select', { class: 'macro-action' }, this.kinds.map((k) => h('option', { value: keyOf(k), text: k.text })));
    type.value = keyOf(kind(a) ?? this.kinds[0]);
    const value = h('input', { class: 'macro-value', autocomplete: 'off' });
    const priority = h('select', { class: 'macro-value macro-priority' });
    fillPriorities(priority, { value: 'none', text: 'None' });
    const team = h('select', { class: 'macro-value macro-team' });
    this.teams.fill(team, [{ value: '', text: 'No team' }], a.action === 'team' ? a.team : null);
    const show = () => {
      const k = byKey(type.value);
      priority.hidden = k.field !== 'priority';
      team.hidden = k.field !== 'team';
      value.hidden = !k.field || PICKED.includes(k.field);
      value.type = k.field === 'hours' ? 'number' : 'text';
      if (k.field === 'label') value.setAttribute('list', 'catalog-labels');  // the catalog's, offered
      else value.removeAttribute('list');
      value.placeholder = k.placeholder ?? { label: 'billing', to: 'username', text: 'The text', hours: '4',
        message: 'Closing message (optional)', username: 'username (blank: whoever runs it)' }[k.field] ?? '';
    };
    type.addEventListener('change', show);
    const field = kind(a)?.field;
    if (field === 'priority') priority.value = a.priority ?? 'none';
    else if (field === 'team') team.value = a.team ?? '';
    else if (field) value.value = a[field] ?? '';
    show();
    const row = h('li', {}, type, value, priority, team, h('button', { type: 'button', class: 'link', text: '✕', onclick: () => {
      row.remove();
      this.number();
    } }));
    this.list.append(row);
    this.number();
  }

  // Each row's controls named by its place, again after one is removed.
  number() {
    [...this.list.children].forEach((row, i) => {
      const [type, value, priority, team, remove] = row.children;
      type.setAttribute('aria-label', `Action ${i + 1}`);
      value.setAttribute('aria-label', `Action ${i + 1}'s value`);
      priority.setAttribute('aria-label', `Action ${i + 1}'s priority`);
      team.setAttribute('aria-label', `Action ${i + 1}'s team`);
      remove.setAttribute('aria-label', `Remove action ${i + 1}`);
    });
  }

  actions() {
    return [...this.list.children].map((row) => {
      const k = byKey(row.querySelector('select.macro-action').value);
      const a = { action: k.action, ...k.fixed };
      if (k.field === 'priority') a.priority = row.querySelector('select.macro-priority').value;
      else if (k.field === 'team') a.team = row.querySelector('select.macro-team').value || null;
      else if (k.field) {
        const typed = row.querySelector('input.macro-value').value.trim();
        if (k.field === 'hours') a.hours = Number(typed);
        else if (typed || !k.optional) a[k.field] = typed;
      }
      return a;
    });
  }
}

// A dialog of named lists of actions: the Macros dialog, and the
// Automations one (automations.js), which adds a trigger to each. Both are
// made from one template, their elements named by the list's plural and
// singular (`macros-list`, `macro-form`). `texts`: { heading, intro, empty,
// example }; `trigger`: whether the form has the trigger's fields.
const PLURAL_PARTS = ['dialog', 'title', 'status', 'list', 'empty'];

export class ActionListPanel extends SharedListDialog {
  constructor({ me, teams, plural, singular, path, title, texts, trigger = false, without = [] }) {
    super(me, { button: plural, template: 'action-list-template', dialog: `${plural}-dialog`, form: `${singular}-form`,
      cancel: `${singular}-cancel`, status: `${plural}-status` });
    Object.assign(this, { teams, plural, singular, path, title, texts, trigger, without });
  }

  partId(part) { return `${PLURAL_PARTS.includes(part) ? this.plural : this.singular}-${part}`; }
  el(part) { return $(this.partId(part)); }

  prepare(copy) {
    for (const node of copy.querySelectorAll('[data-part]')) node.id = this.partId(node.dataset.part);
    const part = (name) => copy.querySelector(`[data-part="${name}"]`);
    part('dialog').setAttribute('aria-labelledby', this.partId('title'));
    part('title').textContent = this.texts.heading;
    part('intro').textContent = this.texts.intro;
    part('empty').textContent = this.texts.empty;
    part('form').elements.name.placeholder = this.texts.example;
    if (!this.trigger) part('trigger').remove();
  }

  setUp() {
    this.editor = new ActionsEditor(this.el('actions'), this.without, this.teams);
    this.el('add-action').addEventListener('click', () => this.editor.add());
  }

  // What a subclass shows and edits beside the actions.
  describe() { return null; }
  fillMore() {}
  readMore() { return {}; }

  async reload() {
    const items = (await api.get(this.path))[this.plural];
    this.el('empty').hidden = items.length > 0;
    this.el('list').replaceChildren(...items.map((m) => h('li', { [`data-${this.singular}`]: m.id },
      this.itemHead(h('strong', { text: m.name }), m.name, m),
      this.describe(m),
      h('p', { class: 'reply-text', text: describeActions(m.actions) }))));
  }

  edit(item) {
    this.editing = item ? item.id : null;
    this.el('form').elements.name.value = item ? item.name : '';
    this.fillMore(item);
    this.editor.fill(item ? item.actions : [{ action: 'label' }]);
    this.el('form-title').textContent = item ? `Edit ${item.name}` : `Add ${this.title}`;
    this.el('save').textContent = item ? 'Save changes' : `Add ${this.singular}`;
    this.el('cancel').hidden = !item;
    this.el('form').querySelector('.error').textContent = '';
  }

  async save() {
    const body = { name: this.el('form').elements.name.value.trim(), ...this.readMore(), actions: this.editor.actions() };
    const saved = this.editing ? await api.patch(`${this.path}/${enc(this.editing)}`, body) : await api.post(this.path, body);
    this.edit(null);
    await this.reload();
    this.say(`${saved.name} is saved.`);  // once the list shows it
  }

  remove(item) { return this.removeAt(`${this.path}/${enc(item.id)}`, item.name, item.id); }
}

// The Macros dialog.
export class MacrosPanel extends ActionListPanel {
  constructor({ me, teams }) {
    super({ me, teams, plural: 'macros', singular: 'macro', path: '/macros', title: 'a macro', texts: {
      heading: 'Macros',
      intro: "A macro's actions run one after another on a chat, from its header's Macros menu, or on the chats selected in the list.",
      empty: 'No macros yet.',
      example: 'Billing escalation',
    } });
  }
}
