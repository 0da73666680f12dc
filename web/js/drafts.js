// What an agent typed in a chat and has not sent, as Chatwoot keeps it: the
// chat opened again, or the page loaded again, shows it where they left it,
// a reply as a reply and a private note as a note; another chat's composer
// never shows it. Kept in this browser under the agent's name, for the
// most recent chats only, and forgotten when they log out (the browser may
// be shared, and a draft is a customer's business). Consoles open in other
// tabs share them: each change is made to what the browser holds now, and
// the others hear of it.
const LIMIT = 50;
const PREFIX = 'switchboard.drafts.';
let loggedOut = false;  // the page is going: nothing may be kept after forgetAll

export class Drafts {
  // `onPresence(phone)`: that chat now has a draft, or no longer has one
  // (the list marks the chats with one).
  constructor(username, { onPresence } = {}) {
    this.key = PREFIX + username;
    this.onPresence = onPresence;
    this.byPhone = this.stored();  // phone → { text, mode }, the most recently typed last
    // Another tab changed them: what this one shows follows. Only a log out
    // removes them (a change writes them whole): this tab is logged out too,
    // and must not write its own back as it goes.
    window.addEventListener('storage', (e) => {
      if (e.key !== null && e.key !== this.key) return;
      if (e.newValue === null) loggedOut = true;
      this.replace(this.stored());
    });
  }

  get(phone) { return this.byPhone.get(phone) ?? null; }

  // Blank text forgets the chat's draft.
  set(phone, text, mode) {
    if (loggedOut) return;
    const was = this.byPhone.get(phone);
    if (was ? was.text === text && was.mode === mode : !text.trim()) return;  // nothing new to store
    const next = this.stored();  // another tab's drafts since this one read them stay
    next.delete(phone);
    if (text.trim()) next.set(phone, { text, mode });
    while (next.size > LIMIT) next.delete(next.keys().next().value);
    try {
      localStorage.setItem(this.key, JSON.stringify([...next]));
    } catch { /* storage full or refused: the draft lives until the page does */ }
    this.replace(next);
  }

  static forgetAll() {
    loggedOut = true;
    for (const key of Object.keys(localStorage)) if (key.startsWith(PREFIX)) localStorage.removeItem(key);
  }

  stored() {
    const out = new Map();
    try {
      for (const [phone, d] of JSON.parse(localStorage.getItem(this.key) ?? '[]'))
        if (typeof d?.text === 'string' && (d.mode === 'reply' || d.mode === 'note')) out.set(phone, d);
    } catch { /* a draft is not worth a console that will not start */ }
    return out;
  }

  // Takes `next` as the drafts, telling of each chat that gained or lost one.
  replace(next) {
    const before = this.byPhone;
    this.byPhone = next;
    for (const phone of new Set([...before.keys(), ...next.keys()]))
      if (before.has(phone) !== next.has(phone)) this.onPresence?.(phone);
  }
}
