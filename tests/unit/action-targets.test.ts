import { loadConfig } from '../../src/config/load-config';
import type { ActionType } from '../../src/domain/rule';
import { REVERTIBLE_TYPES, targetOfAction } from '../../src/strategies/action-targets';
import { createAlertOnlyStrategy } from '../../src/strategies/alert-only';
import { createModelFailoverStrategy } from '../../src/strategies/model-failover';
import { createPromptRollbackStrategy } from '../../src/strategies/prompt-rollback';
import { createServiceRestartStrategy } from '../../src/strategies/service-restart';
import { createThrottleStrategy } from '../../src/strategies/throttle';

describe('the action-type table replay and the CLI read', () => {
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
    expect([...REVERTIBLE_TYPES].sort()).toEqual(declared);
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
