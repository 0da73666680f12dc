// WhatsApp's approved templates: the one message a user can be sent past
// the 24-hour window since they last wrote. The dialog lists them from the
// server (which reads them from Meta), asks for the header's variable or its
// photo's (video's, document's) link if it has one, for each {{n}} (or each
// {{name}} of a named one), and for each button's value (a link's end, a code
// to copy), shows the message as the user will read it, and sends it in the
// agent's chat, or opens a conversation with a user who has not written by
// it (new_conversation.js), or makes a campaign of it (campaigns.js).
import { api, enc } from './api.js';
import { h, $ } from './dom.js';
import { richText } from './rich_text.js';

// The variables whose values the agent types, in the order the server takes them.
function variables(t) {
  return t.parameter_names?.length ? t.parameter_names : Array.from({ length: t.parameters }, (_, i) => String(i + 1));
}

// The template as the user reads it, with what is typed so far in place of
// each variable (the variable itself while it is empty); as the server fills it in.
export function templateText(t, values, headerValue = '', mediaUrl = '') {
  const order = variables(t);
  const body = t.body.replace(/\{\{([a-z0-9_]+)\}\}/g, (whole, v) => values[order.indexOf(v)] || whole);
  const header = t.header.replace(/\{\{([a-z0-9_]+)\}\}/, (whole) => headerValue || whole);
  const media = t.header_media ? `[${t.header_media}] ${mediaUrl || 'its link'}\n` : '';
  return `${media}${header ? `*${header}*\n` : ''}${body}${t.footer ? `\n\n_${t.footer}_` : ''}`;
}

// One labelled input of the dialog.
function field(id, label, attrs) {
  return h('p', {}, h('label', { for: id, text: label }),
    h('input', { id, type: 'text', required: '', autocomplete: 'off', ...attrs }));
}

export class TemplatePicker {
  // `onSent(message)`: the stored message, as send-template answered it.
  constructor({ onSent }) {
    this.onSent = onSent;
    this.templates = [];
    this.phone = null;
    this.loads = 0;
    $('template-name').addEventListener('change', () => this.showFields());
    $('template-form').addEventListener('input', () => this.showPreview());
    $('template-form').addEventListener('submit', (e) => {
      if (e.submitter?.value !== 'send') return;  // Cancel closes the dialog
      e.preventDefault();
      this.send();
    });
  }

  // `purpose`: what the template is for other than the chat with `phone`:
  // { title, why, sendLabel, submit(template) }, where submit sends it (a
  // conversation opened by it, a campaign), may throw the refusal to show,
  // and may give what to do once the dialog is closed.
  async open(phone, purpose = null) {
    this.phone = phone;
    this.purpose = purpose;
    const loading = ++this.loads;
    $('template-title').textContent = purpose ? purpose.title : 'Send a template';
    $('template-why').textContent = purpose ? purpose.why
      : 'WhatsApp delivers a message past 24 hours since the user last wrote only as a template its reviewers approved.';
    $('template-send').textContent = purpose ? purpose.sendLabel : 'Send template';
    this.templates = [];
    $('template-error').textContent = '';
    $('template-name').replaceChildren();
    $('template-fields').replaceChildren();
    $('template-preview').replaceChildren();
    $('template-send').disabled = true;
    $('template-dialog').showModal();
    try {
      ({ templates: this.templates } = await api.get('/whatsapp/templates'));
    } catch (e) {
      $('template-error').textContent = e.message;
      return;
    }
    if (loading !== this.loads) return;  // opened again meanwhile
    if (!this.templates.length) {
      $('template-error').textContent = 'WhatsApp has no approved template that can be sent from here. '
        + 'Templates are made and approved in Meta\'s WhatsApp Manager.';
      return;
    }
    $('template-name').replaceChildren(...this.templates.map((t, i) =>
      h('option', { value: String(i), text: `${t.name} · ${t.language}` })));
    this.showFields();
  }

  chosen() { return this.templates[Number($('template-name').value)]; }

  // What is typed in the boxes of one kind (body-value, button-value), in order.
  typed(kind) { return [...$('template-fields').querySelectorAll(`input.${kind}`)].map((input) => input.value.trim()); }

  values() { return this.typed('body-value'); }

  headerValue() { return $('template-header-value')?.value.trim() ?? ''; }

  mediaUrl() { return $('template-header-media')?.value.trim() ?? ''; }

  buttonValues() { return this.typed('button-value'); }

  showFields() {
    const t = this.chosen();
    if (!t) return;
    const header = [];
    if (t.header_variable) header.push(field('template-header-value', `Header {{${t.header_variable}}}`, { maxlength: '60' }));
    if (t.header_media) {
      header.push(field('template-header-media', `Link to the header's ${t.header_media} (WhatsApp fetches it)`,
        { type: 'url', maxlength: '2048', placeholder: 'https://' }));
    }
    const body = variables(t).map((v, i) =>
      field(`template-value-${i + 1}`, `{{${v}}}`, { class: 'body-value', maxlength: '1024' }));
    const buttons = (t.button_variables ?? []).map((b, i) => (b.type === 'url'
      ? field(`template-button-${i + 1}`, `Button "${b.text}": the end of ${b.url}`, { class: 'button-value', maxlength: '2000' })
      : field(`template-button-${i + 1}`, `Button "${b.text}": the code`, { class: 'button-value', maxlength: '15' })));
    $('template-fields').replaceChildren(...header, ...body, ...buttons);
    $('template-send').disabled = false;
    this.showPreview();
    ($('template-fields').querySelector('input') ?? $('template-name')).focus();
  }

  showPreview() {
    const t = this.chosen();
    if (t) $('template-preview').replaceChildren(...richText(templateText(t, this.values(), this.headerValue(), this.mediaUrl())));
  }

  async send() {
    const t = this.chosen();
    if (!t) return;
    $('template-send').disabled = true;
    $('template-error').textContent = '';
    const template = {
      name: t.name,
      language: t.language,
      parameters: this.values(),
      ...(t.header_variable ? { header_value: this.headerValue() } : {}),
      ...(t.header_media ? { header_media_url: this.mediaUrl() } : {}),
      ...(t.button_variables?.length ? { button_values: this.buttonValues() } : {}),
    };
    try {
      if (this.purpose) {
        const then = await this.purpose.submit(template);
        $('template-dialog').close();
        then?.();
        return;
      }
      const stored = await api.post(`/conversations/${enc(this.phone)}/chat-support/send-template`, template);
      $('template-dialog').close();
      this.onSent(stored);
    } catch (e) {
      $('template-error').textContent = e.message;
    } finally {
      $('template-send').disabled = false;
    }
  }
}
