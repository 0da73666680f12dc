// The team's reply-time targets (GET /sla), as Chatwoot's and Intercom's
// SLAs: how long a user may wait for an agent's first answer in a chat, and
// for each answer after it. A chat whose user waited past its target is
// late in every console; an admin changes the targets in the SLA dialog,
// and every console hears of it (sla.updated).
import { api } from './api.js';
import { $, onSubmit, showStatus } from './dom.js';
import { waitsForAnswer } from './model.js';

const MINUTE_MS = 60_000;

// A target as the dialog's field shows it, and back: empty is none.
const asField = (minutes) => (minutes == null ? '' : String(minutes));
const fromField = (text) => (text.trim() === '' ? null : Number(text));

export class ReplyTargets {
  constructor({ me, onChange }) {
    this.me = me;
    this.onChange = onChange;  // the lists and the open chat show lateness anew
    this.policy = { first_reply_minutes: null, next_reply_minutes: null };
    this.dialog = $('sla-dialog');
    $('sla').addEventListener('click', () => this.open());
    $('sla-close').addEventListener('click', () => this.dialog.close());
    onSubmit($('sla-form'), () => this.save());
  }

  async load() { this.set(await api.get('/sla')); }

  set(policy) {
    this.policy = policy;
    // One who only reads them sees a change at once; an admin's typing stays.
    if (this.dialog.open && this.me.role !== 'admin') this.fill();
    this.onChange();
  }

  // The minutes the chat's user may wait now, or null for no target: the
  // first reply's until an agent answered in the chat, the next one's after.
  targetOf(c) { return c.first_reply_at ? this.policy.next_reply_minutes : this.policy.first_reply_minutes; }

  // How long the chat's user has waited past their target, in ms (0: not late).
  overdueMs(c, now = Date.now()) {
    const target = this.targetOf(c);
    if (!waitsForAnswer(c) || target == null) return 0;
    return Math.max(0, now - Date.parse(c.waiting_since) - target * MINUTE_MS);
  }

  fill() {
    $('sla-first').value = asField(this.policy.first_reply_minutes);
    $('sla-next').value = asField(this.policy.next_reply_minutes);
  }

  open() {
    const admin = this.me.role === 'admin';
    this.fill();
    for (const id of ['sla-first', 'sla-next']) $(id).disabled = !admin;
    $('sla-save').hidden = !admin;
    $('sla-form').querySelector('.error').textContent = '';
    showStatus($('sla-status'), admin ? '' : 'Only an admin changes them.');
    this.dialog.showModal();
  }

  // A refusal shows in the form's error line (onSubmit).
  async save() {
    showStatus($('sla-status'), '');
    this.set(await api.put('/sla', {
      first_reply_minutes: fromField($('sla-first').value),
      next_reply_minutes: fromField($('sla-next').value),
    }));
    showStatus($('sla-status'), 'Saved.');
  }
}
