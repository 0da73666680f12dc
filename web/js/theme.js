// Light or dark: as the system asks (automatic), or as the agent picked with
// the top bar's ◐, remembered by this browser. The stylesheet's colours are
// the light ones, and again under :root[data-theme="dark"], which this sets.
import { $ } from './dom.js';

const storageKey = 'switchboard.theme';
const choices = ['auto', 'dark', 'light'];  // the button goes round them in this order
const words = { auto: 'automatic, as the system', dark: 'dark', light: 'light' };
const systemDark = window.matchMedia('(prefers-color-scheme: dark)');

export const pickedTheme = () => (choices.includes(localStorage.getItem(storageKey)) ? localStorage.getItem(storageKey) : 'auto');

function apply() {
  const picked = pickedTheme();
  const dark = picked === 'dark' || (picked === 'auto' && systemDark.matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

// Before anything shows (the login form too); then it follows the system
// while the choice is automatic.
apply();
systemDark.addEventListener('change', apply);

export function setUpThemeButton() {
  const button = $('theme');
  const show = () => {
    const picked = pickedTheme();
    button.setAttribute('aria-label', `Theme: ${words[picked]}`);
    button.title = `Theme: ${words[picked]}. Click for ${words[choices[(choices.indexOf(picked) + 1) % choices.length]]}`;
  };
  button.addEventListener('click', () => {
    localStorage.setItem(storageKey, choices[(choices.indexOf(pickedTheme()) + 1) % choices.length]);
    apply();
    show();
  });
  show();
}
