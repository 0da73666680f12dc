// The agent's own two-factor authentication: set up with an authenticator
// app (its QR code, or the key typed in) and a code from it, the recovery
// codes shown once, new ones made, or turned off. One is put in the Team
// dialog, and one in the view that holds an agent whose team requires it.
// What it shows is what the server answered.
import { api } from './api.js';
import { $, onSubmit } from './dom.js';

export class TwoFactorSection {
  // `slot`: where the section goes; `onMe(agent)`: the agent's record
  // changed; `setUpOnly`: no new recovery codes or turning off (the view
  // that holds an agent until it is on).
  constructor({ slot, onMe, say, setUpOnly = false }) {
    this.setUpOnly = setUpOnly;
    slot.replaceChildren($('two-factor-template').content.cloneNode(true));
    this.root = slot.querySelector('.two-factor');
    this.onMe = onMe;
    this.say = say;
    onSubmit(this.part('.begin-form'), (form) => this.begin(form));
    onSubmit(this.part('.enable-form'), (form) => this.enable(form));
    onSubmit(this.part('.renew-form'), (form) => this.renew(form));
    onSubmit(this.part('.off-form'), (form) => this.turnOff(form));
    this.part('.cancel').addEventListener('click', () => this.show(this.me));
  }

  part(selector) { return this.root.querySelector(selector); }

  // The agent as GET /me has it. Recovery codes once shown go too: they
  // are shown once, by `changed`.
  show(me) {
    this.me = me;
    const on = Boolean(me.two_factor);
    const left = me.recovery_codes_left ?? 0;
    this.part('.state').textContent = on
      ? `On: each login asks for a code from your authenticator app. ${left} recovery code${left === 1 ? '' : 's'} left.`
      : 'Off: your password alone logs you in. With it on, each login also asks for a code from an app on your phone.';
    for (const form of this.root.querySelectorAll('form')) form.reset();
    this.part('.begin-form').hidden = on;
    this.part('.enable-form').hidden = true;
    this.part('.renew-form').hidden = !on || this.setUpOnly;
    this.part('.off-form').hidden = !on || this.setUpOnly;
    this.part('.qr').removeAttribute('src');
    this.part('.secret').textContent = '';
    this.part('.codes').hidden = true;
    this.part('.recovery-codes').value = '';
  }

  focus() { (this.me?.two_factor ? this.part('.renew-form') : this.part('.begin-form')).elements[0].focus(); }

  async begin(form) {
    const { secret, qr } = await api.post('/auth/two-factor/setup', { password: form.elements.password.value });
    form.reset();
    form.hidden = true;
    this.part('.qr').src = `${qr}?at=${Date.now()}`;  // this set-up's, not one the browser kept
    this.part('.secret').textContent = secret.match(/.{1,4}/g).join(' ');
    this.part('.enable-form').hidden = false;
    this.part('.enable-form').elements.code.focus();
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
    this.show(agent);
    if (codes) {
      this.part('.recovery-codes').value = codes.join('\n');
      this.part('.codes').hidden = false;
      this.part('.recovery-codes').select();
    }
    this.onMe(agent);
  }
}
