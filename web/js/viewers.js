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
  // `onChange(phone)`: who else views that conversation changed.
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
    const before = this.byPhone;
    this.byPhone = new Map(Object.entries(hello.viewers ?? {}));
    this.told = undefined;
    this.tell();
    for (const phone of new Set([...before.keys(), ...this.byPhone.keys()]))
      this.changed(phone, this.othersIn(before, phone));
  }

  event(e) {
    const before = this.othersIn(this.byPhone, e.conversation);
    if (e.data.agents.length) this.byPhone.set(e.conversation, e.data.agents);
    else this.byPhone.delete(e.conversation);
    this.changed(e.conversation, before);
  }

  // Told only when the others with it open changed: this agent's own view
  // shows nowhere, and a row built anew for it between a press and its
  // release lost the click (at every connect, every row was).
  changed(phone, othersBefore) {
    if (this.othersIn(this.byPhone, phone) !== othersBefore) this.onChange(phone);
  }

  othersIn(byPhone, phone) { return (byPhone.get(phone) ?? []).filter((a) => a !== this.me.username).join(); }

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
