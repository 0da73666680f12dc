// The team's reply-time targets (GET /sla), as Chatwoot's and Intercom's
// SLAs: how long a user may wait for an agent's first answer in a chat, and
// for each answer after it, and how long a chat may stay open (resolution),
// on the wall clock or only within business hours. A chat whose user waited
// past its target is late in every console, one open past the resolution
// target overdue; an admin changes the targets in the SLA dialog, and every
// console hears of it (sla.updated). A team may set its own (the Teams
// dialog), which hold the chats filed under it, the standard ones filling
// in what it leaves unset.
import { api, loadUnlessOvertaken, sameAsHeld } from './api.js';
import { $, onSubmit, showStatus } from './dom.js';
import { waitsForAnswer } from './model.js';

const MINUTE_MS = 60_000;

// A target as the dialog's field shows it, and back: empty is none.
const asField = (minutes) => (minutes == null ? '' : String(minutes));
const fromField = (text) => (text.trim() === '' ? null : Number(text));

// A missed target, as chat.sla_missed names it, in words: "its first-reply target".
export const TARGET_WORDS = { first_reply: 'first-reply', next_reply: 'next-reply', resolution: 'resolution' };

export class ReplyTargets {
  // `hours`: the top bar's BusinessHours, whose clock counts a target only
  // during business hours; `teams`: the roster, with each team's own targets.
  constructor({ me, hours, teams, onChange }) {
    this.me = me;
    this.hours = hours;
    this.teams = teams;
    teams.onChange(() => this.hoursChanged());
    this.onChange = onChange;  // the lists and the open chat show lateness anew
    this.changes = 0;  // one more at each set: a load that crossed one is dropped
    this.policy = { first_reply_minutes: null, next_reply_minutes: null, resolution_minutes: null,
      only_during_business_hours: false };
    this.dues = new Map();  // a due time on the team's clock, by its start and target
    this.byTeam = null;     // team → its own targets over the standard ones, made when first asked
    this.dialog = $('sla-dialog');
    $('sla').addEventListener('click', () => this.open());
    $('sla-close').addEventListener('click', () => this.dialog.close());
    onSubmit($('sla-form'), () => this.save());
  }

  // An answer that crossed an sla.updated on the way is older than it: dropped.
  load() { return loadUnlessOvertaken('/sla', () => this.changes, (policy) => this.set(policy)); }

  set(policy) {
    this.changes += 1;
    if (sameAsHeld(this.policy, policy)) return;
    this.policy = policy;
    // One who only reads them sees a change at once; an admin's typing stays.
    if (this.dialog.open && this.me.role !== 'admin') this.fill();
    this.hoursChanged();
  }

  // The hours, the targets or the teams changed.
  hoursChanged() {
    this.dues.clear();
    this.byTeam = null;
    this.onChange();
  }

  // Whether the team's open time counts rather than every minute: as the
  // server, only where hours are set.
  countsHours() { return Boolean(this.policy.only_during_business_hours && this.hours.clock); }

  // The targets the chat is held to: its team's own, where it sets them,
  // else the standard ones, as the server holds it. Worked out once a team:
  // each redraw asks for every row held, several times.
  targetsFor(c) {
    if (!this.byTeam) {
      const pick = (own, key) => (own[key] === false ? null : own[key] ?? this.policy[key]);  // false: none for the team
      this.byTeam = new Map(this.teams.teams.filter((t) => t.sla).map((t) => [t.name, {
        first_reply_minutes: pick(t.sla, 'first_reply_minutes'), next_reply_minutes: pick(t.sla, 'next_reply_minutes'),
        resolution_minutes: pick(t.sla, 'resolution_minutes') }]));
    }
    return (c.team && this.byTeam.get(c.team)) || this.policy;
  }

  // The minutes the chat's user may wait now, or null for no target: the
  // first reply's until an agent answered in the chat, the next one's after.
  targetOf(c) {
    const t = this.targetsFor(c);
    return c.first_reply_at ? t.next_reply_minutes : t.first_reply_minutes;
  }

  // A target in words, as the chat's header says it.
  minutesText(minutes) { return `${minutes} min${this.countsHours() ? ' of business hours' : ''}`; }
  targetText(c) { return this.minutesText(this.targetOf(c)); }
  resolutionText(c) { return this.minutesText(this.targetsFor(c).resolution_minutes); }

  // When `minutes` of the target's clock have passed since `since` (ms).
  dueAfter(since, minutes) {
    if (!this.countsHours()) return since + minutes * MINUTE_MS;
    // Worked out once a wait: the list asks for every row at each redraw.
    const key = `${since} ${minutes}`;
    let due = this.dues.get(key);
    if (due === undefined) {
      if (this.dues.size >= 10_000) this.dues.clear();
      due = this.hours.clock.after(since, minutes * MINUTE_MS);
      this.dues.set(key, due);
    }
    return due;
  }

  // When the chat's user waits past their target (ms since the epoch), or
  // null when no target applies.
  dueMs(c) {
    const target = this.targetOf(c);
    if (!waitsForAnswer(c) || target == null) return null;
    return this.dueAfter(Date.parse(c.waiting_since), target);
  }

  // How long the chat's user has waited past their target, in ms (0: not late).
  overdueMs(c, now = Date.now()) {
    const due = this.dueMs(c);
    return due == null ? 0 : Math.max(0, now - due);
  }

  // Whether the chat has been open past the resolution target: live or
  // queued, snoozed too (it is not resolved).
  pastResolution(c, now = Date.now()) {
    const due = this.resolutionDueMs(c);
    return due != null && now >= due;
  }

  // When the chat is open past the resolution target (ms since the epoch),
  // or null when none applies.
  resolutionDueMs(c) {
    const target = this.targetsFor(c).resolution_minutes;
    return target == null || !c.chat_start_time ? null : this.dueAfter(Date.parse(c.chat_start_time), target);
  }

  // The next moment after `now` when the chat crosses a line, waiting past
  // its target or open past the resolution target (ms), or null for none.
  nextLineAfter(c, now) {
    const ahead = [this.dueMs(c), this.resolutionDueMs(c)].filter((t) => t != null && t > now);
    return ahead.length ? Math.min(...ahead) : null;
  }

  fill() {
    $('sla-first').value = asField(this.policy.first_reply_minutes);
    $('sla-next').value = asField(this.policy.next_reply_minutes);
    $('sla-resolution').value = asField(this.policy.resolution_minutes);
    $('sla-business-hours').checked = Boolean(this.policy.only_during_business_hours);
    // Offered where hours are set, and shown wherever it is kept on.
    $('sla-hours-option').hidden = !this.hours.configured && !this.policy.only_during_business_hours;
  }

  open() {
    const admin = this.me.role === 'admin';
    this.fill();
    for (const id of ['sla-first', 'sla-next', 'sla-resolution', 'sla-business-hours']) $(id).disabled = !admin;
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
      resolution_minutes: fromField($('sla-resolution').value),
      only_during_business_hours: $('sla-business-hours').checked,
    }));
    showStatus($('sla-status'), 'Saved.');
  }
}
