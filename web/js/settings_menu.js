// The top bar's Settings menu: the dialogs opened now and then (the team,
// its groups, labels, saved replies, …), out of the bar so that it keeps to
// one row. Each item's own module opens its dialog; this only closes the menu
// as one opens, on Escape, and on a click anywhere else.
import { $ } from './dom.js';

export function setUpSettingsMenu() {
  const menu = $('settings-menu');
  const summary = menu.querySelector('summary');
  // In the capture phase, before the item opens its dialog: focus is on the
  // summary then, and the dialog gives it back there as it closes (the item
  // itself is hidden in the closed menu by then).
  $('settings-items').addEventListener('click', (e) => {
    if (!e.target.closest('button')) return;
    menu.open = false;
    summary.focus();
  }, { capture: true });
  menu.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !menu.open) return;
    e.preventDefault();
    menu.open = false;
    summary.focus();
  });
  document.addEventListener('click', (e) => { if (menu.open && !menu.contains(e.target)) menu.open = false; });
}
