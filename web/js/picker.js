// A list of suggestions under the composer, driven from the textarea as a
// listbox: the arrows move, Enter or Tab picks, Escape closes. The saved
// replies' "/" and the mentions' "@" are two; each says when it opens
// (onInput), what it lists (render, through show) and what a pick does.
import { h } from './dom.js';

// The arrows' moves through a listbox driven from a text field (`box`:
// its `shown` options, the `active` one's index, and `render()`), round
// from the last option to the first. True when `e` was one of them.
export function movedByArrows(e, box) {
  const by = { ArrowDown: 1, ArrowUp: -1 }[e.key];
  if (!by) return false;
  if (box.shown.length) {
    box.active = (box.active + by + box.shown.length) % box.shown.length;
    box.render();
  }
  return true;
}

export class SuggestionPicker {
  constructor({ textarea, list, optionPrefix }) {
    this.textarea = textarea;
    this.list = list;
    this.optionPrefix = optionPrefix;
    this.shown = [];
    this.active = 0;
    // A textarea is a text box, which has no aria-expanded: the list it
    // controls, and the option active in it, say that it is open.
    textarea.setAttribute('aria-autocomplete', 'list');
    textarea.addEventListener('input', () => this.onInput());
    // Capture: this runs before the composer's own Enter, which would send.
    textarea.addEventListener('keydown', (e) => this.onKey(e), true);
    // Later than a click on an option, and not if the agent came straight back.
    textarea.addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== textarea) this.close(); }, 150));
  }

  // `items` as options, `option(item)` giving each one's data attributes and
  // children; `none` says why there are none.
  show(items, option, none) {
    this.shown = items;
    this.active = Math.min(this.active, Math.max(0, items.length - 1));
    this.list.replaceChildren(...(items.length ? items.map((item, i) => {
      const { data, children } = option(item);
      return h('li', { id: `${this.optionPrefix}-${i}`, role: 'option', 'aria-selected': String(i === this.active), ...data,
        onmousedown: (e) => { e.preventDefault(); this.pick(item); } }, ...children);
    }) : [h('li', { class: 'none', text: none })]));
    this.list.hidden = false;
    this.textarea.setAttribute('aria-controls', this.list.id);  // the pickers share the textarea
    if (items.length) this.textarea.setAttribute('aria-activedescendant', `${this.optionPrefix}-${this.active}`);
    else this.textarea.removeAttribute('aria-activedescendant');
  }

  onKey(e) {
    if (this.list.hidden) return;
    if (movedByArrows(e, this)) { /* moved */ }
    else if ((e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey && this.shown.length) this.pick(this.shown[this.active]);
    else if (e.key === 'Escape') this.close();
    else return;
    e.preventDefault();
    e.stopImmediatePropagation();
  }

  close() {
    this.forget();
    this.active = 0;
    if (this.list.hidden) return;  // not shown: the other picker may hold the textarea's state
    this.list.hidden = true;
    this.textarea.removeAttribute('aria-activedescendant');
  }
}
