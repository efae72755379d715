import { qs } from '../api.js';
import { call } from '../client.js';
import { clear, h } from '../dom.js';
import { diffView } from '../diff.js';
import { refusalText } from '../refusals.js';
import { rulePanel } from '../fact-charts.js';
import { ACTION_TYPES, SEVERITIES as SEVERITY_WORDS } from '../vocabulary.js';

const pairs = (values) => values.map((v) => [v, v]);
const SEVERITIES = pairs(SEVERITY_WORDS);
const TYPES = pairs(ACTION_TYPES);
const MODES = [['enforce', 'Enforce: acts'], ['shadow', 'Shadow: decides and records, never acts']];
const APPROVAL = [['true', 'Yes'], ['false', 'No']];
/** `verify` is false (off) or { windowMinutes, onIneffective }: the select says which, the window is its own field. */
const VERIFY = [['off', 'Off'], ['revert', 'On: revert if ineffective'], ['escalate', 'On: escalate if ineffective'], ['none', 'On: record the outcome only']];

const stringify = (v) => JSON.stringify(v, null, 2);
const numberText = (n) => (n === null || n === undefined ? '' : String(n));

/**
 * Form fields, each showing the rule as the service applies it (GET /rules/{name}: every default
 * filled in). `member` is the rule member a field writes; `pointer` the part of the rule whose
 * validation problems it shows.
 */
const FIELDS = [
  { key: 'description', member: 'description', pointer: '/description', label: 'Description', kind: 'text', show: (r) => r.description },
  { key: 'enabled', member: 'enabled', pointer: '/enabled', label: 'Enabled', kind: 'bool', show: (r) => r.enabled },
  { key: 'mode', member: 'mode', pointer: '/mode', label: 'Mode', kind: 'select', options: MODES, show: (r) => r.mode },
  { key: 'priority', member: 'priority', pointer: '/priority', label: 'Priority', kind: 'number', show: (r) => numberText(r.priority) },
  { key: 'severity', member: 'severity', pointer: '/severity', label: 'Severity', kind: 'select', options: SEVERITIES, show: (r) => r.severity },
  { key: 'cooldownMinutes', member: 'cooldownMinutes', pointer: '/cooldownMinutes', label: 'Cooldown (minutes)', kind: 'number', show: (r) => numberText(r.cooldownMinutes) },
  { key: 'requiresApproval', member: 'requiresApproval', pointer: '/requiresApproval', label: 'Requires approval', kind: 'select', options: APPROVAL, show: (r) => String(r.requiresApproval) },
  { key: 'maxActionsPerTarget', member: 'maxActionsPerTarget', pointer: '/maxActionsPerTarget', label: 'Most actions on its target per budget window', kind: 'number', show: (r) => numberText(r.maxActionsPerTarget) },
  { key: 'verify', member: 'verify', pointer: '/verify', label: 'Verify the outcome', kind: 'select', options: VERIFY, show: (r) => (r.verify === false ? 'off' : r.verify.onIneffective) },
  { key: 'verifyWindowMinutes', member: 'verify', pointer: '/verify/windowMinutes', label: 'Verification window (minutes)', kind: 'number', show: (r) => (r.verify === false ? '' : numberText(r.verify.windowMinutes)) },
  { key: 'actionType', member: 'action', pointer: '/action/type', label: 'Action type', kind: 'select', options: TYPES, show: (r) => r.action.type },
  { key: 'actionParams', member: 'action', pointer: '/action/params', label: 'Action parameters (JSON)', kind: 'json', show: (r) => stringify(r.action.params ?? {}) },
  { key: 'conditions', member: 'conditions', pointer: '/conditions', label: 'Conditions (JSON, json-rules-engine)', kind: 'json', show: (r) => stringify(r.conditions) },
  { key: 'channels', member: 'notifications', pointer: '/notifications', label: 'Notification channels (comma-separated)', kind: 'text', show: (r) => r.notifications.channels.join(', ') },
];

/** The field a problem's JSON pointer names: the longest field pointer it starts with. */
function fieldFor(pointer) {
  let best = null;
  for (const f of FIELDS) {
    if ((pointer === f.pointer || pointer.startsWith(`${f.pointer}/`)) && (!best || f.pointer.length > best.pointer.length)) best = f;
  }
  if (!best && pointer.startsWith('/action')) best = FIELDS.find((f) => f.key === 'actionParams');
  return best;
}

/** What a field says when the rule file leaves its member out: the value shown is the service's default. */
function hintFor(f, effective, raw) {
  if (f.key === 'maxActionsPerTarget' && effective.maxActionsPerTarget === null) return 'No per-target budget applies to this action type.';
  if (f.member in raw || ['description', 'action', 'conditions'].includes(f.member) || f.key === 'verifyWindowMinutes') return null;
  return 'Not set in the rule: this is the default in force.';
}

/**
 * The rule as the service applies it, the same rule as the file holds it (for the review of what
 * will be written), and the file's version; both read from one version of the file.
 */
async function load(name) {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    let detail;
    try {
      detail = (await call('getRule', { params: { name } })).data;
    } catch (err) {
      if (err.status === 404) return { missing: true };
      throw err;
    }
    const file = (await call('getRulesFile')).data;
    // Another version on disk: edited between the two reads (read again), or invalid (not in force).
    if (file.version !== detail.version) continue;
    let raw;
    try {
      raw = JSON.parse(file.text).rules.find((r) => r?.name === name);
    } catch {
      raw = undefined;
    }
    if (raw) return { effective: detail.rule, raw, version: file.version };
  }
  return { stale: true };
}

export async function mount(main, ctx, view) {
  const name = view.params[0];
  const canSave = ctx.can('patchRule');
  const loaded = await load(name);
  if (loaded.missing || loaded.stale) {
    clear(main, h('h1', {}, name), h('p', { class: 'alert', role: 'alert' },
      loaded.missing
        ? `No rule named "${name}" is in force.`
        : 'The rules file on disk is not the version in force (it is invalid, or keeps changing): fix it in the whole-file editor.'),
    h('a', { href: '#/rules-file' }, 'Whole-file editor'));
    return {};
  }
  let { effective, raw, version } = loaded;

  const message = h('div', { role: 'alert' });
  const review = h('div', { id: 'review' });
  const form = h('form', { 'aria-label': `Edit rule ${name}`, onsubmit: (e) => { e.preventDefault(); reviewChanges(); } });
  const inputs = {};
  const errors = {};
  const initial = {};

  const valueOf = (key) => (inputs[key].type === 'checkbox' ? inputs[key].checked : inputs[key].value);

  const control = (f) => {
    const id = `field-${f.key}`;
    const errId = `${id}-error`;
    const hintId = `${id}-hint`;
    const hint = hintFor(f, effective, raw);
    const common = { id, name: f.key, 'aria-describedby': hint ? `${hintId} ${errId}` : errId, disabled: !canSave };
    const value = f.show(effective);
    let el;
    if (f.kind === 'bool') el = h('input', { ...common, type: 'checkbox', checked: value });
    else if (f.kind === 'select') el = h('select', common, f.options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
    else if (f.kind === 'json') el = h('textarea', { ...common, rows: f.key === 'conditions' ? '10' : '4', spellcheck: 'false' }, value);
    else el = h('input', { ...common, type: 'text', inputmode: f.kind === 'number' ? 'decimal' : undefined, value });
    inputs[f.key] = el;
    initial[f.key] = valueOf(f.key);
    errors[f.key] = h('div', { id: errId, class: 'field-error' });
    const hintEl = hint ? h('p', { id: hintId, class: 'muted hint' }, hint) : null;
    return h('div', { class: 'field' },
      f.kind === 'bool' ? h('label', { class: 'inline', for: id }, el, f.label) : [h('label', { for: id }, f.label), el],
      hintEl, errors[f.key]);
  };

  const renderForm = () => {
    clear(form,
      FIELDS.map(control),
      canSave ? h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Review changes')) : h('p', { class: 'muted' }, 'Your role can read rules but not change them.'));
  };

  const showErrors = (problems) => {
    for (const f of FIELDS) { clear(errors[f.key]); inputs[f.key].removeAttribute('aria-invalid'); }
    const elsewhere = [];
    for (const p of problems) {
      const f = fieldFor(p.pointer);
      if (!f) { elsewhere.push(p); continue; }
      errors[f.key].append(h('p', {}, `${p.pointer}: ${p.message}`));
      inputs[f.key].setAttribute('aria-invalid', 'true');
    }
    const first = problems.map((p) => fieldFor(p.pointer)).find(Boolean);
    if (first) inputs[first.key].focus();
    return elsewhere;
  };

  /**
   * The members the person changed, as they go into the file; nothing else is sent, so a default
   * shown in the form is never written into the rule because it was shown.
   */
  const changes = () => {
    const problems = [];
    const field = (key) => FIELDS.find((f) => f.key === key);
    const canonical = (text) => { try { return JSON.stringify(JSON.parse(text)); } catch { return text; } };
    const changed = (key) => (field(key).kind === 'json' ? canonical(valueOf(key)) !== canonical(initial[key]) : valueOf(key) !== initial[key]);
    const num = (key) => {
      const text = inputs[key].value.trim();
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) { problems.push({ pointer: field(key).pointer, message: 'must be a number' }); return text; }
      return n;
    };
    const parse = (key) => {
      try { return JSON.parse(inputs[key].value); } catch (err) { problems.push({ pointer: field(key).pointer, message: `is not valid JSON: ${err.message}` }); return undefined; }
    };
    const member = {
      description: () => inputs.description.value,
      enabled: () => inputs.enabled.checked,
      mode: () => inputs.mode.value,
      priority: () => num('priority'),
      severity: () => inputs.severity.value,
      cooldownMinutes: () => num('cooldownMinutes'),
      requiresApproval: () => inputs.requiresApproval.value === 'true',
      maxActionsPerTarget: () => num('maxActionsPerTarget'),
      // A Prometheus check (verify.prometheus) has no field here: an edit of the window or the policy keeps it.
      verify: () => (inputs.verify.value === 'off' ? false : { windowMinutes: num('verifyWindowMinutes'), onIneffective: inputs.verify.value, ...(raw.verify?.prometheus ? { prometheus: raw.verify.prometheus } : {}) }),
      action: () => {
        const action = { ...raw.action };
        if (changed('actionType')) action.type = inputs.actionType.value;
        if (changed('actionParams')) action.params = parse('actionParams');
        return action;
      },
      conditions: () => parse('conditions'),
      notifications: () => ({ ...(raw.notifications ?? {}), channels: inputs.channels.value.split(',').map((c) => c.trim()).filter(Boolean) }),
    };
    const patch = {};
    for (const f of FIELDS) if (!(f.member in patch) && changed(f.key)) patch[f.member] = member[f.member]();
    return { patch, problems };
  };

  const saved = (newVersion) => {
    clear(message, h('p', { class: 'notice' }, `Saved. The rules file is now version ${newVersion}.`));
    ctx.announce(`Rule ${name} saved`);
  };

  const save = async (patch, ifMatch) => {
    clear(message);
    try {
      const res = await call('patchRule', { params: { name }, body: patch, headers: { 'If-Match': `"${ifMatch}"` } });
      clear(review);
      const now = await load(name);
      if (now.effective) {
        ({ effective, raw, version } = now);
        renderForm();
      } else {
        version = res.data.version;
      }
      saved(res.data.version);
    } catch (err) {
      clear(review);
      if (err.status === 412) return conflict(patch, err);
      const rest = showErrors(err.problem.errors ?? []);
      clear(message, h('p', { class: 'alert' }, `Not saved: ${refusalText(err)}`), rest.map((p) => h('p', { class: 'alert' }, `${p.pointer || '(rule)'}: ${p.message}`)));
    }
    return undefined;
  };

  /** 412: someone saved the file meanwhile. Show the newer rule with this edit's changes applied, then let the person choose. */
  const conflict = async (patch, err) => {
    const newer = (await call('getRulesFile')).data;
    let theirs = null;
    try { theirs = JSON.parse(newer.text).rules.find((r) => r?.name === name) ?? null; } catch { theirs = null; }
    clear(
      message,
      h('div', { class: 'warnbox' },
        h('h2', {}, 'The rules file changed while you were editing'),
        h('p', {}, `You started from version ${version}; the file is now version ${err.problem.currentVersion ?? newer.version}.`,
          theirs ? '' : ' In the newer version this rule no longer exists.'),
        theirs ? [
          h('h3', {}, 'What changed meanwhile (− when you opened it, + now)'),
          diffView(stringify(raw), stringify(theirs), 'What changed meanwhile'),
          h('h3', {}, 'Your changes on the newer version (− newer, + with your changes)'),
          diffView(stringify(theirs), stringify({ ...theirs, ...patch }), 'Newer version compared with your edit'),
        ] : null,
        h('div', { class: 'actions' },
          theirs ? h('button', { type: 'button', onclick: () => void save(patch, newer.version) }, 'Apply my changes to the newer version') : null,
          h('button', { type: 'button', class: 'secondary', onclick: () => void mount(main, ctx, view) }, 'Discard my edit and load the newer version'))),
    );
    message.querySelector('button')?.focus();
  };

  const reviewChanges = () => {
    clear(message);
    const { patch, problems } = changes();
    if (problems.length) { showErrors(problems); return; }
    showErrors([]);
    if (Object.keys(patch).length === 0) {
      clear(review, h('p', { class: 'muted' }, 'Nothing changed: there is nothing to save.'));
      return;
    }
    clear(review,
      h('h2', {}, 'Review changes'),
      diffView(stringify(raw), stringify({ ...raw, ...patch }), 'Changes to this rule (− before, + after)'),
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => void save(patch, version) }, 'Save rule'),
        h('button', { type: 'button', class: 'secondary', onclick: () => clear(review) }, 'Keep editing')));
    review.querySelector('button')?.focus();
  };

  renderForm();
  // The facts the conditions read, drawn with the threshold as it is being edited.
  const [fileText, last] = await Promise.all([
    call('getRulesFile').then((r) => r.data.text),
    call('listActions', { query: { rule: name, limit: 1 } }).then((r) => r.data.items[0], () => undefined),
  ]);
  const edited = () => {
    const { patch, problems } = changes();
    return problems.length ? raw : { ...raw, ...patch };
  };
  const panel = await rulePanel(ctx, { rule: edited, conditions: () => JSON.parse(inputs.conditions.value), fileText, source: last?.snapshot?.source });
  // Any field may change how often it would fire (cooldown, mode, budget); the conditions also move the line.
  form.addEventListener('input', () => panel.update());
  form.addEventListener('change', () => panel.update());
  // A maintenance window for this rule: the Silences page with its matcher filled in (operator).
  const silence = ctx.can('createSilence')
    ? h('p', {}, h('a', { class: 'button secondary', href: `#/silences${qs({ rule: name })}` }, 'Create a silence for this rule'))
    : null;
  clear(main, h('p', {}, h('a', { href: '#/rules' }, '← Rules')), h('h1', {}, `Rule: ${name}`), silence, message, form, review, panel.el);
  return { dispose: () => panel.dispose?.() };
}
