// The composer's emoji picker, as Chatwoot's reply box has one: the faces
// and signs support chats use most, put in where the caret is.
import { h } from './dom.js';

const EMOJI = [
  ['😊', 'smiling face'], ['🙂', 'slightly smiling face'], ['😀', 'grinning face'], ['😂', 'face with tears of joy'],
  ['😉', 'winking face'], ['😍', 'smiling face with heart-eyes'], ['🤔', 'thinking face'], ['😅', 'grinning face with sweat'],
  ['😢', 'crying face'], ['😮', 'face with open mouth'], ['🙏', 'folded hands'], ['👍', 'thumbs up'],
  ['👎', 'thumbs down'], ['👋', 'waving hand'], ['👏', 'clapping hands'], ['🙌', 'raising hands'],
  ['💪', 'flexed biceps'], ['🤝', 'handshake'], ['✅', 'check mark'], ['❌', 'cross mark'],
  ['⚠️', 'warning'], ['❤️', 'red heart'], ['🎉', 'party popper'], ['⭐', 'star'],
  ['🔥', 'fire'], ['💡', 'light bulb'], ['📦', 'package'], ['🚚', 'delivery truck'],
  ['📞', 'telephone receiver'], ['📧', 'e-mail'], ['📅', 'calendar'], ['⏰', 'alarm clock'],
  ['💳', 'credit card'], ['🧾', 'receipt'], ['🔒', 'locked'], ['🔑', 'key'],
];

export class EmojiPicker {
  // `button` opens `panel`, whose emoji go into `textarea`.
  constructor({ textarea, button, panel }) {
    this.textarea = textarea;
    this.button = button;
    this.panel = panel;
    panel.replaceChildren(...EMOJI.map(([emoji, name]) => h('button', {
      type: 'button', class: 'emoji', text: emoji, title: name, 'aria-label': name, onclick: () => this.put(emoji) })));
    button.addEventListener('click', () => (panel.hidden ? this.open() : this.close(true)));
    // Escape closes the picker alone, not what the console closes with it.
    panel.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation();
      this.close(true);
    });
    document.addEventListener('pointerdown', (e) => {
      if (!panel.hidden && !panel.contains(e.target) && !button.contains(e.target)) this.close(false);
    });
  }

  open() {
    this.panel.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    this.panel.querySelector('button').focus();
  }

  close(refocus) {
    if (this.panel.hidden) return;
    this.panel.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
    if (refocus) this.button.focus();
  }

  // At the caret, or over what is selected; the composer hears it as typing
  // (the draft is kept, the user sees "typing…").
  put(emoji) {
    const t = this.textarea;
    t.focus();
    t.setRangeText(emoji, t.selectionStart, t.selectionEnd, 'end');
    t.dispatchEvent(new Event('input', { bubbles: true }));
    this.close(false);
  }
}
