// @ts-check
import { call } from '../client.js';
import { badge, clear, h, json, kv, relTime, table, timeEl } from '../dom.js';
import { act } from '../act.js';
import { actionEvent, refreshOnLive } from '../live-refresh.js';
import { refusalText } from '../refusals.js';

/** @typedef {import('../types').Ctx} Ctx */
/** @typedef {import('../types').PageInstance} PageInstance */


const condText = (c) => `${c.path ? `${c.fact}${String(c.path).slice(1)}` : c.fact} ${c.operator} ${JSON.stringify(c.value)}`;

/**
 * The condition_cleared refusal: the newer snapshot and the conditions that now fail, and a
 * confirming button that approves anyway (recorded by the service as a forced approval).
 */
function clearedNotice(action, problem, onForce) {
  const failed = Array.isArray(problem.failedConditions) ? problem.failedConditions : [];
  return h('div', { class: 'alert' },
    h('p', {}, h('strong', {}, 'Condition cleared: '), 'fresh metrics no longer match the rule, so the action was not run. It is still pending.'),
    kv([
      ['Newer snapshot', h('span', {}, problem.snapshotId ? h('a', { href: `#/snapshots/${problem.snapshotId}` }, problem.snapshotId) : '—', problem.snapshotReceivedAt ? [' (received ', timeEl(problem.snapshotReceivedAt), ')'] : '')],
    ]),
    failed.length
      ? table(['Condition', 'Value now'], failed.map((c) => [condText(c), JSON.stringify(c.factValue ?? null)]), 'Conditions that now fail')
      : null,
    h('p', {}, 'Reject it, or approve it anyway:'),
    h('div', { class: 'actions' },
      h('button', { type: 'button', 'aria-label': `Confirm approval of ${action.rule} despite the cleared condition`, onclick: (e) => { e.target.disabled = true; onForce(); } }, 'Confirm approval anyway')),
  );
}

/** Refusals after which the same approval cannot be decided again; after any other (paused, …) one may retry. */
const FINAL = new Set(['already_decided', 'approval_expired']);

/**
 * One pending action with everything a person needs to decide, and the decision buttons.
 * @param {any} action a pending action as GET /api/self-healing/actions gives it
 * @param {Ctx} ctx
 * @param {(id: string) => void} onDecided
 */
function card(action, ctx, onDecided) {
  const comment = h('textarea', { id: `comment-${action.id}`, rows: '2' });
  const status = h('div', { role: 'status' });
  const expires = h('span', { 'data-expires': action.expiresAt ?? '' }, relTime(action.expiresAt));
  const buttons = [];

  /** @param {'approve' | 'reject'} verb */
  const decide = async (verb, force = false) => {
    buttons.forEach((b) => { b.disabled = true; });
    const by = ctx.who.name ?? 'console';
    const body = { by, ...(comment.value.trim() ? { comment: comment.value.trim() } : {}), ...(force ? { force: true } : {}) };
    const result = await act(status, async () => (await call(verb === 'approve' ? 'approveAction' : 'rejectAction', { params: { id: action.id }, body })).data, {
      busy: verb === 'approve' ? 'Approving — the action runs now…' : 'Rejecting…',
      done: (data) => [
        `${verb === 'approve' ? 'Approved' : 'Rejected'}: the action is now `, badge(data.status),
        data.result?.summary ? ` — ${data.result.summary}` : data.error ? ` — ${data.error}` : '', ' ',
        h('a', { href: `#/actions/${data.id}` }, 'See the action'),
      ],
      failed: (data) => data.status === 'failed',
      say: (data) => `${action.rule}: ${data.status}`,
      announce: ctx.announce,
      refused: (err) =>
        err.code === 'condition_cleared'
          // Still pending: show what fresh metrics say, then let the person reject or approve anyway.
          ? clearedNotice(action, err.problem, () => decide('approve', true))
          : err.code === 'paused'
            ? [h('p', { class: 'alert' }, refusalText(err)), h('p', {}, h('a', { href: '#/overview' }, 'See the pause on the Overview'))]
            : null,
    });
    if (result.ok) onDecided(action.id);
    else if (result.error.code === 'condition_cleared') buttons.forEach((b) => { b.disabled = b.dataset.verb === 'approve'; });
    else buttons.forEach((b) => { b.disabled = FINAL.has(result.error.code ?? ''); });
  };

  if (ctx.can('approveAction')) buttons.push(h('button', { type: 'button', 'data-verb': 'approve', 'aria-label': `Approve ${action.rule}`, onclick: () => decide('approve') }, 'Approve'));
  if (ctx.can('rejectAction')) buttons.push(h('button', { type: 'button', class: 'danger', 'data-verb': 'reject', 'aria-label': `Reject ${action.rule}`, onclick: () => decide('reject') }, 'Reject'));

  return h(
    'article',
    { class: `card sev-${action.severity}`, 'data-action-id': action.id, 'aria-labelledby': `title-${action.id}` },
    h('h2', { id: `title-${action.id}` }, action.rule, ' ', badge(action.severity)),
    kv([
      ['Action', `${action.type}`],
      ['Parameters', json(action.params)],
      ['Asked by', action.requestedBy],
      ['Asked', timeEl(action.createdAt)],
      ['Expires', expires],
      ['Source', action.snapshot ? `${action.snapshot.source} at ${action.snapshot.timestamp}` : '—'],
    ]),
    h('h3', {}, 'Matched facts'),
    json(action.matchedFacts ?? {}),
    action.snapshot ? h('details', {}, h('summary', {}, 'Triggering metrics'), json(action.snapshot.metrics)) : null,
    buttons.length
      ? [h('label', { for: `comment-${action.id}` }, 'Comment (optional)'), comment, h('div', { class: 'actions' }, buttons)]
      : h('p', { class: 'muted' }, 'Your role can see approvals but not decide them.'),
    status,
  );
}

/**
 * @param {HTMLElement} main
 * @param {Ctx} ctx
 * @returns {Promise<PageInstance>}
 */
export async function mount(main, ctx) {
  const list = h('div', { id: 'approval-list' });
  const empty = h('p', { class: 'muted', id: 'no-approvals' }, 'Nothing waits for approval.');
  const cards = new Map();
  const decided = new Set();

  const refresh = async () => {
    const { data } = await call('listActions', { query: { status: 'pending_approval', limit: 100 } });
    const pending = data.items.filter((a) => !decided.has(a.id));
    // A card decided elsewhere (another person, n8n, expiry) stays, saying what became of it.
    const stillPending = new Set(pending.map((a) => a.id));
    for (const [id, el] of cards) {
      if (stillPending.has(id)) continue;
      decided.add(id);
      const now = await call('getAction', { params: { id } }).then((r) => r.data, () => null);
      for (const b of el.querySelectorAll('button')) b.disabled = true;
      const status = el.querySelector('[role="status"]');
      if (status && now) clear(status, h('p', { class: 'warnbox' }, 'No longer pending: it is now ', badge(now.status), now.decidedBy ? ` (by ${now.decidedBy})` : '', '.'));
    }
    // Keep the cards already on screen (and what someone is typing in them); add new ones on top.
    const next = pending.map((a) => cards.get(a.id) ?? card(a, ctx, (id) => decided.add(id)));
    cards.clear();
    pending.forEach((a, i) => cards.set(a.id, next[i]));
    const keepDecided = [...list.children].filter((el) => decided.has(el.dataset.actionId));
    // Never move a card already shown: moving a node takes the keyboard focus away, and text typed
    // into its comment at that moment is lost. Decided cards stay where they are, cards no longer
    // wanted go, and new ones go on top, newest first.
    const wanted = new Set([...next, ...keepDecided]);
    for (const el of [...list.children]) if (!wanted.has(el)) el.remove();
    const fresh = next.filter((el) => el.parentNode !== list);
    const top = list.firstChild;
    for (const el of fresh) list.insertBefore(el, top);
    empty.hidden = wanted.size > 0;
  };

  // While automation is paused every approval is refused: say so before anyone clicks.
  const pauseNote = h('div', { id: 'approvals-pause' });
  const showPause = async () => {
    const ps = ctx.has('getPause') ? await call('getPause').then((r) => r.data, () => null) : null;
    clear(pauseNote, ps?.paused
      ? h('p', { class: 'warnbox' }, h('strong', {}, 'Automation is paused'), ` by ${ps.by ?? '—'}: ${ps.reason ?? 'no reason given'}. Approving is refused until it is resumed (`, h('a', { href: '#/overview' }, 'Overview'), ').')
      : null);
  };

  clear(main, h('h1', {}, 'Approvals'), h('p', { class: 'muted' }, 'Pending actions, newest first. New ones appear here by themselves.'), pauseNote, empty, list);
  await Promise.all([refresh(), showPause()]);
  const tick = setInterval(() => {
    for (const el of main.querySelectorAll('[data-expires]')) if (el instanceof HTMLElement) el.textContent = relTime(el.dataset.expires || null);
  }, 15_000);
  // One refresh at a time: two at once could each add the card of the same new approval.
  const actions = refreshOnLive(refresh, { when: actionEvent, delayMs: 50 });
  const pauses = refreshOnLive(showPause, { when: (e) => e.type.startsWith('automation.'), delayMs: 50 });
  return {
    onEvent: (e) => { actions.onEvent(e); pauses.onEvent(e); },
    dispose: () => { actions.dispose(); pauses.dispose(); clearInterval(tick); },
  };
}
