// The confirmation before users are erased at once (the bulk bar's Delete,
// the Contacts dialog's): one dialog for both, which says how many and that
// nobody can undo it.
import { $ } from './dom.js';

// Resolves true once confirmed; false when cancelled or dismissed.
export function confirmErasure(count, noun) {
  const dialog = $('erase-many-dialog');
  const many = `${noun}s`;
  $('erase-many-title').textContent = `Delete the selected ${many}?`;
  $('erase-many-count').textContent = `${count} ${count === 1 ? noun : many} will be deleted.`;
  dialog.returnValue = '';  // a dismissal leaves the last one's: it must not read as this one's yes
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'delete'), { once: true });
  });
}
