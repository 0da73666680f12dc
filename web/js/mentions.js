// "@" in a private note offers the team by name: the keyboard picks one,
// and the note then calls that agent (model.js `mentions`, main.js).
import { api } from './api.js';
import { h } from './dom.js';

// The "@partial" just before the caret, or null.
function typedMention(textarea) {
  const before = textarea.value.slice(0, textarea.selectionStart);
  const m = /(^|[\s(])@([a-z0-9_.-]*)$/i.exec(before);
  return m ? { query: m[2].toLowerCase(), from: before.length - m[2].length - 1 } : null;
}

export class MentionPicker {
  // `inNote()`: whether the composer writes a private note now.
  constructor({ textarea, list, inNote }) {
    this.textarea = textarea;
    this.list = list;
    this.inNote = inNote;
    this.agents = [];
    this.shown = [];
    this.active = 0;
    this.typed = null;  // the "@partial" while the picker is open
    textarea.addEventListener('input', () => this.onInput());
    // Capture: this runs before the composer's own Enter, which would send.
    textarea.addEventListener('keydown', (e) => this.onKey(e), true);
    // Later than a click on an option, and not if the agent came straight back.
    textarea.addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== textarea) this.close(); }, 150));
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
    this.shown = this.agents.filter(matches).slice(0, 8);
    if (!this.shown.length) { this.close(); return; }
    this.active = Math.min(this.active, this.shown.length - 1);
    this.list.replaceChildren(...this.shown.map((a, i) => h('li', {
      id: `mention-option-${i}`, role: 'option', 'aria-selected': String(i === this.active), 'data-username': a.username,
      onmousedown: (e) => { e.preventDefault(); this.pick(a); },
    }, h('span', { class: 'shortcut', text: `@${a.username}` }), h('span', { class: 'preview', text: a.display_name || '' }))));
    this.list.hidden = false;
    this.textarea.setAttribute('aria-controls', this.list.id);
    this.textarea.setAttribute('aria-expanded', 'true');
    this.textarea.setAttribute('aria-activedescendant', `mention-option-${this.active}`);
  }

  onKey(e) {
    if (this.typed === null) return;
    const move = (by) => {
      this.active = (this.active + by + this.shown.length) % this.shown.length;
      this.render();
    };
    if (e.key === 'ArrowDown') move(1);
    else if (e.key === 'ArrowUp') move(-1);
    else if ((e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey) this.pick(this.shown[this.active]);
    else if (e.key === 'Escape') this.close();
    else return;
    e.preventDefault();
    e.stopImmediatePropagation();
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

  close() {
    if (this.typed === null) return;
    this.typed = null;
    this.active = 0;
    this.list.hidden = true;
    this.textarea.setAttribute('aria-expanded', 'false');
    this.textarea.removeAttribute('aria-activedescendant');
  }
}
