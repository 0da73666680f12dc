// Building DOM without HTML strings: every user-supplied string lands in
// textContent, so nothing a user sends can become markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    // Through the CSSOM: the server's CSP refuses style attributes.
    else if (key === 'style') Object.assign(el.style, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export const $ = (id) => document.getElementById(id);

// Whether `a` and `b` are the same elements in the same places, with the
// same styles, whatever their other attributes and text.
function sameShape(a, b) {
  if (a.nodeName !== b.nodeName || a.childNodes.length !== b.childNodes.length) return false;
  if (a.nodeType === Node.ELEMENT_NODE && a.getAttribute('style') !== b.getAttribute('style')) return false;
  for (let i = 0; i < a.childNodes.length; i += 1) if (!sameShape(a.childNodes[i], b.childNodes[i])) return false;
  return true;
}

function copyText(to, from) {
  if (to.nodeType === Node.TEXT_NODE) {
    if (to.data !== from.data) to.data = from.data;
    return;
  }
  for (const { name, value } of from.attributes) if (to.getAttribute(name) !== value) to.setAttribute(name, value);
  for (const name of to.getAttributeNames()) if (!from.hasAttribute(name)) to.removeAttribute(name);
  to.childNodes.forEach((child, i) => copyText(child, from.childNodes[i]));
}

// Makes `el` read as `fresh`, built from the same thing a moment later (its
// times moved on, or it changed), without replacing it: an element replaced
// between a press and its release loses the click. Returns the element to
// show: `el`, or `fresh` where their shapes differ (a badge came or went).
// Its listeners stay `el`'s: they must act on the thing as it is when
// pressed, not on the object it was first drawn from, where that changes.
export function refreshedInPlace(el, fresh) {
  if (!sameShape(el, fresh)) return fresh;
  copyText(el, fresh);
  return el;
}

// A press and a release on an item of `container` that was drawn anew
// between them (the same thing, by `keyOf`, in a new element): the browser
// clicks nothing then, as neither element had both. Here it is a click on
// what the release was on, with the release's keys (Shift for a range).
// A mouse's only: a touch's click comes from the browser's tap gesture, and
// is left to it.
export function keepClicksAcrossRedraws(container, itemSelector, keyOf) {
  let pressed = null;
  container.addEventListener('pointerdown', (e) => {
    const item = e.button === 0 && e.pointerType === 'mouse' ? e.target.closest(itemSelector) : null;
    pressed = item ? { item, key: keyOf(item) } : null;
  });
  container.addEventListener('pointerup', (e) => {
    const was = pressed;
    pressed = null;
    if (!was || e.button !== 0 || was.item.isConnected) return;  // the same element: the browser's own click comes
    const item = e.target.closest(itemSelector);
    if (!item || keyOf(item) !== was.key) return;  // a press dragged elsewhere is no click
    e.target.dispatchEvent(new MouseEvent('click', {
      bubbles: true, cancelable: true, view: window, detail: 1, button: 0, clientX: e.clientX, clientY: e.clientY,
      shiftKey: e.shiftKey, ctrlKey: e.ctrlKey, altKey: e.altKey, metaKey: e.metaKey,
    }));
  });
}

// `control` in place of `hide` (hidden meanwhile, the control after the
// last of them, then `companions`), focused; Escape or leaving it puts
// `hide` back, and calls onDone. Returns `done`, which does so (once:
// removing the control blurs it, which comes back here).
function inPlace(hide, control, companions = [], onDone = () => {}) {
  let open = true;
  const done = () => {
    if (!open) return;
    open = false;
    control.remove();
    for (const c of companions) c.remove();
    for (const el of hide) el.hidden = false;
    onDone();
  };
  control.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); done(); } });
  control.addEventListener('blur', done);
  for (const el of hide) el.hidden = true;
  hide[hide.length - 1].after(control, ...companions);
  control.focus();
  return done;
}

// A text box typed into in place of `hide`: Enter hands `onEnter` what was
// typed, trimmed, if anything; Escape or leaving the box drops it.
export function typeInPlace(hide, attrs, onEnter, companions = []) {
  const input = h('input', { type: 'text', autocomplete: 'off', ...attrs });
  const done = inPlace(hide, input, companions);
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    const typed = input.value.trim();
    done();
    if (typed) onEnter(typed);
  });
  return input;
}

// typeInPlace's for words of several lines (a note's): a text area holding
// `text`, as tall as they are; Enter hands `onSave` what it holds, trimmed,
// when that is something else, and Shift+Enter starts a new line, as the
// composer's keys do; Escape or leaving it drops the change. `onDone` once
// it closes, either way.
export function editInPlace(hide, text, attrs, onSave, companions, onDone) {
  const area = h('textarea', { rows: String(Math.min(8, text.split('\n').length + 1)), ...attrs });
  area.value = text;
  const done = inPlace(hide, area, companions, onDone);
  area.setSelectionRange(text.length, text.length);
  area.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing) return;
    e.preventDefault();
    const typed = area.value.trim();
    done();
    if (typed && typed !== text.trim()) onSave(typed);
  });
  return area;
}

// typeInPlace's choice from a list: `options` ([value, text] pairs) in a
// select in place of `hide`, the first a prompt to pick one; a choice calls
// onPick(value), Escape or leaving it puts `hide` back. A click picks at
// once; the arrow keys only move, and Enter picks, so that the keyboard
// can reach the third choice without picking the first.
const MOVING_KEYS = new Set(['ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);
export function pickInPlace(hide, options, attrs, onPick) {
  const select = h('select', attrs, ...options.map(([value, text], i) => h('option', { value, text, disabled: i === 0, selected: i === 0 })));
  const done = inPlace(hide, select);
  let moved = false;  // by a key: the change that follows waits for Enter
  const pick = () => { const value = select.value; done(); onPick(value); };
  select.addEventListener('keydown', (e) => {
    if (MOVING_KEYS.has(e.key)) moved = true;
    else if (e.key === 'Enter' && select.selectedIndex > 0) { e.preventDefault(); pick(); }
  });
  select.addEventListener('change', () => {
    if (moved) { moved = false; return; }
    pick();
  });
  return select;
}

// A span of time in its largest whole unit: 45s, 12m, 3h, 2d.
function spanText(ms) {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

export const relativeTime = (iso, now = Date.now()) => spanText(now - Date.parse(iso));
// How long until an instant (ms since the epoch).
export const timeLeft = (ms, now = Date.now()) => spanText(ms - now);

// "Today", "Yesterday", or the date, in the agent's own calendar.
export function dayLabel(iso) {
  const at = new Date(iso);
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (at.toDateString() === today.toDateString()) return 'Today';
  if (at.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return at.toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short',
    year: at.getFullYear() === today.getFullYear() ? undefined : 'numeric' });
}

// One formatter for every message's time: toLocaleTimeString makes one
// anew on each call, which cost a history of 50 messages about 35 ms on
// every message that came.
const CLOCK = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' });
export function clockTime(iso) {
  return CLOCK.format(new Date(iso));
}

// A dialog kept in a <template> until it is first opened, so that its form
// labels never stand beside the login form's; `setUp` runs once, on creation.
// `prepare` sees the copy before it joins the page (ids given there are found).
export function dialogFromTemplate(templateId, dialogId, setUp = () => {}, prepare = () => {}) {
  if (!$(dialogId)) {
    const copy = $(templateId).content.cloneNode(true);
    prepare(copy);
    document.body.append(copy);
    setUp($(dialogId));
  }
  return $(dialogId);
}

// A span of seconds as people say it: 42s, 3m 05s, 2h 10m, 3d 4h.
export function duration(seconds) {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor(s / 3600) % 24}h`;
}

// console.css's layout for a phone: the list or a chat, not both.
export const PHONE_WIDTH = window.matchMedia('(max-width: 760px)');

// "1 contact", "3 contacts".
export const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// Shows a confirmation <dialog> (a form of method "dialog") and resolves
// whether it closed by its button of value `yes`. Its answer is reset
// first: a dismissal keeps the last one's, which must not read as a yes.
export function confirmed(dialog, yes) {
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === yes), { once: true });
  });
}

// A dialog's status line: what was done, or why not.
export function showStatus(el, text, isError = false) {
  el.textContent = text;
  el.classList.toggle('error', isError);
}

// A form whose action's refusal shows in its own error line; its submit
// button waits for the answer, so a double click does not submit twice.
export function onSubmit(form, action) {
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const error = form.querySelector('.error');
    const button = form.querySelector('button[type=submit]');
    error.textContent = '';
    button.disabled = true;
    try {
      await action(form);
    } catch (err) {
      error.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  });
}
