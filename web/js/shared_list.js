// A dialog listing what the team shares (saved replies, macros): everyone
// reads the list, and admins write it in the form below it, which edits one
// item (`editing`, its key) or adds one (null).
import { api } from './api.js';
import { $, dialogFromTemplate, h, onSubmit, showStatus } from './dom.js';

export class SharedListDialog {
  // `ids`: the elements' ids: { button, template, dialog, form, cancel, status }.
  // A subclass gives reload(), edit(item or null) and save().
  constructor(me, ids) {
    this.me = me;
    this.ids = ids;
    this.editing = null;
    $(ids.button).addEventListener('click', () => this.open());
  }

  isAdmin() { return this.me.role === 'admin'; }

  // A listed item's head: `name` (an element), who wrote it last, and for
  // admins Edit and Delete, named for `label`.
  itemHead(name, label, item) {
    return h('div', { class: 'reply-head' },
      name,
      h('span', { class: 'muted', text: `by ${item.updated_by}` }),
      this.isAdmin() ? h('span', { class: 'reply-actions' },
        h('button', { type: 'button', class: 'link', text: 'Edit', 'aria-label': `Edit ${label}`, onclick: () => this.edit(item) }),
        h('button', { type: 'button', class: 'link danger', text: 'Delete', 'aria-label': `Delete ${label}`, onclick: () => this.remove(item) }))
        : null);
  }

  // More wiring, once, when the dialog is first made; before that, the
  // template's copy as it joins the page.
  setUp() {}
  prepare() {}

  async open() {
    const { template, dialog: dialogId, form, cancel } = this.ids;
    const dialog = dialogFromTemplate(template, dialogId, () => {
      onSubmit($(form), () => this.save());
      $(cancel).addEventListener('click', () => this.edit(null));
      this.setUp();
    }, (copy) => this.prepare(copy));
    $(form).hidden = !this.isAdmin();
    this.edit(null);
    this.say('');
    await this.reload();
    if (!dialog.open) dialog.showModal();
  }

  // Deletes the item at `path` (`name` as the status says it, `key` as `editing` holds it).
  // The status is said once the list shows the outcome.
  async removeAt(path, name, key) {
    let outcome;
    try {
      await api.del(path);
      outcome = [`${name} is deleted.`, false];
      if (this.editing === key) this.edit(null);
    } catch (err) {
      outcome = [err.message, true];
    }
    await this.reload();
    this.say(...outcome);
  }

  say(text, isError = false) { showStatus($(this.ids.status), text, isError); }
}
