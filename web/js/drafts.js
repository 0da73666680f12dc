// What an agent typed in a chat and has not sent, as Chatwoot keeps it: the
// chat opened again, or the page loaded again, shows it where they left it,
// a reply as a reply and a private note as a note; another chat's composer
// never shows it. Kept in this browser under the agent's name, for the
// most recent chats only, and forgotten when they log out (the browser may
// be shared, and a draft is a customer's business).
const LIMIT = 50;
const PREFIX = 'switchboard.drafts.';
let loggedOut = false;  // the page is going: nothing may be kept after forgetAll

export class Drafts {
  // `onPresence(phone)`: that chat now has a draft, or no longer has one
  // (the list marks the chats with one).
  constructor(username, { onPresence } = {}) {
    this.key = PREFIX + username;
    this.onPresence = onPresence;
    this.byPhone = new Map();  // phone → { text, mode }, the most recently typed last
    try {
      for (const [phone, d] of JSON.parse(localStorage.getItem(this.key) ?? '[]'))
        if (typeof d?.text === 'string' && (d.mode === 'reply' || d.mode === 'note')) this.byPhone.set(phone, d);
    } catch { /* a draft is not worth a console that will not start */ }
  }

  get(phone) { return this.byPhone.get(phone) ?? null; }

  // Blank text forgets the chat's draft.
  set(phone, text, mode) {
    if (loggedOut) return;
    const was = this.byPhone.get(phone);
    if (was ? was.text === text && was.mode === mode : !text.trim()) return;  // nothing new to store
    this.byPhone.delete(phone);
    if (text.trim()) this.byPhone.set(phone, { text, mode });
    const dropped = [];
    while (this.byPhone.size > LIMIT) {
      dropped.push(this.byPhone.keys().next().value);
      this.byPhone.delete(dropped.at(-1));
    }
    try {
      localStorage.setItem(this.key, JSON.stringify([...this.byPhone]));
    } catch { /* storage full or refused: the draft lives until the page does */ }
    if (!was !== !this.byPhone.has(phone)) this.onPresence?.(phone);
    for (const gone of dropped) this.onPresence?.(gone);
  }

  static forgetAll() {
    loggedOut = true;
    for (const key of Object.keys(localStorage)) if (key.startsWith(PREFIX)) localStorage.removeItem(key);
  }
}
