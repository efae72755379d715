import type { Rule } from '../domain/rule';
import type { FieldChange, RulesDiff } from '../domain/rules-version';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Field-by-field differences of two JSON values, down to the leaves. */
function compare(before: unknown, after: unknown, pointer: string, out: FieldChange[]): void {
  if (isObject(before) && isObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      compare(before[key], after[key], `${pointer}/${escape(key)}`, out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) compare(before[i], after[i], `${pointer}/${i}`, out);
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ field: pointer, before, after });
}

/**
 * Added, removed and changed rules between two rule sets, on the rules as the engine sees them
 * (defaults filled in): a changed `defaults` block shows up on every rule it changes.
 */
export function diffRules(a: Rule[], b: Rule[]): RulesDiff {
  const before = new Map(a.map((r) => [r.name, r]));
  const after = new Map(b.map((r) => [r.name, r]));
  const changed: RulesDiff['changed'] = [];
  for (const [name, rule] of after) {
    const old = before.get(name);
    if (!old) continue;
    const fields: FieldChange[] = [];
    compare(old, rule, '', fields);
    if (fields.length > 0) changed.push({ rule: name, fields });
  }
  return {
    added: [...after.keys()].filter((n) => !before.has(n)),
    removed: [...before.keys()].filter((n) => !after.has(n)),
    changed,
  };
}
