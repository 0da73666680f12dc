// Bulk actions, as Chatwoot's: Select puts the list in select mode, where a
// click picks a row (Shift+click a range; Escape leaves); the bar then acts
// on those picked at once (assign, priority, team, snooze, label, a private note,
// mark read, return to the queue, end, a macro; an admin's delete) through POST /conversations/bulk,
// which commands each under its own rules. What the server refused stays
// picked, each with its reason.
import { api } from './api.js';
import { $, h, plural, showStatus } from './dom.js';
import { confirmErasure } from './erasure.js';
import { userName } from './model.js';
import { loadMacros } from './macros.js';
import { fillPriorities } from './priority.js';
import { snoozeChoices, untilBody } from './snooze.js';


export class BulkActions {
  // `teams`: the team roster (teams.js), which the bar's team picker offers.
  constructor({ list, me, onChange, teams }) {
    this.list = list;
    this.me = me;
    this.onChange = onChange;  // a conversation as the server left it
    this.busy = false;
    $('select-mode').addEventListener('click', () => this.setSelecting(!list.selecting));
    // Escape in the list or the bar leaves select mode (an open menu of the
    // bar's takes its Escape first and keeps it: menus.js).
    for (const el of [list.el, $('bulk-bar')])
      el.addEventListener('keydown', (e) => {
        if (e.key !== 'Escape' || !list.selecting) return;
        e.preventDefault();
        this.setSelecting(false);
        $('select-mode').focus();
      });
    $('bulk-all').addEventListener('click', () => list.selectShown());
    $('bulk-none').addEventListener('click', () => list.selectShown(false));
    const assign = $('bulk-assign');
    assign.addEventListener('change', () => {
      if (assign.value) this.run('assign', { to: assign.value }, `Assigned to ${assign.value}`);
      assign.value = '';
    });
    const priority = $('bulk-priority');
    fillPriorities(priority, { value: '', text: 'Priority…' });
    priority.append(h('option', { value: 'none', text: 'None' }));
    priority.addEventListener('change', () => {
      if (priority.value) this.run('priority', { priority: priority.value }, 'Marked');
      priority.value = '';
    });
    const team = $('bulk-team');
    const fillTeams = () => {
      teams.fill(team, [{ value: '', text: 'Team…' }, { value: 'none', text: 'No team' }]);
      team.hidden = teams.teams.length === 0;
    };
    teams.onChange(fillTeams);
    fillTeams();
    team.addEventListener('change', () => {
      if (team.value === 'none') this.run('team', { team: null }, 'Taken out of their teams');
      else if (team.value) this.run('team', { team: team.value }, `Filed under ${team.value}`);
      team.value = '';
    });
    const snooze = $('bulk-snooze');
    snooze.addEventListener('focus', () => this.fillSnooze());
    snooze.addEventListener('change', () => {
      const until = this.snoozeTimes?.[Number(snooze.value)];
      if (until) this.run('snooze', { until: untilBody(until) }, 'Snoozed');
      snooze.value = '';
    });
    this.fillSnooze();
    const macro = $('bulk-macro');
    macro.addEventListener('change', () => {
      const picked = macro.selectedOptions[0];
      if (macro.value) this.run('macro', { macro: macro.value }, `Ran ${picked.textContent}`);
      macro.value = '';
    });
    $('bulk-label-menu').addEventListener('toggle', () => {
      $('bulk-labels').replaceChildren(...list.knownLabels().map((l) => h('option', { value: l })));
    });
    // A menu's typed value, given as `field` to `action`: nothing when blank.
    const typedIn = (menu, input, action, field, done) => () => {
      const typed = $(input).value.trim();
      if (!typed) return;
      $(menu).open = false;
      $(input).value = '';
      this.run(action, { [field]: typed }, done);
    };
    $('bulk-label-add').addEventListener('click', typedIn('bulk-label-menu', 'bulk-label', 'label', 'label', 'Labelled'));
    $('bulk-label-remove').addEventListener('click', typedIn('bulk-label-menu', 'bulk-label', 'unlabel', 'label', 'Label taken off'));
    $('bulk-note-add').addEventListener('click', typedIn('bulk-note-menu', 'bulk-note', 'note', 'text', 'Noted'));
    $('bulk-read').addEventListener('click', () => this.run('read', {}, 'Marked read'));
    $('bulk-follow').addEventListener('click', () => this.run('follow', {}, 'Followed'));
    $('bulk-mute').addEventListener('click', () => this.run('mute', {}, 'Muted'));
    $('bulk-return').addEventListener('click', () => this.run('return', {}, 'Returned to the queue'));
    $('bulk-end').addEventListener('click', () => { $('bulk-end-message').value = ''; $('bulk-end-dialog').showModal(); });
    $('bulk-end-dialog').addEventListener('close', () => {
      if ($('bulk-end-dialog').returnValue !== 'end') return;
      const message = $('bulk-end-message').value.trim();
      this.run('end', message ? { message } : {}, 'Ended');
    });
    // The conversation.deleted of each takes its row out of the list.
    $('bulk-delete').hidden = me.role !== 'admin';
    $('bulk-delete').addEventListener('click', async () => {
      if (await confirmErasure(list.selected.size, 'conversation')) this.run('delete', {}, 'Deleted');
    });
  }

  async setSelecting(on) {
    $('select-mode').setAttribute('aria-pressed', String(on));
    $('select-mode').textContent = on ? 'Done selecting' : 'Select';
    $('bulk-bar').hidden = !on;
    this.clearOutcome();
    this.list.setSelecting(on);
    if (on) await Promise.all([this.fillAgents(), this.fillMacros()]);
  }

  // The list rendered: the count and what can be done with it.
  update() {
    if (!this.list.selecting) return;
    const n = this.list.selected.size;
    $('bulk-count').textContent = `${n} selected`;
    for (const el of $('bulk-bar').querySelectorAll('.bulk-actions select, .bulk-actions button'))
      el.toggleAttribute('disabled', n === 0 || this.busy);
  }

  // Who a chat can be given to: the caller first, then the other active agents.
  async fillAgents() {
    const { agents } = await api.get('/agents');
    const active = agents.filter((a) => a.active !== false);
    active.sort((a, b) => (b.username === this.me.username) - (a.username === this.me.username));
    $('bulk-assign').replaceChildren(h('option', { value: '', text: 'Assign to…' }),
      ...active.map((a) => h('option', { value: a.username,
        text: a.username === this.me.username ? 'Me' : `${a.display_name} (${a.username})${a.online ? ' — online' : ''}` })));
  }

  async fillMacros() {
    const macros = await loadMacros();
    $('bulk-macro').replaceChildren(h('option', { value: '', text: 'Run macro…' }),
      ...macros.map((m) => h('option', { value: m.id, text: m.name })));
    $('bulk-macro').hidden = macros.length === 0;
  }

  // The snooze choices from now, in the agent's own time.
  fillSnooze() {
    const choices = snoozeChoices();
    this.snoozeTimes = choices.map((c) => c.until);
    $('bulk-snooze').replaceChildren(h('option', { value: '', text: 'Snooze…' }),
      ...choices.map((c, i) => h('option', { value: String(i), text: c.label })));
  }

  clearOutcome() {
    showStatus($('bulk-status'), '');
    $('bulk-refused').replaceChildren();
  }

  async run(action, fields, done) {
    const phones = [...this.list.selected];
    if (!phones.length || this.busy) return;
    this.busy = true;
    this.clearOutcome();
    this.update();
    try {
      const { results, succeeded } = await api.post('/conversations/bulk', { action, phones, ...fields });
      const refused = results.filter((r) => r.status !== 200);
      for (const r of results) if (r.conversation) this.onChange(r.conversation);
      showStatus($('bulk-status'), `${done}: ${succeeded} of ${plural(phones.length, 'conversation')}.`
        + (refused.length ? ` ${refused.length} refused:` : ''), refused.length > 0);
      $('bulk-refused').replaceChildren(...refused.map((r) => {
        const c = this.list.rows.get(r.phone);
        return h('li', { text: `${c ? userName(c) : r.phone}: ${r.error.message}` });
      }));
      this.list.select(refused.map((r) => r.phone));  // what was done is let go
    } catch (e) {
      showStatus($('bulk-status'), `Not done: ${e.message}`, true);
    } finally {
      this.busy = false;
      this.update();
    }
  }
}
