import { whenUnauthorized } from './api.js';
import { call } from './client.js';
import { createAccess } from './access.js';
import { clear, h } from './dom.js';
import { startLive } from './live.js';
import { renderSignIn } from './pages/signin.js';
import * as overview from './pages/overview.js';
import * as approvals from './pages/approvals.js';
import * as history from './pages/history.js';
import * as actionPage from './pages/action.js';
import * as rules from './pages/rules.js';
import * as ruleEditor from './pages/rule-editor.js';
import * as rulesFile from './pages/rules-file.js';
import * as simulate from './pages/simulate.js';
import * as alerts from './pages/alerts.js';
import * as prompts from './pages/prompts.js';
import * as stats from './pages/stats.js';
import * as snapshots from './pages/snapshots.js';
import * as snapshot from './pages/snapshot.js';
import * as sources from './pages/sources.js';
import * as silences from './pages/silences.js';
import * as silence from './pages/silence.js';
import * as incidents from './pages/incidents.js';
import * as incident from './pages/incident.js';

const NAV = [
  ['overview', 'Overview'],
  ['approvals', 'Approvals'],
  ['incidents', 'Incidents', 'listIncidents'],
  ['history', 'History'],
  ['rules', 'Rules'],
  ['simulate', 'Simulate'],
  ['snapshots', 'Snapshots'],
  ['alerts', 'Alerts'],
  ['silences', 'Silences', 'listSilences'],
  ['prompts', 'Prompts'],
  ['stats', 'Statistics'],
  ['sources', 'Sources'],
];

/** #/page/arg?query → which module renders it. */
const ROUTES = [
  [/^overview$/, overview],
  [/^approvals$/, approvals],
  [/^history$/, history],
  [/^actions\/([^/]+)$/, actionPage],
  [/^rules$/, rules],
  [/^rules-file$/, rulesFile],
  [/^rules\/([^/]+)$/, ruleEditor],
  [/^simulate$/, simulate],
  [/^snapshots$/, snapshots],
  [/^snapshots\/([^/]+)$/, snapshot],
  [/^alerts$/, alerts],
  [/^prompts$/, prompts],
  [/^stats$/, stats],
  [/^sources$/, sources],
  [/^silences$/, silences],
  [/^silences\/([^/]+)$/, silence],
  [/^incidents$/, incidents],
  [/^incidents\/([^/]+)$/, incident],
];

const main = document.getElementById('main');
const announcer = document.getElementById('announcer');
let ctx = null;
let current = null;
let stopLive = null;

function announce(text) {
  announcer.textContent = '';
  // A fresh text node each time, so screen readers speak a repeated message again.
  setTimeout(() => { announcer.textContent = text; }, 30);
}

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '') || 'overview';
  const [path, query = ''] = raw.split('?');
  return { path, query: new URLSearchParams(query) };
}

async function route() {
  const { path, query } = parseHash();
  const found = ROUTES.find(([re]) => re.test(path));
  const [re, page] = found ?? [/^overview$/, overview];
  const params = (path.match(re) ?? []).slice(1).map(decodeURIComponent);
  const top = path.split('/')[0];
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.page === top || (top === 'actions' && a.dataset.page === 'history') || (top === 'rules-file' && a.dataset.page === 'rules')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  current?.dispose?.();
  current = null;
  const view = { params, query };
  const hash = location.hash;
  // Each visit renders into a container of its own: a page of an earlier visit still loading (or
  // re-rendering after a live event) writes into a container no longer shown, never over this one.
  const container = h('div', { class: 'page' }, h('p', { class: 'muted' }, 'Loading…'));
  delete main.dataset.view;
  clear(main, container);
  try {
    const instance = await page.mount(container, ctx, view);
    if (!container.isConnected) {
      instance?.dispose?.();
      return;
    }
    current = instance ?? null;
  } catch (err) {
    if (!container.isConnected) return;
    clear(container, h('h1', {}, 'Something went wrong'), h('p', { class: 'alert', role: 'alert' }, err.message));
  }
  // Which visit the content shows, once it has loaded (the browser tests wait for it).
  main.dataset.view = hash;
  document.title = `${main.querySelector('h1')?.textContent ?? 'Console'} · Self-healing console`;
  if (document.activeElement === document.body || !main.contains(document.activeElement)) main.focus({ preventScroll: true });
}

function renderHeader(who) {
  document.getElementById('top').hidden = false;
  // A page of a feature the service does not have (an older service behind this console) is left out.
  const shown = NAV.filter(([, , needs]) => !needs || ctx.has(needs));
  clear(document.getElementById('nav'), shown.map(([id, label]) => h('a', { href: `#/${id}`, 'data-page': id }, label)));
  const liveText = h('span', { class: 'live', id: 'live-state', 'data-state': 'connecting', role: 'status' }, 'Connecting…');
  const whoText = who.open
    ? h('span', { title: 'No API keys are configured; the service is reachable on loopback only' }, 'Open mode (no keys)')
    : h('span', {}, `${who.name} · ${who.role}`);
  const signOut = who.signedIn
    ? h('button', { type: 'button', onclick: async () => { await call('signOut').catch(() => undefined); location.hash = ''; location.reload(); } }, 'Sign out')
    : null;
  clear(document.getElementById('who'), liveText, whoText, signOut);
}

async function boot() {
  const who = (await call('getSession')).data;
  if (!who.open && !who.name) {
    document.getElementById('top').hidden = true;
    renderSignIn(main, () => boot());
    return;
  }
  const access = createAccess(who);
  ctx = { who, ...access, announce, navigate: (hash) => { location.hash = hash; } };
  renderHeader(who);
  whenUnauthorized(() => { stopLive?.(); location.reload(); });
  stopLive?.();
  stopLive = startLive(
    (event) => {
      current?.onEvent?.(event);
      if (event.type === 'action.pending_approval') announce(`New approval pending: ${event.data.rule ?? ''}`);
      else if (event.type === 'action.verified') announce(`Action ${event.data.action?.type ?? ''} of ${event.data.rule ?? ''}: ${event.data.data?.outcome ?? 'verified'}`);
      else if (event.type.startsWith('action.')) announce(`Action ${event.data.action?.type ?? ''} of ${event.data.rule ?? ''}: ${event.type.slice(7)}`);
      else if (event.type === 'automation.paused') announce(`Automation paused: ${event.data.data?.reason ?? ''}`);
      else if (event.type === 'automation.resumed') announce('Automation resumed');
    },
    (state) => {
      const el = document.getElementById('live-state');
      if (!el) return;
      el.dataset.state = state;
      el.textContent = state === 'open' ? 'Live' : state === 'connecting' ? 'Reconnecting…' : 'Offline';
    },
  );
  window.onhashchange = route;
  await route();
}

boot().catch((err) => clear(main, h('h1', {}, 'The console could not start'), h('p', { class: 'alert', role: 'alert' }, err.message)));
