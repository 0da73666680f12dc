// The console's menus (`details.menu`): a summary, and under it a panel of
// buttons (`.menu-items`) that each do their own thing (open a dialog, mark
// a chat unread). This only makes them behave as menus: one closes as a
// button in it is picked, on Escape, and on a click anywhere else, and it
// opens towards where the window has room.

function setUpMenu(menu) {
  const summary = menu.querySelector(':scope > summary');
  const items = menu.querySelector(':scope > .menu-items');
  const close = () => {
    menu.open = false;
    summary.focus();
  };
  // In the capture phase, before the button's own listener: a dialog it
  // opens finds the focus on the summary, and gives it back there as it
  // closes (the button itself is hidden in the closed menu by then).
  items.addEventListener('click', (e) => { if (e.target.closest('button')) close(); }, { capture: true });
  menu.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !menu.open) return;
    e.preventDefault();
    close();
  });
  document.addEventListener('click', (e) => { if (menu.open && !menu.contains(e.target)) menu.open = false; });
  // Under its summary's right edge, unless the window has no room for it
  // on the left: then from its left edge.
  menu.addEventListener('toggle', () => {
    if (!menu.open) return;
    items.classList.remove('flip');
    if (items.getBoundingClientRect().left < 0) items.classList.add('flip');
  });
}

export function setUpMenus() {
  for (const menu of document.querySelectorAll('details.menu')) setUpMenu(menu);
}
