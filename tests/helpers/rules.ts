import type { Rule } from '../../src/domain/rule';

/** Small rules documents for tests: one rule per action path, easy to trigger on purpose. */
export function rule(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    description: `test rule ${name}`,
    enabled: true,
    priority: 10,
    severity: 'warning',
    conditions: { all: [{ fact: 'errorRate', operator: 'greaterThan', value: 0.05 }] },
    action: { type: 'alert_only', params: { message: `${name} fired` } },
    cooldownMinutes: 10,
    ...overrides,
  };
}

export function rulesDoc(...rules: Record<string, unknown>[]): { rules: Record<string, unknown>[] } {
  return { rules };
}

export function snapshot(metrics: Record<string, unknown>, source = 'test'): Record<string, unknown> {
  return { source, timestamp: '2026-03-01T09:59:00Z', metrics };
}

/** A rule with every default filled in, as the engine and decide see it. */
export function normalizedRule(name: string, overrides: Partial<Rule> = {}): Rule {
  return {
    name,
    description: '',
    enabled: true,
    priority: 1,
    severity: 'warning',
    conditions: { all: [{ fact: 'x', operator: 'equal', value: 1 }] },
    action: { type: 'alert_only', params: {} },
    cooldownMinutes: 10,
    notifications: { channels: ['log'] },
    mode: 'enforce',
    ...overrides,
  };
}
