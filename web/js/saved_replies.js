// Saved replies (GET /canned-responses): typing "/" at the start of the
// composer offers them by shortcut, and the keyboard picks one; the Saved
// replies dialog lists them, and admins add, edit and delete them there.
import { api, enc } from './api.js';
import { $, h } from './dom.js';
import { SuggestionPicker } from './picker.js';
import { SharedListDialog } from './shared_list.js';

async function loadReplies() {
  const { canned_responses: replies } = await api.get('/canned-responses');
  return replies;
}

// A saved reply's placeholders, filled in for the chat it goes into:
// {name} and {first_name} the user's ("there" while the bot has no name for
// them: "Hi there,"), {agent} the agent's own name. Anything else in braces
// stays as written.
export function filledIn(text, { name, agent }) {
  const values = { name: name || 'there', first_name: name ? name.split(/\s+/)[0] : 'there', agent: agent || '' };
  return text.replace(/\{(name|first_name|agent)\}/g, (_, key) => values[key]);
}

// The "/shortcut" suggestions under the composer. `context()` gives the
// open chat's user name and the agent's.
export class ReplyPicker extends SuggestionPicker {
  constructor({ textarea, list, context }) {
    super({ textarea, list, optionPrefix: 'reply-option' });
    this.context = context;
    this.replies = [];
    this.query = null;  // what follows "/" while the picker is open
  }

  async onInput() {
    const m = /^\/([a-z0-9_-]*)$/i.exec(this.textarea.value);
    if (!m) { this.close(); return; }
    const opening = this.query === null;
    this.query = m[1].toLowerCase();
    if (opening) {
      try { this.replies = await loadReplies(); } catch { this.replies = []; }
      if (this.query === null) return;  // closed meanwhile
    }
    this.render();
  }

  render() {
    const q = this.query;
    const byShortcut = this.replies.filter((r) => r.shortcut.startsWith(q));
    const byText = this.replies.filter((r) => !r.shortcut.startsWith(q) && q && r.text.toLowerCase().includes(q));
    this.show([...byShortcut, ...byText].slice(0, 8), (r) => ({
      data: { 'data-shortcut': r.shortcut },
      children: [h('span', { class: 'shortcut', text: `/${r.shortcut}` }), h('span', { class: 'preview', text: r.text })],
    }), this.replies.length ? `No saved reply matches /${q}` : 'No saved replies yet. An admin adds them under Settings › Saved replies.');
  }

  pick(reply) {
    this.close();
    const text = filledIn(reply.text, this.context());
    this.textarea.value = text;
    this.textarea.setSelectionRange(text.length, text.length);
    this.textarea.focus();
    this.textarea.dispatchEvent(new Event('input'));  // typing, as if typed
  }

  forget() { this.query = null; }
}

// The Saved replies dialog.
// `editing`: the shortcut whose reply the form edits.
export class RepliesPanel extends SharedListDialog {
  constructor({ me }) {
    super(me, { button: 'replies', template: 'replies-template', dialog: 'replies-dialog', form: 'reply-form',
      cancel: 'reply-cancel', status: 'replies-status' });
  }

  async reload() {
    this.replies = await loadReplies();
    $('replies-empty').hidden = this.replies.length > 0;
    $('replies-list').replaceChildren(...this.replies.map((r) => h('li', { 'data-shortcut': r.shortcut },
      this.itemHead(h('span', { class: 'shortcut', text: `/${r.shortcut}` }), `/${r.shortcut}`, r),
      h('p', { class: 'reply-text', text: r.text }))));
  }

  edit(reply) {
    this.editing = reply ? reply.shortcut : null;
    const f = $('reply-form').elements;
    f.shortcut.value = reply ? reply.shortcut : '';
    f.text.value = reply ? reply.text : '';
    $('reply-form-title').textContent = reply ? `Edit /${reply.shortcut}` : 'Add a saved reply';
    $('reply-save').textContent = reply ? 'Save changes' : 'Add reply';
    $('reply-cancel').hidden = !reply;
    $('reply-form').querySelector('.error').textContent = '';
    if (reply) f.text.focus();
  }

  async save() {
    const f = $('reply-form').elements;
    const body = { shortcut: f.shortcut.value.trim(), text: f.text.value.trim() };
    const saved = this.editing
      ? await api.patch(`/canned-responses/${enc(this.editing)}`, body)
      : await api.post('/canned-responses', body);
    this.edit(null);
    await this.reload();
    this.say(`/${saved.shortcut} is saved.`);  // once the list shows it
  }

  remove(reply) { return this.removeAt(`/canned-responses/${enc(reply.shortcut)}`, `/${reply.shortcut}`, reply.shortcut); }
}
