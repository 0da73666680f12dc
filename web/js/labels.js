// A conversation's labels in its header: each a chip that filters the list
// by it, with ✕ to take it off, and "+ Label" to add one (the labels other
// conversations have are offered as the agent types).
import { h } from './dom.js';

// `onSave(labels)` stores the whole set; `onFilter(label)` filters the list
// by one; `known()` lists the labels to offer.
export function labelsEditor(labels, { onSave, onFilter, known }) {
  const chips = labels.map((label) => h('span', { class: 'label-chip' },
    h('button', { type: 'button', class: 'label-name', text: label, title: `List the conversations labelled ${label}`, onclick: () => onFilter(label) }),
    h('button', { type: 'button', class: 'label-remove', text: '✕', 'aria-label': `Remove the label ${label}`, onclick: () => onSave(labels.filter((l) => l !== label)) })));
  const add = h('button', { type: 'button', class: 'label-add', text: '+ Label', title: 'File this conversation under a label' });
  add.addEventListener('click', () => {
    const input = h('input', { type: 'text', class: 'label-input', list: 'known-labels', maxlength: '32',
      'aria-label': 'New label', placeholder: 'billing, vip…' });
    const options = h('datalist', { id: 'known-labels' }, known().filter((l) => !labels.includes(l)).map((l) => h('option', { value: l })));
    let open = true;  // removing the input blurs it, which comes back here
    const done = () => {
      if (!open) return;
      open = false;
      input.remove();
      options.remove();
      add.hidden = false;
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { e.preventDefault(); done(); }
      if (e.key !== 'Enter') return;
      e.preventDefault();
      // As typed: the server keeps it in its own form ("VIP customer" is
      // vip-customer), drops one it has already, and says what it refuses.
      const typed = input.value.trim();
      done();
      if (typed) onSave([...labels, typed]);
    });
    input.addEventListener('blur', done);
    add.hidden = true;
    add.after(input, options);
    input.focus();
  });
  return [...chips, add];
}
