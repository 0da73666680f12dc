// What the team knows of the user (the conversation's attributes: email,
// plan, order number) in the chat's header: each a chip, which the agent
// clicks to change and ✕ takes off, and "+ Detail" to add one, typed as
// "email: ana@example.com". A custom attribute (attribute_catalog.js) shows
// under its name, its link to open and its yes or no in words, is changed
// by its type (a list's choices, a date, a number), and is offered first
// under "+ Detail".
import { h, pickInPlace, typeInPlace } from './dom.js';

// "Order id: A-77" → ['order_id', 'A-77'], the key as the server keeps it;
// null without a key and a value either side of the first colon.
export function parseDetail(typed) {
  const colon = typed.indexOf(':');
  if (colon < 0) return null;
  const key = typed.slice(0, colon).trim().toLowerCase().replace(/\s+/g, '_');
  const value = typed.slice(colon + 1).trim();
  return key && value ? [key, value] : null;
}

const YES_OR_NO = [['true', 'Yes'], ['false', 'No']];
// The input a typed attribute is written in: the browser's own for a number, a date, a link.
const INPUT_TYPES = { number: 'number', date: 'date', link: 'url' };

// A detail's value as an agent reads it: a custom attribute's yes or no in words.
function shownValue(definition, value) {
  if (definition?.type === 'checkbox') return YES_OR_NO.find(([v]) => v === value)?.[1] ?? value;
  return value;
}

// `onSave(edit)` stores the whole set that `edit(latest)` makes of the
// conversation's latest attributes (an object): another agent may have
// changed them since these chips were drawn. `onRefused(text)` says why
// something typed was not a detail. `catalog`: the custom attributes.
export function detailsEditor(attributes, catalog, { onSave, onRefused }) {
  const without = (latest, key) => Object.fromEntries(Object.entries(latest).filter(([k]) => k !== key));
  const save = (key, value, replacing = key) => onSave((latest) => ({ ...without(latest, replacing), [key]: value }));
  // Typed in place of `hide`: replaces `replacing` (a key) with what was typed.
  const typeDetail = (hide, value, replacing) => typeInPlace(hide,
    { class: 'detail-input', maxlength: '300', 'aria-label': replacing ? `Change ${replacing}` : 'New detail', placeholder: 'email: ana@example.com', value },
    (typed) => {
      const detail = parseDetail(typed);
      if (!detail) return onRefused('Write a detail as name: value, e.g. email: ana@example.com');
      return save(detail[0], detail[1], replacing);
    });
  // A custom attribute's value, in place of `hide`, by its type.
  const editTyped = (hide, definition, value) => {
    const label = `${definition.display_name}${definition.description ? `: ${definition.description}` : ''}`;
    const choices = definition.type === 'list' ? definition.values.map((v) => [v, v])
      : definition.type === 'checkbox' ? YES_OR_NO : null;
    if (choices) {
      return pickInPlace(hide, [['', `${definition.display_name}…`], ...choices],
        { class: 'detail-input', 'aria-label': label }, (picked) => save(definition.key, picked));
    }
    return typeInPlace(hide, { class: 'detail-input', type: INPUT_TYPES[definition.type] ?? 'text', maxlength: '256',
      'aria-label': label, placeholder: definition.type === 'link' ? 'https://…' : definition.display_name, value: value ?? '' },
    (typed) => save(definition.key, typed));
  };
  const chips = Object.entries(attributes).map(([key, value]) => {
    const definition = catalog.byKey.get(key);
    const name = definition?.display_name ?? key;
    const change = () => (definition ? editTyped([chip], definition, value) : typeDetail([chip], `${key}: ${value}`, key));
    const chip = h('span', { class: 'detail-chip', 'data-key': key },
      h('button', { type: 'button', class: 'detail-text', title: `${name}: ${value}${definition?.description ? ` (${definition.description})` : ''} (click to change)`, onclick: change },
        h('span', { class: 'detail-key', text: `${name}: ` }), h('span', { class: 'detail-value', text: shownValue(definition, value) })),
      // A link the team keeps (a profile, an order's page) opens from its chip.
      definition?.type === 'link' && /^https?:\/\//i.test(value)
        ? h('a', { class: 'detail-link', href: value, target: '_blank', rel: 'noopener noreferrer', text: '↗', 'aria-label': `Open ${name}` }) : null,
      h('button', { type: 'button', class: 'detail-remove', text: '✕', 'aria-label': `Remove ${name}`, onclick: () => onSave((latest) => without(latest, key)) }));
    return chip;
  });
  const add = h('button', { type: 'button', class: 'detail-add', text: '+ Detail', title: 'Note what the team knows of this user: an email, a plan, an order' });
  add.addEventListener('click', () => {
    // The custom attributes the user has no value of yet come first; "Other" is typed as name: value.
    const unset = catalog.attributes.filter((a) => !(a.key in attributes));
    if (unset.length === 0) return typeDetail([add], '', null);
    return pickInPlace([add], [['', 'Which detail…'], ...unset.map((a) => [a.key, a.display_name]), ['', 'Other…']],
      { class: 'detail-input', 'aria-label': 'New detail' },
      (key) => (key ? editTyped([add], catalog.byKey.get(key), '') : typeDetail([add], '', null)));
  });
  return [...chips, add];
}
