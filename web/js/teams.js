// Teams, as Chatwoot's (GET /teams): groups of agents a conversation is
// filed under, so that automatic routing offers its chats to them alone.
// The roster fills every team picker (the chat's header, the list's filter,
// the bulk bar, a macro's action) and follows each change (teams.updated);
// the Teams dialog lists the teams, and admins write them there, with a
// team's own reply-time targets if it has them (sla.js holds its chats to them).
import { api, enc, loadUnlessOvertaken, sameAsHeld } from './api.js';
import { $, h } from './dom.js';
import { SharedListDialog } from './shared_list.js';

export class TeamRoster {
  constructor() {
    this.teams = [];
    this.changes = 0;
    this.listeners = [];
  }

  // An answer that crossed a teams.updated on the way is older than it: dropped.
  load() { return loadUnlessOvertaken('/teams', () => this.changes, ({ teams }) => this.set(teams)); }

  set(teams) {
    this.changes += 1;
    if (sameAsHeld(this.teams, teams)) return;
    this.teams = teams;
    for (const listener of this.listeners) listener();
  }

  onChange(listener) { this.listeners.push(listener); }

  names() { return this.teams.map((t) => t.name); }

  // Whether a chat under `team` (null: none) is one for `username` to
  // hear of: every chat under none, a team's for its members, and one
  // under a team not known here for everyone.
  mayAnswer(team, username) {
    const known = team && this.teams.find((t) => t.name === team);
    return !known || known.members.includes(username);
  }

  // `select`'s options: `first` ([{ value, text }]), then each team; `keep`
  // offered too though no team has that name now (a chat's, since
  // deleted). Its choice stays if it is still offered. Options already as
  // wanted are left alone: the chat's header asks at every redraw, and a
  // list rebuilt under an agent's pointer closes it.
  fill(select, first, keep = null) {
    const names = this.names();
    if (keep && !names.includes(keep)) names.push(keep);
    const wanted = [...first, ...names.map((n) => ({ value: n, text: n }))];
    const same = select.options.length === wanted.length
      && wanted.every((o, i) => select.options[i].value === o.value && select.options[i].text === o.text);
    if (same) return;
    const was = select.value;
    select.replaceChildren(...wanted.map((o) => h('option', o)));
    select.value = wanted.some((o) => o.value === was) ? was : first[0]?.value ?? '';
  }
}

const TARGET_KEYS = ['first_reply_minutes', 'next_reply_minutes', 'resolution_minutes'];

// A team's own targets in words: "Targets: first reply 5 min, resolved
// none" (false: none of that kind for the team, whatever the standard's).
function targetsText(sla) {
  const words = { first_reply_minutes: 'first reply', next_reply_minutes: 'each reply after', resolution_minutes: 'resolved' };
  const text = (k) => `${words[k]} ${sla[k] === false ? 'none' : `${sla[k]} min`}`;
  return `Targets: ${TARGET_KEYS.filter((k) => sla[k] != null).map(text).join(', ')}`;
}

// A target's minutes, off when its "none" box is ticked.
function showTargetNone(f, key) {
  f[key].disabled = f[`${key}_none`].checked;
  if (f[key].disabled) f[key].value = '';
}

// The Teams dialog. `editing`: the name of the team the form edits.
export class TeamsPanel extends SharedListDialog {
  constructor({ me, roster }) {
    super(me, { button: 'teams', template: 'teams-template', dialog: 'teams-dialog', form: 'teams-form',
      cancel: 'teams-cancel', status: 'teams-status' });
    this.roster = roster;
    this.agents = [];
    // Another admin's change shows at once; the form being typed in stays.
    roster.onChange(() => { if ($('teams-dialog')?.open) this.render(); });
  }

  setUp() {
    const f = $('teams-form').elements;
    for (const key of TARGET_KEYS) f[`${key}_none`].addEventListener('change', () => showTargetNone(f, key));
  }

  async reload() {
    const [{ agents }] = await Promise.all([api.get('/agents'), this.roster.load()]);
    this.agents = agents;
    this.render();
    if (!this.editing) this.fillMembers([]);
  }

  nameOf(username) { return this.agents.find((a) => a.username === username)?.display_name ?? username; }

  render() {
    const teams = this.roster.teams;
    $('teams-empty').hidden = teams.length > 0;
    $('teams-list').replaceChildren(...teams.map((t) => h('li', { 'data-team': t.name },
      this.itemHead(h('strong', { text: t.name }), t.name, t),
      t.description ? h('p', { class: 'reply-text', text: t.description }) : null,
      h('p', { class: 'muted team-members', text: t.members.length ? t.members.map((m) => this.nameOf(m)).join(', ') : 'No members yet' }),
      t.sla ? h('p', { class: 'muted team-targets', text: targetsText(t.sla) }) : null)));
  }

  // A box for each agent who can be a member: the active ones, and any
  // member since deactivated (kept, as the server keeps them).
  fillMembers(members) {
    const offered = this.agents.filter((a) => a.active !== false || members.includes(a.username));
    $('teams-members').replaceChildren(...offered.map((a) => h('label', { class: 'inline' },
      h('input', { type: 'checkbox', name: 'member', value: a.username, checked: members.includes(a.username) }),
      ` ${a.display_name} (@${a.username})`)));
  }

  edit(team) {
    this.editing = team ? team.name : null;
    const f = $('teams-form').elements;
    f.name.value = team ? team.name : '';
    f.name.readOnly = Boolean(team);  // a team is its name: another name is another team
    f.description.value = team ? team.description : '';
    for (const key of TARGET_KEYS) {
      const own = team?.sla?.[key];
      f[`${key}_none`].checked = own === false;
      f[key].value = own || '';
      showTargetNone(f, key);
    }
    this.fillMembers(team ? team.members : []);
    $('teams-form-title').textContent = team ? `Edit ${team.name}` : 'Add a team';
    $('teams-save').textContent = team ? 'Save changes' : 'Add team';
    $('teams-cancel').hidden = !team;
    $('teams-form').querySelector('.error').textContent = '';
  }

  async save() {
    const f = $('teams-form').elements;
    const members = [...$('teams-members').querySelectorAll('input:checked')].map((box) => box.value);
    // The name as typed: the server keeps it as a label is ("Billing team" is billing-team).
    // Put whole: the targets as the form has them, none when all are blank.
    // false: none for this team.
    const sla = Object.fromEntries(TARGET_KEYS.filter((key) => f[`${key}_none`].checked || f[key].value.trim() !== '')
      .map((key) => [key, f[`${key}_none`].checked ? false : Number(f[key].value)]));
    const saved = await api.put(`/teams/${enc(f.name.value.trim() || ' ')}`, { description: f.description.value.trim(), members,
      sla: Object.keys(sla).length ? sla : null });
    this.edit(null);
    await this.reload();
    this.say(`${saved.name} is saved.`);  // once the list shows it
  }

  remove(team) { return this.removeAt(`/teams/${enc(team.name)}`, team.name, team.name); }
}
