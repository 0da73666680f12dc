// A conversation's labels in its header: each a chip that filters the list
// by it, with ✕ to take it off, and "+ Label" to add one (the labels other
// conversations have are offered as the agent types).
import { h, typeInPlace } from './dom.js';

// `onSave(edit)` stores the whole set that `edit(latest)` makes of the
// conversation's latest labels (another agent may have changed them since
// these chips were drawn); `onFilter(label)` filters the list by one;
// `known()` lists the labels to offer; `paint(label, title)` gives a chip's
// colour and title (label_catalog.js).
export function labelsEditor(labels, { onSave, onFilter, known, paint = (label, title) => ({ title }) }) {
  const chips = labels.map((label) => {
    const { title, ...colour } = paint(label, `List the conversations labelled ${label}`);
    return h('span', { class: colour.style ? 'label-chip colored' : 'label-chip', ...colour },
      h('button', { type: 'button', class: 'label-name', text: label, title, onclick: () => onFilter(label) }),
      h('button', { type: 'button', class: 'label-remove', text: '✕', 'aria-label': `Remove the label ${label}`, onclick: () => onSave((latest) => latest.filter((l) => l !== label)) }));
  });
  const add = h('button', { type: 'button', class: 'label-add', text: '+ Label', title: 'File this conversation under a label' });
  add.addEventListener('click', () => {
    const options = h('datalist', { id: 'known-labels' }, known().filter((l) => !labels.includes(l)).map((l) => h('option', { value: l })));
    // As typed: the server keeps it in its own form ("VIP customer" is
    // vip-customer), drops one it has already, and says what it refuses.
    typeInPlace([add], { class: 'label-input', list: 'known-labels', maxlength: '32', 'aria-label': 'New label',
      placeholder: 'billing, vip…' }, (typed) => onSave((latest) => [...latest, typed]), [options]);
  });
  return [...chips, add];
}
