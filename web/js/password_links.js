// Passwords chosen from the agent's mailbox, as Chatwoot's: "Forgot your
// password?" on the login asks for a link, and the link (#password=…, from
// that mail or from an admin's invitation) opens a form that sets one.
// The link's token stays in the fragment, which no request carries, and
// leaves the address bar once used. Both forms are made from their
// templates when first needed.
import { api } from './api.js';
import { $, showStatus } from './dom.js';

// The token of a password link the page was opened at, or null.
export function passwordLinkInHash() {
  return new URLSearchParams(location.hash.slice(1)).get('password');
}

export class PasswordForms {
  // `showLogin(username, said)`: back to the login, its username filled in
  // and `said` there, when given.
  constructor({ showLogin }) {
    this.showLogin = showLogin;
    this.token = null;
    $('forgot-password').addEventListener('click', () => this.showForgot($('login-username').value.trim()));
  }

  // The login's own form again: the forgot form, if made, hidden.
  hideForgot() {
    const form = $('forgot-form');
    if (form) form.hidden = true;
    $('login-form').hidden = false;
  }

  showForgot(login) {
    const form = this.forgotForm();
    $('login-form').hidden = true;
    $('password-view')?.remove();  // a used or stale link's form is done with
    $('login-view').hidden = false;
    form.hidden = false;
    $('forgot-status').textContent = '';
    $('forgot-error').textContent = '';
    $('forgot-login').value = login;
    $('forgot-login').focus();
  }

  forgotForm() {
    if ($('forgot-form')) return $('forgot-form');
    $('login-form').after($('forgot-template').content.cloneNode(true));
    const form = $('forgot-form');
    $('forgot-back').addEventListener('click', () => {
      const typed = $('forgot-login').value.trim();
      this.showLogin(typed.includes('@') ? '' : typed);
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      $('forgot-error').textContent = '';
      $('forgot-status').textContent = '';
      const login = $('forgot-login').value.trim();
      if (!login) {
        $('forgot-error').textContent = 'Give your username or e-mail address.';
        return $('forgot-login').focus();
      }
      try {
        await api.post('/auth/password-reset', { login });
        // The server says the same whether or not there is such an account.
        showStatus($('forgot-status'), 'If an account has that username or address, a link is on its way to its e-mail. It works for an hour.');
      } catch (err) {
        $('forgot-error').textContent = err.code === 'email_not_configured'
          ? 'This server sends no e-mail. Ask an admin to set a new password for you.'
          : err.status === 429 ? 'Too many links asked for. Try again in an hour.' : err.message;
      }
    });
    return form;
  }

  // The form for the link `token`: an invitation's starts "i.", a reset's
  // "r.", and each ends with the username.
  showPasswordForm(token) {
    this.token = token;
    if (!$('password-view')) {
      document.body.prepend($('password-view-template').content.cloneNode(true));
      $('password-link-form').addEventListener('submit', (e) => { e.preventDefault(); this.setPassword(); });
      $('password-link-ask').addEventListener('click', () => this.showForgot($('password-link-username').value));
    }
    $('login-view').hidden = true;
    $('app-view').hidden = true;
    $('password-link-intro').textContent = token.startsWith('i.')
      ? 'Welcome to the team. Choose the password you will log in with.'
      : 'Choose a new password for your account.';
    $('password-link-username').value = token.split('.').slice(3).join('.');
    $('password-link-new').focus();
  }

  async setPassword() {
    const chosen = $('password-link-new').value;
    const error = (text, field) => {
      $('password-link-error').textContent = text;
      field?.focus();
    };
    if (chosen.length < 8) return error('Use at least 8 characters.', $('password-link-new'));
    if (chosen !== $('password-link-again').value) return error('The two passwords differ.', $('password-link-again'));
    error('');
    try {
      const { agent } = await api.post('/auth/password-reset/confirm', { token: this.token, password: chosen });
      history.replaceState(null, '', location.pathname + location.search);  // the used link leaves the address bar
      $('password-view').remove();
      this.showLogin(agent.username, 'Your password is set. Log in with it.');
    } catch (err) {
      if (err.code !== 'invalid_link') return error(err.message, $('password-link-new'));
      error('This link has expired or was used already. Ask for a new one.');
      $('password-link-ask').hidden = false;
      $('password-link-ask').focus();
    }
  }
}
