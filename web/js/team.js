// The Team dialog: who is on the team, online and available, and how many
// chats each holds. Admins add agents (or invite them by e-mail) and set
// roles, capacity and other agents' passwords; everyone sets their own availability, capacity, name,
// signature, e-mail address and password, their two-factor authentication
// (two_factor.js), and makes and revokes their own API tokens; admins turn
// off another agent's two-factor authentication. What it shows is what the
// server answered.
import { api, enc, ReadsAcrossEvents } from './api.js';
import { $, dialogFromTemplate, h, onSubmit, showStatus } from './dom.js';
import { TwoFactorSection } from './two_factor.js';

export class TeamPanel {
  constructor({ me, onMe }) {
    this.me = me;
    this.onMe = onMe;  // the signed-in agent's own record changed
    this.agents = new Map();  // username → agent, as GET /agents has it
    this.reads = new ReadsAcrossEvents();  // a colleague who logs in as the dialog opens shows online
    $('team').addEventListener('click', () => this.open());
    // One's own name in the top bar opens the dialog at one's own account,
    // as an avatar opens Chatwoot's profile settings.
    $('me').addEventListener('click', async () => {
      await this.open();
      $('name-form').elements.display_name.focus();
    });
  }

  dialog() {
    return dialogFromTemplate('team-template', 'team-dialog', () => {
      onSubmit($('agent-form'), (form) => this.add(form));
      onSubmit($('name-form'), (form) => this.rename(form));
      onSubmit($('signature-form'), (form) => this.sign(form));
      onSubmit($('email-form'), (form) => this.setEmail(form));
      onSubmit($('password-form'), (form) => this.changePassword(form));
      onSubmit($('token-form'), (form) => this.makeToken(form));
      this.twoFactor = new TwoFactorSection({ slot: $('team-dialog').querySelector('.two-factor-slot'),
        onMe: (agent) => this.ownChanged(agent), say: (text) => this.say(text) });
      $('require-two-factor').addEventListener('change', (e) => this.requireTwoFactor(e.target));
    });
  }

  // The agent's own record, changed in this dialog: their row says so too.
  ownChanged(agent) {
    this.onMe(agent);
    const a = this.agents.get(agent.username);
    if (a) this.agents.set(agent.username, { ...a, ...agent });
    this.render();
  }

  isAdmin() { return this.me.role === 'admin'; }

  async open() {
    const dialog = this.dialog();
    this.say('');
    $('name-form').elements.display_name.value = this.me.display_name;
    $('signature-form').elements.signature.value = this.me.signature ?? '';
    $('email-form').elements.email.value = this.me.email ?? '';
    $('token-made').hidden = true;  // a token is shown once, in the dialog it was made in
    $('token-value').value = '';
    await this.readMe();  // first: the rows offer an admin each agent's address then
    await Promise.all([this.reload(), this.reloadTokens()]);
    if (!dialog.open) dialog.showModal();
  }

  async reload() {
    await this.reads.read(() => api.get('/agents'), ({ agents }) => {
      this.agents = new Map(agents.map((a) => [a.username, a]));
    });
    this.render();
  }

  // agent.presence: online and offline, and availability set anywhere.
  // The agent's row shows it in place: another row being edited (a
  // password typed, a capacity) is left as it is.
  presence({ agent, online, available }) {
    this.reads.change(() => {
      const a = this.agents.get(agent);
      if (!a) return;
      a.online = online;
      if (available !== undefined) a.available = available;
    });
    const a = this.agents.get(agent);
    if (a && $('team-dialog')?.open) this.showPresence(a);
  }

  showPresence(a) {
    const row = [...$('team-rows').children].find((tr) => tr.dataset.username === a.username);
    const shown = row?.querySelector('.presence');
    if (!shown) return;  // not listed yet, or deactivated
    shown.replaceWith(presenceBadge(a));
    // The checkbox set in place: one drawn anew under a press loses its click.
    const available = row.querySelector('.available');
    const box = available.querySelector('input');
    if (box) box.checked = a.available;
    else available.textContent = availableWord(a);
  }

  render() {
    $('agent-form').hidden = !this.isAdmin();
    $('team-rows').replaceChildren(...[...this.agents.values()].map((a) => this.row(a)));
  }

  row(a) {
    const self = a.username === this.me.username;
    const mayEdit = this.isAdmin() || self;
    const name = a.display_name;
    const role = this.isAdmin()
      ? h('select', { 'aria-label': `Role of ${name}`, onchange: (e) => this.patch(a, { role: e.target.value }, `${name} is now ${e.target.value}.`) },
        ['agent', 'admin'].map((r) => h('option', { value: r, selected: r === a.role }, r)))
      : a.role;
    const available = mayEdit
      ? h('input', { type: 'checkbox', checked: a.available, 'aria-label': `${name} available`,
        onchange: (e) => this.patch(a, { available: e.target.checked }, `${name} is ${e.target.checked ? 'available' : 'away'}.`) })
      : availableWord(a);
    const most = mayEdit
      ? h('input', { type: 'number', min: 1, max: 100, value: a.max_chats, class: 'max-chats', 'aria-label': `Most chats for ${name}`,
        onchange: (e) => this.patch(a, { max_chats: Number(e.target.value) }, `${name} takes at most ${e.target.value} chats.`) })
      : String(a.max_chats);
    if (a.active === false) return this.inactiveRow(a);
    return h('tr', { 'data-username': a.username },
      h('th', { scope: 'row' }, h('span', { class: 'name', text: name }), ' ',
        h('span', { class: 'muted', text: `@${a.username}${self ? ' (you)' : ''}` }),
        a.two_factor ? [' ', h('span', { class: 'badge two-factor', title: 'Two-factor authentication is on', text: '🔐 2FA' })] : null,
        a.invited ? [' ', h('span', { class: 'badge invited', title: 'Invited by e-mail: has not chosen a password yet', text: '✉ Invited' })] : null),
      h('td', {}, role),
      h('td', {}, presenceBadge(a)),
      h('td', { class: 'available' }, available),
      h('td', { class: 'chats' }, `${a.open_chats ?? 0} / `, most),
      h('td', {}, this.isAdmin() && !self ? h('div', { class: 'admin-actions' },
        this.passwordReset(a),
        this.mailOffered ? this.emailSet(a) : null,
        a.invited && this.mailOffered ? h('button', { type: 'button', class: 'link', text: 'Invite again',
          'aria-label': `Send ${name} the invitation again`, onclick: () => this.inviteAgain(a) }) : null,
        a.two_factor ? h('button', { type: 'button', class: 'link danger', text: 'Turn off 2FA',
          'aria-label': `Turn off two-factor authentication for ${name}`,
          onclick: () => this.patch(a, { two_factor: false }, `${name}'s two-factor authentication is off: their password alone logs them in.`) }) : null,
        h('button', { type: 'button', class: 'link danger', text: 'Deactivate', 'aria-label': `Deactivate ${name}`,
          onclick: () => this.patch(a, { active: false }, `${name} is deactivated: logged out, and cannot log in.`) })) : null));
  }

  // Someone who left: kept for the history that names them, and no more.
  inactiveRow(a) {
    const name = a.display_name;
    return h('tr', { 'data-username': a.username, class: 'inactive' },
      h('th', { scope: 'row' }, h('span', { class: 'name', text: name }), ' ', h('span', { class: 'muted', text: `@${a.username}` })),
      h('td', { text: a.role }),
      h('td', { colspan: 3, class: 'muted', text: `Deactivated${a.open_chats ? ` · still holds ${a.open_chats} chat${a.open_chats === 1 ? '' : 's'}` : ''}` }),
      h('td', {}, this.isAdmin() ? h('button', { type: 'button', class: 'link', text: 'Reactivate', 'aria-label': `Reactivate ${name}`,
        onclick: () => this.patch(a, { active: true }, `${name} can log in again.`) }) : null));
  }

  // An admin's reset of another agent's password; their sessions end.
  passwordReset(a) {
    const form = h('form', { class: 'reset', novalidate: true },
      h('input', { type: 'password', name: 'password', autocomplete: 'new-password', 'aria-label': `New password for ${a.display_name}` }),
      h('button', { type: 'submit', text: 'Set' }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      await this.patch(a, { password: form.elements.password.value },
        `${a.display_name}'s password is set; their sessions have ended.`);
    });
    return h('details', {}, h('summary', { text: 'Set password' }), form);
  }

  // An admin's setting of another agent's e-mail address, where the server sends e-mail.
  emailSet(a) {
    const form = h('form', { class: 'reset', novalidate: true },
      h('input', { type: 'email', name: 'email', value: a.email ?? '', maxlength: 254, autocomplete: 'off',
        'aria-label': `E-mail of ${a.display_name}` }),
      h('button', { type: 'submit', text: 'Set' }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const email = form.elements.email.value.trim();
      await this.patch(a, { email }, email ? `${a.display_name}'s notifications go to ${email} while they are away.`
        : `${a.display_name} gets no e-mail now.`);
    });
    return h('details', {}, h('summary', { text: 'E-mail' }), form);
  }

  patch(a, body, done) { return this.change(a, () => api.patch(`/agents/${enc(a.username)}`, body), done); }

  // `request` changes the agent `a` and answers them as they are now: their
  // row shows that, and the dialog says `done`, or why it was refused.
  async change(a, request, done) {
    try {
      const updated = await request();
      this.agents.set(a.username, { ...a, ...updated });
      if (a.username === this.me.username) this.onMe(updated);
      this.say(done);
    } catch (err) {
      this.say(err.message, true);
    }
    this.render();  // as the server has it, refused or not
  }

  // With a password, they log in with it; without, where the server sends
  // e-mail, the address gets an invitation to choose one.
  async add(form) {
    const f = form.elements;
    const created = await api.post('/agents', {
      username: f.username.value.trim(), display_name: f.display_name.value.trim(),
      role: f.role.value, password: f.password.value, email: f.email.value.trim(),
    });
    form.reset();
    await this.reload();
    this.say(created.invited
      ? `${created.display_name} is invited: a link to choose their password is on its way to ${created.email}. They log in as ${created.username}.`
      : `${created.display_name} is on the team. They log in as ${created.username}.`);
  }

  // A new invitation; the link of the last one stops working.
  inviteAgain(a) {
    return this.change(a, () => api.post(`/agents/${enc(a.username)}/invitation`),
      `A new invitation is on its way to ${a.email}; the last one's link no longer works.`);
  }

  async rename(form) {
    const updated = await api.patch(`/agents/${enc(this.me.username)}`, { display_name: form.elements.display_name.value.trim() });
    this.onMe(updated);
    await this.reload();
    this.say('Your name is saved.');
  }

  async sign(form) {
    const updated = await api.patch(`/agents/${enc(this.me.username)}`, { signature: form.elements.signature.value });
    this.onMe(updated);
    form.elements.signature.value = updated.signature;
    this.say(updated.signature ? 'Your signature is saved.' : 'Your signature is removed.');
  }

  // The address field, where the server e-mails agents who are away.
  // And the agent's two-factor authentication, with their recovery codes'
  // count, which only /me has, and whether the team requires it.
  async readMe() {
    const { email_notifications: offered, agent, team_requires_two_factor: required } = await api.get('/me');
    this.mailOffered = offered;
    $('email-form').hidden = !offered;
    $('agent-form-hint').hidden = !offered;
    this.twoFactor.show(agent);
    this.securityChanged({ require_two_factor: required });
  }

  // security.updated, or as /me has it: the admins' switch.
  securityChanged({ require_two_factor: required }) {
    if (!$('require-two-factor')) return;  // the dialog not made yet: read when it opens
    $('require-two-factor-row').hidden = !this.isAdmin();
    $('require-two-factor').checked = required;
  }

  async requireTwoFactor(box) {
    try {
      const { require_two_factor: required } = await api.put('/settings/security', { require_two_factor: box.checked });
      this.say(required ? 'Everyone now needs two-factor authentication: those without it set it up at their next step.'
        : 'Two-factor authentication is no longer required.');
    } catch (err) {
      box.checked = !box.checked;
      this.say(err.message, true);
    }
  }

  async setEmail(form) {
    const f = form.elements;
    const email = f.email.value.trim();
    const body = { email };
    if (email.toLowerCase() !== (this.me.email ?? '').toLowerCase()) {
      if (!f.current_password.value) throw new Error('Type your current password to change your e-mail address.');
      body.current_password = f.current_password.value;
    }
    const updated = await api.patch(`/agents/${enc(this.me.username)}`, body);
    this.onMe(updated);
    f.email.value = updated.email;
    f.current_password.value = '';
    this.say(updated.email ? `Your notifications go to ${updated.email} while you are away.` : 'You get no e-mail now.');
  }

  async changePassword(form) {
    const f = form.elements;
    const { ended_sessions: ended } = await api.post('/auth/password', {
      current_password: f.current_password.value, new_password: f.new_password.value,
    });
    form.reset();
    this.say(`Your password is changed.${ended ? ` ${ended} other session${ended === 1 ? '' : 's'} logged out.` : ''}`);
  }

  async reloadTokens() {
    const { tokens } = await api.get('/auth/tokens');
    $('token-list').replaceChildren(...tokens.map((t) => h('li', { 'data-token': t.id },
      h('span', { class: 'name', text: t.name }),
      h('span', { class: 'muted', text: `made ${new Date(t.created_at).toLocaleDateString()}` }),
      h('button', { type: 'button', class: 'link danger', text: 'Revoke', 'aria-label': `Revoke ${t.name}`,
        onclick: () => this.revokeToken(t) }))));
  }

  async makeToken(form) {
    const made = await api.post('/auth/tokens', { name: form.elements.name.value.trim() });
    form.reset();
    $('token-made-name').textContent = made.name;
    $('token-value').value = made.token;
    $('token-made').hidden = false;
    $('token-value').select();
    await this.reloadTokens();
  }

  async revokeToken(t) {
    try {
      await api.del(`/auth/tokens/${enc(t.id)}`);
      this.say(`${t.name} is revoked: it no longer works.`);
    } catch (err) {
      this.say(err.message, true);
    }
    await this.reloadTokens();
  }

  say(text, isError = false) { showStatus($('team-status'), text, isError); }
}

// Whether an agent has a console open, as their row shows it.
function presenceBadge(a) {
  return h('span', { class: `presence ${a.online ? 'online' : 'offline'}`, text: a.online ? '● Online' : '○ Offline' });
}

// Whether routing may give them chats, to one who may not change it.
function availableWord(a) { return a.available ? 'yes' : 'away'; }
