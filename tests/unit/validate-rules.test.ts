import fs from 'node:fs';
import { validateRulesDocument } from '../../src/rules/validate-rules';
import { createSchemaRegistry } from '../../src/schemas/registry';
import { ACTION_TYPES } from '../../src/domain/rule';
import { loadRulesFileSchema } from '../../src/schemas/registry';
import { DEFAULT_RULES_FILE } from '../helpers/test-app';
import { rule, rulesDoc } from '../helpers/rules';

const schemas = createSchemaRegistry();

describe('rules validation', () => {
  it('accepts the shipped rules file: about twelve rules covering every action type', () => {
    const result = validateRulesDocument(schemas, JSON.parse(fs.readFileSync(DEFAULT_RULES_FILE, 'utf8')));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.rules.length).toBeGreaterThanOrEqual(12);
    expect(new Set(result.rules.map((r) => r.action.type))).toEqual(new Set(ACTION_TYPES));
    const restart = result.rules.find((r) => r.action.type === 'service_restart')!;
    expect(restart).toMatchObject({ enabled: false, requiresApproval: true });
  });

  it('takes a throttle restore in steps, and names steps that do not go up', () => {
    const ok = validateRulesDocument(schemas, rulesDoc(rule('t', { action: { type: 'throttle', params: { factor: 0.5, restore: { steps: [0.75, 1], stepMinutes: 5 } } } })));
    expect(ok.ok).toBe(true);
    const bad = validateRulesDocument(schemas, rulesDoc(rule('t', { action: { type: 'throttle', params: { factor: 0.8, restore: { steps: [0.75, 0.7, 1] } } } })));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems).toEqual([
      { pointer: '/rules/0/action/params/restore/steps/0', message: "the first step must be above the throttle's factor 0.8" },
      { pointer: '/rules/0/action/params/restore/steps/1', message: 'steps must go up: 0.7 is not above 0.75' },
    ]);
    const shape = validateRulesDocument(schemas, rulesDoc(rule('t', { action: { type: 'throttle', params: { restore: { steps: [], stepMinutes: 0 } } } })));
    expect(!shape.ok && shape.problems.map((p) => p.pointer).sort()).toEqual(['/rules/0/action/params/restore/stepMinutes', '/rules/0/action/params/restore/steps']);
  });

  it('fills defaults from the file, then built-in ones', () => {
    const result = validateRulesDocument(schemas, {
      defaults: { priority: 7, cooldownMinutes: 3 },
      rules: [{ name: 'x', conditions: { all: [{ fact: 'a', operator: 'equal', value: 1 }] }, action: { type: 'alert_only' } }],
    });
    expect(result.ok && result.rules[0]).toMatchObject({
      enabled: true,
      priority: 7,
      cooldownMinutes: 3,
      severity: 'warning',
      description: '',
      notifications: { channels: ['log'] },
      action: { type: 'alert_only', params: {} },
    });
  });

  it.each([
    [{ rules: 'nope' }, '/rules', 'must be array'],
    [rulesDoc(rule('x', { action: { type: 'throttle', params: { factor: 2 } } })), '/rules/0/action/params/factor', 'must be <= 1'],
    [rulesDoc(rule('x', { action: { type: 'model_failover', params: { target: 'tertiary' } } })), '/rules/0/action/params/target', 'must be one of "primary", "secondary"'],
    [rulesDoc(rule('x', { action: { type: 'prompt_rollback' } })), '/rules/0/action/params', 'is required'],
    [rulesDoc(rule('x', { conditions: { all: [] } })), '/rules/0/conditions/all', 'must NOT have fewer than 1 items'],
    [rulesDoc(rule('x', { conditions: { all: [{ fact: 'a', operator: 'equal', value: 1 }], any: [] } })), '/rules/0/conditions', 'must NOT have more than 1 properties'],
    [rulesDoc(rule('x', { conditions: { fact: 'a', operator: 'equal', value: 1 } })), '/rules/0/conditions', 'must have exactly one of "all", "any" or "not"'],
    [rulesDoc(rule('x', { conditions: { all: [{ fact: 'a', operator: 'equal', value: 1, path: 'a.b' }] } })), '/rules/0/conditions/all/0/path', 'must match pattern "^\\$"'],
  ])('reports %j at its pointer', (doc, pointer, message) => {
    const result = validateRulesDocument(schemas, doc);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toContainEqual({ pointer, message });
  });

  it('checks operators with the engine itself, decorators included', () => {
    const ok = validateRulesDocument(schemas, rulesDoc(rule('x', { conditions: { all: [{ fact: 'a', operator: 'not:equal', value: 1 }] } })));
    expect(ok.ok).toBe(true);
    const bad = validateRulesDocument(schemas, rulesDoc(rule('x', { conditions: { all: [{ fact: 'a', operator: 'sometimes:equal', value: 1 }] } })));
    expect(bad.ok).toBe(false);
  });

  it('reports semantic problems of good rules even when another rule is malformed', () => {
    const result = validateRulesDocument(
      schemas,
      rulesDoc(rule('a', { conditions: { all: [{ fact: 'x', operator: 'around', value: 1 }] } }), rule('b', { severity: 'loud' })),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.map((p) => p.pointer).sort()).toEqual(['/rules/0/conditions/all/0/operator', '/rules/1/severity']);
    }
  });

  it('refuses conditions nested deeper than ten levels', () => {
    let node: Record<string, unknown> = { fact: 'a', operator: 'equal', value: 1 };
    for (let i = 0; i < 11; i++) node = { not: node };
    const result = validateRulesDocument(schemas, rulesDoc(rule('x', { conditions: node })));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.message).toMatch(/deeper than 10/);
  });

  it('has a params schema for every action type and no other', () => {
    const schema = loadRulesFileSchema() as { $defs: { params: Record<string, unknown> } };
    expect(Object.keys(schema.$defs.params).sort()).toEqual([...ACTION_TYPES].sort());
  });
});
