// "@" in a private note offers the team by name: the keyboard picks one,
// and the note then calls that agent (model.js `mentions`, main.js).
import { api } from './api.js';
import { h } from './dom.js';
import { SuggestionPicker } from './picker.js';

// The "@partial" just before the caret, or null.
function typedMention(textarea) {
  const before = textarea.value.slice(0, textarea.selectionStart);
  const m = /(^|[\s(])@([a-z0-9_.-]*)$/i.exec(before);
  return m ? { query: m[2].toLowerCase(), from: before.length - m[2].length - 1 } : null;
}

export class MentionPicker extends SuggestionPicker {
  // `inNote()`: whether the composer writes a private note now.
  constructor({ textarea, list, inNote }) {
    super({ textarea, list, optionPrefix: 'mention-option' });
    this.inNote = inNote;
    this.agents = [];
    this.typed = null;  // the "@partial" while the picker is open
  }

  async onInput() {
    const typed = this.inNote() ? typedMention(this.textarea) : null;
    if (!typed) { this.close(); return; }
    // The team is read once each time the picker opens; keys typed while it
    // loads wait for it too, and only the latest draws the list.
    if (this.typed === null) this.loading = api.get('/agents').then(({ agents }) => agents, () => []);
    this.typed = typed;
    const agents = await this.loading;
    if (this.typed !== typed) return;  // typed on, or closed, meanwhile
    this.agents = agents;
    this.render();
  }

  render() {
    const q = this.typed.query;
    const matches = (a) => a.active !== false
      && (a.username.startsWith(q) || (a.display_name || '').toLowerCase().split(/\s+/).some((w) => w.startsWith(q)));
    const shown = this.agents.filter(matches).slice(0, 8);
    if (!shown.length) { this.close(); return; }
    this.show(shown, (a) => ({
      data: { 'data-username': a.username },
      children: [h('span', { class: 'shortcut', text: `@${a.username}` }), h('span', { class: 'preview', text: a.display_name || '' })],
    }));
  }

  // "@partial" becomes "@username ", the caret after it.
  pick(agent) {
    const { from } = this.typed;
    this.close();
    const text = this.textarea.value;
    const to = this.textarea.selectionStart;
    const inserted = `@${agent.username} `;
    this.textarea.value = text.slice(0, from) + inserted + text.slice(to);
    this.textarea.setSelectionRange(from + inserted.length, from + inserted.length);
    this.textarea.focus();
  }

  forget() { this.typed = null; }
}
