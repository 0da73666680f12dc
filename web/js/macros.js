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
  { action: 'note', text: 'Add a private note', field: 'text', reads: (a) => `Note: ${a.text}` },
  { action: 'send', text: 'Send a reply', field: 'text', reads: (a) => `Reply: ${a.text}` },
  { action: 'assign', text: 'Assign to', field: 'to', reads: (a) => `Assign to ${a.to}` },
  { key: 'snooze-reply', action: 'snooze', text: 'Snooze until the user replies', fixed: { until: NEXT_REPLY },
    reads: () => 'Snooze until the user replies' },
  { action: 'snooze', text: 'Snooze for hours', field: 'hours', reads: (a) => `Snooze ${a.hours} h` },
  { action: 'read', text: 'Mark read', reads: () => 'Mark read' },
  { action: 'return', text: 'Return to queue', reads: () => 'Return to queue' },
  { action: 'end', text: 'End the chat', field: 'message', optional: true,
    reads: (a) => (a.message ? `End: ${a.message}` : 'End the chat') },
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
        onclick: async () => {
          menu.open = false;
          try {
            onDone(await api.post(`/conversations/${enc(phone())}/macros/${enc(m.id)}`));
          } catch (e) {
            onError(e.message);
          }
        },
      })) : [h('p', { class: 'muted', text: 'No macros yet: an admin adds them under Macros.' })]));
    });
  }
}

// The Macros dialog. `editing`: the id of the macro the form edits.
export class MacrosPanel extends SharedListDialog {
  constructor({ me }) {
    super(me, { button: 'macros', template: 'macros-template', dialog: 'macros-dialog', form: 'macro-form',
      cancel: 'macro-cancel', status: 'macros-status' });
  }

  setUp() { $('macro-add-action').addEventListener('click', () => this.addAction()); }

  async reload() {
    const macros = await loadMacros();
    $('macros-empty').hidden = macros.length > 0;
    $('macros-list').replaceChildren(...macros.map((m) => h('li', { 'data-macro': m.id },
      h('div', { class: 'reply-head' },
        h('strong', { text: m.name }),
        h('span', { class: 'muted', text: `by ${m.updated_by}` }),
        this.isAdmin() ? h('span', { class: 'reply-actions' },
          h('button', { type: 'button', class: 'link', text: 'Edit', 'aria-label': `Edit ${m.name}`, onclick: () => this.edit(m) }),
          h('button', { type: 'button', class: 'link danger', text: 'Delete', 'aria-label': `Delete ${m.name}`, onclick: () => this.remove(m) }))
          : null),
      h('p', { class: 'reply-text', text: describeActions(m.actions) }))));
  }

  edit(macro) {
    this.editing = macro ? macro.id : null;
    $('macro-form').elements.name.value = macro ? macro.name : '';
    $('macro-actions').replaceChildren();
    for (const a of macro ? macro.actions : [{ action: 'label' }]) this.addAction(a);
    $('macro-form-title').textContent = macro ? `Edit ${macro.name}` : 'Add a macro';
    $('macro-save').textContent = macro ? 'Save changes' : 'Add macro';
    $('macro-cancel').hidden = !macro;
    $('macro-form').querySelector('.error').textContent = '';
  }

  // One row of the editor: what to do, and its value where it takes one.
  addAction(a = { action: 'label' }) {
    const type = h('select', { class: 'macro-action' }, ACTIONS.map((k) => h('option', { value: keyOf(k), text: k.text })));
    type.value = keyOf(kind(a) ?? ACTIONS[0]);
    const value = h('input', { class: 'macro-value', autocomplete: 'off' });
    const priority = h('select', { class: 'macro-value' });
    fillPriorities(priority, { value: 'none', text: 'None' });
    const show = () => {
      const k = byKey(type.value);
      priority.hidden = k.field !== 'priority';
      value.hidden = !k.field || k.field === 'priority';
      value.type = k.field === 'hours' ? 'number' : 'text';
      value.placeholder = { label: 'billing', to: 'username', text: 'The text', hours: '4', message: 'Closing message (optional)' }[k.field] ?? '';
    };
    type.addEventListener('change', show);
    const field = kind(a)?.field;
    if (field === 'priority') priority.value = a.priority ?? 'none';
    else if (field) value.value = a[field] ?? '';
    show();
    const row = h('li', {}, type, value, priority, h('button', { type: 'button', class: 'link', text: '✕', onclick: () => {
      row.remove();
      this.numberActions();
    } }));
    $('macro-actions').append(row);
    this.numberActions();
  }

  // Each row's controls named by its place, again after one is removed.
  numberActions() {
    [...$('macro-actions').children].forEach((row, i) => {
      const [type, value, priority, remove] = row.children;
      type.setAttribute('aria-label', `Action ${i + 1}`);
      value.setAttribute('aria-label', `Action ${i + 1}'s value`);
      priority.setAttribute('aria-label', `Action ${i + 1}'s priority`);
      remove.setAttribute('aria-label', `Remove action ${i + 1}`);
    });
  }

  actions() {
    return [...$('macro-actions').children].map((row) => {
      const k = byKey(row.querySelector('select.macro-action').value);
      const a = { action: k.action, ...k.fixed };
      if (k.field === 'priority') a.priority = row.querySelector('select.macro-value').value;
      else if (k.field) {
        const typed = row.querySelector('input.macro-value').value.trim();
        if (k.field === 'hours') a.hours = Number(typed);
        else if (typed || !k.optional) a[k.field] = typed;
      }
      return a;
    });
  }

  async save() {
    const body = { name: $('macro-form').elements.name.value.trim(), actions: this.actions() };
    const saved = this.editing ? await api.patch(`/macros/${enc(this.editing)}`, body) : await api.post('/macros', body);
    this.say(`${saved.name} is saved.`);
    this.edit(null);
    await this.reload();
  }

  remove(macro) { return this.removeAt(`/macros/${enc(macro.id)}`, macro.name, macro.id); }
}
