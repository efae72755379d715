import { loadConfig } from '../../src/config/load-config';
import type { ActionType } from '../../src/domain/rule';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTION_TYPES } from '../../src/domain/rule';
import { ACTION_SPECS, isRevertible, targetOfAction } from '../../src/strategies/action-specs';
import { createAlertOnlyStrategy } from '../../src/strategies/alert-only';
import { createModelFailoverStrategy } from '../../src/strategies/model-failover';
import { createPromptRollbackStrategy } from '../../src/strategies/prompt-rollback';
import { createServiceRestartStrategy } from '../../src/strategies/service-restart';
import { createThrottleStrategy } from '../../src/strategies/throttle';

describe('the one spec per action type that strategies, replay and the CLI read', () => {
  // Built only to read what they declare: no step of theirs runs here.
  const config = loadConfig();
  const unused = {} as never;
  const strategies = [
    createModelFailoverStrategy({ failover: unused, config }),
    createPromptRollbackStrategy({ prompts: unused, clock: unused }),
    createServiceRestartStrategy({ config }),
    createThrottleStrategy({ throttle: unused, clock: unused, config }),
    createAlertOnlyStrategy({ alerts: unused, clock: unused }),
  ];

  it('names the revertible types exactly as the strategies declare an inverse', () => {
    const declared = strategies.filter((s) => s.revert).map((s) => s.type).sort();
    expect(ACTION_TYPES.filter(isRevertible).sort()).toEqual(declared);
  });

  it('gives each strategy the approval default of its spec', () => {
    for (const s of strategies) expect(s.requiresApprovalByDefault).toBe(ACTION_SPECS[s.type].approvalByDefault);
    expect(strategies.filter((s) => s.requiresApprovalByDefault).map((s) => s.type)).toEqual(['service_restart']);
  });

  it("points each type at its params schema in the rules schema, and the schema knows no other type", () => {
    const schema = JSON.parse(readFileSync(join(__dirname, '../../config/self-healing-rules.schema.json'), 'utf8'));
    const action = schema.$defs.action;
    expect(action.properties.type.enum).toEqual([...ACTION_TYPES]);
    expect(Object.keys(schema.$defs.params).sort()).toEqual([...ACTION_TYPES].sort());
    for (const type of ACTION_TYPES) {
      const branch = action.allOf.find((b: { if: { properties: { type: { const: string } } } }) => b.if.properties.type.const === type);
      expect(branch.then.properties.params.$ref).toBe(ACTION_SPECS[type].paramsSchema);
    }
  });

  it('gives each type the target its strategy reports', () => {
    const params: Record<ActionType, Record<string, unknown>> = {
      model_failover: {},
      prompt_rollback: { prompt: 'support-bot' },
      service_restart: { service: 'api' },
      throttle: { factor: 0.5 },
      alert_only: { message: 'x' },
    };
    expect(strategies.map((s) => [s.type, targetOfAction(s.type, params[s.type])])).toEqual([
      ['model_failover', 'router'],
      ['prompt_rollback', 'prompt:support-bot'],
      ['service_restart', 'service:api'],
      ['throttle', 'throttle'],
      ['alert_only', null],
    ]);
    for (const s of strategies) expect(s.targetOf(params[s.type] as never)).toBe(targetOfAction(s.type, params[s.type]));
  });
});
