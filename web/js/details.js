// What the team knows of the user (the conversation's attributes: email,
// plan, order number) in the chat's header: each a chip, which the agent
// clicks to change and ✕ takes off, and "+ Detail" to add one, typed as
// "email: ana@example.com".
import { h, typeInPlace } from './dom.js';

// "Order id: A-77" → ['order_id', 'A-77'], the key as the server keeps it;
// null without a key and a value either side of the first colon.
export function parseDetail(typed) {
  const colon = typed.indexOf(':');
  if (colon < 0) return null;
  const key = typed.slice(0, colon).trim().toLowerCase().replace(/\s+/g, '_');
  const value = typed.slice(colon + 1).trim();
  return key && value ? [key, value] : null;
}

// `onSave(edit)` stores the whole set that `edit(latest)` makes of the
// conversation's latest attributes (an object): another agent may have
// changed them since these chips were drawn. `onRefused(text)` says why
// something typed was not a detail.
export function detailsEditor(attributes, { onSave, onRefused }) {
  const without = (latest, key) => Object.fromEntries(Object.entries(latest).filter(([k]) => k !== key));
  // Typed in place of `hide`: replaces `replacing` (a key) with what was typed.
  const typeDetail = (hide, value, replacing) => typeInPlace(hide,
    { class: 'detail-input', maxlength: '300', 'aria-label': replacing ? `Change ${replacing}` : 'New detail', placeholder: 'email: ana@example.com', value },
    (typed) => {
      const detail = parseDetail(typed);
      if (!detail) return onRefused('Write a detail as name: value, e.g. email: ana@example.com');
      return onSave((latest) => ({ ...without(latest, replacing), [detail[0]]: detail[1] }));
    });
  const chips = Object.entries(attributes).map(([key, value]) => {
    const chip = h('span', { class: 'detail-chip', 'data-key': key });
    chip.append(
      h('button', { type: 'button', class: 'detail-text', title: `${key}: ${value} (click to change)`, onclick: () => typeDetail([chip], `${key}: ${value}`, key) },
        h('span', { class: 'detail-key', text: `${key}: ` }), h('span', { class: 'detail-value', text: value })),
      h('button', { type: 'button', class: 'detail-remove', text: '✕', 'aria-label': `Remove ${key}`, onclick: () => onSave((latest) => without(latest, key)) }));
    return chip;
  });
  const add = h('button', { type: 'button', class: 'detail-add', text: '+ Detail', title: 'Note what the team knows of this user: an email, a plan, an order' });
  add.addEventListener('click', () => typeDetail([add], '', null));
  return [...chips, add];
}
