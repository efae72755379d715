import { ACTION_SPECS } from './action-specs';
import type { HostRole } from '../domain/state';
import type { AppConfig } from '../config/schema';
import { type FailoverService, FailoverSwitchError } from '../targets/failover-service';
import { detailsOf, type Strategy, StrategyFailure } from './strategy';

export interface ModelFailoverParams {
  target?: HostRole;
}

/** Time for the health check, the re-check and a spare one, plus the store writes around them. */
const MARGIN_MS = 2000;

/**
 * Moves model traffic to the target host (secondary by default) after checking its health; the
 * failover service does the checking, persisting and rolling back, this turns it into a result.
 */
export function createModelFailoverStrategy(deps: {
  failover: Pick<FailoverService, 'switchTo' | 'urlOf'>;
  config: Pick<AppConfig, 'modelHosts'>;
}): Strategy {
  const { failover } = deps;
  return {
    type: 'model_failover',
    requiresApprovalByDefault: ACTION_SPECS.model_failover.approvalByDefault,
    timeoutMs: 3 * deps.config.modelHosts.timeoutMs + MARGIN_MS,
    targetOf: (params) => ACTION_SPECS.model_failover.targetOf(params as Record<string, unknown>),
    /** Back to the host that was current before, after that host's health check (switchTo makes it). */
    async revert({ original, action, signal }) {
      const before = detailsOf(original).from;
      if (before !== 'primary' && before !== 'secondary') {
        throw new StrategyFailure(`action ${original.id} recorded no host to switch back to`, { reason: 'nothing_to_revert' });
      }
      if (original.result?.changed === false) {
        throw new StrategyFailure(`action ${original.id} changed nothing; there is nothing to revert`, { reason: 'nothing_to_revert' });
      }
      try {
        const outcome = await failover.switchTo(before, `revert of action ${original.id} (action ${action.id})`, signal, { action });
        return {
          summary: `reverted: ${outcome.summary}`,
          changed: outcome.changed,
          details: { from: outcome.from, to: outcome.to, state: outcome.state, revertOf: original.id },
          checks: outcome.checks,
        };
      } catch (err) {
        if (err instanceof FailoverSwitchError) {
          throw new StrategyFailure(`revert refused: ${err.message}`, { reason: 'host_unhealthy', from: err.from, to: err.to, state: err.state }, err.checks);
        }
        throw err;
      }
    },
    async execute({ action, params, rule, signal }) {
      const target: HostRole = (params as ModelFailoverParams).target ?? 'secondary';
      if (target !== 'primary' && target !== 'secondary') {
        throw new StrategyFailure(`unknown target ${JSON.stringify(target)}: expected "primary" or "secondary"`);
      }
      const reason = `rule "${action.rule}" (action ${action.id})`;
      try {
        const outcome = await failover.switchTo(target, reason, signal, {
          action,
          channels: rule?.notifications.channels,
        });
        return {
          summary: outcome.summary,
          changed: outcome.changed,
          details: {
            from: outcome.from,
            to: outcome.to,
            fromUrl: failover.urlOf(outcome.from),
            toUrl: failover.urlOf(outcome.to),
            state: outcome.state,
          },
          checks: outcome.checks,
        };
      } catch (err) {
        if (err instanceof FailoverSwitchError) {
          throw new StrategyFailure(
            err.message,
            {
              from: err.from,
              to: err.to,
              fromUrl: failover.urlOf(err.from),
              toUrl: failover.urlOf(err.to),
              state: err.state,
            },
            err.checks,
          );
        }
        throw err;
      }
    },
  };
}
