// Replies written now to go later (Intercom's send later, POST
// …/scheduled): ⏰ beside Send offers a time (in an hour, tomorrow or next
// Monday at 09:00, or one picked) for what the composer holds, and a strip
// above the composer lists the chat's replies waiting for their time, each
// with Cancel, and those that could not go, saying why, with Delete; its
// writer's own with Edit too, which takes it back into the composer to
// change and send or schedule again. Every console follows them
// (scheduled.updated).
import { api, enc } from './api.js';
import { $, h } from './dom.js';
import { fromLocalInput, snoozeChoices, snoozeEnd } from './snooze.js';

const CHOICES = ['In an hour', 'Tomorrow, 09:00', 'Next week, Mon 09:00'];
const unschedule = (phone, r) => api.del(`/conversations/${enc(phone)}/scheduled/${enc(r.id)}`);

export class ScheduledReplies {
  // `phone()`: the chat open; `take()`: the reply the composer holds, as
  // Send would send it ('' when empty), `taken()`: it went, so the composer
  // empties; `cannotPutBack()`: why a reply cannot go back into the
  // composer now (null: it can), `putBack(text)` puts it there; `notice(text)` says something under the composer; `me`: the
  // agent's username; `windowEnd()`: when WhatsApp's 24-hour window for
  // replies to the user closes (ms), null for a user of another channel.
  constructor({ phone, take, taken, cannotPutBack, putBack, notice, me, windowEnd }) {
    Object.assign(this, { phone, take, taken, cannotPutBack, putBack, notice, me, windowEnd });
    this.list = [];
    this.heardAt = 0;  // one more at each event: a read answered after one is older
    $('send-later').addEventListener('toggle', () => {
      if (!$('send-later').open) return;
      // From the time the menu opens, as the snooze's.
      const times = snoozeChoices().filter((c) => c.until instanceof Date).map((c) => c.until);
      $('send-later-choices').replaceChildren(...times.map((at, i) =>
        h('button', { type: 'button', text: CHOICES[i], title: at.toLocaleString(), onclick: () => this.schedule(at) })));
    });
    $('send-later-custom').addEventListener('click', () => {
      const at = fromLocalInput($('send-later-at').value);
      if (!at) { this.notice('Pick a day and time for the reply to go.'); return; }
      this.schedule(at);
    });
  }

  async load(phone) {
    const heard = this.heardAt;
    if (this.shownFor !== phone) this.show(phone, []);  // not another chat's while this one's is read
    const { scheduled } = await api.get(`/conversations/${enc(phone)}/scheduled`);
    if (this.phone() === phone && this.heardAt === heard) this.show(phone, scheduled);
  }

  // An event's list, for the conversation it is about.
  heard(phone, scheduled) {
    this.heardAt += 1;
    if (this.phone() === phone) this.show(phone, scheduled);
  }

  show(phone, scheduled) {
    this.shownFor = phone;
    this.list = scheduled;
    const strip = $('scheduled-list');
    strip.hidden = scheduled.length === 0;
    strip.replaceChildren(...scheduled.map((r) => {
      const failed = r.status === 'failed';
      const when = snoozeEnd(r.send_at);
      const which = `the reply ${failed ? 'not sent' : `scheduled for ${when}`}`;
      return h('li', { class: failed ? 'failed' : '', 'data-id': r.id },
        h('span', { class: 'scheduled-when', text: failed ? `⚠ Not sent (${when}): ${r.error}` : `⏰ ${when}`, title: new Date(r.send_at).toLocaleString() }),
        h('span', { class: 'scheduled-text', text: r.text }),
        r.by === this.me ? h('button', { type: 'button', class: 'link', text: 'Edit',
          'aria-label': `Edit ${which}`, onclick: () => this.edit(phone, r) }) : null,
        h('button', { type: 'button', class: 'link', text: failed ? 'Delete' : 'Cancel',
          'aria-label': `${failed ? 'Delete' : 'Cancel'} ${which}`,
          onclick: () => this.remove(phone, r) }));
    }));
  }

  async schedule(at) {
    $('send-later').open = false;
    const phone = this.phone();
    const text = this.take();
    if (!text) { this.notice('Write the reply first, then pick when it goes.'); return; }
    try {
      const r = await api.post(`/conversations/${enc(phone)}/scheduled`, { text, send_at: at.toISOString() });
      if (this.phone() === phone) this.taken();
      // Scheduled all the same: the user may write again before it goes, which opens the window anew.
      const closes = this.phone() === phone ? this.windowEnd() : null;
      const late = closes !== null && Date.parse(r.send_at) > closes
        ? ` WhatsApp's 24-hour window closes ${snoozeEnd(closes)}: unless they write again by then, it will not go (a Template would).` : '';
      this.notice(`Your reply goes ${snoozeEnd(r.send_at)}.${late}`);
    } catch (e) {
      this.notice(`Not scheduled: ${e.message}`);
    }
  }

  // Off the list, then into the composer: one sent meanwhile is not in both.
  async edit(phone, r) {
    const why = this.cannotPutBack();
    if (why) { this.notice(why); return; }
    try {
      await unschedule(phone, r);
    } catch (e) {
      this.notice(`Not taken back: ${e.message}`);
      return;
    }
    if (this.phone() === phone) this.putBack(r.text);
  }

  async remove(phone, r) {
    try {
      await unschedule(phone, r);
    } catch (e) {
      this.notice(`Not deleted: ${e.message}`);
    }
  }
}
