// The open conversation: header, history (older pages on scroll-up), the
// composer with optimistic sends, typing and read receipts.
import { api, enc, ReadsAcrossEvents } from './api.js';
import { h, $, clockTime, confirmed, dayLabel, editInPlace, PHONE_WIDTH, refreshedInPlace, relativeTime, timeLeft, typeInPlace } from './dom.js';
import { markWords, richText } from './rich_text.js';
import { EmojiPicker } from './emoji.js';
import { attachmentElement, captionOf, contactsText, locationElement, locationOf, reactionText } from './media.js';
import { labelsEditor } from './labels.js';
import { detailsEditor } from './details.js';
import { TemplatePicker } from './templates.js';
import { PastChats } from './past_chats.js';
import { TranscriptMail } from './transcript_mail.js';
import { namesText } from './viewers.js';
import { channelName, mentions, stars, userName, waitsForAnswer } from './model.js';
import { fillPriorities } from './priority.js';
import { ScheduledReplies } from './scheduled.js';
import { fromLocalInput, snoozeChoices, snoozedUntil, untilBody } from './snooze.js';

const TICKS = { received: '✓', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '⚠ failed' };
// WhatsApp takes a free-form message only within 24 hours of the user's
// last one (its customer service window); after that only an approved
// template (templates.js), so a reply would only come back refused.
const HOUR_MS = 3600 * 1000;
const WHATSAPP_WINDOW_MS = 24 * HOUR_MS;
const signingKey = 'switchboard.sign';  // whether this browser signs replies

// The user's score of the chat they just had (1 to 5), as stars.
function rating(text) {
  const score = Math.min(5, Math.max(0, Number.parseInt(text, 10) || 0));
  return h('span', { class: 'text', 'aria-label': `Rated the chat ${score} of 5` },
    'Rated the chat ', h('span', { class: 'stars', 'aria-hidden': 'true', text: stars(score) }),
    ` ${score} of 5`);
}

const STATE_WORDS = { IDLE: 'With the bot', REGISTERING: 'Giving their name', RATING: 'Rating the chat' };

const STATUS_ORDER = ['received', 'sent', 'delivered', 'read', 'failed'];

// The id a send carries, by which its stored message replaces the copy shown while sending.
// The buttons the bot's message showed the user (a tap sends its keyword,
// which is the user's next message): shown, not pressable, as the agent
// sees what the user saw.
function choicesOf(m) {
  return h('ul', { class: 'choices', 'aria-label': 'Buttons the user was shown' },
    m.choices.map((c) => h('li', { text: c.title, title: `Sends "${c.text}"` })));
}

// The seq the history begins at: a copy still being sent has none.
function oldestSeq(messages) { return messages.find((m) => m.seq)?.seq; }

function newClientId() { return `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`; }

// A file's size as the composer shows it.
function fileSize(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  return bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// The same stored message twice: a send's answer can come after the events
// that moved its status on (the outbox is quick), and must not take it back.
function laterOf(known, incoming) {
  return STATUS_ORDER.indexOf(known.status) > STATUS_ORDER.indexOf(incoming.status) ? known : incoming;
}

// The newer of two objects of a conversation (`known` may be null).
function newerOf(known, incoming) {
  return known && Date.parse(known.updated_at) > Date.parse(incoming.updated_at) ? known : incoming;
}

// Draws `container`'s chips for `shown` anew if they changed, unless a text
// box in it has the focus (a chip's button may: it is drawn anew).
function redrawUnlessTyping(container, shown, build) {
  const text = JSON.stringify(shown);
  const typing = ['INPUT', 'SELECT'].includes(document.activeElement?.tagName) && container.contains(document.activeElement);
  if (container.dataset.shown === text || typing) return;
  container.dataset.shown = text;
  container.replaceChildren(...build());
}

export class ConversationPane {
  // `drafts`: what the agent typed in each chat and has not sent (drafts.js);
  // `onLabel(label)`: the agent asked for the conversations under a label;
  // `knownLabels()`: the labels to offer when adding one; `onLeave()`: the
  // pane closes, as the Back button closes it; `teams`: the team roster
  // (teams.js), which the header's team picker offers; `viewers`: who else
  // has each conversation open (viewers.js).
  constructor({ me, live, drafts, viewers, onChange, onLabel, knownLabels, onLeave, targets, teams, labelCatalog, attributeCatalog }) {
    this.me = me;
    this.teams = teams;
    // The team's targets: how long past one the user has waited, whether the
    // chat is open past the resolution target.
    this.targets = targets;
    this.live = live;
    this.viewers = viewers;
    this.onChange = onChange;
    this.onLeave = onLeave;
    this.onLabel = onLabel;
    this.knownLabels = knownLabels;
    this.labelCatalog = labelCatalog;  // the chips' colours (label_catalog.js)
    this.attributeCatalog = attributeCatalog;  // the details' names and types (attribute_catalog.js)
    this.phone = null;
    this.conv = null;
    this.messages = [];  // sorted by seq; optimistic copies have no seq yet
    this.userWroteAt = null;  // the user's newest message's time, however far back (the server's)
    // While the open chat's history is on its way: what its events brought
    // meanwhile (`changes` to its messages, in order; `conv`, the newest
    // object), put on top of it when it comes, which may be from before them.
    this.arriving = null;
    // Each file's element, made once and kept while its chat is open: the
    // history is drawn again on every message, and a voice message being
    // played must not start over.
    this.attachments = new Map();
    // Quoted messages older than the pages loaded, by seq, fetched once each
    // while their chat is open (null while being fetched).
    this.quotedEarlier = new Map();
    this.loadingOlder = false;
    // Older pages, read as the agent scrolls up: a message among them whose
    // delivery moved on, or a note deleted, while one was on its way, shows so.
    this.olderPages = new ReadsAcrossEvents();
    this.drawnFrom = new WeakMap();  // a history item → the message and context it was drawn from
    this.typingTimers = new Map();
    this.lastTypingSent = 0;
    this.typingIn = null;  // the chat whose agents were last told this agent types
    this.saving = {};  // by set ('labels', 'attributes'): the chat and the save the next one waits for
    this.mode = 'reply';  // or 'note': a private note for the agents
    this.drafts = drafts;
    this.file = null;  // a file picked or pasted to send with the next reply
    this.emoji = new EmojiPicker({ textarea: $('composer-text'), button: $('emoji'), panel: $('emoji-panel') });
    this.list = $('messages');
    this.list.addEventListener('scroll', () => this.onScroll());
    // A press in the history (on Reply, Delete, or dragging a selection)
    // holds the scroll to a new message until it is let go: the item under
    // the pointer must not move away from it before its click.
    this.pressing = false;
    this.scrollWhenLetGo = false;  // a message came during the press
    this.list.addEventListener('pointerdown', () => { this.pressing = true; });
    for (const end of ['pointerup', 'pointercancel']) document.addEventListener(end, () => this.pressEnded());
    this.header = document.querySelector('#conversation .conversation-header');
    $('new-messages').addEventListener('click', () => this.scrollToBottom());
    const text = $('composer-text');
    text.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); this.send(); }
      // As Slack's: ↑ in an empty note edits the agent's last one.
      if (e.key === 'ArrowUp' && !text.value && this.mode === 'note' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey
        && this.editLastNote()) e.preventDefault();
    });
    text.addEventListener('input', () => { this.saveDraft(); this.typing(); });
    window.addEventListener('pagehide', () => this.saveDraft());
    // A screenshot pasted into the reply is attached, as chat apps do.
    text.addEventListener('paste', (e) => {
      const file = e.clipboardData?.files?.[0];
      if (file && this.canAttach()) { e.preventDefault(); this.attach(file); }
    });
    $('attach').addEventListener('click', () => $('attach-file').click());
    $('attach-file').addEventListener('change', (e) => {
      if (e.target.files[0]) this.attach(e.target.files[0]);
      e.target.value = '';  // the same file can be picked again
    });
    $('attached-remove').addEventListener('click', () => this.attach(null));
    $('replying-remove').addEventListener('click', () => this.quote(null));
    // Chatwoot's signature switch: on, the agent's signature goes under each
    // reply they write (not under a note, nor a file sent alone).
    this.signing = localStorage.getItem(signingKey) === 'on';
    $('sign').addEventListener('click', () => {
      this.signing = !this.signing;
      localStorage.setItem(signingKey, this.signing ? 'on' : 'off');
      this.renderSign();
    });
    // And a file dropped on the chat.
    const pane = $('conversation');
    pane.addEventListener('dragover', (e) => {
      if (this.canAttach() && e.dataTransfer.types.includes('Files')) e.preventDefault();
    });
    pane.addEventListener('drop', (e) => {
      const file = e.dataTransfer.files[0];
      if (file && this.canAttach()) { e.preventDefault(); this.attach(file); }
    });
    $('composer').addEventListener('submit', (e) => { e.preventDefault(); this.send(); });
    for (const mode of ['reply', 'note']) $(`mode-${mode}`).addEventListener('click', () => this.setMode(mode));
    $('start-chat').addEventListener('click', () => this.act('start'));
    $('end-chat').addEventListener('click', () => { $('end-message').value = ''; $('end-dialog').showModal(); });
    $('end-dialog').addEventListener('close', () => {
      if ($('end-dialog').returnValue === 'end') this.act('end', { message: $('end-message').value.trim() || undefined });
    });
    this.templates = new TemplatePicker({ onSent: (m) => this.addMessage(m) });
    this.pastChats = new PastChats({ openAt: (seq) => this.open(this.phone, seq) });
    this.transcriptMail = new TranscriptMail({ phone: () => this.phone });
    this.scheduled = new ScheduledReplies({ phone: () => this.phone, take: () => this.replyText(),
      taken: () => { $('composer-text').value = ''; this.saveDraft(); },
      cannotPutBack: () => this.cannotPutBack(), putBack: (text) => this.putBack(text),
      notice: (text) => this.showNotice(text), me: this.me.username,
      windowEnd: () => { const w = this.replyWindow(); return w ? Date.now() + w.left : null; } });
    PHONE_WIDTH.addEventListener('change', () => { if (this.conv) this.renderHeader(); });  // the composer's placeholder
    $('send-template').addEventListener('click', () => this.templates.open(this.phone));
    $('transfer-chat').addEventListener('click', () => this.openTransfer());
    // The choices are made from the time the menu opens, not the page's load.
    $('snooze-menu').addEventListener('toggle', () => {
      if (!$('snooze-menu').open) return;
      $('snooze-choices').replaceChildren(...snoozeChoices().map(({ label, until }) =>
        h('button', { type: 'button', text: label, title: until instanceof Date ? until.toLocaleString() : '', onclick: () => this.snooze(until) })));
    });
    $('snooze-custom').addEventListener('click', () => {
      const until = fromLocalInput($('snooze-at').value);
      if (!until) { this.showNotice('Pick a day and time to snooze until.'); return; }
      this.snooze(until);
    });
    $('unsnooze').addEventListener('click', () => this.change('snooze', { until: null }, 'Not unsnoozed'));
    $('return-chat').addEventListener('click', () => this.act('return'));
    fillPriorities($('conv-priority'), { value: 'none', text: 'No priority' });
    $('conv-priority').addEventListener('change', (e) => this.change('priority', { priority: e.target.value }, 'Priority not saved'));
    $('conv-team').addEventListener('change', (e) => this.change('team', { team: e.target.value || null }, 'Team not saved'));
    teams.onChange(() => { if (this.conv) this.renderTeam(); });
    // A change that came while the agent typed a label or a detail is drawn
    // once the box closes (after its own handlers have run).
    for (const id of ['conv-labels', 'conv-details'])
      $(id).addEventListener('focusout', () => setTimeout(() => { if (this.conv) this.renderChips(); }));
    // Left open, it would be read again at once: so it closes.
    $('mark-unread').addEventListener('click', async () => {
      try {
        this.onChange(await api.post(`/conversations/${enc(this.phone)}/unread`, {}));
        this.onLeave();
      } catch (e) {
        this.showNotice(`Not marked unread: ${e.message}`);
      }
    });
    $('follow').addEventListener('click', () => this.follow(!this.following()));
    $('mute-conversation').addEventListener('click', () => {
      const muted = !this.conv.muted;
      this.change('muted', { muted }, muted ? 'Not muted' : 'Not unmuted');
    });
    $('block-user').addEventListener('click', () => {
      if (this.conv.blocked) return this.change('blocked', { blocked: false }, 'Not unblocked');
      $('block-who').textContent = `${userName(this.conv)} (+${this.conv.phone})`;
      $('block-dialog').showModal();
    });
    $('rename').addEventListener('click', () => {
      const box = typeInPlace([$('conv-name'), $('rename')], { class: 'rename-input', maxlength: '64', 'aria-label': 'Name',
        value: this.conv.name || '' }, (name) => { if (name !== this.conv.name) this.change('name', { name }, 'Name not saved'); });
      box.select();
    });
    $('block-dialog').addEventListener('close', () => {
      if ($('block-dialog').returnValue === 'block') this.change('blocked', { blocked: true }, 'Not blocked');
    });
    $('delete-conversation').addEventListener('click', () => {
      $('delete-who').textContent = `${userName(this.conv)} (+${this.conv.phone})`;
      $('delete-dialog').showModal();
    });
    // The conversation.deleted that follows closes the chat, here and in every console.
    $('delete-dialog').addEventListener('close', async () => {
      if ($('delete-dialog').returnValue !== 'delete') return;
      const phone = this.phone;
      try {
        await api.del(`/conversations/${enc(phone)}`);
      } catch (e) {
        if (this.phone === phone) this.showNotice(`Not deleted: ${e.message}`);
      }
    });
    $('transfer-dialog').addEventListener('close', () => {
      if ($('transfer-dialog').returnValue === 'transfer' && $('transfer-to').value)
        this.act('transfer', { to: $('transfer-to').value });
    });
    document.addEventListener('visibilitychange', () => this.markRead());
  }

  // `at`: a message to show (a search's match) rather than the newest, with
  // the `words` found in it marked.
  async open(phone, at = null, words = '') {
    const again = phone === this.phone;
    if (!again) {
      this.saveDraft();
      this.stoppedTyping();
      for (const timer of this.typingTimers.values()) clearTimeout(timer);  // who typed in the chat left
      this.typingTimers.clear();
      this.phone = phone;  // from here on, what the composer holds is this chat's
      this.notice = null;  // another chat's refusal is not this one's
      const draft = this.drafts.get(phone);
      $('composer-text').value = draft?.text ?? '';  // never what was typed to another user
      this.setMode(draft?.mode ?? 'reply');  // a note mode left on would surprise in another chat
      this.attachments.clear();
      this.quotedEarlier.clear();
      this.attach(null);  // nor would a file picked for another user
      this.quote(null);  // nor a message of another chat to quote
      this.pastChats.show(phone);
    }
    // Read again with the chat (after a reconnect too): no event is kept for a console away.
    this.scheduled.load(phone).catch(() => {});  // none shown: the chat opens as it would
    const arriving = this.arriving = { changes: [], conv: null };
    const overtaken = () => this.phone !== phone || this.arriving !== arriving;
    try {
      const data = await api.get(`/conversations/${enc(phone)}`);
      if (overtaken()) return;
      const { messages, last_user_message_at: userWroteAt, ...conv } = data;
      // Back to the message asked for, or to the first the agents have not
      // read, unless the agent wrote since (its line would not show).
      const unreadBack = conv.unread > 0 && !messages.some((m) => this.ownMessage(m)) ? conv.read_seq + 1 : Infinity;
      const back = Math.min(at ?? Infinity, unreadBack);
      const history = back < Infinity ? await this.historyBackTo(phone, messages, back) : messages;
      if (overtaken()) return;
      this.conv = newerOf(arriving.conv, conv);
      this.messages = history;
      this.markUnreadFrom(again);
      for (const change of arriving.changes) change();
      this.userWroteAt = userWroteAt;
    } finally {
      if (this.arriving === arriving) this.arriving = null;
    }
    this.found = at;
    this.foundWords = at ? words : '';
    $('pane-empty').hidden = true;
    $('conversation').hidden = false;
    this.renderHeader();
    this.renderMessages();
    if (!at || !this.reveal(at)) this.scrollToUnread();
    $('typing').textContent = '';
    $('arrived').textContent = '';  // another chat's
    this.markRead();
  }

  // An admin erased the conversation of `phone`: the draft for it goes too.
  forgetDraft(phone) { this.drafts.set(phone, '', 'reply'); }

  close() {
    this.saveDraft();
    this.stoppedTyping();
    this.phone = null;
    this.unreadLine = null;
    clearTimeout(this.dayTimer);
    $('conversation').hidden = true;
    $('pane-empty').hidden = false;
  }

  // The header's parts, drawn as the chat changes under the agent. Each may
  // make the header taller or shorter (a label, a badge, its buttons
  // wrapping anew), which moves the history below by as much: the history
  // is scrolled by as much from where it was, so that what the agent reads
  // or presses stays where it was. Measured around the drawing itself: a
  // history that grew had its scroll cut back to its new end by then.
  renderHeader() { this.keepingHistoryInPlace(() => this.drawHeader()); }
  renderChips() { this.keepingHistoryInPlace(() => this.drawChips()); }
  renderViewers() { this.keepingHistoryInPlace(() => this.drawViewers()); }
  renderFollowers() { this.keepingHistoryInPlace(() => this.drawFollowers()); }
  renderWait() { this.keepingHistoryInPlace(() => this.drawWait()); }
  renderTeam() { this.keepingHistoryInPlace(() => this.drawTeam()); }

  keepingHistoryInPlace(draw) {
    if ($('conversation').hidden) return draw();
    const before = this.header.getBoundingClientRect().height;
    const top = this.list.scrollTop;
    const atEnd = this.list.scrollHeight - top - this.list.clientHeight < 2;  // kept there exactly, whatever the rounding
    draw();
    const after = this.header.getBoundingClientRect().height;
    if (after !== before) this.list.scrollTop = atEnd ? this.list.scrollHeight : top + after - before;
  }

  // The labels and details in the header: redrawn only when they changed,
  // and not while the agent types a new one there (another agent's change
  // would take the text away); the editors' focusout catches up. Saves
  // apply to the latest, not to the chips as drawn.
  drawChips() {
    const c = this.conv;
    const labels = c.labels ?? [];
    // Drawn anew when the catalog changes too: a label's colour.
    redrawUnlessTyping($('conv-labels'), [labels, this.labelCatalog.version], () => labelsEditor(labels, {
      onSave: (edit) => this.changeSet('labels', [], edit, 'Labels not saved'), onFilter: this.onLabel, known: this.knownLabels,
      paint: (label, title) => this.labelCatalog.chip(label, title) }));
    const details = c.attributes ?? {};
    // Drawn anew when the catalog changes too: a detail's name and type.
    redrawUnlessTyping($('conv-details'), [details, this.attributeCatalog.version], () => detailsEditor(details, this.attributeCatalog, {
      onSave: (edit) => this.changeSet('attributes', {}, edit, 'Details not saved'),
      onRefused: (why) => this.showNotice(why) }));
  }

  // The other agents with this chat open: whoever answers should know.
  drawViewers() {
    const others = this.phone ? this.viewers.others(this.phone) : [];
    $('conv-viewers').hidden = others.length === 0;
    $('conv-viewers').textContent = `👀 ${namesText(others)} ${others.length > 1 ? 'have' : 'has'} it open too`;
  }

  mine() { return this.conv?.chat_support_active && this.conv.assignee === this.me.username; }

  following() { return (this.conv?.participants ?? []).includes(this.me.username); }

  drawFollowers() {
    const names = this.conv.participants ?? [];
    const following = this.following();
    $('follow').textContent = following ? '👁 Following' : '👁 Follow';
    $('follow').setAttribute('aria-pressed', String(following));
    $('conv-followers').hidden = names.length === 0;
    $('conv-followers').textContent = `Followed by ${names.map((n) => (n === this.me.username ? 'you' : n)).join(', ')}`;
  }

  // On WhatsApp, when the user last wrote and how long the window since
  // then stays open (≤ 0: closed): from the messages loaded, or, when none
  // of those is theirs, from what the server said on opening the chat. A
  // user who never wrote (an agent wrote first) is outside it: `at` null.
  replyWindow() {
    if (this.conv?.channel !== 'whatsapp') return null;
    const at = this.messages.findLast((m) => m.sender === 'user' && m.seq)?.timestamp ?? this.userWroteAt;
    return at ? { at, left: Date.parse(at) + WHATSAPP_WINDOW_MS - Date.now() } : { at: null, left: 0 };
  }

  canReply() {
    const waWindow = this.replyWindow();
    return this.mine() && !(waWindow && waWindow.left <= 0);
  }

  // How long the user has waited for an answer, and whether the chat is
  // open past the resolution target; the clock moves them on.
  drawWait() {
    const c = this.conv;
    const unresolved = Boolean(c) && this.targets.pastResolution(c);
    $('conv-overdue').hidden = !unresolved;
    if (unresolved) $('conv-overdue').textContent = `⌛ Open past the resolution target (${this.targets.resolutionText(c)})`;
    $('conv-waiting').hidden = !waitsForAnswer(c);
    if ($('conv-waiting').hidden) return;
    // When the target is due (on the team's clock, a night away), and
    // whether that is past.
    const due = this.targets.dueMs(c);
    const late = due != null && Date.now() > due;
    const within = !late && due != null && Number.isFinite(due);
    $('conv-waiting').classList.toggle('late', late);
    $('conv-waiting').textContent = `⏳ Waiting for an answer · ${relativeTime(c.waiting_since)}`
      + (late ? ` · late: the target is ${this.targets.targetText(c)}` : '')
      + (within ? ` · due in ${timeLeft(due)}` : '');
    $('conv-waiting').title = `The user's oldest message no agent has answered yet: ${clockTime(c.waiting_since)}`
      + (within ? `; the target (${this.targets.targetText(c)}) is due at ${clockTime(due)}` : '');
  }

  drawHeader() {
    const c = this.conv;
    $('conv-name').textContent = userName(c);
    $('conv-phone').textContent = `+${c.phone}`;
    $('conv-channel').textContent = channelName(c.channel);  // what it can be sent, and when
    // The bot's state in words; a live chat has its badge instead.
    const live = c.state === 'CHAT_SUPPORT_ACTIVE';
    $('conv-state').textContent = live ? '' : STATE_WORDS[c.state] ?? c.state;
    $('conv-state').hidden = live;
    $('conv-state').title = c.state;
    $('conv-state').dataset.state = c.state;
    $('conv-live').hidden = !c.chat_support_active;
    $('conv-blocked').hidden = !c.blocked;
    $('conv-muted').hidden = !c.muted;
    $('conv-snoozed').hidden = !c.snoozed;
    if (c.snoozed) {
      $('conv-snoozed').textContent = `💤 Snoozed until ${snoozedUntil(c)}`;
      $('conv-snoozed').title = c.snoozed_until ? 'Out of Active and Mine until then, or until the user writes'
        : 'Out of Active and Mine until the user writes';
    }
    this.drawWait();
    $('conv-priority').value = c.priority ?? 'none';
    $('conv-priority').dataset.priority = c.priority ?? 'none';
    this.drawTeam();
    $('block-user').textContent = c.blocked ? 'Unblock' : 'Block';
    $('mute-conversation').textContent = c.muted ? 'Unmute' : 'Mute';
    $('delete-conversation').hidden = this.me.role !== 'admin';
    // Unread for the moment between a user's message and its read as shown:
    // disabled, not hidden, so the header does not wrap anew under a pointer.
    $('mark-unread').disabled = c.unread > 0;
    this.drawFollowers();
    this.drawViewers();
    $('conv-assignee').textContent = c.assignee ? `Assigned to ${c.assignee === this.me.username ? 'you' : c.assignee}`
      : c.queue_position != null ? `Waiting in queue (#${c.queue_position})` : '';
    this.drawChips();
    const canManage = c.chat_support_active && (!c.assignee || c.assignee === this.me.username || this.me.role === 'admin');
    $('start-chat').hidden = c.blocked || this.mine() || (c.chat_support_active && c.assignee && c.assignee !== this.me.username);
    $('start-chat').textContent = c.chat_support_active ? 'Claim Chat' : 'Start Chat';
    $('end-chat').hidden = !canManage;
    $('transfer-chat').hidden = !canManage;
    $('return-chat').hidden = !canManage || !c.assignee;  // a queued chat is there already
    // Only a chat an agent has is put aside, by that agent or an admin.
    const canSnooze = canManage && !!c.assignee;
    $('snooze-menu').hidden = !canSnooze || !!c.snoozed;
    if ($('snooze-menu').hidden) $('snooze-menu').open = false;
    $('unsnooze').hidden = !canSnooze || !c.snoozed;
    for (const f of ['txt', 'csv', 'json'])
      $(`dl-${f}`).href = `/conversations/${enc(c.phone)}/transcript?format=${f}`;
    this.transcriptMail.show(c);
    // A private note can be left in any conversation; a reply only in one's own chat.
    const note = this.mode === 'note';
    const waWindow = this.replyWindow();
    const closed = Boolean(waWindow && waWindow.left <= 0);
    // Drawn again as the window's last hour starts, each minute of it (the
    // hint counts down), and as it closes.
    const lastHour = waWindow && waWindow.left > 0 && waWindow.left <= HOUR_MS;
    clearTimeout(this.windowTimer);
    if (waWindow && waWindow.left > 0)
      this.windowTimer = setTimeout(() => this.renderHeader(), lastHour ? Math.min(waWindow.left, 60_000) : waWindow.left - HOUR_MS);
    const enabled = note || (this.mine() && !closed);  // canReply(), with the window already read
    $('composer-text').disabled = !enabled;
    $('send').disabled = !enabled;
    $('attach').hidden = note || c.channel !== 'whatsapp';  // a file goes to a WhatsApp user, never in a note
    $('attach').disabled = !enabled;
    $('emoji').disabled = !enabled;
    if (!enabled) this.emoji.close(false);
    // A template is what reaches the user once the window has closed.
    $('send-template').hidden = note || c.channel !== 'whatsapp' || !this.mine();
    // A reply to go later: from the agent whose chat it is, as one sent now.
    $('send-later').hidden = note || !enabled;
    if ($('send-later').hidden) $('send-later').open = false;
    $('send').textContent = note ? 'Add note' : 'Send';
    this.renderSign();
    $('composer').classList.toggle('note', note);
    // A phone's keyboard has its own Enter: only the saved replies' key is said there, in two lines' room.
    $('composer-text').placeholder = note ? 'Write a private note: only agents see it'
      : PHONE_WIDTH.matches ? 'Write a reply… (/ for a saved reply)'
        : 'Write a reply… (Enter sends, Shift+Enter for a new line, / for a saved reply)';
    $('composer-hint').textContent = enabled
      ? (lastHour && !note ? `WhatsApp takes replies to ${userName(c)} for ${Math.ceil(waWindow.left / 60_000)} more min `
        + '(24 hours from their last message); after that only a Template reaches them.' : '')
      : closed ? `${waWindow.at ? `${userName(c)} last wrote ${relativeTime(waWindow.at)} ago` : `${userName(c)} has not written yet`}: `
        + 'WhatsApp takes a reply only within 24 hours of the user\'s last message, so they need to write first, or you can '
        + 'send them an approved Template. A private note reaches the agents.'
      : c.blocked ? `${userName(c)} is blocked: what they write is dropped. Unblock them to chat. A private note reaches the agents.`
      : c.chat_support_active ? (c.assignee ? `Only ${c.assignee} can reply in this chat. A private note reaches them.` : 'Claim the chat to reply.')
      : 'Start a chat to reply.';
    if (this.notice) $('composer-hint').textContent = this.notice;
  }

  // A refusal in this chat's hint, kept when events draw the composer again
  // (the user writes on; a macro's first actions arrive after its fourth was
  // refused), until the agent's next action here goes through or another
  // chat opens.
  showNotice(text) {
    this.notice = text;
    $('composer-hint').textContent = text;
  }

  clearNotice() {
    if (!this.notice) return;
    this.notice = null;
    if (this.conv) this.renderHeader();
  }

  // The answer for a chat, which the agent may have left while it was
  // asked. A success clears the notice of that chat only; a refusal is said
  // in the chat open now, naming the one it is about.
  doneFor(phone) { if (phone === this.phone) this.clearNotice(); }
  refusedFor(phone, who, text) { this.showNotice(phone === this.phone ? text : `${who}: ${text}`); }

  setMode(mode) {
    const changed = mode !== this.mode;
    this.mode = mode;
    if (changed) this.saveDraft();  // the draft is a note now, or a reply
    for (const m of ['reply', 'note']) $(`mode-${m}`).setAttribute('aria-selected', String(m === mode));
    if (mode === 'note') this.quote(null);  // a note quotes nothing
    if (this.conv) this.renderHeader();
    if (this.conv && changed) this.renderMessages();  // a reply's Reply buttons
    if (!$('composer-text').disabled) $('composer-text').focus();
  }

  messageItem(m) {
    const kind = m.type === 'system' || m.type === 'note' ? m.type : m.sender;
    const what = m.type === 'note' ? ' · private note' : m.type === 'template' ? ' · template' : '';
    const who = `${this.authorOf(m)}${m.sender === 'admin' ? what : ''}`;
    const text = this.textOf(m);
    // A line of what happened (a transfer, a label put on) is the server's
    // own: no author, and nothing delivered to tick.
    const happened = m.type === 'system';
    const ticks = m.sender === 'user' || m.type === 'note' || happened ? null
      : h('span', { class: `ticks ${m.status}`, text: m.pending ? '…' : TICKS[m.status] ?? '', title: m.status, 'aria-label': m.pending ? 'sending' : m.status });
    const calls = m.type === 'note' && m.agent !== this.me.username && mentions(m.text, this.me.username) ? ' mentions-me' : '';
    // What the user saw can be quoted in a reply; a note or the bot's own notice cannot.
    const quotable = m.seq && m.type !== 'note' && !happened && this.mode === 'reply' && this.canReply()
      ? h('button', { type: 'button', class: 'reply-to', text: 'Reply', 'aria-label': 'Reply quoting this message', onclick: () => this.quote(this.current(m)) })
      : null;
    // A note goes by its writer's hand or an admin's, as the server allows.
    const deletable = m.seq && m.type === 'note' && !m.deleted && (m.agent === this.me.username || this.me.role === 'admin')
      ? h('button', { type: 'button', class: 'delete-note', text: 'Delete', 'aria-label': 'Delete this note', onclick: () => this.deleteNote(this.current(m)) })
      : null;
    // And is edited by its writer's alone.
    const editable = m.seq && m.type === 'note' && !m.deleted && m.agent === this.me.username
      ? h('button', { type: 'button', class: 'edit-note', text: 'Edit', 'aria-label': 'Edit this note', onclick: (e) => this.editNote(this.current(m), e.target.closest('li')) })
      : null;
    const edited = m.edited_at && !m.deleted
      ? h('span', { class: 'edited', text: 'edited', title: `Edited ${new Date(m.edited_at).toLocaleString()}` })
      : null;
    return h('li', { class: `message ${kind}${m.type === 'rating' || m.type === 'reaction' ? ` ${m.type}` : ''}${m.pending ? ' pending' : ''}${calls}${m.seq && m.seq === this.found ? ' found' : ''}`, 'data-seq': m.seq ?? '', 'data-client-id': m.client_id ?? '' },
      m.reply_to ? this.quoteOf(m) : null,
      m.attachment ? this.attachmentOf(m) : null,
      m.deleted ? h('span', { class: 'text deleted', text: 'This note was deleted' })
        : m.type === 'rating' ? rating(m.text) : this.placeOf(m) ?? (text ? this.textElement(m, text) : null),
      m.choices?.length ? choicesOf(m) : null,
      h('span', { class: 'meta' }, happened ? null : h('span', { text: who }), h('time', { datetime: m.timestamp, text: clockTime(m.timestamp) }), edited, ticks, quotable, editable, deletable),
      m.status === 'failed' ? this.failure(m) : null);
  }

  // A shared location: its place and a map link, not the server's "[location] 38.98,…".
  placeOf(m) {
    const where = m.type === 'location' ? locationOf(m.text) : null;
    return where ? locationElement(where) : null;
  }

  textElement(m, text) {
    const el = h('span', { class: 'text' }, richText(text));
    return m.seq && m.seq === this.found ? markWords(el, this.foundWords) : el;
  }

  attachmentOf(m) {
    let el = this.attachments.get(m.seq);
    if (!el) this.attachments.set(m.seq, el = attachmentElement(m));
    return el;
  }

  // Why a message did not reach the user, and a way to send it again: a
  // copy the server never stored is posted again as it was; one the provider
  // refused goes as a new message, the refused one staying in the history.
  failure(m) {
    const reason = `${m.seq ? 'Not delivered' : 'Not sent'}${m.error ? `: ${m.error}` : ''}`;
    // A stored file the provider refused is not: the browser no longer has
    // it. Nor is a template, which is sent again from its dialog, not as text.
    const mineToResend = m.sender === 'admin' && m.agent === this.me.username && (m.type === 'note' || this.canReply())
      && !(m.seq && (m.attachment || m.type === 'template'));
    return h('span', { class: 'delivery-error', role: 'note' },
      h('span', { text: reason }),
      mineToResend ? h('button', { type: 'button', class: 'resend', text: 'Send again', onclick: () => this.resend(this.current(m)) }) : null);
  }

  resend(m) {
    if (!m.seq) this.messages = this.messages.filter((x) => x !== m);
    if (m.file) this.postFile(m.file, m.caption, m.client_id, m.reply_to);
    else this.post(m.text, m.type === 'note', m.seq ? undefined : m.client_id, m.reply_to);
  }

  // The message as the pane holds it now: an item kept in place keeps the
  // listeners it was drawn with, and its message may have been replaced
  // since (its delivery told, say).
  current(m) {
    return this.messages.find((x) => x === m || (m.seq ? x.seq === m.seq : m.client_id && x.client_id === m.client_id)) ?? m;
  }

  // A line for each day, as a chat app has: a message shows only its time.
  // Drawn again on every message, each item as it is now, but in place
  // where it was shown: an item replaced between a press and its release
  // loses the click (Reply, Delete, Send again), and one replaced loses
  // the text an agent had selected in it. An item shown for the same
  // message object, drawn in the same context, is kept without building it
  // again: building every item of a long history to compare it was most of
  // the time a new message took.
  renderMessages() {
    const shown = new Map([...this.list.children].map((li) => [li.dataset.key, li]));
    const items = [];
    const add = (key, fresh) => {
      fresh.dataset.key = key;
      const was = shown.get(key);
      const item = was ? refreshedInPlace(was, fresh) : fresh;
      items.push(item);
      return item;
    };
    // All that messageItem reads beside the message (a reply's quote reads
    // another message: those are always built).
    const context = [userName(this.conv), this.mode, this.canReply(), this.found, this.foundWords, this.me.username, this.me.role].join('\n');
    let shownDay = null;
    const unreadFrom = this.unreadLineAt();
    for (const m of this.messages) {
      const day = new Date(m.timestamp).toDateString();
      if (day !== shownDay) add(`${this.phone} day ${day}`, h('li', { class: 'day', text: dayLabel(m.timestamp) }));
      shownDay = day;
      if (m.seq && m.seq === unreadFrom) {
        const n = this.unreadLine.count;
        add(`${this.phone} unread`, h('li', { class: 'unread-line', text: `${n} unread message${n === 1 ? '' : 's'}` }));
      }
      const key = `${this.phone} ${m.seq ? `seq ${m.seq}` : `client ${m.client_id}`}`;
      const was = shown.get(key);
      const drawn = was && this.drawnFrom.get(was);
      // Its editor open: drawn once it closes. (One left behind by another chat's opening closed nothing.)
      if (was && key === this.editingNote && was.querySelector('.note-editor')) items.push(was);
      else if (drawn?.m === m && drawn.context === context && !m.reply_to) items.push(was);
      else this.drawnFrom.set(add(key, this.messageItem(m)), { m, context });
    }
    // Those drawn anew leave first, so that the items kept stay where they
    // are: moving one would blur what has focus in it (a note's editor).
    // Moved only where the order changed: most often one item is added at the end.
    const kept = new Set(items);
    for (const li of [...this.list.children]) if (!kept.has(li)) li.remove();
    items.forEach((item, i) => {
      const there = this.list.children[i];
      if (there !== item) this.list.insertBefore(item, there ?? null);
    });
    // "Today" turns into "Yesterday" at midnight, message or not.
    clearTimeout(this.dayTimer);
    const now = new Date();
    this.dayTimer = setTimeout(() => this.renderMessages(),
      new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1) - now + 1000);
  }

  // The history from `at` on, when the newest page starts after it: the
  // pages between (so that the history stays whole, as scrolling up would
  // load it), 200 messages a page, 2,000 at most.
  async historyBackTo(phone, newest, at) {
    let messages = newest;
    for (let pages = 0; pages < 10; pages += 1) {
      const oldest = oldestSeq(messages);
      if (!oldest || oldest <= at) break;
      const { messages: older } = await api.get(`/conversations/${enc(phone)}/messages?before=${oldest}&limit=200`);
      if (!older.length) break;
      messages = [...older, ...messages];
    }
    return messages;
  }

  // As a chat app's "3 unread messages": a line above the first message of
  // the user's that no agent had read when the chat opened, saying how many
  // there were. Read again (a click on its row, a resync), a chat with
  // nothing unread keeps the line it had.
  markUnreadFrom(again) {
    const c = this.conv;
    const first = c.unread > 0 ? this.messages.find((m) => m.sender === 'user' && m.seq > c.read_seq) : null;
    if (first) this.unreadLine = { seq: first.seq, count: c.unread };
    else if (!again) this.unreadLine = null;
  }

  // The seq the line stands above, while it stands: until the agent writes
  // in the chat after it (a reply, a note), as WhatsApp's goes once one answers.
  unreadLineAt() {
    const line = this.unreadLine;
    if (!line) return null;
    const i = this.messages.findIndex((m) => m.seq === line.seq);
    if (i < 0 || this.messages.slice(i).some((m) => this.ownMessage(m))) return null;
    return line.seq;
  }

  ownMessage(m) { return m.sender === 'admin' && m.agent === this.me.username; }

  // To the newest message, or, when the unread ones are more than the
  // history's height shows, to their line at the top: they are read (and
  // the list's count cleared) once the agent reaches the newest.
  scrollToUnread() {
    this.list.scrollTop = this.list.scrollHeight;
    $('new-messages').hidden = true;
    const line = this.list.querySelector('li.unread-line');
    if (!line) return;
    const above = line.getBoundingClientRect().top - this.list.getBoundingClientRect().top - 8;
    if (above >= 0) return;
    this.list.scrollTop += above;
    $('new-messages').hidden = false;
  }

  // Scrolls the message `seq` into view and flashes it; false when it is not on the page.
  reveal(seq) {
    const el = this.list.querySelector(`li[data-seq="${seq}"]`);
    if (!el) return false;
    el.scrollIntoView({ block: 'center' });
    el.classList.add('flash');
    setTimeout(() => el.classList.remove('flash'), 1500);
    return true;
  }

  nearBottom() { return this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 60; }
  scrollToBottom() { this.list.scrollTop = this.list.scrollHeight; $('new-messages').hidden = true; this.markRead(); }

  // To a new message, unless a press in the history holds it until let go.
  followNewest() {
    if (this.pressing) this.scrollWhenLetGo = true;
    else this.scrollToBottom();
  }

  pressEnded() {
    this.pressing = false;
    if (!this.scrollWhenLetGo) return;
    this.scrollWhenLetGo = false;
    setTimeout(() => this.scrollToBottom());  // after the click the release makes
  }

  async onScroll() {
    if (this.nearBottom()) { $('new-messages').hidden = true; this.markRead(); }
    const oldest = oldestSeq(this.messages);
    if (this.list.scrollTop > 40 || this.loadingOlder || !oldest || oldest <= 1) return;
    this.loadingOlder = true;
    const phone = this.phone;
    let joined = false;
    try {
      await this.olderPages.read(() => api.get(`/conversations/${enc(phone)}/messages?before=${oldest}&limit=50`),
        ({ messages }) => {
          // The page joins the history only if it still begins where it was
          // asked from: the chat opened again meanwhile (a resync, a click on
          // its row) holds the newest page, which newer messages may have
          // moved past it.
          joined = phone === this.phone && oldestSeq(this.messages) === oldest;
          if (joined) this.messages = [...messages, ...this.messages];
        });
      if (!joined) return;
      const height = this.list.scrollHeight;
      this.renderMessages();
      this.list.scrollTop = this.list.scrollHeight - height;  // stay where the agent was reading
    } finally { this.loadingOlder = false; }
  }

  // A stored message: replaces its optimistic copy, or takes its place by seq.
  addMessage(m) {
    if (m.conversation !== this.phone) return;
    if (this.arriving) {
      this.arriving.changes.push(() => this.takeMessage(m));
      return;
    }
    const stick = this.nearBottom();
    this.takeMessage(m);
    this.renderMessages();
    this.sayArrived(m);
    if (m.sender === 'user' && this.conv?.channel === 'whatsapp') this.renderHeader();  // WhatsApp's window opens again
    if (stick || m.sender === 'admin' && m.agent === this.me.username) this.followNewest();
    else $('new-messages').hidden = false;
  }

  // Read out by a screen reader, as a chat app does: what the user, or a
  // colleague, wrote in the chat open; not the bot's notices, nor the
  // agent's own words.
  sayArrived(m) {
    if (m.sender === 'bot' || m.type === 'system' || (m.sender === 'admin' && m.agent === this.me.username)) return;
    $('arrived').textContent = `${this.authorOf(m)}${m.type === 'note' ? ', private note' : ''}: ${this.excerptOf(m)}`;
  }

  takeMessage(m) {
    // Its copy, sending or failed to send: a send whose answer was lost may still have been stored.
    const byClient = m.client_id ? this.messages.findIndex((x) => !x.seq && x.client_id === m.client_id) : -1;
    const bySeq = this.messages.findIndex((x) => x.seq === m.seq);
    if (byClient >= 0) this.messages[byClient] = m;
    else if (bySeq >= 0) this.messages[bySeq] = laterOf(this.messages[bySeq], m);
    else {
      this.messages.push(m);
      this.messages.sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity));
    }
  }

  // A stored message as it is now: its delivery moved on, or a note was deleted.
  replaceMessage(m) {
    if (m.conversation !== this.phone) return;
    if (this.arriving) {
      this.arriving.changes.push(() => this.putMessage(m));
      return;
    }
    if (this.olderPages.change(() => this.putMessage(m))) this.renderMessages();
  }

  putMessage(m) {
    if (m.conversation !== this.phone) return false;  // done again after another chat opened
    const i = this.messages.findIndex((x) => x.seq === m.seq);
    if (i >= 0) this.messages[i] = m;
    return i >= 0;
  }

  // In place of its words, until Enter saves them or Escape (or a click
  // elsewhere) leaves them. Meanwhile the pane keeps its item as it is
  // (renderMessages), so that a message arriving does not take the words
  // being typed; a change to the note that came meanwhile is drawn once it
  // closes. The message.updated that follows tells every other console.
  // `back`: where the keyboard goes once it closes by a key (the composer,
  // for ↑), not where a click elsewhere took it.
  editNote(m, item, back = null) {
    const words = item?.querySelector(':scope > .text');
    if (!words) return;
    this.editingNote = item.dataset.key;
    const phone = m.conversation;
    editInPlace([words], m.text, { class: 'note-editor', 'aria-label': 'Edit the note' }, async (text) => {
      try {
        this.replaceMessage(await api.patch(`/conversations/${enc(phone)}/notes/${m.seq}`, { text }));
      } catch (e) {
        if (this.phone === phone) this.showNotice(`Not saved: ${e.message}`);
      }
    }, [h('span', { class: 'note-editor-hint', text: 'Enter saves · Shift+Enter for a new line · Esc cancels' })], () => {
      this.editingNote = null;
      if (this.phone === phone) this.renderMessages();
      if (back) setTimeout(() => { if (document.activeElement === document.body) back.focus(); });
    });
  }

  // The agent's newest note in the pane, if any, opened for editing, in view.
  editLastNote() {
    const m = this.messages.findLast((x) => x.seq && x.type === 'note' && !x.deleted && x.agent === this.me.username);
    const item = m && this.list.querySelector(`li[data-seq="${m.seq}"]`);
    if (!item) return false;
    item.scrollIntoView({ block: 'nearest' });
    this.editNote(m, item, $('composer-text'));
    return true;
  }

  // The message.updated that follows tells every other console.
  async deleteNote(m) {
    if (!await confirmed($('delete-note-dialog'), 'delete')) return;
    try {
      this.replaceMessage(await api.del(`/conversations/${enc(m.conversation)}/notes/${m.seq}`));
    } catch (e) {
      if (this.phone === m.conversation) this.showNotice(`Not deleted: ${e.message}`);
    }
  }

  updateConversation(c) {
    if (c.phone !== this.phone) return;
    if (this.arriving) {
      this.arriving.conv = newerOf(this.arriving.conv, c);
      return;
    }
    if (newerOf(this.conv, c) !== c) return;
    this.conv = c;
    this.renderHeader();
    this.renderMessages();  // what the items show of it (Reply, Send again, the user's name): only those drawn anew
    this.markRead();  // new user messages while the agent is looking at them
  }

  // Offered to an agent who has a signature (the Team dialog's), for replies.
  renderSign() {
    const sign = $('sign');
    sign.hidden = this.mode === 'note' || !this.me.signature;
    sign.setAttribute('aria-pressed', String(this.signing));
    sign.title = this.signing ? 'Your signature goes under your replies (click to stop)' : 'Sign your replies';
  }

  // Why a reply cannot be taken back into the composer now (a scheduled
  // one's, to change), or null: it waits while the agent is writing
  // something else.
  cannotPutBack() {
    if (!this.canReply()) return 'You can write to them once the chat is yours again.';
    return $('composer-text').value.trim() ? 'Send or clear what the composer holds first.' : null;
  }

  // The reply back in the composer, as typed (without the signature Sign
  // adds again), after anything typed since cannotPutBack said yes.
  putBack(text) {
    const box = $('composer-text');
    if (this.mode !== 'reply') this.setMode('reply');
    const signed = this.me.signature ? `\n\n${this.me.signature}` : null;
    const taken = this.signing && signed && text.endsWith(signed) ? text.slice(0, -signed.length) : text;
    box.value = box.value.trim() ? `${box.value}\n${taken}` : taken;  // typed while it was taken off: both kept
    this.saveDraft();
    box.focus();
  }

  // What the composer holds as a reply goes: signed while ✍ Sign is on.
  replyText() {
    const typed = $('composer-text').value.trim();
    return typed && this.signing && this.me.signature ? `${typed}\n\n${this.me.signature}` : typed;
  }

  send() {
    const box = $('composer-text');
    const note = this.mode === 'note';
    const text = note ? box.value.trim() : this.replyText();
    const file = note ? null : this.file;
    if (!(text || file) || !(note || this.canReply())) return;
    box.value = '';
    this.saveDraft();
    this.typingIn = this.phone;  // the message ends the indicator, whoever started it
    this.stoppedTyping();
    const replyTo = note ? undefined : this.replyTo?.seq;
    this.quote(null);
    if (!file) return this.post(text, note, undefined, replyTo);
    this.attach(null);
    // WhatsApp sends audio without a caption: the text follows it on its own.
    const apart = file.type.startsWith('audio/') && text;
    this.postFile(file, apart ? '' : text, undefined, replyTo).then((sent) => { if (sent && apart) this.post(text, false); });
  }

  // The message the next reply quotes (null: none), shown above the composer.
  quote(m) {
    this.replyTo = m ? { seq: m.seq } : null;
    $('replying').hidden = !m;
    $('replying-to').textContent = m ? `Replying to ${this.authorOf(m)}: ${this.excerptOf(m)}` : '';
    if (m) $('composer-text').focus();
  }

  // Who wrote a message, as its line in the chat names them.
  authorOf(m) {
    return m.sender === 'admin' ? (m.agent === this.me.username ? 'You' : m.agent) : m.sender === 'bot' ? 'Bot' : userName(this.conv);
  }

  // The text a message shows under its file or in place of its raw form.
  textOf(m) {
    if (m.attachment) return captionOf(m);
    if (m.type === 'reaction') return reactionText(m.text);
    return m.type === 'contacts' ? contactsText(m.text) : m.text;
  }

  excerptOf(m) {
    const text = this.textOf(m) || `[${m.type}]`;
    return text.length > 120 ? `${text.slice(0, 119)}…` : text;
  }

  // The quoted message above a reply: its author and its start, and a
  // click shows it. One older than the pages loaded is fetched on its own.
  quoteOf(m) {
    const quoted = this.messages.find((x) => x.seq === m.reply_to) ?? this.quotedEarlier.get(m.reply_to) ?? this.fetchQuoted(m.reply_to);
    return h('button', { type: 'button', class: 'quote', title: 'Show the message it answers', onclick: () => this.reveal(m.reply_to) },
      quoted ? h('b', { text: this.authorOf(quoted) }) : null,
      quoted ? this.excerptOf(quoted) : 'An earlier message');
  }

  fetchQuoted(seq) {
    if (this.quotedEarlier.has(seq)) return null;
    this.quotedEarlier.set(seq, null);
    const phone = this.phone;
    api.get(`/conversations/${enc(phone)}/messages?before=${seq + 1}&limit=1`).then(({ messages }) => {
      if (phone !== this.phone || messages[0]?.seq !== seq) return;
      this.quotedEarlier.set(seq, messages[0]);
      this.renderMessages();
    }).catch(() => {});
    return null;
  }

  canAttach() { return this.mode === 'reply' && this.conv?.channel === 'whatsapp' && this.canReply(); }

  // The file to send with the next reply (null: none), shown above the composer.
  attach(file) {
    this.file = file;
    $('attached').hidden = !file;
    $('attached-name').textContent = file ? `📎 ${file.name || 'Pasted picture'} · ${fileSize(file.size)}` : '';
    if (file) $('composer-text').focus();
  }

  // As post(), for a file: shown at once as sending, then replaced by the
  // stored message. True when the server took it.
  async postFile(file, caption, clientId = newClientId(), replyTo = undefined) {
    const phone = this.phone;
    const name = file.name || 'Pasted picture';
    this.messages.push({ conversation: phone, sender: 'admin', agent: this.me.username, client_id: clientId, file, caption,
      text: `📎 ${name}${caption ? ` · ${caption}` : ''}`, type: 'text', timestamp: new Date().toISOString(),
      status: 'received', pending: true, reply_to: replyTo });
    this.renderMessages();
    this.scrollToBottom();
    const query = new URLSearchParams({ client_id: clientId, caption });
    if (file.name) query.set('filename', file.name);
    if (replyTo) query.set('reply_to', String(replyTo));
    try {
      const stored = await api.upload(`/conversations/${enc(phone)}/attachments?${query}`, file);
      this.doneFor(phone);
      this.addMessage(stored);
      return true;
    } catch (e) {
      this.markUnsent(phone, clientId, e);
      return false;
    }
  }

  // A copy the server did not take: failed, saying why, to send again.
  markUnsent(phone, clientId, e) {
    if (phone !== this.phone) return;
    const i = this.messages.findIndex((x) => x.client_id === clientId && x.pending);
    if (i >= 0) {
      this.messages[i] = { ...this.messages[i], pending: false, status: 'failed', error: e.message };
      this.renderMessages();
    }
    this.showNotice(`Not sent: ${e.message}`);
  }

  // Shown at once as sending, then replaced by the stored message.
  // `replyTo`: the seq of the message it quotes, if any.
  async post(text, note, clientId = newClientId(), replyTo = undefined) {
    const phone = this.phone;
    this.messages.push({ conversation: phone, sender: 'admin', agent: this.me.username, text, client_id: clientId,
      type: note ? 'note' : 'text', timestamp: new Date().toISOString(), status: 'received', pending: true, reply_to: replyTo });
    this.renderMessages();
    this.scrollToBottom();
    try {
      const path = note ? 'notes' : 'chat-support/send';
      const stored = await api.post(`/conversations/${enc(phone)}/${path}`, { text, client_id: clientId, reply_to: replyTo });
      this.doneFor(phone);
      this.addMessage(stored);
    } catch (e) {
      this.markUnsent(phone, clientId, e);
    }
  }

  // What the composer holds, kept as the open chat's draft (drafts.js).
  saveDraft() {
    if (this.phone) this.drafts.set(this.phone, $('composer-text').value, this.mode);
  }

  typing() {
    if (!this.mine()) return;
    const now = Date.now();
    if (now - this.lastTypingSent > 2000) {
      // to_user: a WhatsApp user sees "typing…" too; a private note is for the agents alone.
      this.live.send({ type: 'typing', conversation: this.phone, on: true, to_user: this.mode === 'reply' });
      this.lastTypingSent = now;
      this.typingIn = this.phone;
    }
    clearTimeout(this.stopTyping);
    this.stopTyping = setTimeout(() => this.stoppedTyping(), 3000);
  }

  // The agent no longer types where they last did: after a pause, a send, or
  // on opening another chat (where the others would see them typing on).
  stoppedTyping() {
    clearTimeout(this.stopTyping);
    if (this.typingIn) this.live.send({ type: 'typing', conversation: this.typingIn, on: false });
    this.typingIn = null;
    this.lastTypingSent = 0;
  }

  showTyping(e) {
    if (e.conversation !== this.phone || e.data.agent === this.me.username) return;
    clearTimeout(this.typingTimers.get(e.data.agent));
    if (e.data.on) this.typingTimers.set(e.data.agent, setTimeout(() => this.showTyping({ ...e, data: { ...e.data, on: false } }), 5000));
    else this.typingTimers.delete(e.data.agent);
    const who = [...this.typingTimers.keys()];
    $('typing').textContent = who.length ? `${who.join(', ')} ${who.length > 1 ? 'are' : 'is'} typing…` : '';
  }

  markRead() {
    // A failure counted on the conversation is seen here too, as it shows under its message.
    const toClear = this.conv && (this.conv.unread > 0 || this.conv.undelivered > 0);
    if (!toClear || document.visibilityState !== 'visible' || !this.nearBottom()) return;
    const last = this.messages.filter((m) => m.seq).at(-1)?.seq;
    if (!last || last <= (this.readSent ?? 0) && this.readPhone === this.phone && !this.conv.undelivered) return;
    this.readSent = last;
    this.readPhone = this.phone;
    api.post(`/conversations/${enc(this.phone)}/read`, { up_to: last }).then((c) => this.onChange(c)).catch(() => {});
  }

  async act(action, body) {
    const phone = this.phone;
    const who = userName(this.conv);
    try {
      const c = await api.post(`/conversations/${enc(phone)}/chat-support/${action}`, body);
      this.onChange(c);
      this.updateConversation(c);
      if (phone !== this.phone) return;  // another chat's hint is its own
      this.clearNotice();
      if (action === 'start' && this.mine()) $('composer-text').focus();  // the button just went away
    } catch (e) {
      this.refusedFor(phone, who, e.message);
    }
  }

  // A change to the conversation's labels or details, `edit(latest)` making
  // the whole set, which the route replaces. Each set's saves go one after
  // another, each made from what the one before it left: a label added while the
  // last one's answer is still on its way would otherwise be made from the
  // set without that one, and take it away again.
  changeSet(field, none, edit, failure) {
    const phone = this.phone;
    const last = this.saving[field];
    const after = last?.phone === phone ? last.done : Promise.resolve(null);
    const done = after.then((saved) => {
      // The conversation as the console has it (the last answer, and any event
      // since), or, when the agent has opened another meanwhile, the last answer.
      const latest = this.conv?.phone === phone ? this.conv : saved;
      if (!latest) return null;  // that one was refused, and this one's base is not known here
      return this.change(field, { [field]: edit(latest[field] ?? none) }, failure, phone);
    });
    this.saving[field] = { phone, done };
    return done;
  }

  // The header's team picker: shown once there are teams, or the chat has
  // one (its team since deleted stays offered until it is changed).
  drawTeam() {
    const team = this.conv.team ?? null;
    const select = $('conv-team');
    this.teams.fill(select, [{ value: '', text: 'No team' }], team);
    select.value = team ?? '';
    select.hidden = !team && this.teams.teams.length === 0;
  }

  // A change to the conversation itself (PUT …/labels, …/priority, …/team, …/attributes, …/blocked), which
  // answers with the conversation; null when refused.
  change(what, body, failure, phone = this.phone) {
    return this.changeBy(() => api.put(`/conversations/${enc(phone)}/${what}`, body), failure, phone);
  }

  // The agent follows the conversation, or no longer does.
  follow(on) {
    const path = `/conversations/${enc(this.phone)}/participants`;
    return this.changeBy(() => (on ? api.post(path) : api.del(`${path}/${enc(this.me.username)}`)),
      on ? 'Not followed' : 'Still followed');
  }

  // `request()` answers with the conversation changed.
  async changeBy(request, failure, phone = this.phone) {
    const who = userName(this.conv?.phone === phone ? this.conv : { phone });
    try {
      const c = await request();
      this.doneFor(phone);
      this.onChange(c);
      this.updateConversation(c);
      return c;
    } catch (e) {
      this.refusedFor(phone, who, `${failure}: ${e.message}`);
      if (this.conv?.phone === this.phone) this.renderHeader();  // back to what the server has
      return null;
    }
  }

  async snooze(until) {
    $('snooze-menu').open = false;
    await this.change('snooze', { until: untilBody(until) }, 'Not snoozed');
  }

  async openTransfer() {
    const { agents } = await api.get('/agents');
    const select = $('transfer-to');
    const others = agents.filter((a) => a.username !== this.conv.assignee && a.active !== false);
    select.replaceChildren(...others
      .map((a) => h('option', { value: a.username, text: `${a.display_name} (${a.username})${a.online ? ' — online' : ''}` })));
    // Nobody to pick: say so, rather than offer an empty list and a button that does nothing.
    select.hidden = others.length === 0;
    for (const label of select.labels) label.hidden = others.length === 0;
    $('transfer-none').hidden = others.length > 0;
    $('transfer-confirm').disabled = others.length === 0;
    $('transfer-dialog').showModal();
  }
}
