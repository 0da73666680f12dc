// WhatsApp's approved templates: the one message a user can be sent past
// the 24-hour window since they last wrote. The dialog lists them from the
// server (which reads them from Meta), asks for the header's variable if it
// has one and for each {{n}} (or each {{name}} of a named one), shows the
// message as the user will read it, and sends it in the agent's chat.
import { api, enc } from './api.js';
import { h, $ } from './dom.js';
import { richText } from './rich_text.js';

// The variables whose values the agent types, in the order the server takes them.
function variables(t) {
  return t.parameter_names?.length ? t.parameter_names : Array.from({ length: t.parameters }, (_, i) => String(i + 1));
}

// The template as the user reads it, with what is typed so far in place of
// each variable (the variable itself while it is empty); as the server fills it in.
export function templateText(t, values, headerValue = '') {
  const order = variables(t);
  const body = t.body.replace(/\{\{([a-z0-9_]+)\}\}/g, (whole, v) => values[order.indexOf(v)] || whole);
  const header = t.header.replace(/\{\{([a-z0-9_]+)\}\}/, (whole) => headerValue || whole);
  return `${header ? `*${header}*\n` : ''}${body}${t.footer ? `\n\n_${t.footer}_` : ''}`;
}

export class TemplatePicker {
  // `onSent(message)`: the stored message, as send-template answered it.
  constructor({ onSent }) {
    this.onSent = onSent;
    this.templates = [];
    this.phone = null;
    $('template-name').addEventListener('change', () => this.showFields());
    $('template-form').addEventListener('input', () => this.showPreview());
    $('template-form').addEventListener('submit', (e) => {
      if (e.submitter?.value !== 'send') return;  // Cancel closes the dialog
      e.preventDefault();
      this.send();
    });
  }

  async open(phone) {
    this.phone = phone;
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
    if (phone !== this.phone) return;
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

  values() { return [...$('template-fields').querySelectorAll('input.body-value')].map((input) => input.value.trim()); }

  headerValue() { return $('template-header-value')?.value.trim() ?? ''; }

  showFields() {
    const t = this.chosen();
    if (!t) return;
    const header = t.header_variable ? [h('p', {}, h('label', { for: 'template-header-value', text: `Header {{${t.header_variable}}}` }),
      h('input', { id: 'template-header-value', type: 'text', maxlength: '60', required: '', autocomplete: 'off' }))] : [];
    $('template-fields').replaceChildren(...header, ...variables(t).map((v, i) => {
      const id = `template-value-${i + 1}`;
      return h('p', {}, h('label', { for: id, text: `{{${v}}}` }),
        h('input', { id, class: 'body-value', type: 'text', maxlength: '1024', required: '', autocomplete: 'off' }));
    }));
    $('template-send').disabled = false;
    this.showPreview();
    ($('template-fields').querySelector('input') ?? $('template-name')).focus();
  }

  showPreview() {
    const t = this.chosen();
    if (t) $('template-preview').replaceChildren(...richText(templateText(t, this.values(), this.headerValue())));
  }

  async send() {
    const t = this.chosen();
    if (!t) return;
    $('template-send').disabled = true;
    $('template-error').textContent = '';
    try {
      const stored = await api.post(`/conversations/${enc(this.phone)}/chat-support/send-template`,
        { name: t.name, language: t.language, parameters: this.values(), ...(t.header_variable ? { header_value: this.headerValue() } : {}) });
      $('template-dialog').close();
      this.onSent(stored);
    } catch (e) {
      $('template-error').textContent = e.message;
    } finally {
      $('template-send').disabled = false;
    }
  }
}
