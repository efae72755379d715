import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { diffView } from '../diff.js';
import { refusalText } from '../refusals.js';

const PUT = '/api/self-healing/rules/{name}';
const SEVERITIES = ['critical', 'warning', 'info'];
const TYPES = ['model_failover', 'prompt_rollback', 'service_restart', 'throttle', 'alert_only'];

/** Form fields and the part of the rule (JSON pointer) each one edits. */
const FIELDS = [
  { key: 'description', pointer: '/description', label: 'Description', kind: 'text' },
  { key: 'enabled', pointer: '/enabled', label: 'Enabled', kind: 'bool' },
  { key: 'priority', pointer: '/priority', label: 'Priority', kind: 'number' },
  { key: 'severity', pointer: '/severity', label: 'Severity', kind: 'select', options: SEVERITIES },
  { key: 'cooldownMinutes', pointer: '/cooldownMinutes', label: 'Cooldown (minutes)', kind: 'number' },
  { key: 'requiresApproval', pointer: '/requiresApproval', label: 'Requires approval', kind: 'tristate' },
  { key: 'actionType', pointer: '/action/type', label: 'Action type', kind: 'select', options: TYPES },
  { key: 'actionParams', pointer: '/action/params', label: 'Action parameters (JSON)', kind: 'json' },
  { key: 'conditions', pointer: '/conditions', label: 'Conditions (JSON, json-rules-engine)', kind: 'json' },
  { key: 'channels', pointer: '/notifications', label: 'Notification channels (comma-separated)', kind: 'text' },
];

const stringify = (v) => JSON.stringify(v, null, 2);

/** The field a problem's JSON pointer names: the longest field pointer it starts with. */
function fieldFor(pointer) {
  let best = null;
  for (const f of FIELDS) {
    if ((pointer === f.pointer || pointer.startsWith(`${f.pointer}/`)) && (!best || f.pointer.length > best.pointer.length)) best = f;
  }
  if (!best && pointer.startsWith('/action')) best = FIELDS.find((f) => f.key === 'actionParams');
  return best;
}

export async function mount(main, ctx, view) {
  const name = view.params[0];
  const canSave = ctx.can('put', PUT);
  const file = (await api('GET', '/api/self-healing/rules-file')).data;
  let version = file.version;
  let original;
  try {
    original = JSON.parse(file.text).rules.find((r) => r?.name === name);
  } catch {
    original = undefined;
  }
  if (!original) {
    clear(main, h('h1', {}, name), h('p', { class: 'alert', role: 'alert' }, `No rule named "${name}" in the rules file (or the file is not valid JSON: fix it in the whole-file editor).`), h('a', { href: '#/rules-file' }, 'Whole-file editor'));
    return {};
  }

  const inputs = {};
  const errors = {};
  const control = (f, rule) => {
    const id = `field-${f.key}`;
    const errId = `${id}-error`;
    const common = { id, name: f.key, 'aria-describedby': errId, disabled: !canSave };
    let el;
    const value = {
      description: rule.description ?? '', enabled: rule.enabled, priority: rule.priority ?? '', severity: rule.severity,
      cooldownMinutes: rule.cooldownMinutes ?? '', requiresApproval: rule.requiresApproval, actionType: rule.action?.type,
      actionParams: stringify(rule.action?.params ?? {}), conditions: stringify(rule.conditions ?? {}),
      channels: (rule.notifications?.channels ?? []).join(', '),
    }[f.key];
    if (f.kind === 'bool') el = h('input', { ...common, type: 'checkbox', checked: value });
    else if (f.kind === 'select') el = h('select', common, f.options.map((o) => h('option', { value: o, selected: o === value }, o)));
    else if (f.kind === 'tristate') el = h('select', common, h('option', { value: '', selected: value === undefined }, 'Default of the action type'), h('option', { value: 'true', selected: value === true }, 'Yes'), h('option', { value: 'false', selected: value === false }, 'No'));
    else if (f.kind === 'json') el = h('textarea', { ...common, rows: f.key === 'conditions' ? '10' : '4', spellcheck: 'false' }, value);
    else el = h('input', { ...common, type: f.kind === 'number' ? 'text' : 'text', inputmode: f.kind === 'number' ? 'numeric' : undefined, value: String(value) });
    inputs[f.key] = el;
    errors[f.key] = h('div', { id: errId, class: 'field-error' });
    return h('div', { class: 'field' }, f.kind === 'bool' ? h('label', { class: 'inline', for: id }, el, f.label) : [h('label', { for: id }, f.label), el], errors[f.key]);
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

  /** The rule as the form says; unknown members of the original are kept. */
  const fromForm = () => {
    const problems = [];
    const num = (key, pointer) => {
      const raw = inputs[key].value.trim();
      if (raw === '') return undefined;
      const n = Number(raw);
      if (Number.isNaN(n)) { problems.push({ pointer, message: 'must be a number' }); return raw; }
      return n;
    };
    const parse = (key, pointer) => {
      try { return JSON.parse(inputs[key].value); } catch (err) { problems.push({ pointer, message: `is not valid JSON: ${err.message}` }); return undefined; }
    };
    const rule = { ...original };
    if (inputs.description.value !== '' || 'description' in original) rule.description = inputs.description.value;
    rule.enabled = inputs.enabled.checked;
    const priority = num('priority', '/priority');
    if (priority === undefined) delete rule.priority; else rule.priority = priority;
    rule.severity = inputs.severity.value;
    const cooldown = num('cooldownMinutes', '/cooldownMinutes');
    if (cooldown === undefined) delete rule.cooldownMinutes; else rule.cooldownMinutes = cooldown;
    const ra = inputs.requiresApproval.value;
    if (ra === '') delete rule.requiresApproval; else rule.requiresApproval = ra === 'true';
    rule.action = { ...(original.action ?? {}), type: inputs.actionType.value, params: parse('actionParams', '/action/params') };
    rule.conditions = parse('conditions', '/conditions');
    const channels = inputs.channels.value.split(',').map((c) => c.trim()).filter(Boolean);
    // An untouched rule stays byte for byte as it was: no empty notifications block is added.
    if (channels.length > 0 || original.notifications) rule.notifications = { ...(original.notifications ?? {}), channels };
    return { rule, problems };
  };

  const review = h('div', { id: 'review' });
  const message = h('div', { role: 'alert' });

  const save = async (rule, ifMatch) => {
    clear(message);
    try {
      const res = await api('PUT', `/api/self-healing/rules/${encodeURIComponent(name)}`, { body: rule, headers: ifMatch ? { 'If-Match': `"${ifMatch}"` } : {} });
      version = res.data.version;
      original = res.data.rule;
      clear(review);
      showErrors([]);
      clear(message, h('p', { class: 'notice' }, `Saved. The rules file is now version ${version}.`));
      ctx.announce(`Rule ${name} saved`);
    } catch (err) {
      clear(review);
      if (err.status === 412) return conflict(rule, err);
      const rest = showErrors(err.problem.errors ?? []);
      clear(message, h('p', { class: 'alert' }, `Not saved: ${refusalText(err)}`), rest.map((p) => h('p', { class: 'alert' }, `${p.pointer || '(rule)'}: ${p.message}`)));
    }
  };

  /** 412: someone saved the file meanwhile. Show their version of this rule against ours, then let the person choose. */
  const conflict = async (mine, err) => {
    const newer = (await api('GET', '/api/self-healing/rules-file')).data;
    let theirs = null;
    try { theirs = JSON.parse(newer.text).rules.find((r) => r?.name === name) ?? null; } catch { theirs = null; }
    clear(
      message,
      h('div', { class: 'warnbox' },
        h('h2', {}, 'The rules file changed while you were editing'),
        h('p', {}, `You started from version ${version}; the file is now version ${err.problem.currentVersion ?? newer.version}. `,
          theirs ? 'Here is how the newer version of this rule differs from yours (− newer, + yours):' : 'In the newer version this rule no longer exists.'),
        theirs ? diffView(stringify(theirs), stringify(mine), 'Newer version compared with your edit') : null,
        h('div', { class: 'actions' },
          h('button', { type: 'button', onclick: () => { version = newer.version; void save(mine, newer.version); } }, 'Save my version over it'),
          h('button', { type: 'button', class: 'secondary', onclick: () => void mount(main, ctx, view) }, 'Discard my edit and load the newer version'))),
    );
    message.querySelector('button')?.focus();
  };

  const form = h('form', {
    'aria-label': `Edit rule ${name}`,
    onsubmit: (e) => {
      e.preventDefault();
      clear(message);
      const { rule, problems } = fromForm();
      if (problems.length) { showErrors(problems); return; }
      showErrors([]);
      clear(review,
        h('h2', {}, 'Review changes'),
        diffView(stringify(original), stringify(rule), 'Changes to this rule (− before, + after)'),
        h('div', { class: 'actions' },
          h('button', { type: 'button', onclick: () => void save(rule, version) }, 'Save rule'),
          h('button', { type: 'button', class: 'secondary', onclick: () => clear(review) }, 'Keep editing')));
      review.querySelector('button')?.focus();
    },
  },
  FIELDS.map((f) => control(f, original)),
  canSave ? h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Review changes')) : h('p', { class: 'muted' }, 'Your role can read rules but not change them.'));

  clear(main, h('p', {}, h('a', { href: '#/rules' }, '← Rules')), h('h1', {}, `Rule: ${name}`), message, form, review);
  return {};
}
