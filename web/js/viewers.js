// Who else has a conversation open, as Intercom's collision detection shows
// it: two agents answering one user at once say different things. The
// server tells every console who views what (the hello, then a `viewers`
// frame for each change); this console tells it which conversation it
// shows, and none while its tab is hidden: an agent who left the tab to
// work elsewhere is not looking at the chat.

// "lea", "lea and bob", "lea, bob and 2 more"
export function namesText(names) {
  if (names.length <= 2) return names.join(' and ');
  return `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`;
}

export class Viewers {
  // `onChange(phone)`: who views that conversation changed (null: maybe any).
  constructor({ me, live, onChange }) {
    this.me = me;
    this.live = live;
    this.onChange = onChange;
    this.byPhone = new Map();  // phone → usernames, this agent's own among them
    this.showing = null;       // the conversation on screen
    this.told = undefined;     // what the server has of this console: unknown on a new socket
    document.addEventListener('visibilitychange', () => this.tell());
  }

  // A new socket: the server knows nothing of this console yet, and says
  // who views what.
  connected(hello) {
    this.byPhone = new Map(Object.entries(hello.viewers ?? {}));
    this.told = undefined;
    this.tell();
    this.onChange(null);
  }

  event(e) {
    if (e.data.agents.length) this.byPhone.set(e.conversation, e.data.agents);
    else this.byPhone.delete(e.conversation);
    this.onChange(e.conversation);
  }

  show(phone) {
    this.showing = phone;
    this.tell();
  }

  // The other agents with it open.
  others(phone) {
    return (this.byPhone.get(phone) ?? []).filter((a) => a !== this.me.username);
  }

  tell() {
    const now = document.visibilityState === 'visible' ? this.showing : null;
    if (now === this.told || !this.live.isOpen()) return;
    this.told = now;
    this.live.send({ type: 'viewing', conversation: now });
  }
}
