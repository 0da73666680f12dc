// The Reports dialog: what is happening now (reports_now.js), then
// GET /reports/summary for a period, overall, by day
// (in the agent's own time zone), per agent, team, label and channel, as a support lead reads it;
// admins also get the period's messages as a download (GET /export).
import { api, enc } from './api.js';
import { $, dialogFromTemplate, duration, h, relativeTime } from './dom.js';
import { channelName, stars } from './model.js';
import { figure, RightNow } from './reports_now.js';

export class ReportsPanel {
  // `hours`: the BusinessHours of the top bar, which knows whether any are set.
  // `openConversation(phone)`: a rating's row opens its chat. `showList(query)`:
  // the list as a saved view's query has it (Right now's queue, say).
  constructor({ me, hours, openConversation, showList }) {
    this.me = me;
    this.hours = hours;
    this.openConversation = openConversation;
    this.now = new RightNow({ showList });
    $('reports').addEventListener('click', () => this.open());
  }

  // An event that may change what is happening now.
  changed() {
    this.now.changed();
  }

  async open() {
    const dialog = dialogFromTemplate('reports-template', 'reports-dialog', (made) => {
      // Each table's head: its first column names its rows (an agent, a team, a label).
      for (const head of made.querySelectorAll('thead[data-first]'))
        head.replaceChildren(h('tr', {}, [head.dataset.first, ...TALLY_COLUMNS].map((text) => h('th', { scope: 'col', text }))));
      $('reports-period').addEventListener('change', () => this.load());
      $('reports-csat-older').addEventListener('click', () => this.loadResponses(this.olderThan));
      // Chatwoot's filters: one score's ratings, one agent's.
      for (const id of ['reports-csat-score', 'reports-csat-agent'])
        $(id).addEventListener('change', () => { $('reports-csat-responses').replaceChildren(); this.loadResponses(null); });
      $('reports-business-hours').addEventListener('change', () => this.load());
    });
    $('reports-hours-option').hidden = !this.hours.configured;
    if (!dialog.open) dialog.showModal();
    await Promise.all([this.now.start(dialog), this.load()]);
  }

  async load() {
    const days = Number($('reports-period').value);
    const to = new Date();
    const from = new Date(to.getTime() - days * 86400 * 1000);
    const period = `from=${enc(from.toISOString())}&to=${enc(to.toISOString())}`;
    const inHours = !$('reports-hours-option').hidden && $('reports-business-hours').checked;
    $('reports-status').textContent = '';
    try {
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      const byDay = `&group_by=day&timezone=${enc(zone)}`;
      const hours = inHours ? '&business_hours=true' : '';
      $('report-csv').href = `/reports/summary?${period}${hours}&format=csv`;
      $('report-days-csv').href = `/reports/summary?${period}${byDay}&format=csv`;
      // By the hour: each day's totals for the chart, and its hours for the heatmap.
      const byHour = `&group_by=hour&timezone=${enc(zone)}`;
      $('report-hours-csv').href = `/reports/summary?${period}${byHour}&format=csv`;
      const report = await api.get(`/reports/summary?${period}${byHour}${hours}`);
      this.render(report);
      this.period = period;
      $('reports-csat-responses').replaceChildren();
      await this.loadResponses(null);
    } catch (err) {
      $('reports-status').textContent = `The report could not be loaded: ${err.message}`;
    }
    const admin = this.me.role === 'admin';
    $('reports-export').hidden = !admin;
    if (admin) {
      $('export-csv').href = `/export?format=csv&${period}`;
      $('export-ndjson').href = `/export?format=ndjson&${period}`;
    }
  }

  render({ overall, agents, teams, labels, channels, days }) {
    $('reports-overall').replaceChildren(...[
      figure('Chats opened', String(overall.chats_opened)),
      figure('Chats closed', String(overall.chats_closed)),
      figure('CSAT', csat(overall.csat), csatNote(overall.csat)),
      figure('First response', median(overall.first_response_seconds), spread(overall.first_response_seconds)),
      figure('Queue wait', median(overall.queue_wait_seconds), spread(overall.queue_wait_seconds)),
      figure('Resolution', median(overall.resolution_seconds), spread(overall.resolution_seconds)),
      overall.first_reply_sla && figure('First reply on time', onTimeShare(overall.first_reply_sla), onTimeNote(overall.first_reply_sla)),
      overall.next_reply_sla && figure('Next replies on time', onTimeShare(overall.next_reply_sla), onTimeNote(overall.next_reply_sla)),
      overall.resolution_sla && figure('Resolved on time', onTimeShare(overall.resolution_sla), onTimeNote(overall.resolution_sla)),
    ].filter(Boolean));
    $('reports-days').replaceChildren(...dayBars(days));
    trafficHeatmap(days);
    $('reports-csat-scores').replaceChildren(...scoreBars(overall.csat));
    // The agents rated in the period, and the one chosen though none of theirs was.
    const chosen = $('reports-csat-agent').value;
    const rated = agents.filter((a) => a.csat.count > 0).map((a) => a.agent);
    if (chosen && !rated.includes(chosen)) rated.push(chosen);
    $('reports-csat-agent').replaceChildren(h('option', { value: '', text: 'Any agent' }), ...rated.map((a) => h('option', { value: a, text: a })));
    $('reports-csat-agent').value = chosen;
    $('reports-csat-none').hidden = overall.csat.count > 0;
    $('reports-agents').replaceChildren(...agents.map((a) => tallyRow({ 'data-agent': a.agent }, a.agent, a)));
    $('reports-none').hidden = agents.length > 0;
    // Only where chats were filed under a team in the period.
    $('reports-teams').replaceChildren(...teams.map((t) => tallyRow({ 'data-team': t.team }, t.team, t)));
    $('reports-by-team').hidden = teams.length === 0;
    // Likewise under a label: a chat under two counts in both rows.
    $('reports-labels').replaceChildren(...labels.map((l) => tallyRow({ 'data-label': l.label }, l.label, l)));
    $('reports-by-label').hidden = labels.length === 0;
    // Each chat under the channel its user wrote on, as Chatwoot's inbox reports.
    $('reports-channels').replaceChildren(...channels.map((c) =>
      tallyRow({ 'data-channel': c.channel }, channelName(c.channel), c)));
    $('reports-by-channel').hidden = channels.length === 0;
  }

  // A page of the period's ratings, newest first, after those shown
  // (`before`: the last page's next_before; null: from the newest).
  async loadResponses(before) {
    const period = this.period;
    const asked = (this.asked = (this.asked ?? 0) + 1);
    const score = $('reports-csat-score').value;
    const agent = $('reports-csat-agent').value;
    const filters = `${score ? `&score=${score}` : ''}${agent ? `&agent=${enc(agent)}` : ''}`;
    const page = await api.get(`/reports/csat?${period}&limit=${RATINGS_A_PAGE}${filters}${before ? `&before=${enc(before)}` : ''}`);
    if (asked !== this.asked) return;  // another period, filter or page was asked for meanwhile
    this.olderThan = page.next_before;
    $('reports-csat-older').hidden = !page.next_before;
    $('reports-csat-responses').append(...page.responses.map((r) => h('li', { 'data-ticket': r.ticket },
      h('span', { class: 'stars', 'aria-label': `${r.score} of 5`, text: stars(r.score) }),
      h('button', { type: 'button', class: 'link', text: r.name || `+${r.phone}`, title: 'Open this chat',
        onclick: () => { $('reports-dialog').close(); this.openConversation(r.phone); } }),
      h('span', { class: 'muted', text: `${r.agent ? `for ${r.agent} · ` : ''}${relativeTime(r.at)}` }))));
  }
}

const RATINGS_A_PAGE = 10;

// "3 ratings · 75% of 4 asked": how many rated, of the users asked.
function csatNote(c) {
  if (!c.count && !c.surveys) return null;
  const rated = `${c.count} rating${c.count === 1 ? '' : 's'}`;
  return c.response_rate == null ? rated : `${rated} · ${Math.round(c.response_rate * 100)}% of ${c.surveys} asked`;
}

// A bar for each score, 5 to 1, as long as its share of the ratings.
function scoreBars(c) {
  if (!c.count) return [];
  return [5, 4, 3, 2, 1].map((score) => {
    const n = c.distribution[String(score)];
    const bar = h('span', { class: 'bar' });
    bar.style.width = `${(100 * n) / c.count}%`;  // through the style object: the CSP refuses style attributes
    return h('li', { 'data-score': String(score), 'aria-label': `${score} of 5: ${n}` },
      h('span', { class: 'stars', 'aria-hidden': 'true', text: stars(score) }),
      h('span', { class: 'track' }, bar),
      h('span', { class: 'count', text: String(n) }));
  });
}

// The figures' columns, as tallyRow fills them after the name.
const TALLY_COLUMNS = ['Opened', 'Closed', 'CSAT', 'First response (median · 90%)', 'Queue wait (median · 90%)',
  'Resolution (median · 90%)', 'First reply on time', 'Next replies on time', 'Resolved on time'];

// An agent's, a team's or a label's row: `name` and its figures.
const tallyRow = (attributes, name, t) => h('tr', attributes,
  h('th', { scope: 'row', text: name }),
  h('td', { text: String(t.chats_opened) }),
  h('td', { text: String(t.chats_closed) }),
  h('td', { text: csat(t.csat) }),
  h('td', { text: pair(t.first_response_seconds) }),
  h('td', { text: pair(t.queue_wait_seconds) }),
  h('td', { text: pair(t.resolution_seconds) }),
  h('td', { text: t.first_reply_sla ? onTime(t.first_reply_sla) : '—' }),
  h('td', { text: t.next_reply_sla ? onTime(t.next_reply_sla) : '—' }),
  h('td', { text: t.resolution_sla ? onTime(t.resolution_sla) : '—' }));

const csat = (c) => (c.average == null ? '—' : `${c.average.toFixed(2)} / 5`);
const median = (p) => (p.p50 == null ? '—' : duration(p.p50));
const spread = (p) => (p.p90 == null ? null : `90% within ${duration(p.p90)} · ${p.count} chat${p.count === 1 ? '' : 's'}`);
const pair = (p) => (p.p50 == null ? '—' : `${duration(p.p50)} · ${duration(p.p90)}`);
// Replies against the team's targets (the SLA dialog's).
const judged = (s) => s.met + s.missed;
const onTimeShare = (s) => (judged(s) ? `${Math.round((100 * s.met) / judged(s))}%` : '—');
const onTimeNote = (s) => `${s.met} of ${judged(s)} within ${s.target_minutes} min`;
const onTime = (s) => (judged(s) ? `${s.met} of ${judged(s)}` : '—');

// One column a day, opened beside closed, as tall as the busiest day allows;
// the day of the month under each while a month or less is shown.
function dayBars(days) {
  const most = Math.max(1, ...days.map((d) => Math.max(d.chats_opened, d.chats_closed)));
  const labelled = days.length <= 31;
  return days.map((d) => {
    const date = new Date(`${d.date}T12:00:00Z`);
    const name = date.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
    // Through the style object: the console's CSP refuses style attributes.
    const bar = (kind, n) => {
      const el = h('span', { class: `bar ${kind}` });
      el.style.height = `${(100 * n) / most}%`;
      return el;
    };
    return h('li', { 'data-date': d.date, title: `${name}: ${d.chats_opened} opened, ${d.chats_closed} closed`,
      'aria-label': `${name}: ${d.chats_opened} opened, ${d.chats_closed} closed` },
      h('span', { class: 'bars' }, bar('opened', d.chats_opened), bar('closed', d.chats_closed)),
      h('span', { class: 'day', text: labelled ? String(date.getUTCDate()) : '' }));
  });
}

// Chatwoot's conversation traffic: the chats opened in each hour of each day
// of the week, the period's days added up by their weekday (Monday first),
// each cell as dark as its share of the busiest.
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
function trafficHeatmap(days) {
  const grid = WEEKDAYS.map(() => new Array(24).fill(0));
  for (const d of days) {
    const weekday = (new Date(`${d.date}T12:00:00Z`).getUTCDay() + 6) % 7;
    d.opened_by_hour.forEach((n, hour) => { grid[weekday][hour] += n; });
  }
  const most = Math.max(1, ...grid.flat());
  const clock = (hour) => `${String(hour).padStart(2, '0')}:00`;
  // Every third hour shown; every header read, as a screen reader names a cell by its headers.
  const unseen = (text) => h('span', { class: 'visually-hidden', text });
  $('reports-traffic').tHead.replaceChildren(h('tr', {}, h('th', { scope: 'col' }, unseen('Day')),
    ...grid[0].map((_, hour) => h('th', { scope: 'col' }, hour % 3 === 0 ? String(hour) : unseen(String(hour))))));
  $('reports-traffic').tBodies[0].replaceChildren(...grid.map((counts, weekday) => h('tr', { 'data-weekday': WEEKDAYS[weekday] },
    h('th', { scope: 'row', text: WEEKDAYS[weekday].slice(0, 3) }),
    ...counts.map((n, hour) => {
      const said = `${WEEKDAYS[weekday]} ${clock(hour)}–${clock((hour + 1) % 24)}: ${n} ${n === 1 ? 'chat' : 'chats'} opened`;
      const heat = h('span', { class: 'heat' });
      heat.style.opacity = n ? String(0.15 + (0.85 * n) / most) : '0';  // the CSP refuses style attributes
      return h('td', { 'data-hour': String(hour), 'data-count': String(n), title: said, 'aria-label': said }, heat);
    }))));
}
