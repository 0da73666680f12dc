// Importing contacts (POST /contacts/import), as Chatwoot's: an admin's CSV
// of users, whom a campaign then reaches by their labels before they have
// written. A form of the Campaigns dialog (campaigns.js), for admins.
import { api, enc } from './api.js';
import { $, h, onSubmit } from './dom.js';
import { channelName } from './model.js';

// What an import did, as the form says it.
export function importSummary(r) {
  const read = r.created + r.updated + r.unchanged;
  return `${read} ${read === 1 ? 'contact' : 'contacts'} in the file: ${r.created} new, `
    + `${r.updated} already known and updated, ${r.unchanged} already known as the file says.`;
}

export class ContactImport {
  constructor() { this.channels = []; }

  // The channels the server imports contacts on (GET /me).
  offer(channels) { this.channels = channels; }

  // The dialog's copy, as it joins the page.
  prepare(copy) {
    copy.querySelector('#import-channel')
      .replaceChildren(...this.channels.map((c) => h('option', { value: c, text: channelName(c) })));
  }

  // Once, when the dialog is made. `imported()` after each import: the
  // campaign form's count of users is out of date then.
  setUp(imported) {
    onSubmit($('contacts-import-form'), async (form) => {
      $('import-result').textContent = '';
      const file = form.elements.file.files[0];
      if (!file) throw new Error('Choose a CSV file first.');
      const labels = form.elements.labels.value.trim();
      const answer = await api.upload(`/contacts/import?channel=${enc(form.elements.channel.value)}`
        + (labels ? `&labels=${enc(labels)}` : ''), file);
      $('import-result').textContent = importSummary(answer);
      form.elements.file.value = '';
      imported();
    });
  }

  show(admin) { $('contacts-import-form').hidden = !admin || this.channels.length === 0; }
}
