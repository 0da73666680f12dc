// Chatwoot's "Send transcript": under Transcript, the conversation as the
// user saw it goes to their e-mail (POST …/transcript/email), to the address
// among their details unless the agent types another. Shown where the
// server sends e-mail (GET /me's email_notifications).
import { api, enc } from './api.js';
import { $, showStatus } from './dom.js';

export class TranscriptMail {
  // `phone()`: the conversation open now.
  constructor({ phone }) {
    this.phone = phone;
    this.shownFor = null;
    $('mail-transcript').addEventListener('submit', (e) => { e.preventDefault(); this.send(); });
  }

  offer(on) { $('mail-transcript').hidden = !on; }

  // The conversation drawn: a new one starts with its user's address, if
  // their details have one; the same one keeps what the agent typed.
  show(c) {
    if (c.phone === this.shownFor) return;
    this.shownFor = c.phone;
    $('mail-transcript-to').value = c.attributes?.email ?? '';
    showStatus($('mail-transcript-status'), '');
  }

  async send() {
    const phone = this.phone();
    const to = $('mail-transcript-to').value.trim();
    $('mail-transcript-send').disabled = true;
    try {
      const sent = await api.post(`/conversations/${enc(phone)}/transcript/email`, to ? { to } : {});
      if (phone === this.phone())
        showStatus($('mail-transcript-status'), `Sent to ${sent.to}: ${sent.messages} ${sent.messages === 1 ? 'message' : 'messages'}.`);
    } catch (e) {
      if (phone === this.phone()) showStatus($('mail-transcript-status'), e.message, true);
    } finally {
      $('mail-transcript-send').disabled = false;
    }
  }
}
