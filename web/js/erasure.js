// The confirmation before users are erased at once (the bulk bar's Delete,
// the Contacts dialog's): one dialog for both, which says how many and that
// nobody can undo it.
import { $, confirmed, plural } from './dom.js';

// Resolves true once confirmed; false when cancelled or dismissed.
export function confirmErasure(count, noun) {
  $('erase-many-title').textContent = `Delete the selected ${noun}s?`;
  $('erase-many-count').textContent = `${plural(count, noun)} will be deleted.`;
  return confirmed($('erase-many-dialog'), 'delete');
}
