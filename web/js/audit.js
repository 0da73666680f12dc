// The Audit log dialog (admins): who changed the team's accounts and
// settings, and every login, newest first (GET /audit-log), a page at a
// time with "Older".
import { api, enc } from './api.js';
import { $, clockTime, dayLabel, dialogFromTemplate, h } from './dom.js';

// An entry's action in words; `t` its target, `d` its details.
const WORDS = {
  'session.login': () => 'logged in',
  'session.login_failed': () => 'failed to log in',
  'session.logout': () => 'logged out',
  'agent.created': (t) => `added agent ${t}`,
  'agent.updated': (t) => `changed agent ${t}`,
  'agent.password_changed': () => 'changed their password',
  'agent.invited': (t, d) => `invited ${t} by e-mail${d.email ? ` (${d.email})` : ''}`,
  'agent.invitation_accepted': () => 'chose their password from an invitation',
  'agent.password_mail_asked': (t, d) => (d.mailed ? 'was e-mailed a link to choose a new password'
    : 'was asked for by "Forgot your password?": no mail went (no such active agent with an address)'),
  'agent.password_reset': () => 'chose a new password from a mailed link',
  'agent.two_factor_enabled': () => 'turned on two-factor authentication',
  'agent.two_factor_disabled': () => 'turned off two-factor authentication',
  'agent.recovery_codes_renewed': () => 'made new recovery codes',
  'security.updated': (t, d) => (d.require_two_factor ? 'required two-factor authentication of everyone'
    : 'stopped requiring two-factor authentication'),
  'transcript.emailed': (t) => `e-mailed the transcript of +${t}`,
  'contacts.imported': () => 'imported contacts',
  'token.created': () => 'made an API token',
  'token.revoked': () => 'revoked an API token',
  'sla.updated': () => 'changed the SLA targets',
  'conversation.deleted': (t) => `deleted the conversation with +${t}`,
  // At start-up, from the list of erasures: a backup put back held the user. The admin is the one who erased them.
  'conversation.deleted_again': (t) => `deleted the conversation with +${t}, again when a backup that held it was put back`,
  'note.deleted': (t) => `deleted a private note in the conversation with +${t}`,
  'note.edited': (t) => `edited a private note in the conversation with +${t}`,
};
const NOUNS = { macro: 'macro', automation: 'automation', saved_reply: 'saved reply', team: 'team', label: 'label', campaign: 'campaign' };
const VERBS = { created: 'added', updated: 'changed', deleted: 'deleted' };

export function describeAction({ action, target, details }) {
  if (WORDS[action]) return WORDS[action](target, details);
  const [kind, verb] = action.split('.');
  const name = details.name ?? (kind === 'saved_reply' ? `/${target}` : target);
  return NOUNS[kind] && VERBS[verb] ? `${VERBS[verb]} ${NOUNS[kind]} ${name ?? ''}`.trim() : action;
}

// `details` as "role: admin · max_chats: 3"; "—" for none.
const valueText = (v) => {
  const inWords = (o) => Object.entries(o).filter(([, x]) => x != null).map(([k, x]) => `${k} ${x}`).join(', ');
  const text = Array.isArray(v) ? v.join(', ') : v == null ? '' : typeof v === 'object' ? inWords(v) : String(v);
  return text === '' ? '—' : text;
};
const detailText = (details) => Object.entries(details).map(([k, v]) => `${k}: ${valueText(v)}`).join(' · ');

export class AuditPanel {
  constructor({ me }) {
    this.next = null;  // where the next page starts
    const button = $('audit');
    button.hidden = me.role !== 'admin';
    button.addEventListener('click', () => this.open());
  }

  async open() {
    const dialog = dialogFromTemplate('audit-template', 'audit-dialog', () => {
      $('audit-older').addEventListener('click', () => this.load(this.next));
    });
    $('audit-rows').replaceChildren();
    if (!dialog.open) dialog.showModal();
    await this.load(null);
  }

  async load(before) {
    $('audit-status').textContent = '';
    try {
      const { entries, next_before: next } = await api.get(`/audit-log?limit=50${before ? `&before=${enc(before)}` : ''}`);
      this.next = next;
      $('audit-rows').append(...entries.map((e) => h('tr', { 'data-action': e.action },
        // As the chat's days say it (Today, Yesterday, Mon 30 Nov): at a phone's width two short lines, not four.
        h('td', { title: new Date(e.at).toLocaleString([], { dateStyle: 'full', timeStyle: 'medium' }) },
          h('time', { datetime: e.at, class: 'when' }, h('span', { text: `${dayLabel(e.at)},` }), ' ', h('span', { text: clockTime(e.at) }))),
        h('td', { text: e.actor }),
        h('td', { text: describeAction(e) }),
        h('td', { class: 'muted', text: detailText(e.details) }))));
      $('audit-older').hidden = !next;
      $('audit-empty').hidden = $('audit-rows').children.length > 0;
    } catch (err) {
      $('audit-status').textContent = `The audit log could not be loaded: ${err.message}`;
    }
  }
}
