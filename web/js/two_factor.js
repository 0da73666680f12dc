// The Team dialog's two-factor authentication, the agent's own: set up with
// an authenticator app (its QR code, or the key typed in) and a code from
// it, the recovery codes shown once, new ones made, or turned off. What it
// shows is what the server answered.
import { api } from './api.js';
import { $, onSubmit } from './dom.js';

export class TwoFactorSection {
  constructor({ onMe, say }) {
    this.onMe = onMe;  // the agent's own record changed
    this.say = say;
  }

  // Once, when the dialog is made.
  setUp() {
    onSubmit($('two-factor-begin-form'), (form) => this.begin(form));
    onSubmit($('two-factor-enable-form'), (form) => this.enable(form));
    onSubmit($('two-factor-renew-form'), (form) => this.renew(form));
    onSubmit($('two-factor-off-form'), (form) => this.turnOff(form));
    $('two-factor-cancel').addEventListener('click', () => this.show(this.me));
  }

  // The agent as GET /me has it; recovery codes shown stay until the dialog is opened again.
  show(me, { keepCodes = true } = {}) {
    this.me = me;
    const on = Boolean(me.two_factor);
    const left = me.recovery_codes_left ?? 0;
    $('two-factor-state').textContent = on
      ? `On: each login asks for a code from your authenticator app. ${left} recovery code${left === 1 ? '' : 's'} left.`
      : 'Off: your password alone logs you in. With it on, each login also asks for a code from an app on your phone.';
    for (const id of ['two-factor-begin-form', 'two-factor-enable-form', 'two-factor-renew-form', 'two-factor-off-form']) $(id).reset();
    $('two-factor-begin-form').hidden = on;
    $('two-factor-enable-form').hidden = true;
    $('two-factor-renew-form').hidden = !on;
    $('two-factor-off-form').hidden = !on;
    $('two-factor-qr').removeAttribute('src');
    $('two-factor-secret').textContent = '';
    if (!keepCodes) {
      $('two-factor-codes').hidden = true;
      $('two-factor-recovery').value = '';
    }
  }

  async begin(form) {
    const { secret, qr } = await api.post('/auth/two-factor/setup', { password: form.elements.password.value });
    form.reset();
    form.hidden = true;
    $('two-factor-qr').src = `${qr}?at=${Date.now()}`;  // this set-up's, not one the browser kept
    $('two-factor-secret').textContent = secret.match(/.{1,4}/g).join(' ');
    $('two-factor-enable-form').hidden = false;
    $('two-factor-enable-form').elements.code.focus();
  }

  async enable(form) {
    const { agent, recovery_codes: codes } = await api.post('/auth/two-factor/enable', { code: form.elements.code.value.trim() });
    this.changed(agent, codes);
    this.say('Two-factor authentication is on: each login asks for a code from your app.');
  }

  async renew(form) {
    const { agent, recovery_codes: codes } = await api.post('/auth/two-factor/recovery-codes', { code: form.elements.code.value.trim() });
    this.changed(agent, codes);
    this.say('You have ten new recovery codes; the old ones no longer work.');
  }

  async turnOff(form) {
    const { agent } = await api.post('/auth/two-factor/disable', {
      password: form.elements.password.value, code: form.elements.code.value.trim(),
    });
    this.changed(agent);
    this.say('Two-factor authentication is off: your password alone logs you in.');
  }

  changed(agent, codes) {
    this.onMe(agent);
    this.show(agent, { keepCodes: false });
    if (!codes) return;
    $('two-factor-recovery').value = codes.join('\n');
    $('two-factor-codes').hidden = false;
    $('two-factor-recovery').select();
  }
}
