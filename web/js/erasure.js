// The confirmation before users are erased at once (the bulk bar's Delete,
// the Contacts dialog's): one dialog for both, which says how many and that
// nobody can undo it.
import { $, plural } from './dom.js';

// Resolves true once confirmed; false when cancelled or dismissed.
export function confirmErasure(count, noun) {
  const dialog = $('erase-many-dialog');
  $('erase-many-title').textContent = `Delete the selected ${noun}s?`;
  $('erase-many-count').textContent = `${plural(count, noun)} will be deleted.`;
  dialog.returnValue = '';  // a dismissal leaves the last one's: it must not read as this one's yes
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'delete'), { once: true });
  });
}
