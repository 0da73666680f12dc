// New conversation, as Chatwoot's and Intercom's outbound message: an agent
// writes first to a user who has not written, on the webhook channel with a
// text, on WhatsApp with an approved template (templates.js), the one
// message WhatsApp delivers to them. The chat is the agent's, and opens; the
// user's answer comes to it. A number the server knows is opened instead.
import { api, ApiError, enc } from './api.js';
import { $, h } from './dom.js';
import { channelName } from './model.js';

// A phone number as an agent may type or paste it ("+1 (555) 010-0100"),
// as the server takes it: digits, after an optional +.
export function typedPhone(text) { return text.replace(/[\s().-]/g, ''); }

export class NewConversation {
  // `templates`: the chat's TemplatePicker; `onOpened(answer)`: POST
  // /conversations' answer; `openExisting(phone)`: a conversation there is.
  constructor({ templates, onOpened, openExisting }) {
    this.templates = templates;
    this.onOpened = onOpened;
    this.existing = null;
    $('new-conversation').addEventListener('click', () => this.open());
    // Alt+N, from anywhere, as the button; by key position, so any layout.
    document.addEventListener('keydown', (e) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.code !== 'KeyN' || $('new-conversation').hidden) return;
      if (document.querySelector('dialog[open]')) return;
      e.preventDefault();
      this.open();
    });
    $('new-channel').addEventListener('change', () => this.showChannel());
    $('new-open-existing').addEventListener('click', () => {
      $('new-conversation-dialog').close();
      openExisting(this.existing);
    });
    $('new-conversation-form').addEventListener('submit', (e) => {
      if (e.submitter?.value !== 'next') return;  // Cancel closes the dialog
      e.preventDefault();
      this.next();
    });
  }

  // The channels the server opens conversations on (GET /me); the button
  // shows when there is one.
  offer(channels) {
    $('new-channel').replaceChildren(...channels.map((c) => h('option', { value: c, text: channelName(c) })));
    $('new-conversation').hidden = channels.length === 0;
  }

  open() {
    $('new-conversation-form').reset();
    this.refuse('');
    this.showChannel();
    $('new-conversation-dialog').showModal();
    $('new-phone').focus();
  }

  showChannel() {
    const whatsapp = $('new-channel').value === 'whatsapp';
    $('new-text-field').hidden = whatsapp;
    $('new-text').required = !whatsapp;
    $('new-whatsapp-hint').hidden = !whatsapp;
    $('new-next').textContent = whatsapp ? 'Choose a template' : 'Send';
  }

  // Why not, and the conversation to open instead when there is one.
  refuse(why, existing = null) {
    $('new-error').textContent = why;
    this.existing = existing;
    $('new-open-existing').hidden = !existing;
  }

  async next() {
    const typed = typedPhone($('new-phone').value);
    if (!/^\+?[0-9]{1,32}$/.test(typed)) {
      this.refuse('A phone number is its digits, with the country code: +1 555 010 0100.');
      return;
    }
    const phone = typed.replace(/^\+/, '');
    const name = $('new-name').value.trim();
    const channel = $('new-channel').value;
    this.refuse('');
    $('new-next').disabled = true;
    try {
      if (await this.known(phone)) return;
      if (channel === 'whatsapp') {
        $('new-conversation-dialog').close();
        this.templates.open(phone, {
          title: `Write first to ${name || `+${phone}`}`,
          why: 'WhatsApp delivers nothing but an approved template to a user who has not written to you. Their answer comes to your chat.',
          sendLabel: 'Send and open the chat',
          submit: async (template) => {
            const opened = await api.post('/conversations', { phone, channel, ...(name ? { name } : {}), template });
            return () => this.onOpened(opened);
          },
        });
        return;
      }
      const opened = await api.post('/conversations', { phone, channel, ...(name ? { name } : {}), text: $('new-text').value });
      $('new-conversation-dialog').close();
      this.onOpened(opened);
    } catch (e) {
      this.refuse(e.message, e instanceof ApiError && e.code === 'conversation_exists' ? phone : null);
    } finally {
      $('new-next').disabled = false;
    }
  }

  // Whether the number has a conversation already, which the dialog then
  // offers to open. An imported contact nobody has written to or heard
  // from has none yet: the agent writes first to them, their name and
  // details kept.
  async known(phone) {
    let found;
    try {
      found = await api.get(`/conversations/${enc(phone)}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return false;
      throw e;
    }
    if (found.messages.length === 0) return false;
    this.refuse(`+${phone} has a conversation already.`, phone);
    return true;
  }
}
