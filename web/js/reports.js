// The Reports dialog: GET /reports/summary for a period, overall and per
// agent, as a support lead reads it; admins also get the period's messages
// as a download (GET /export).
import { api, enc } from './api.js';
import { $, dialogFromTemplate, duration, h } from './dom.js';

export class ReportsPanel {
  // `hours`: the BusinessHours of the top bar, which knows whether any are set.
  constructor({ me, hours }) {
    this.me = me;
    this.hours = hours;
    $('reports').addEventListener('click', () => this.open());
  }

  async open() {
    const dialog = dialogFromTemplate('reports-template', 'reports-dialog', () => {
      $('reports-period').addEventListener('change', () => this.load());
      $('reports-business-hours').addEventListener('change', () => this.load());
    });
    $('reports-hours-option').hidden = !this.hours.configured;
    if (!dialog.open) dialog.showModal();
    await this.load();
  }

  async load() {
    const days = Number($('reports-period').value);
    const to = new Date();
    const from = new Date(to.getTime() - days * 86400 * 1000);
    const period = `from=${enc(from.toISOString())}&to=${enc(to.toISOString())}`;
    const inHours = !$('reports-hours-option').hidden && $('reports-business-hours').checked;
    $('reports-status').textContent = '';
    try {
      const report = await api.get(`/reports/summary?${period}${inHours ? '&business_hours=true' : ''}`);
      this.render(report);
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

  render({ overall, agents }) {
    const figure = (name, value, note) => h('div', { class: 'figure' },
      h('dt', { text: name }),
      h('dd', {}, h('span', { class: 'value', text: value }), note ? h('span', { class: 'muted', text: note }) : null));
    $('reports-overall').replaceChildren(
      figure('Chats opened', String(overall.chats_opened)),
      figure('Chats closed', String(overall.chats_closed)),
      figure('CSAT', csat(overall.csat), overall.csat.count ? `${overall.csat.count} rating${overall.csat.count === 1 ? '' : 's'}` : null),
      figure('First response', median(overall.first_response_seconds), spread(overall.first_response_seconds)),
      figure('Queue wait', median(overall.queue_wait_seconds), spread(overall.queue_wait_seconds)));
    $('reports-agents').replaceChildren(...agents.map((a) => h('tr', { 'data-agent': a.agent },
      h('th', { scope: 'row', text: a.agent }),
      h('td', { text: String(a.chats_opened) }),
      h('td', { text: String(a.chats_closed) }),
      h('td', { text: csat(a.csat) }),
      h('td', { text: pair(a.first_response_seconds) }),
      h('td', { text: pair(a.queue_wait_seconds) }))));
    $('reports-none').hidden = agents.length > 0;
  }
}

const csat = (c) => (c.average == null ? '—' : `${c.average.toFixed(2)} / 5`);
const median = (p) => (p.p50 == null ? '—' : duration(p.p50));
const spread = (p) => (p.p90 == null ? null : `90% within ${duration(p.p90)} · ${p.count} chat${p.count === 1 ? '' : 's'}`);
const pair = (p) => (p.p50 == null ? '—' : `${duration(p.p50)} · ${duration(p.p90)}`);
