// The console's popovers: each `details` of the page, a panel under its
// summary (Snooze, Macros, Chats, Transcript, Save view, the bulk bar's).
// One closes on a press anywhere else and on Escape, which leaves the
// keyboard on its summary. A menu (`details.menu`) is one whose panel
// (`.menu-items`) is buttons that each do their own thing (open a dialog,
// mark a chat unread): it closes too as one is picked, the arrow keys move
// through it. A popover's panel (`.popover-panel`) floats, and opens
// towards where the window has room.

// Returns how it closes with the keyboard left on its summary.
function closesOnLeave(details) {
  const summary = details.querySelector(':scope > summary');
  const close = () => {
    details.open = false;
    summary.focus();
  };
  details.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !details.open) return;
    e.preventDefault();
    e.stopPropagation();  // the popover alone: select mode stays, for one
    close();
  });
  document.addEventListener('pointerdown', (e) => { if (details.open && !details.contains(e.target)) details.open = false; });
  return close;
}

function setUpMenu(menu, close) {
  const items = menu.querySelector(':scope > .menu-items');
  setUpMirrors(items);
  // In the capture phase, before the button's own listener: a dialog it
  // opens finds the focus on the summary, and gives it back there as it
  // closes (the button itself is hidden in the closed menu by then).
  items.addEventListener('click', (e) => { if (e.target.closest('button')) close(); }, { capture: true });
  // The arrows move through its items (from the summary, ↓ opens it at
  // the first), Home and End go to the first and the last; Tab goes on
  // through them as well.
  menu.addEventListener('keydown', (e) => {
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key) || (!menu.open && e.key !== 'ArrowDown')) return;
    e.preventDefault();
    menu.open = true;
    // Shown: not hidden, nor left out at this width (a phone's items, say).
    const shown = [...items.querySelectorAll('button')].filter((b) => b.checkVisibility() && !b.disabled);
    if (!shown.length) return;
    const at = shown.indexOf(document.activeElement);
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? shown.length - 1
      : e.key === 'ArrowDown' ? (at + 1) % shown.length : (at <= 0 ? shown.length : at) - 1;
    shown[next].focus();
  });
}

// A menu's item that does what a button elsewhere does (`data-mirrors`:
// its id), and is offered when that one is (an admin's alone, say): the top
// bar's, which its menu holds at a phone's width.
function setUpMirrors(items) {
  for (const item of items.querySelectorAll(':scope > [data-mirrors]')) {
    const original = document.getElementById(item.dataset.mirrors);
    item.addEventListener('click', () => original.click());
    const follow = () => { item.hidden = original.hidden; };
    new MutationObserver(follow).observe(original, { attributes: true, attributeFilter: ['hidden'] });
    follow();
  }
}

// A panel hangs from its summary's right edge, unless the window has no
// room for it on the left: then from its left edge.
// Placed again when, open, it no longer fits: its summary moved (the row
// it is in drawn anew, wrapping otherwise).
function opensInside(details, panel) {
  const place = () => {
    panel.classList.remove('flip');
    if (panel.getBoundingClientRect().left < 0) panel.classList.add('flip');
  };
  details.addEventListener('toggle', () => { if (details.open) place(); });
  new IntersectionObserver((seen) => { if (details.open && seen.some((e) => e.intersectionRatio < 1)) place(); }, { threshold: 1 })
    .observe(panel);
}

// Those in the page from the start; a dialog's own (made from a template) are its dialog's.
export function setUpMenus() {
  for (const details of document.querySelectorAll('#app-view details')) {
    const close = closesOnLeave(details);
    if (details.matches('.menu')) setUpMenu(details, close);
    const panel = details.querySelector(':scope > .popover-panel');
    if (panel) opensInside(details, panel);
  }
}
