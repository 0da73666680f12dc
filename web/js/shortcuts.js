// The keyboard shortcuts, listed in a dialog: from the top bar's ⌨, or with
// `?` anywhere but where the agent types (there it is a question mark).
import { $ } from './dom.js';

const typingIn = (el) => el?.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el?.tagName);

export function setUpShortcutsHelp() {
  const dialog = $('shortcuts-dialog');
  const open = () => { if (!dialog.open) dialog.showModal(); };
  $('shortcuts').addEventListener('click', open);
  document.addEventListener('keydown', (e) => {
    if (e.key !== '?' || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
    if (document.querySelector('dialog[open]')) return;
    e.preventDefault();
    open();
  });
}
