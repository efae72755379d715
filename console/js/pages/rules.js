// @ts-check
import { call } from '../client.js';
import { badge, clear, h, table, timeEl } from '../dom.js';
import { act } from '../act.js';

/** @typedef {import('../types').Ctx} Ctx */
/** @typedef {import('../types').PageInstance} PageInstance */


/**
 * @param {HTMLElement} main
 * @param {Ctx} ctx
 * @returns {Promise<PageInstance>}
 */
export async function mount(main, ctx) {
  const message = h('div', { role: 'status' });
  const body = h('div');
  const render = async () => {
    const [{ data }, recent] = await Promise.all([
      call('listRules'),
      call('listActions', { query: { limit: 200 } }),
    ]);
    const lastFired = new Map();
    for (const a of recent.data.items) if (!lastFired.has(a.rule)) lastFired.set(a.rule, a.createdAt);
    const canEdit = ctx.can('patchRule');
    const rows = data.rules.map((r) => {
      const toggle = h('input', {
        type: 'checkbox',
        id: `enabled-${r.name}`,
        checked: r.enabled,
        onchange: async (e) => {
          const enabled = e.target.checked;
          e.target.disabled = true;
          await act(message, () => call('patchRule', { params: { name: r.name }, body: { enabled }, headers: { 'If-Match': `"${data.version}"` } }), {
            done: () => `${r.name} is now ${enabled ? 'enabled' : 'disabled'}.`,
            say: () => `${r.name} ${enabled ? 'enabled' : 'disabled'}`,
            announce: ctx.announce,
            refused: (err) => (err.status === 412 ? h('p', { class: 'alert' }, 'The rules file changed since this page was loaded; the table now shows the newer version. Try again.') : null),
          });
          await render();
        },
      });
      return [
        // A role that cannot change rules sees the state, not a control it cannot use.
        canEdit
          ? h('label', { class: 'inline', for: `enabled-${r.name}` }, toggle, h('span', { class: 'sr-only' }, `Enabled ${r.name}`), r.enabled ? 'on' : 'off')
          : badge(r.enabled ? 'ok' : 'disabled', r.enabled ? 'on' : 'off'),
        h('a', { class: 'name', href: `#/rules/${encodeURIComponent(r.name)}` }, r.name),
        r.mode === 'shadow' ? badge('shadow', 'shadow: never acts') : 'enforce',
        badge(r.severity),
        r.action.type,
        `${r.cooldownMinutes} min`,
        r.requiresApproval ? 'yes' : 'no',
        r.verify === false || r.verify === undefined ? 'off' : `${r.verify.windowMinutes} min, then ${r.verify.onIneffective === 'none' ? 'record only' : r.verify.onIneffective}`,
        r.maxActionsPerTarget === null || r.maxActionsPerTarget === undefined ? '—' : `${r.maxActionsPerTarget} per target`,
        lastFired.has(r.name) ? timeEl(lastFired.get(r.name)) : 'never (in the last 200 actions)',
      ];
    });
    clear(
      body,
      data.lastError ? h('div', { class: 'alert', role: 'alert' }, `The rules file on disk is invalid at ${data.lastError.pointer || '(root)'}: ${data.lastError.message}. The last good rules stay in force.`) : null,
      h('p', { class: 'muted' }, `${data.count} rules · version ${data.version}`),
      table(['Enabled', 'Rule', 'Mode', 'Severity', 'Action', 'Cooldown', 'Approval', 'Verify', 'Budget', 'Last fired'], rows, 'Rules'),
    );
  };
  clear(
    main,
    h('h1', {}, 'Rules'),
    h('div', { class: 'actions' },
      h('a', { class: 'button secondary', href: '#/rules-file' }, ctx.can('replaceRulesFile') ? 'Edit the whole file' : 'View the whole file'),
      ctx.can('simulate') ? h('a', { class: 'button secondary', href: '#/simulate' }, 'Simulate') : null),
    message,
    body,
  );
  await render();
  return {};
}
