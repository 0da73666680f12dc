// The conversation list: one row per phone, newest activity first (the
// last message or change of the chat; an agent reading it is not one), or
// the most urgent first and each priority so, kept in step with events.
// Rows are keyed by phone, so no order of events can produce a duplicate.
import { h, $, clockTime, keepClicksAcrossRedraws, refreshedInPlace, relativeTime } from './dom.js';
import { previewOf } from './media.js';
import { channelName, hasDetail, userName, waitsForAnswer } from './model.js';
import { priorityBadge, priorityRank } from './priority.js';
import { snoozeEnd } from './snooze.js';
import { namesText } from './viewers.js';

// When a snoozed chat wakes by itself, for ordering: never, for one that
// waits for the user's reply.
const wakesAt = (c) => (c.snoozed_until ? Date.parse(c.snoozed_until) : Infinity);
// Since when the user waits for an answer, for ordering.
const waitedSince = (c) => (c.waiting_since ? Date.parse(c.waiting_since) : Infinity);

// Objects from events a server kept from before it sent last_activity_at
// (a resume right after an upgrade) have only updated_at.
const activityOf = (c) => c.last_activity_at ?? c.updated_at;

const renderEveryMs = 100;

// A search's match as a row shows it: the words around the first place
// `query` is found, that part marked (as elements around text, never HTML).
function matchExcerpt(text, query) {
  const at = text.toLowerCase().indexOf(query.toLowerCase());
  if (at < 0) return [text.slice(0, 120)];
  const from = Math.max(0, at - 40);
  const end = at + query.length;
  return [from > 0 ? '…' : '', text.slice(from, at), h('mark', { text: text.slice(at, end) }), text.slice(end, end + 80)];
}

// Makes `els` the children of `parent`, in order, moving only what is out of
// place: a row that did not change stays where it is in the document. A
// row taken out and put back between a press and its release (the list
// redraws up to ten times a second under load) loses the click.
function placeChildren(parent, els) {
  let at = parent.firstChild;
  for (const el of els) {
    if (at === el) at = at.nextSibling;
    else parent.insertBefore(el, at);
  }
  while (at) {
    const next = at.nextSibling;
    at.remove();
    at = next;
  }
}
// Rows shown at once, as many as a list request brings: a page of thousands
// took a tenth of a second to build on every render. The rest are a search
// or a filter away.
const shownAtMost = 200;
// Conversation objects held: the pages a console loads (the newest, the
// queue's two ends, the agent's own) and the newest that events brought
// since. Held all, a console left open for a week while 40,000 new users a
// day wrote grew by every one of them. Past this and a tenth, the oldest
// the agent needs least are let go; one that writes again is fetched
// anew, as one from before the first page is.
const heldAtMost = 2000;

export class ConversationList {
  constructor({ me, drafts, onOpen, onSelection = () => {}, onRender = () => {}, overdueMs = () => 0, pastResolution = () => false,
    viewersOf = () => [], labelCatalog = null }) {
    this.me = me;
    // The label catalog (label_catalog.js): the chips' colours, the labels offered first.
    this.labelCatalog = labelCatalog;
    this.viewersOf = viewersOf;  // the other agents with a chat open (viewers.js)
    this.overdueMs = overdueMs;  // how long a chat's user has waited past the team's target
    this.pastResolution = pastResolution;  // whether a chat has been open past the team's resolution target
    this.drafts = drafts;  // a row says when the agent left a draft in its chat
    this.onOpen = onOpen;
    // Select mode: a row's click picks it rather than opening it, for a
    // bulk action on those picked. Only rows on show stay picked: an agent
    // acts on what they see.
    this.selecting = false;
    this.selected = new Set();  // phones
    this.anchor = null;  // the row last clicked in select mode, where a Shift+click's range starts
    this.onSelection = onSelection;
    this.onRender = onRender;  // after each render: what the list shows may have changed
    this.rows = new Map();  // phone → conversation object
    this.filter = 'all';
    this.query = '';
    this.label = null;      // only the conversations filed under it, when set
    this.priority = null;   // only the conversations marked so, when set
    this.team = null;       // only those under this team, or 'none': under none; when set
    this.assignee = null;   // only the chats this agent has, when set
    this.channel = null;    // only the users who write on it ('whatsapp', 'plain'), when set
    this.attribute = null;  // only the users with that detail ('plan:Gold', its value in any case), when set
    this.channels = new Set();  // the channels of every conversation held so far
    this.order = 'activity';  // or 'priority': the most urgent first
    this.textHits = null;   // phone → its newest message the server matched `query` in (or null), for `query`
    this.current = null;
    this.visible = [];      // the phones shown, in order
    this.el = $('conversation-list');
    this.renderTimer = null;
    this.lastRender = 0;
    // Each shown row's element, built again only when its conversation object,
    // its being open or the clock (times shown as "5 min ago") has moved on.
    this.built = new Map();  // phone → { c, open, epoch, el }
    this.epoch = 0;
    this.renders = 0;  // as #conversation-list's data-renders
    // Each tab's count as the server last gave it: the rows held are a
    // page or two, not every conversation. Null until the first answer.
    this.counts = null;
    // One more at each change the console made to them itself: counts read
    // from before one are older than what it shows.
    this.countMoves = 0;
    this.erasedAt = new Map();  // phone → when an admin erased its conversation (ms), for answers read before
    this.heard = 0;              // events about a conversation, counted
    this.heardOf = new Map();    // phone → the count at its latest event
    // A row is built anew when its conversation changes, which a message
    // can do between an agent's press and release: that click still opens it.
    keepClicksAcrossRedraws(this.el, 'li[data-phone]', (li) => li.dataset.phone);
  }

  // Times in rows ("5 min ago", how long in the queue) are read again.
  refreshTimes() {
    this.epoch += 1;
    this.render();
  }

  // For changes that come with events: a busy hour brings hundreds a
  // second, and a render for each (a sort and every row built again) left the
  // console seconds behind its socket. One render each 100 ms at most.
  renderSoon() {
    if (this.renderTimer) return;
    const wait = Math.max(0, this.lastRender + renderEveryMs - performance.now());
    this.renderTimer = setTimeout(() => this.render(), wait);
  }

  // Takes a conversation object unless an older copy of it. The same one
  // again (the list, the queue's head and the agent's own chats overlap, and
  // all three load at each connect) is not taken: its row would be built
  // anew, and a row replaced between a press and its release loses the click.
  // `read`: the readMark() of the read it came in, if one did. A copy as old
  // as the one held (updated_at is to the millisecond: two changes in one
  // share it), read before an event about it came, is older than that
  // event's.
  upsert(c, read = null) {
    const erased = this.erasedAt.get(c.phone);
    if (erased !== undefined && Date.parse(c.updated_at) <= erased) return;
    const known = this.rows.get(c.phone);
    if (known && Date.parse(known.updated_at) > Date.parse(c.updated_at)) return;
    if (known && known.updated_at === c.updated_at
      && (JSON.stringify(known) === JSON.stringify(c) || (read !== null && this.heardSince(c.phone, read)))) return;
    this.rows.set(c.phone, c);
    if (this.channels.has(c.channel)) return;
    this.channels.add(c.channel);
    if (this.channels.size > 1) this.built.clear();  // each row says its channel from now on
  }

  // Events about each conversation, counted, so that a read's answer can be
  // told from what came after it was asked.
  heardAbout(phone) {
    this.heardOf.set(phone, ++this.heard);
    // The conversations the list holds, and this one (its event may be about
    // to bring its row): not every one that ever wrote.
    if (this.heardOf.size > 2 * heldAtMost)
      for (const p of this.heardOf.keys()) if (!this.rows.has(p) && p !== phone) this.heardOf.delete(p);
  }

  // Marks a read as it is asked; heardSince(phone, mark) says whether an
  // event about `phone` came since.
  readMark() { return this.heard; }
  heardSince(phone, mark) { return (this.heardOf.get(phone) ?? 0) > mark; }

  // After a resync: what a read holds, in place of every conversation held
  // (but one erased since it was asked). The events that came while it was
  // on its way are done again on top of it (main.js).
  replaceAll(list) {
    this.rows.clear();
    this.built.clear();
    for (const c of list) this.upsert(c);
  }

  // What the list shows, as a saved view's query keeps it (GET /views): the
  // Waiting tab lists the longest wait first, as order=waiting does.
  viewQuery() {
    const q = {};
    if (this.filter !== 'all') q.filter = this.filter;
    if (this.query) q.q = this.query;
    if (this.label) q.label = this.label;
    if (this.priority) q.priority = this.priority;
    if (this.team) q.team = this.team;
    if (this.assignee) q.assignee = this.assignee;
    if (this.channel) q.channel = this.channel;
    if (this.attribute) q.attribute = this.attribute;
    if (this.order === 'priority') q.order = 'priority';
    else if (this.filter === 'waiting') q.order = 'waiting';
    return q;
  }

  inFilter(c, filter) {
    switch (filter) {
      // A snoozed chat is out of the chats to work on until it wakes.
      case 'active': return c.chat_support_active && !c.snoozed;
      case 'queued': return c.queue_position != null;
      case 'mine': return c.assignee === this.me.username && !c.snoozed;
      case 'waiting': return waitsForAnswer(c);
      case 'snoozed': return !!c.snoozed;
      case 'blocked': return c.blocked;
      case 'following': return (c.participants ?? []).includes(this.me.username);
      default: return true;
    }
  }

  matches(c) {
    if (!this.inFilter(c, this.filter)) return false;
    if (this.label && !(c.labels ?? []).includes(this.label)) return false;
    if (this.priority && c.priority !== this.priority) return false;
    if (this.team && (c.team ?? 'none') !== this.team) return false;
    if (this.assignee && c.assignee !== this.assignee) return false;
    if (this.channel && c.channel !== this.channel) return false;
    if (this.attribute && !hasDetail(c, this.attribute)) return false;
    if (!this.query) return true;
    const q = this.query.toLowerCase();
    return (c.name || '').toLowerCase().includes(q) || c.phone.includes(q) || (c.labels ?? []).some((l) => l.includes(q))
      || (this.textHits?.has(c.phone) ?? false);
  }

  // Lets go of the oldest rows past heldAtMost, but never the open chat, the
  // agent's own, a queued one, a search's match or a row on show.
  prune() {
    if (this.rows.size <= heldAtMost * 1.1) return;
    const keep = new Set(this.visible);
    if (this.current) keep.add(this.current);
    const droppable = [];
    for (const c of this.rows.values()) {
      if (keep.has(c.phone) || c.assignee === this.me.username || c.queue_position != null || this.textHits?.has(c.phone)) continue;
      droppable.push({ phone: c.phone, at: Date.parse(activityOf(c)) });
    }
    droppable.sort((a, b) => a.at - b.at);
    for (const d of droppable.slice(0, this.rows.size - heldAtMost)) {
      this.rows.delete(d.phone);
      this.built.delete(d.phone);
    }
  }

  render() {
    clearTimeout(this.renderTimer);
    this.renderTimer = null;
    this.lastRender = performance.now();
    this.prune();
    this.el.dataset.held = String(this.rows.size);
    this.renderCounts();
    // Each time parsed once, not once a comparison: the list can hold thousands.
    const keyed = [];
    const byPriority = this.order === 'priority';
    for (const c of this.rows.values())
      if (this.matches(c)) keyed.push({ c, at: Date.parse(activityOf(c)), rank: byPriority ? priorityRank(c.priority) : 0 });
    // The queue from its head, where the longest wait is; the chats waiting
    // for an answer from the longest wait; the snoozed from the one that
    // wakes first (those waiting for the user's reply last); the rest by
    // newest activity. By priority, the most urgent come first in each.
    if (this.filter === 'queued') keyed.sort((a, b) => b.rank - a.rank || a.c.queue_position - b.c.queue_position || a.c.phone.localeCompare(b.c.phone));
    else if (this.filter === 'waiting') keyed.sort((a, b) => b.rank - a.rank || waitedSince(a.c) - waitedSince(b.c) || a.c.phone.localeCompare(b.c.phone));
    else if (this.filter === 'snoozed') keyed.sort((a, b) => b.rank - a.rank || wakesAt(a.c) - wakesAt(b.c) || a.c.phone.localeCompare(b.c.phone));
    else keyed.sort((a, b) => b.rank - a.rank || b.at - a.at || a.c.phone.localeCompare(b.c.phone));
    const visible = keyed.map((k) => k.c);
    const focused = document.activeElement?.closest('#conversation-list li')?.dataset.phone;
    const shown = visible.slice(0, shownAtMost);
    this.visible = shown.map((c) => c.phone);
    placeChildren(this.el, shown.map((c) => this.builtRow(c)));
    // Only the rows on show are kept: every conversation ever shown, kept,
    // was 300,000 detached elements after 40,000 new conversations.
    if (this.built.size > shown.length) {
      const onShow = new Set(this.visible);
      for (const phone of this.built.keys()) if (!onShow.has(phone)) this.built.delete(phone);
    }
    $('list-empty').hidden = visible.length > 0;
    // The queue is counted by the server: the console holds only its two ends.
    const inAll = this.filter === 'queued' && !this.query && this.counts ? Math.max(this.counts.queued, visible.length) : visible.length;
    $('list-more').hidden = inAll <= shown.length;
    $('list-more').textContent = `${inAll - shown.length} more: search or filter to find them.`;
    if (this.selected.size) {
      const onShow = new Set(this.visible);
      for (const phone of this.selected) if (!onShow.has(phone)) this.selected.delete(phone);
    }
    this.onSelection();
    this.el.dataset.renders = String(++this.renders);
    this.onRender();
    if (focused) this.el.querySelector(`li[data-phone="${CSS.escape(focused)}"] > button`)?.focus();
  }

  // The conversation `by` rows below (or above) the open one, as listed.
  // The catalog's labels, then every other label the listed conversations
  // have, for the agent adding one.
  knownLabels() {
    const all = new Set();
    for (const c of this.rows.values()) for (const l of c.labels ?? []) all.add(l);
    const listed = [...all].sort();
    return this.labelCatalog ? this.labelCatalog.offered(listed) : listed;
  }

  neighbour(by) {
    if (!this.visible.length) return null;
    const at = this.visible.indexOf(this.current);
    if (at < 0) return this.visible[by > 0 ? 0 : this.visible.length - 1];
    return this.visible[Math.min(this.visible.length - 1, Math.max(0, at + by))];
  }

  // Each tab's count, and the page title's: what waits for this agent (chats
  // in the queue, and their own with unread messages, but those they put
  // aside), so that a console in a background tab still says when someone
  // needs an answer.
  renderCounts() {
    const held = { active: 0, queued: 0, mine: 0, waiting: 0, snoozed: 0, blocked: 0, following: 0 };
    let unreadMine = 0;
    for (const c of this.rows.values()) {
      for (const f of Object.keys(held)) if (this.inFilter(c, f)) held[f] += 1;
      if (c.assignee === this.me.username && c.unread > 0 && !c.snoozed) unreadMine += 1;
    }
    const counts = this.counts ?? held;
    const waiting = counts.queued + unreadMine;
    for (const f of Object.keys(held)) {
      const n = counts[f];
      document.querySelector(`.tabs [data-filter="${f}"] .count`).textContent = n ? String(n) : '';
    }
    document.title = waiting ? `(${waiting}) Switchboard` : 'Switchboard';
  }

  // A reply or the user's next message moved a chat out of the Waiting tab
  // or into it: its count follows at once, as the server's next counts will
  // say, rather than asking the server at every reply of every chat.
  countWaitingChange(before, after) {
    const moved = Number(waitsForAnswer(after)) - Number(waitsForAnswer(before));
    if (!this.counts || !moved) return;
    this.counts.waiting = Math.max(0, this.counts.waiting + moved);
    this.countMoves += 1;
  }

  // A search's answer. Only the rows whose match changed are built again:
  // a row replaced between a press and its release loses the click.
  setTextHits(hits) {
    const seqOf = (map, phone) => map?.get(phone)?.seq ?? null;
    for (const phone of new Set([...(this.textHits?.keys() ?? []), ...(hits?.keys() ?? [])]))
      if (seqOf(this.textHits, phone) !== seqOf(hits, phone)) this.built.delete(phone);
    this.textHits = hits;
  }

  setSelecting(on) {
    this.selecting = on;
    this.selected.clear();
    this.anchor = null;
    this.built.clear();
    this.render();
  }

  // A click picks a row or lets it go; with Shift, every row from the
  // last one clicked to this one takes that row's new state, as in a mail
  // client's list.
  toggle(phone, range = false) {
    const picking = !this.selected.has(phone);
    const from = range ? this.visible.indexOf(this.anchor) : -1;
    const to = this.visible.indexOf(phone);
    const span = from < 0 || to < 0 ? [phone] : this.visible.slice(Math.min(from, to), Math.max(from, to) + 1);
    for (const p of span) {
      if (picking) this.selected.add(p);
      else this.selected.delete(p);
      this.built.delete(p);
    }
    this.anchor = phone;
    this.render();
  }

  // Picks every row on show, or none.
  selectShown(on = true) { this.select(on ? this.visible : []); }

  // Exactly `phones` picked, and no other.
  select(phones) {
    for (const phone of new Set([...this.selected, ...phones])) this.built.delete(phone);
    this.selected = new Set(phones);
    this.render();
  }

  // An admin erased the conversation (`at`, the event's time): its row goes
  // for good, and an answer read before (a page of the list, the queue)
  // does not bring it back. One the user begins after it is theirs anew.
  forget(phone, at) {
    this.erasedAt.set(phone, Date.parse(at));
    this.rows.delete(phone);
    this.built.delete(phone);
    this.selected.delete(phone);
    this.textHits?.delete(phone);
    this.renderSoon();
  }

  // The chat gained a draft or lost it, or who views it changed: its row
  // is built again (every row, for null).
  rowChanged(phone) {
    if (phone === null) this.built.clear();
    else this.built.delete(phone);
    this.renderSoon();
  }

  builtRow(c) {
    const open = this.current === c.phone;
    const known = this.built.get(c.phone);
    if (known && known.c === c && known.open === open) {
      if (known.epoch !== this.epoch) {  // a tick, or the targets changed: its times and lateness read anew
        known.el = refreshedInPlace(known.el, this.row(c));
        known.epoch = this.epoch;
      }
      return known.el;
    }
    const el = this.row(c);
    this.built.set(c.phone, { c, open, epoch: this.epoch, el });
    return el;
  }

  row(c) {
    const badges = [];
    if (c.chat_support_active) badges.push(h('span', { class: 'badge live', text: '💬 Chat' }));
    if (c.queue_position != null)
      badges.push(h('span', { class: 'badge queued', text: `Queued #${c.queue_position} · ${relativeTime(c.queued_at)}` }));
    // A queued chat's badge says how long it has waited already, unless it is late.
    const late = this.overdueMs(c) > 0;
    if (waitsForAnswer(c) && (c.queue_position == null || late))
      badges.push(h('span', {
        class: late ? 'badge waiting late' : 'badge waiting',
        text: `⏳ ${relativeTime(c.waiting_since)}${late ? ' · late' : ''}`,
        title: `Waiting for an answer since ${clockTime(c.waiting_since)}${late ? ', past the team\'s target' : ''}`,
      }));
    if (this.pastResolution(c))
      badges.push(h('span', { class: 'badge overdue', text: '⌛ Overdue', title: 'Open past the team\'s resolution target' }));
    if (c.assignee === this.me.username) badges.push(h('span', { class: 'badge mine', text: 'Mine' }));
    else if (c.assignee) badges.push(h('span', { class: 'badge', text: `@${c.assignee}` }));
    if (c.unread > 0) badges.push(h('span', { class: 'badge unread', text: `${c.unread} unread`, 'aria-label': `${c.unread} unread messages` }));
    if (c.blocked) badges.push(h('span', { class: 'badge blocked', text: '🚫 Blocked' }));
    if (c.muted) badges.push(h('span', { class: 'badge muted', text: '🔇 Muted', title: 'What the user writes rings nowhere' }));
    if (c.snoozed)
      badges.push(c.snoozed_until
        ? h('span', { class: 'badge snoozed', text: `💤 ${snoozeEnd(c.snoozed_until)}`, title: 'Snoozed until then, or until the user writes' })
        : h('span', { class: 'badge snoozed', text: '💤 Until reply', title: 'Snoozed until the user writes' }));
    if (priorityBadge(c.priority))
      badges.push(h('span', { class: `badge priority ${c.priority}`, text: priorityBadge(c.priority), title: `Priority: ${c.priority}` }));
    if (c.team) badges.push(h('span', { class: 'badge team', text: `👥 ${c.team}`, title: `Team: ${c.team}` }));
    // Which channel, once there are two, as Chatwoot's cards name their inbox.
    if (this.channels.size > 1) badges.push(h('span', { class: 'badge channel', text: channelName(c.channel), title: `Writes on ${channelName(c.channel)}` }));
    if (c.undelivered > 0) badges.push(h('span', { class: 'badge undelivered', text: `⚠ ${c.undelivered} not delivered`, 'aria-label': `${c.undelivered} messages not delivered` }));
    if (this.drafts.get(c.phone)) badges.push(h('span', { class: 'badge draft', text: '✎ Draft', title: 'You typed here and have not sent it' }));
    const viewers = this.viewersOf(c.phone);
    if (viewers.length)
      badges.push(h('span', { class: 'badge viewers', text: `👀 ${viewers.length > 1 ? viewers.length : viewers[0]}`,
        title: `Open in ${namesText(viewers)}'s console${viewers.length > 1 ? 's' : ''} now` }));
    // Found by a message's text: the row shows that message, and opens the chat at it.
    const match = this.query ? this.textHits?.get(c.phone) : null;
    const picked = this.selected.has(c.phone);
    const open = this.selecting ? (e) => this.toggle(c.phone, e.shiftKey) : () => this.onOpen(c.phone, match?.seq ?? null, this.query);
    // An item of the list, and in it a button: a list's items cannot be
    // buttons themselves, and a screen reader then loses either the list or
    // what a press does.
    return h('li', {
      'data-phone': c.phone, 'aria-current': this.current === c.phone ? 'true' : 'false',
      ...(this.selecting ? { class: picked ? 'picked' : '' } : {}),
    }, h('button', { type: 'button', class: 'row', ...(this.selecting ? { 'aria-pressed': String(picked) } : {}), onclick: open },
      h('span', { class: 'name' }, this.selecting ? h('span', { class: 'pick', 'aria-hidden': 'true', text: picked ? '☑ ' : '☐ ' }) : '', userName(c)),
      h('span', { class: 'time', text: relativeTime(activityOf(c)) }),
      // An agent's words are marked, as Chatwoot marks its replies: the row says who has to answer.
      match ? h('span', { class: 'preview match', title: 'The newest message that matches' }, matchExcerpt(match.text, this.query))
        : h('span', { class: c.last_message?.sender === 'admin' ? 'preview by-agent' : 'preview', text: c.last_message ? previewOf(c.last_message) : '' }),
      h('span', { class: 'badges' }, badges,
        (c.labels ?? []).map((l) => h('span', { class: 'badge label', text: l,
          ...(this.labelCatalog ? this.labelCatalog.chip(l, `Labelled ${l}`) : { title: `Labelled ${l}` }) })))));
  }
}
