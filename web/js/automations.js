// Automations, as Chatwoot's automation rules: a macro's actions that run by
// themselves when a user writes (words in the message, a channel, the
// conversation's team, priority, a label, a detail of the user, whether someone has the chat) or
// a chat joins the queue. Admins write them in the Automations dialog;
// everyone reads them there.
import { $, h } from './dom.js';
import { ActionListPanel } from './macros.js';
import { fillPriorities } from './priority.js';
import { TARGET_WORDS } from './sla.js';

const CHANNELS = { whatsapp: 'WhatsApp', plain: 'the webhook' };

// "When a user writes “refund” or “money back”, on WhatsApp, for billing's
// chats, marked urgent, labelled vip, whose plan is Gold, while nobody has it · off"
export function describeTrigger(a) {
  const words = a.contains.map((w) => `“${w}”`).join(' or ');
  let when = a.event === 'chat_queued' ? 'When a chat joins the queue'
    : a.event === 'sla_missed' ? (a.target ? `When a chat misses its ${TARGET_WORDS[a.target]} target`
      : 'When a chat misses a reply or resolution target')
    : `When a user writes${words ? ` ${words}` : ''}`;
  if (a.channel) when += `, on ${CHANNELS[a.channel]}`;
  if (a.team) when += a.team === 'none' ? ', for chats under no team' : `, for ${a.team}'s chats`;
  if (a.priority) when += a.priority === 'none' ? ', of no priority' : `, marked ${a.priority}`;
  if (a.label) when += `, labelled ${a.label}`;
  if (a.attribute) when += `, whose ${a.attribute.key} is ${a.attribute.value}`;
  if (a.assigned != null) when += a.assigned ? ', while an agent has it' : ', while nobody has it';
  return a.enabled ? when : `${when} · off`;
}

export class AutomationsPanel extends ActionListPanel {
  constructor({ me, teams }) {
    super({ me, teams, plural: 'automations', singular: 'automation', path: '/automations', title: 'an automation', trigger: true,
      without: ['send', 'transcript'], texts: {
        heading: 'Automations',
        intro: "An automation's actions run by themselves, one after another, when a user writes or a chat joins the queue: "
          + 'each automation that matches, in the order of their names, signed automation.',
        empty: 'No automations yet.',
        example: 'Refunds to billing',
      } });
  }

  setUp() {
    super.setUp();
    const form = this.el('form');
    form.elements.event.addEventListener('change', () => this.showWords());
    fillPriorities(form.elements.priority, { value: '', text: 'Any priority' });
    form.elements.priority.append(h('option', { value: 'none', text: 'No priority' }));
    // A team made or deleted while the form is open is offered, or kept, at once.
    this.teams.onChange(() => this.fillTeams(form.elements.team.value));
  }

  // A team's conversations alone, or those under none; offered once there
  // are teams, and kept when the one it names has gone.
  fillTeams(team) {
    const form = this.el('form');
    this.teams.fill(form.elements.team, [{ value: '', text: 'Any team' }, { value: 'none', text: 'No team' }],
      team === 'none' ? null : team || null);
    form.elements.team.value = team;
    form.querySelector('.automation-team').hidden = this.teams.teams.length === 0 && !team;
  }

  // The words are for a user's message, the target for a missed one.
  showWords() {
    const form = this.el('form');
    form.querySelector('.automation-words').hidden = form.elements.event.value !== 'user_message';
    form.querySelector('.automation-target').hidden = form.elements.event.value !== 'sla_missed';
  }

  describe(a) { return h('p', { class: 'muted automation-when', text: describeTrigger(a) }); }

  fillMore(a) {
    const f = this.el('form').elements;
    f.event.value = a?.event ?? 'user_message';
    f.contains.value = (a?.contains ?? []).join(', ');
    f.channel.value = a?.channel ?? '';
    f.target.value = a?.target ?? '';
    this.fillTeams(a?.team ?? '');
    f.priority.value = a?.priority ?? '';
    f.label.value = a?.label ?? '';
    f.attribute_key.value = a?.attribute?.key ?? '';
    f.attribute_value.value = a?.attribute?.value ?? '';
    f.assigned.value = a?.assigned == null ? '' : String(a.assigned);
    f.enabled.checked = a?.enabled ?? true;
    this.showWords();
  }

  readMore() {
    const f = this.el('form').elements;
    const user = f.event.value === 'user_message';
    return {
      event: f.event.value,
      contains: user ? f.contains.value.split(',').map((w) => w.trim()).filter(Boolean) : [],
      target: f.event.value === 'sla_missed' ? f.target.value || null : null,
      channel: f.channel.value || null,
      team: f.team.value || null,
      priority: f.priority.value || null,
      label: f.label.value.trim() || null,
      // Both or neither: one without the other is the server's to refuse, in words.
      attribute: f.attribute_key.value.trim() || f.attribute_value.value.trim()
        ? { key: f.attribute_key.value.trim(), value: f.attribute_value.value.trim() } : null,
      assigned: f.assigned.value === '' ? null : f.assigned.value === 'true',
      enabled: f.enabled.checked,
    };
  }
}

