// Campaigns, as Chatwoot's one-off campaigns (/campaigns): one message to
// every user filed under any of a campaign's labels, on one channel, at once
// or at a time the admin chooses; on WhatsApp an approved template, picked
// in the chat's template dialog (templates.js). Every agent reads the list,
// which follows each campaign as it is sent (campaign.updated); admins make
// and delete them.
import { api, enc, ReadsAcrossEvents } from './api.js';
import { $, h, refreshedInPlace } from './dom.js';
import { ContactImport } from './contact_import.js';
import { channelName } from './model.js';
import { SharedListDialog } from './shared_list.js';
import { fromLocalInput, toLocalInput } from './snooze.js';

// Labels as typed, commas between.
function labelsTyped(text) { return text.split(',').map((l) => l.trim()).filter(Boolean); }

// Whom a campaign is for, in words: "vip, news but not opted-out".
function audienceText(labels, except) {
  return `${labels.join(', ')}${except.length ? ` but not ${except.join(', ')}` : ''}`;
}

function when(iso) { return new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }); }

// Where a campaign is, as the list says it.
export function campaignProgress(c) {
  if (c.status === 'scheduled') return `Scheduled for ${when(c.scheduled_at)}`;
  if (c.status === 'running') return `Sending: ${c.sent + c.skipped} of ${c.recipients}${deliveryOf(c)}`;
  const passed = c.skipped ? `; ${c.skipped} passed over (in a chat or blocked when their turn came)` : '';
  return `Sent ${when(c.finished_at)} to ${c.sent} of ${c.recipients} ${c.recipients === 1 ? 'user' : 'users'}`
    + `${passed}${deliveryOf(c)}`;
}

// How its messages went, as the provider told: WhatsApp tells of delivery
// and reading, the webhook of failures only.
function deliveryOf(c) {
  const parts = [];
  if (c.channel === 'whatsapp') parts.push(`${c.delivered} delivered`, `${c.read} read`);
  if (c.failed) parts.push(`${c.failed} failed`);
  return parts.length ? ` · ${parts.join(', ')}` : '';
}

export class CampaignsPanel extends SharedListDialog {
  // `templates`: the chat's TemplatePicker, which a WhatsApp campaign's message is chosen in.
  constructor({ me, templates }) {
    super(me, { button: 'campaigns', template: 'campaigns-template', dialog: 'campaigns-dialog', form: 'campaigns-form',
      cancel: 'campaigns-cancel', status: 'campaigns-status' });
    this.templates = templates;
    this.campaigns = [];
    this.reads = new ReadsAcrossEvents();  // a campaign deleted or sent on as the list is read stays so
    this.channels = [];
    this.counts = 0;  // audience questions asked: only the last one's answer shows
    this.imports = new ContactImport();
  }

  // The channels the server sends campaigns on (GET /me): the button shows where there is one.
  offer(channels) {
    this.channels = channels;
    $('campaigns').hidden = channels.length === 0;
  }

  setUp() {
    const f = $('campaigns-form').elements;
    f.channel.addEventListener('change', () => { this.showChannel(); this.countSoon(); });
    f.when.addEventListener('input', () => this.showChannel());
    f.labels.addEventListener('input', () => this.countSoon());
    f.except.addEventListener('input', () => this.countSoon());
    this.imports.setUp(() => this.countSoon());
    $('campaign-retemplate').addEventListener('click', () => {
      try {
        this.retemplate();
      } catch (e) {
        $('campaigns-form').querySelector('.error').textContent = e.message;
      }
    });
  }

  // How many users it would go to, once the admin stops typing; an answer
  // overtaken by a later question is dropped.
  countSoon() {
    clearTimeout(this.countTimer);
    const asked = ++this.counts;
    $('campaign-audience').textContent = '';
    const f = $('campaigns-form').elements;
    if (!f.labels.value.trim()) return;
    this.countTimer = setTimeout(async () => {
      let text;
      try {
        const { users } = await api.get(`/campaigns/audience?channel=${enc(f.channel.value)}&labels=${enc(f.labels.value)}`
          + `&except=${enc(f.except.value)}`);
        text = `Goes to ${users} ${users === 1 ? 'user' : 'users'} now, but those in a chat when their turn comes.`;
      } catch (e) {
        text = e.message;
      }
      if (asked === this.counts) $('campaign-audience').textContent = text;
    }, 300);
  }

  prepare(copy) {
    copy.querySelector('#campaign-channel')
      .replaceChildren(...this.channels.map((c) => h('option', { value: c, text: channelName(c) })));
    this.imports.prepare(copy);
  }

  async reload() {
    await this.reads.read(() => api.get('/campaigns'), ({ campaigns }) => { this.campaigns = campaigns; });
    this.render();
  }

  // campaign.updated and campaign.deleted, from any admin or the runner.
  onEvent(e) {
    this.reads.change(() => {
      if (e.type === 'campaign.deleted') {
        this.campaigns = this.campaigns.filter((c) => c.id !== e.data.id);
        return;
      }
      const c = e.data.campaign;
      const at = this.campaigns.findIndex((known) => known.id === c.id);
      if (at >= 0) this.campaigns[at] = c;
      else this.campaigns.unshift(c);
    });
    if ($('campaigns-dialog')?.open) this.show(e.type === 'campaign.deleted' ? e.data.id : e.data.campaign.id);
  }

  render() {
    $('campaigns-empty').hidden = this.campaigns.length > 0;
    $('campaigns-list').replaceChildren(...this.campaigns.map((c) => this.item(c)));
  }

  // One campaign's item as it is now, in place: a running campaign is told
  // each second, and an item drawn anew between a press and its release
  // (Delete, to stop it) loses the click.
  show(id) {
    const shown = [...$('campaigns-list').children].find((li) => li.dataset.campaign === id);
    const c = this.current(id);
    if (!shown || !c) {  // one new (at the top), or one gone
      this.render();
      return;
    }
    const fresh = refreshedInPlace(shown, this.item(c));
    if (fresh !== shown) shown.replaceWith(fresh);
  }

  current(id) { return this.campaigns.find((c) => c.id === id); }

  // Its buttons act on the campaign as it is when pressed: an item kept in
  // place keeps the listeners it was drawn with.
  item(c) {
    const now = () => this.current(c.id) ?? c;
    return h('li', { 'data-campaign': c.id },
      h('div', { class: 'reply-head' },
        h('strong', { text: c.name }),
        h('span', { class: 'muted', text: `${channelName(c.channel)} · to ${audienceText(c.labels, c.except_labels)}`
          + ` · by ${c.created_by}` }),
        this.isAdmin() ? h('span', { class: 'reply-actions' },
          c.status === 'scheduled' ? h('button', { type: 'button', class: 'link', text: 'Edit', 'aria-label': `Edit ${c.name}`,
            onclick: () => this.edit(now()) }) : null,
          h('button', { type: 'button', class: 'link danger', text: 'Delete', 'aria-label': `Delete ${c.name}`,
            onclick: () => this.removeAt(`/campaigns/${enc(c.id)}`, now().name, c.id) })) : null),
      h('p', { class: 'campaign-progress', text: campaignProgress(c) }),
      h('p', { class: 'reply-text', text: c.template ? `${c.template.name}: ${c.text}` : c.text }));
  }

  // A new campaign's form (null), or one not yet started to change: on
  // each opening too, before the dialog shows. Its channel stays; on
  // WhatsApp, Save keeps its template and Choose another template changes it.
  edit(c = null) {
    this.imports.show(this.isAdmin());
    this.editing = c?.id ?? null;
    $('campaigns-form').reset();
    this.counts += 1;  // an answer on its way is for the form as it was
    clearTimeout(this.countTimer);
    $('campaign-audience').textContent = '';
    $('campaigns-form').querySelector('.error').textContent = '';
    const f = $('campaigns-form').elements;
    f.channel.disabled = Boolean(c);
    $('campaigns-cancel').hidden = !c;
    $('campaign-form-title').textContent = c ? `Change ${c.name}` : 'New campaign';
    if (c) {
      f.name.value = c.name;
      f.channel.value = c.channel;
      f.labels.value = c.labels.join(', ');
      f.except.value = c.except_labels.join(', ');
      f.when.value = new Date(c.scheduled_at) > new Date() ? toLocalInput(c.scheduled_at) : '';
      if (c.channel !== 'whatsapp') f.text.value = c.text;
      this.countSoon();
    }
    this.showChannel();
  }

  showChannel() {
    const f = $('campaigns-form').elements;
    const whatsapp = f.channel.value === 'whatsapp';
    $('campaign-text-field').hidden = whatsapp;
    $('campaign-whatsapp-hint').hidden = !whatsapp || Boolean(this.editing);
    if (this.editing) $('campaign-save').textContent = 'Save';
    else $('campaign-save').textContent = whatsapp ? 'Choose a template' : f.when.value ? 'Schedule' : 'Send now';
    $('campaign-retemplate').hidden = !(this.editing && whatsapp);
  }

  // The form's fields, checked; `at` its time (null: now).
  formFields() {
    const f = $('campaigns-form').elements;
    const at = fromLocalInput(f.when.value);
    const fields = {
      name: f.name.value.trim(),
      channel: f.channel.value,
      labels: labelsTyped(f.labels.value),
      except_labels: labelsTyped(f.except.value),
      ...(at ? { scheduled_at: at.toISOString() } : {}),
    };
    if (!fields.name) throw new Error('A campaign needs a name.');
    if (!fields.labels.length) throw new Error('Name a label at least: the campaign goes to the users under any of them.');
    return { fields, at, text: f.text.value };
  }

  async save() {
    const { fields, at, text } = this.formFields();
    if (this.editing) {
      const { channel, ...changes } = fields;
      this.changed(await this.change(this.editing, { ...changes, ...(channel === 'whatsapp' ? {} : { text }) }, at));
      return;
    }
    if (fields.channel !== 'whatsapp') {
      this.made(await api.post('/campaigns', { ...fields, text }));
      return;
    }
    this.chooseTemplate(fields, at, (template) => api.post('/campaigns', { ...fields, template }), (c) => this.made(c));
  }

  // A WhatsApp campaign's template, chosen in the chat's template dialog
  // and sent with `send(template)`; `done` with the server's answer.
  chooseTemplate(fields, at, send, done) {
    this.templates.open(null, {
      title: `Campaign: ${fields.name}`,
      why: `Sent to every WhatsApp user under ${audienceText(fields.labels, fields.except_labels)}, `
        + `${at ? `at ${when(at.toISOString())}` : 'now'}. `
        + 'WhatsApp delivers nothing but an approved template to a user who has not written in 24 hours.',
      sendLabel: this.editing ? 'Save the campaign' : at ? 'Schedule the campaign' : 'Send the campaign',
      submit: async (template) => {
        const answer = await send(template);
        return () => done(answer);
      },
    });
  }

  // Edit on a WhatsApp campaign: its fields as the form has them, and another template.
  retemplate() {
    const { fields, at } = this.formFields();
    const { channel, ...changes } = fields;
    const id = this.editing;
    this.chooseTemplate(fields, at, (template) => this.change(id, { ...changes, template }, at), (c) => this.changed(c));
  }

  // PATCH /campaigns/{id}: `changes`, at `at` (null: now).
  change(id, changes, at) {
    return api.patch(`/campaigns/${enc(id)}`, { ...changes, scheduled_at: at ? at.toISOString() : null });
  }

  // The list takes the change from its campaign.updated, which may come
  // after news of the campaign starting (a change to now starts it at once).
  changed(c) {
    this.edit(null);
    this.say(`${c.name} is changed.`);
  }

  made(c) {
    this.edit();
    // Its campaign.updated may have come first, with news the answer lacks.
    if (!this.campaigns.some((known) => known.id === c.id)) this.campaigns.unshift(c);
    this.render();
    this.say(c.status === 'scheduled' && new Date(c.scheduled_at) > new Date()
      ? `${c.name} is scheduled.` : `${c.name} is on its way.`);
  }
}
