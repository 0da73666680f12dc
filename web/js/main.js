// The console's entry point: login, then the live list and the open chat.
import { Alerts } from './alerts.js';
import { api, ApiError, enc, ReadsAcrossEvents } from './api.js';
import { $, clockTime, h, PHONE_WIDTH, showStatus } from './dom.js';
import { BulkActions } from './bulk.js';
import { BusinessHours } from './hours.js';
import { Drafts } from './drafts.js';
import { fillPriorities } from './priority.js';
import { Live } from './live.js';
import { ConversationList } from './list.js';
import { ConversationPane } from './conversation.js';
import { AuditPanel } from './audit.js';
import { AutomationsPanel } from './automations.js';
import { loadMacros, MacroMenu, MacrosPanel } from './macros.js';
import { MentionPicker } from './mentions.js';
import { NotificationInbox, headline } from './notifications.js';
import { ReportsPanel } from './reports.js';
import { RepliesPanel, ReplyPicker } from './saved_replies.js';
import { TeamPanel } from './team.js';
import { TwoFactorSection } from './two_factor.js';
import { TeamRoster, TeamsPanel } from './teams.js';
import { LabelCatalog, LabelsPanel } from './label_catalog.js';
import { AttributeCatalog, AttributesPanel } from './attribute_catalog.js';
import { SavedViews } from './views.js';
import { Viewers } from './viewers.js';
import { setUpShortcutsHelp } from './shortcuts.js';
import { CommandBar } from './command_bar.js';
import { setUpMenus } from './menus.js';
import { ReplyTargets } from './sla.js';
import { setUpThemeButton } from './theme.js';
import { PasswordForms, passwordLinkInHash } from './password_links.js';
import { NewConversation } from './new_conversation.js';
import { CampaignsPanel } from './campaigns.js';
import { ContactsPanel } from './contacts.js';
import { previewOf } from './media.js';
import { mentions, userName, withMessage } from './model.js';

let live, list, pane, team, alerts, me, targets, inbox, views, viewers, campaigns, contacts, reports;
const teams = new TeamRoster();
const labelCatalog = new LabelCatalog();
const attributeCatalog = new AttributeCatalog();

const passwordForms = new PasswordForms({ showLogin });

async function boot() {
  const linked = passwordLinkInHash();
  if (linked) return passwordForms.showPasswordForm(linked);  // a mailed link chooses a password, whoever is logged in here
  try {
    await enter();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) showLogin();
    else throw e;
  }
}

// The console, or, when the team requires two-factor authentication and
// the agent has none, the view that sets it up first: until then the
// server answers nothing else.
async function enter() {
  const { agent, team_requires_two_factor: required } = await api.get('/me');
  if (required && !agent.two_factor) holdForTwoFactor(agent);
  else start(agent);
}

function holdForTwoFactor(agent) {
  $('login-view').hidden = true;
  $('two-factor-view').hidden = false;
  const section = new TwoFactorSection({
    slot: $('two-factor-view').querySelector('.two-factor-slot'),
    onMe: (updated) => {
      agent = { ...agent, ...updated };
      $('two-factor-continue').hidden = !agent.two_factor;
    },
    say: (text) => showStatus($('two-factor-view-status'), text),
    setUpOnly: true,
  });
  section.show(agent);
  section.focus();
  $('two-factor-continue').addEventListener('click', () => {
    $('two-factor-view').hidden = true;
    start(agent);
  });
}

// The login, with `username` filled in and `said` above it when given.
function showLogin(username = '', said = '') {
  $('app-view').hidden = true;
  passwordForms.hideForgot();
  $('login-view').hidden = false;
  if (username) $('login-username').value = username;
  $('login-status').textContent = said;
  $(username ? 'login-password' : 'login-username').focus();
}

// Two steps for an agent with two-factor authentication: the password,
// then, once the server asks for it, the code; the password is kept in its
// field meanwhile and sent again with the code.
function showLoginStep(askingForCode) {
  $('login-password-step').hidden = askingForCode;
  $('login-code-step').hidden = !askingForCode;
  $('login-back').hidden = !askingForCode;
  $('forgot-password').hidden = askingForCode;
  $('login-code').value = '';
  $(askingForCode ? 'login-code' : 'login-password').focus();
}

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('login-error').textContent = '';
  $('login-status').textContent = '';
  const askingForCode = !$('login-code-step').hidden;
  try {
    Alerts.askToNotify();  // the submit is the agent's own act, which a browser asks for
    await api.post('/auth/login', {
      username: $('login-username').value.trim(), password: $('login-password').value,
      ...(askingForCode ? { code: $('login-code').value.trim() } : {}),
    });
    $('login-password').value = '';
    $('login-code').value = '';
    await enter();
  } catch (err) {
    if (err.code === 'two_factor_required' && !askingForCode) return showLoginStep(true);
    if (askingForCode) $('login-code').focus();
    if (err.code === 'invalid_code') $('login-code').value = '';
    $('login-error').textContent = err.status === 429 ? 'Too many attempts. Try again in a few minutes.'
      : err.code === 'invalid_code' ? 'That code is wrong or was used already.'
        : err.code === 'two_factor_required' ? 'Enter the code from your authenticator app.' : 'Wrong username or password.';
  }
});

$('login-back').addEventListener('click', () => {
  $('login-error').textContent = '';
  $('login-password').value = '';
  showLoginStep(false);
});

async function logOut() {
  try { await api.post('/auth/logout'); } catch { /* the session is gone either way */ }
  Drafts.forgetAll();
  live?.close();
  history.replaceState(null, '', location.pathname + location.search);  // the next login starts at the list
  location.reload();
}
$('logout').addEventListener('click', logOut);
$('two-factor-logout').addEventListener('click', logOut);

function setStatus(state, seconds) {
  const el = $('connection');
  el.classList.toggle('live', state === 'live');
  el.textContent = state === 'live' ? 'Live' : state === 'reconnecting' ? `Reconnecting in ${seconds}s…` : 'Connecting…';
}

const listOrderKey = 'switchboard.listOrder';
let listLoads = 0;  // answers taken, dropped or aborted, as #conversation-list's data-loads
let listLoading = null;  // the AbortController of the list request in flight
async function loadList() {
  const { query, label, priority, team: inTeam, assignee, channel, attribute, order } = list;
  const params = new URLSearchParams({ limit: '200' });
  if (query) params.set('q', query);
  if (label) params.set('label', label);
  if (priority) params.set('priority', priority);
  if (inTeam) params.set('team', inTeam);
  if (assignee) params.set('assignee', assignee);
  if (channel) params.set('channel', channel);
  if (attribute) params.set('attribute', attribute);
  if (order !== 'activity') params.set('order', order);
  // A search typed over is dropped: the connection closes, and the server
  // skips its scan if its turn has not come (searches of message text take
  // their turns one at a time).
  listLoading?.abort();
  const loading = listLoading = new AbortController();
  try {
    const read = list.readMark();
    const { conversations } = await api.get(`/conversations?${params}`, loading.signal);
    // An earlier search can still answer after a later one: its matches
    // are not this query's.
    if (query !== list.query || label !== list.label || priority !== list.priority || inTeam !== list.team
      || assignee !== list.assignee || channel !== list.channel || attribute !== list.attribute || order !== list.order) return;
    list.setTextHits(query ? new Map(conversations.map((c) => [c.phone, c.match ?? null])) : null);
    for (const { match, ...c } of conversations) list.upsert(c, read);
    list.render();
    watchForCrossings();
  } catch (e) {
    if (e.name !== 'AbortError') throw e;
  } finally {
    if (listLoading === loading) listLoading = null;
    list.el.dataset.loads = String(++listLoads);
  }
}

// After a resync: everything from REST again, the newest page first, then
// what it may not hold (the agent's own chats, the queue's head). What
// events bring to the list while the page is on its way (each through
// `reloads.change`) is done again on top of it.
const reloads = new ReadsAcrossEvents();
async function reload() {
  await reloads.read(() => api.get('/conversations?limit=200'), ({ conversations }) => list.replaceAll(conversations));
  await Promise.all([loadMine(), loadQueue()]);
  list.render();
  if (pane.phone) await pane.open(pane.phone);
}

// Messages for a conversation the list does not hold yet. A new conversation
// introduces itself: its conversation.updated follows its first messages, so
// those wait a moment for it. One listed on no page yet (an old one, say) is
// fetched over REST, a few at a time however many come at once: a thousand
// new users in a second were a thousand requests from every console. The
// messages that arrive meanwhile apply on top of the object (withMessage
// skips what it counted already).
const unlisted = new Map();  // phone → its messages that arrived before its object
const waitForIntroductionMs = 500;
const fetchesAtOnce = 4;
const toFetch = [];
let fetchesInFlight = 0;

function unlistedMessage(phone, m) {
  if (!unlisted.has(phone)) {
    unlisted.set(phone, []);
    setTimeout(() => { if (unlisted.has(phone)) { toFetch.push(phone); fetchUnlisted(); } }, waitForIntroductionMs);
  }
  unlisted.get(phone).push(m);
}

// A conversation object from an event or a reply, with the messages that
// came before it on top.
function takeConversation(c) {
  const before = unlisted.get(c.phone);
  unlisted.delete(c.phone);
  const taken = before ? before.reduce(withMessage, c) : c;
  reloads.change(() => list.upsert(taken));
}

async function fetchUnlisted() {
  while (fetchesInFlight < fetchesAtOnce && toFetch.length) {
    const phone = toFetch.shift();
    if (!unlisted.has(phone)) continue;  // introduced meanwhile
    fetchesInFlight += 1;
    try {
      const { messages, ...c } = await api.get(`/conversations/${enc(phone)}`);
      takeConversation(c);
      // Its messages may have started or ended a wait the list never saw:
      // the Waiting tab's count is the server's to say.
      if (c.support_ticket_id) refreshQueueSoon();
      list.renderSoon();
    } catch {
      unlisted.delete(phone);  // the next event, or a reload, brings it
    } finally {
      fetchesInFlight -= 1;
    }
  }
}

// The queue's positions and the tabs' counts. The list holds pages of the
// newest activity, and with more chats waiting than a page that is the back
// of the queue: so both ends are read, the head (as the Queued tab lists it)
// and the newest (as the All tab shows them).
const queueHead = '/conversations?filter=queued&order=queue&limit=200';
const queueNewest = '/conversations?filter=queued&limit=200';

// A queued row on neither page has left the queue if it should have been on
// one: the head is the whole queue, or it is newer than the newest page's
// last. Otherwise it stands between the two, out of sight, and its position
// is read again when it comes forward. A Waiting count asked for before
// the console moved it itself (a user's message that came meanwhile) may
// not have that move in it: the console keeps its own and asks again.
// `read`: the list's readMark() as the pages were asked for. One that left
// the queue since is not on them; one queued since may not be yet.
function takeQueuePages(head, newest, waitingCurrent, read) {
  const seen = new Set([...head.conversations, ...newest.conversations].map((c) => c.phone));
  const oldestNewest = newest.conversations.at(-1);
  const newerThanPage = (c) => newest.next_cursor === null || !oldestNewest ||
    Date.parse(c.last_activity_at) > Date.parse(oldestNewest.last_activity_at);
  for (const c of list.rows.values())
    if (c.queue_position != null && !seen.has(c.phone) && !list.heardSince(c.phone, read) && (head.next_cursor === null || newerThanPage(c)))
      list.rows.set(c.phone, { ...c, queue_position: null });
  for (const c of [...head.conversations, ...newest.conversations]) list.upsert(c, read);
  const waiting = list.counts?.waiting;
  list.counts = head.counts;
  if (!waitingCurrent) {
    list.counts.waiting = waiting;
    refreshQueueSoon();
  }
  list.renderSoon();
}

// Reads overlap (one each 200 ms at most, however long each takes): one
// answered after a later one is older than it, and is dropped.
let queueReadsAsked = 0;
let queueReadTaken = 0;
async function loadQueue() {
  const read = ++queueReadsAsked;
  const moves = list.countMoves;
  const heard = list.readMark();
  const [head, newest] = await Promise.all([api.get(queueHead), api.get(queueNewest)]);
  if (read < queueReadTaken) return;
  queueReadTaken = read;
  takeQueuePages(head, newest, list.countMoves === moves, heard);
}

// At most one look each 200 ms, however many events ask. Put off again by
// every event (a debounce), it would never come while chats are handed out
// faster than that, and queue positions would stand still through a busy spell.
let queueRefresh = null;
function refreshQueueSoon() {
  if (queueRefresh) return;
  queueRefresh = setTimeout(() => {
    queueRefresh = null;
    loadQueue();
  }, 200);
}

// The agent's own chats may all be older than the newest page.
// A load the socket's hello started, which fails only when the session
// ended meanwhile: the socket's close then sends the console to the login
// form (checkSession), and nothing is left half-shown.
const quietly = (loading) => loading.catch(() => {});

async function loadMine() {
  const read = list.readMark();
  const { conversations } = await api.get('/conversations?filter=mine&limit=200');
  for (const c of conversations) list.upsert(c, read);
  list.renderSoon();
  watchForCrossings();
}

// Whether `c` is blocked or unblocked, snoozed or awake, waiting for an
// answer or answered, since the list last had it: the tabs' counts change.
// Asked of the agent's own answer and of the event alike, whichever comes
// first.
function countsChanged(c) {
  const known = list.rows.get(c.phone);
  const followers = (x) => (x?.participants ?? []).join(' ');
  return Boolean(known?.blocked) !== Boolean(c.blocked) || Boolean(known?.snoozed) !== Boolean(c.snoozed)
    || Boolean(known?.waiting_since) !== Boolean(c.waiting_since) || followers(known) !== followers(c);
}

// A tab's conversations from however long ago (those blocked, snoozed,
// waiting or followed since long ago are on no page the console holds);
// the waiting ones longest first, as the tab lists them.
async function loadFiltered(filter) {
  const order = filter === 'waiting' ? '&order=waiting' : '';
  const read = list.readMark();
  const { conversations } = await api.get(`/conversations?filter=${filter}${order}&limit=200`);
  for (const c of conversations) list.upsert(c, read);
  list.renderSoon();
}

// A snoozed chat whose user wrote, and when, as their message's event says:
// a wake with the same time came in the same step, woken by that message.
// Held until the chat is awake, so no more than the chats asleep.
const userWroteWhileSnoozed = new Map();  // phone → the message event's `at`

// The agent's own snoozed chat woke because its time came: a reminder. Not
// when the user woke it (their message rings by itself), even after the
// time and before the server's sweep; nor an agent's Unsnooze before it.
function snoozeEnded(e) {
  const userWrote = userWroteWhileSnoozed.get(e.conversation);
  if (!e.data.snoozed) userWroteWhileSnoozed.delete(e.conversation);
  if (e.data.snoozed || e.data.assignee !== me.username || userWrote === e.at) return false;
  const was = list.rows.get(e.conversation)?.snoozed_until;  // null for one that waited for the user
  return Boolean(was) && Date.parse(was) <= Date.now();
}

// The agent's own chat whose user has just waited past the team's target,
// or that has just stayed open past the resolution target (SLA): a chime
// and a notification, once each, when it crosses the line (not for chats
// already late when the console opened).
let lateCheckedAt = Date.now();
function announceLateChats() {
  const now = Date.now();
  const tell = (c, title, body) => {
    alerts.ring();
    alerts.notify(title, body, c.phone, () => openConversation(c.phone));
  };
  for (const c of list.rows.values()) {
    if (c.assignee !== me.username || !inbox.wants('sla_missed')) continue;
    const overdue = targets.overdueMs(c, now);
    if (overdue > 0 && overdue <= now - lateCheckedAt)
      tell(c, `${userName(c)} has waited past the target`, `Waiting for an answer since ${clockTime(c.waiting_since)}`);
    if (targets.pastResolution(c, now) && !targets.pastResolution(c, lateCheckedAt))
      tell(c, `${userName(c)}'s chat is open past the resolution target`, `Open since ${clockTime(c.chat_start_time)}`);
  }
  lateCheckedAt = now;
}

// Whether an event is something the agent should hear about.
function worthAChime(e) {
  const looking = pane.phone === e.conversation && document.visibilityState === 'visible';
  const row = list.rows.get(e.conversation);
  // A muted conversation's user is heard in the list alone.
  const muted = Boolean(row?.muted);
  if (e.type === 'conversation.updated') return snoozeEnded(e) && !looking;
  // Someone joined the queue (or went back to it): queued now, not a move
  // up; a team's chat, for its members (one no longer known, for everyone).
  if (e.type === 'chat.queued') return e.data.queued_at === e.at && teams.mayAnswer(e.data.team, me.username) && !muted;
  // A chat handed to the agent, by a colleague or by routing (a mention
  // rings as its note comes, below).
  if (e.type === 'notification.created') return e.data.notification.type === 'assigned' && !looking;
  if (e.type !== 'message.created') return false;
  // Another agent's note that names this one, in any chat.
  if (e.data.type === 'note') return e.data.agent !== me.username && mentions(e.data.text, me.username) && !looking && inbox.wants('mention');
  if (e.data.sender !== 'user' || muted) return false;
  return row?.assignee === me.username && !looking;
}

// The news of an event worth a chime, in a notification's words.
function notice(e) {
  const c = list.rows.get(e.conversation);
  const who = c?.name || `+${e.conversation}`;
  if (e.type === 'chat.queued') return [`${who} is waiting for a chat`, `Number ${e.data.position} in the queue`];
  if (e.type === 'notification.created') return [headline(e.data.notification), c?.name || e.data.notification.name || who];
  if (e.type === 'conversation.updated') return [who, 'Snooze ended: the chat is back in Mine'];
  if (e.data.type === 'note') return [`${e.data.agent} mentioned you (${who})`, e.data.text];
  return [who, previewOf(e.data)];
}

// The events that change what Reports shows as happening now.
const CHANGES_NOW = new Set(['conversation.updated', 'conversation.deleted', 'message.created', 'chat.started',
  'chat.queued', 'chat.assigned', 'chat.ended', 'chat.transferred', 'agent.presence']);

function onEvent(e) {
  if (e.conversation && typeof e.seq === 'number') list.heardAbout(e.conversation);  // a read asked before is older
  if (CHANGES_NOW.has(e.type)) reports.changed();
  if (e.type === 'message.created' && e.data.sender === 'user' && list.rows.get(e.conversation)?.snoozed)
    userWroteWhileSnoozed.set(e.conversation, e.at);
  if (worthAChime(e)) {
    alerts.ring();
    alerts.notify(...notice(e), e.conversation, () => openConversation(e.conversation));
  }
  switch (e.type) {
    case 'conversation.updated':
    case 'chat.started':
      if (e.type === 'chat.started' || countsChanged(e.data)) refreshQueueSoon();  // the counts change
      takeConversation(e.data);
      list.renderSoon();
      pane.updateConversation(e.data);
      contacts?.update(e.data);
      break;
    case 'message.created':
      pane.addMessage(e.data);
      if (pane.conv?.phone === e.conversation) pane.updateConversation(withMessage(pane.conv, e.data));
      if (list.rows.has(e.conversation)) {
        const known = list.rows.get(e.conversation);
        list.countWaitingChange(known, withMessage(known, e.data));
        reloads.change(() => {
          const held = list.rows.get(e.conversation);
          if (held) list.upsert(withMessage(held, e.data));
        });
        list.renderSoon();
      } else {
        unlistedMessage(e.conversation, e.data);
      }
      break;
    case 'message.status':
      pane.replaceMessage(e.data);
      break;
    case 'message.updated':  // a note edited or deleted
      pane.replaceMessage(e.data);
      if (e.data.type === 'note') inbox.noteRewritten(e.conversation, e.data.seq, e.data.text);
      break;
    case 'chat.queued':
    case 'chat.assigned':
    case 'chat.ended':
    case 'chat.transferred':
      refreshQueueSoon();  // the counts change, and everyone behind moves up
      break;
    case 'typing':
      pane.showTyping(e);
      break;
    case 'viewers':
      viewers.event(e);
      break;
    case 'notification.created':
    case 'notification.updated':
      inbox.onEvent(e);
      // One about the chat the agent is looking at is read as it comes.
      if (e.type === 'notification.created' && pane.phone === e.conversation && document.visibilityState === 'visible')
        inbox.conversationOpened(e.conversation);
      break;
    case 'sla.updated':
      targets.set(e.data);
      break;
    case 'security.updated':
      // Required now of an agent without it: the server answers them nothing
      // else, so the console starts again, at the view that sets it up.
      if (e.data.require_two_factor && !me.two_factor) location.reload();
      team.securityChanged(e.data);
      break;
    case 'teams.updated':
      teams.set(e.data.teams);
      break;
    case 'labels.updated':
      labelCatalog.set(e.data.labels);
      break;
    case 'scheduled.updated':
      pane.scheduled.heard(e.conversation, e.data.scheduled);
      break;
    case 'custom_attributes.updated':
      attributeCatalog.set(e.data.custom_attributes);
      break;
    case 'conversation.deleted':
      forgetConversation(e.conversation, e.data.by, e.at);
      break;
    case 'campaign.updated':
    case 'campaign.deleted':
      campaigns?.onEvent(e);
      break;
    case 'notification_preferences.updated':
      inbox.setPreferences(e.data.preferences);
      break;
    case 'views.updated':
      views.set(e.data.views);
      break;
    case 'erased':  // an erased user's event read back on a resume: nothing is left of it to show
      break;
    case 'agent.presence':
      team.presence(e.data);
      if (e.data.agent === me.username && e.data.available !== undefined) {
        me.available = e.data.available;  // set by an admin, or in another tab
        showAvailability(me.available);
      }
      break;
  }
}

// An agent's own availability: what automatic routing (--routing) asks
// before it gives them a chat. Claiming by hand works either way.
function showAvailability(on) {
  $('available').checked = on;
  $('available').closest('label').classList.toggle('away', !on);
}

async function setAvailability() {
  const wanted = $('available').checked;
  $('available').disabled = true;
  try {
    const agent = await api.patch(`/agents/${enc(me.username)}`, { available: wanted });
    me.available = agent.available;
  } catch {
    // Left as the server has it; the box says so.
  } finally {
    showAvailability(me.available);
    $('available').disabled = false;
  }
}

// The signed-in agent's own record, changed in the Team dialog.
function showMe() {
  $('me').textContent = `${me.display_name} (${me.role})`;
  showAvailability(me.available);
}

// The socket was closed for a policy reason: a new password may have ended
// this session. If so, back to the login form.
async function checkSession() {
  try {
    await api.get('/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      live.close();
      location.reload();
    }
  }
}

function start(agent) {
  me = agent;
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  showMe();
  $('available').addEventListener('change', setAvailability);
  team = new TeamPanel({ me, onMe: (a) => { Object.assign(me, a); showMe(); pane?.renderSign(); } });
  alerts = new Alerts();
  setUpThemeButton();
  setUpShortcutsHelp();
  setUpMenus();
  const hours = new BusinessHours({ onChange: () => targets.hoursChanged() });
  // Right now's queue or an agent's chats: the list as a view shows it (a phone's width offers Reports only with the list shown).
  reports = new ReportsPanel({ me, hours, openConversation, showList: applyView });
  new RepliesPanel({ me });
  new MacrosPanel({ me, teams });
  new AutomationsPanel({ me, teams });
  new TeamsPanel({ me, roster: teams });
  new LabelsPanel({ me, catalog: labelCatalog });
  new AttributesPanel({ me, catalog: attributeCatalog });
  new AuditPanel({ me });
  // Lateness moves with the targets: every row and the open chat anew.
  targets = new ReplyTargets({ me, hours, teams, onChange: () => { if (list && pane) refreshTimes(); } });
  new ReplyPicker({ textarea: $('composer-text'), list: $('reply-suggestions'),
    context: () => ({ name: pane.conv?.name, agent: me.display_name || me.username }) });
  new MentionPicker({ textarea: $('composer-text'), list: $('mention-suggestions'), inNote: () => pane?.mode === 'note' });
  inbox = new NotificationInbox({ me, openConversation });
  // What came while the socket was down came to nobody: ask each time it is back.
  const onStatus = (status, ...rest) => { setStatus(status, ...rest); if (status === 'live') inbox.refresh(); };
  live = new Live({ onEvent, onStatus, onResync: reload, onHello: () => { quietly(loadList()); quietly(loadMine()); quietly(loadQueue()); quietly(targets.load()); quietly(teams.load()); quietly(labelCatalog.load()); quietly(attributeCatalog.load()); quietly(views.load()); quietly(fillAssignees()); hours.refresh(); },
    onConnected: (hello) => viewers.connected(hello), onPolicyClose: checkSession });
  viewers = new Viewers({ me, live, onChange: (phone) => { list.rowChanged(phone); pane.renderViewers(); } });
  const drafts = new Drafts(me.username, { onPresence: (phone) => list.rowChanged(phone) });
  let bulk = null;
  list = new ConversationList({ me, drafts, onOpen: openConversation, onSelection: () => bulk?.update(),
    onRender: () => { views?.mark(); offerChannelFilter(); }, overdueMs: (c) => targets.overdueMs(c), pastResolution: (c) => targets.pastResolution(c),
    viewersOf: (phone) => viewers.others(phone), labelCatalog });
  labelCatalog.onChange(() => { list.rowChanged(null); if (pane.conv) pane.renderChips(); fillLabelSelect(); });
  attributeCatalog.onChange(() => { if (pane.conv) pane.renderChips(); fillAttributeFilter(); });
  $('label-select').addEventListener('change', (e) => filterByLabel(e.target.value || null));
  views = new SavedViews({ me, current: () => list.viewQuery(), apply: applyView });
  const changed = (c) => { if (countsChanged(c)) refreshQueueSoon(); list.upsert(c); list.renderSoon(); };
  bulk = new BulkActions({ list, me, onChange: changed, teams });
  pane = new ConversationPane({ me, live, drafts, viewers, onChange: changed,
    onLabel: showUnderLabel, knownLabels: () => list.knownLabels(), onLeave: closeConversation, targets, teams, labelCatalog, attributeCatalog });
  const opening = new NewConversation({ templates: pane.templates, openExisting: openConversation,
    onOpened: ({ conversation }) => { changed(conversation); openConversation(conversation.phone); } });
  campaigns = new CampaignsPanel({ me, templates: pane.templates });
  contacts = new ContactsPanel({ openConversation, me, catalog: attributeCatalog });
  quietly(api.get('/me').then((about) => {
    opening.offer(about.new_conversation_channels ?? []);
    campaigns.offer(about.campaign_channels ?? []);
    campaigns.imports.offer(about.import_channels ?? []);
    pane.transcriptMail.offer(Boolean(about.email_notifications));
  }));
  const macroMenu = new MacroMenu({ phone: () => pane.phone,
    onDone: (phone, c) => { pane.doneFor(phone); changed(c); pane.updateConversation(c); },
    onError: (phone, why) => pane.refusedFor(phone, userName(list.rows.get(phone) ?? { phone }), why) });
  new CommandBar({ conversations: () => list.rows.values(), openConversation,
    macros: { load: loadMacros, run: (m) => macroMenu.run(m) } });
  live.connect();

  for (const tab of document.querySelectorAll('.tabs [role=tab]'))
    tab.addEventListener('click', () => {
      selectTab(tab.dataset.filter);
      list.render();
      if (tabsFromServer.includes(list.filter)) loadFiltered(list.filter);
    });
  $('label-filter-clear').addEventListener('click', () => filterByLabel(null));
  fillPriorities($('priority-filter'), { value: '', text: 'Any priority' });
  // Those marked so beyond the pages held are the server's to find.
  $('priority-filter').addEventListener('change', (e) => {
    list.priority = e.target.value || null;
    list.render();
    if (list.priority) loadList();
  });
  // Likewise a team's, or those under none; offered once there are teams.
  const teamFilter = $('team-filter');
  teams.onChange(fillTeamFilter);
  fillTeamFilter();
  teamFilter.addEventListener('change', () => {
    list.team = teamFilter.value || null;
    list.render();
    if (list.team) loadList();
  });
  // Likewise one agent's chats, whoever they are.
  $('assignee-filter').addEventListener('change', (e) => {
    list.assignee = e.target.value || null;
    list.render();
    if (list.assignee) loadList();
  });
  $('assignee-filter').addEventListener('focus', () => quietly(fillAssignees()));
  // Likewise one channel's users (Chatwoot's inbox), offered once the list
  // holds users of both.
  $('channel-filter').addEventListener('change', (e) => {
    list.channel = e.target.value || null;
    list.render();
    if (list.channel) loadList();
  });
  // Likewise the users with a detail (Chatwoot's custom attribute filter).
  $('attribute-filter').addEventListener('change', (e) => {
    list.attribute = e.target.value || null;
    list.render();
    if (list.attribute) loadList();
  });
  // The list's order, as this browser last chose it. By priority, the
  // server sends the most urgent beyond the pages held.
  const order = $('list-order');
  order.value = list.order = localStorage.getItem(listOrderKey) === 'priority' ? 'priority' : 'activity';
  order.addEventListener('change', () => {
    list.order = order.value;
    localStorage.setItem(listOrderKey, list.order);
    list.render();
    loadList();
  });
  showFiltersOn();  // the order this browser chose is one
  let searchTimer;
  $('search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { list.query = $('search').value.trim(); loadList(); }, 250);
  });
  $('back').addEventListener('click', backToList);
  // Only a phone's width shows the folds (console.css); each stays as the agent left it.
  for (const id of ['conv-fold', 'filters-fold']) {
    $(id).addEventListener('click', (e) => {
      const fold = e.currentTarget;
      fold.setAttribute('aria-expanded', String(fold.getAttribute('aria-expanded') !== 'true'));
    });
  }
  document.querySelector('.sidebar').addEventListener('change', showFiltersOn);  // after each filter's own listener
  // Alt+J / Alt+K: the next or previous conversation in the list, from anywhere
  // (the composer included), as in Chatwoot; by key position, so any layout.
  document.addEventListener('keydown', (e) => {
    if (!e.altKey || e.ctrlKey || e.metaKey || (e.code !== 'KeyJ' && e.code !== 'KeyK')) return;
    if (document.querySelector('dialog[open]')) return;
    const phone = list.neighbour(e.code === 'KeyJ' ? 1 : -1);
    e.preventDefault();
    if (phone && phone !== list.current) openConversation(phone);
  });
  setInterval(refreshTimes, REFRESH_EVERY_MS);
  // The address bar's chat (#conversation=<phone>): a link from an e-mail,
  // a reload, the browser's Back and Forward (a move between two entries
  // of this page whose addresses' #… differ is a hashchange). An e-mail's
  // link names the message too (&message=<seq>): the chat opens at it,
  // the chat open already too.
  const openLinked = () => {
    const phone = linkedPhone();
    const at = Number(new URLSearchParams(location.hash.slice(1)).get('message')) || null;
    if (phone && (phone !== list.current || at)) openConversation(phone, at);
    else if (!phone && list.current) closeConversation();
  };
  window.addEventListener('hashchange', openLinked);
  openLinked();
}

// The tabs whose conversations may be older than every page the console
// holds: the server lists them whole.
const tabsFromServer = ['blocked', 'snoozed', 'waiting', 'following'];

function selectTab(filter) {
  for (const t of document.querySelectorAll('.tabs [role=tab]')) {
    t.setAttribute('aria-selected', String(t.dataset.filter === filter));
    if (t.dataset.filter === filter) showInStrip(t);
  }
  list.filter = filter;
}

// At a phone's width the tabs are one row that scrolls sideways: the one
// selected (by a saved view, say) is scrolled to, the page is not.
function showInStrip(tab) {
  const strip = tab.parentElement, at = tab.getBoundingClientRect(), room = strip.getBoundingClientRect();
  if (at.left < room.left) strip.scrollLeft -= Math.ceil(room.left - at.left);  // whole pixels: a scroll is in them
  else if (at.right > room.right) strip.scrollLeft += Math.ceil(at.right - room.right);
}

// Shown once the list holds users of both channels, or narrows to one.
function offerChannelFilter() {
  const select = $('channel-filter');
  const hide = list.channels.size < 2 && !list.channel;
  if (select.hidden !== hide) select.hidden = hide;
}

function fillTeamFilter() {
  const teamFilter = $('team-filter');
  teams.fill(teamFilter, [{ value: '', text: 'Any team' }, { value: 'none', text: 'No team' }], list.team === 'none' ? null : list.team);
  teamFilter.value = list.team ?? '';
  teamFilter.hidden = teams.teams.length === 0 && !list.team;
}

// The catalog's labels to narrow the list to, as Chatwoot's sidebar lists
// them, and the one it narrows to now though the catalog lacks it (a
// chip's); shown once the catalog has any.
function fillLabelSelect() {
  const select = $('label-select');
  const names = labelCatalog.names();
  if (list.label && !names.includes(list.label)) names.push(list.label);
  select.replaceChildren(h('option', { value: '', text: 'Any label' }), ...names.map((n) => h('option', { value: n, text: n })));
  select.value = list.label ?? '';
  select.hidden = names.length === 0;
}

// The custom attributes' choices to narrow the list to, and the one it narrows to now.
function fillAttributeFilter() { attributeCatalog.fillDetailFilter($('attribute-filter'), list.attribute); }

// Whose chats the list may narrow to: every active agent, and the one it
// narrows to now even if deactivated since.
async function fillAssignees() {
  const { agents } = await api.get('/agents');
  const offered = agents.filter((a) => a.active !== false || a.username === list.assignee);
  const select = $('assignee-filter');
  select.replaceChildren(h('option', { value: '', text: 'Any agent' }),
    ...offered.map((a) => h('option', { value: a.username, text: a.username === me.username ? 'Me' : `${a.display_name} (${a.username})` })));
  select.value = list.assignee ?? '';
}

// Shows the list as a saved view's query has it: its tab, search and
// filters, each control showing it; what the view leaves out is cleared.
function applyView(q) {
  selectTab(q.filter ?? 'all');
  list.query = q.q ?? '';
  $('search').value = list.query;
  list.priority = q.priority ?? null;
  $('priority-filter').value = list.priority ?? '';
  list.team = q.team ?? null;
  fillTeamFilter();
  list.assignee = q.assignee ?? null;
  if (list.assignee && ![...$('assignee-filter').options].some((o) => o.value === list.assignee))
    $('assignee-filter').append(h('option', { value: list.assignee, text: list.assignee }));
  $('assignee-filter').value = list.assignee ?? '';
  list.channel = q.channel ?? null;
  $('channel-filter').value = list.channel ?? '';
  list.attribute = q.attribute ?? null;
  fillAttributeFilter();
  list.order = q.order === 'priority' ? 'priority' : 'activity';
  $('list-order').value = list.order;
  filterByLabel(q.label ?? null);  // renders
  quietly(loadList());
  if (tabsFromServer.includes(list.filter)) quietly(loadFiltered(list.filter));
}

// Waiting times and "x minutes ago" move on each tick, and chats become
// late: on time, by a timer set for the first line a chat crosses before
// the next tick, not up to a tick after.
const REFRESH_EVERY_MS = 30_000;
let crossingTimer;
function refreshTimes() {
  list.refreshTimes();
  pane.renderWait();
  announceLateChats();
  watchForCrossings();
}
function watchForCrossings() {
  clearTimeout(crossingTimer);
  const now = Date.now();
  let next = now + REFRESH_EVERY_MS;
  for (const c of [...list.rows.values(), pane.conv]) {
    const line = c && targets.nextLineAfter(c, now);
    if (line != null && line < next) next = line;
  }
  if (next < now + REFRESH_EVERY_MS) crossingTimer = setTimeout(refreshTimes, next - now + 1);
}

// A label's chip in a chat's header: the list of the conversations under
// it, which a phone's width shows in place of the chat.
function showUnderLabel(label) {
  filterByLabel(label);
  if (PHONE_WIDTH.matches) closeConversation();
}

// Folded at a phone's width, the filters still say how many are on.
function showFiltersOn() {
  const on = [list.priority, list.team, list.assignee, list.channel, list.attribute, list.label].filter(Boolean).length + (list.order === 'activity' ? 0 : 1);
  $('filters-fold').textContent = on ? `Filters (${on})` : 'Filters';
}

// The list shows only the conversations under `label` (null: all of them),
// each tab and the search within it; the server sends those it holds beyond
// what the console has.
function filterByLabel(label) {
  list.label = label;
  showFiltersOn();
  $('label-filter').hidden = !label;
  $('label-filter-name').textContent = label ?? '';
  fillLabelSelect();
  list.render();
  if (label) loadList();
}

// The address bar names the open chat, as Chatwoot's does: a reload opens
// it again, its address opens it from anywhere, and Back goes to the chat
// before (at a phone's width, from a chat to the list). A chat closed here
// takes its name out of the entry it had, rather than adding one; the
// pane's ← Back on a chat opened from the list is the browser's Back, so
// that the next Back does not stay on the list.
const linkedPhone = () => new URLSearchParams(location.hash.slice(1)).get('conversation');
function showInAddressBar(phone) {
  if (linkedPhone() === phone) return;
  const url = location.pathname + location.search + (phone ? `#conversation=${encodeURIComponent(phone)}` : '');
  if (phone) history.pushState({ fromList: !linkedPhone() }, '', url);
  else history.replaceState(null, '', url);
}

function backToList() {
  if (history.state?.fromList && linkedPhone() === list.current) history.back();  // its hashchange closes the chat
  else closeConversation();
}

function closeConversation() {
  showInAddressBar(null);
  $('app-view').classList.remove('show-pane');
  pane.close();
  viewers.show(null);
  list.current = null;
  list.render();
  $('pane-empty').textContent = 'Pick a conversation.';
}

// An admin erased a conversation: it leaves the list, the open pane, the
// drafts and the inbox (its notifications went with it).
function forgetConversation(phone, by, at) {
  const who = userName(list.rows.get(phone) ?? (pane.conv?.phone === phone ? pane.conv : { phone }));
  const open = pane.phone === phone;
  if (open) closeConversation();
  pane.forgetDraft(phone);
  unlisted.delete(phone);
  list.forget(phone, at);
  contacts?.forget(phone);
  refreshQueueSoon();  // the counts
  inbox.refresh();
  if (open) $('pane-empty').textContent = `The conversation with ${who} was deleted by ${by}.`;
}

// `at`: the message to show, when a search found the chat by it (`words`).
async function openConversation(phone, at = null, words = '') {
  showInAddressBar(phone);
  list.current = phone;
  list.render();
  viewers.show(phone);
  $('app-view').classList.add('show-pane');
  inbox.conversationOpened(phone);
  const opened = pane.open(phone, at, words);
  const focusWas = document.activeElement;  // where the click (and the pane's change of chat) left it
  try {
    await opened;
  } catch (e) {
    // An address of a conversation erased since, or mistyped.
    if (list.current !== phone) return;
    closeConversation();
    $('pane-empty').textContent = e instanceof ApiError && e.status === 404
      ? `There is no conversation with ${phone}.` : `The conversation with ${phone} did not open: ${e.message}`;
    return;
  }
  // The agent may have gone on while the chat was read (opened Snooze,
  // typed a search): the keyboard stays where they took it.
  if (document.activeElement !== focusWas && document.activeElement !== document.body) return;
  $('composer-text').disabled ? $('start-chat').focus() : $('composer-text').focus();
}

boot();
export { enc };
