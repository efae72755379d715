import { APPROVAL_DEFAULTS } from './approval-defaults';
import type { StrategyCheck } from '../domain/action';
import type { Clock } from '../clock';
import { PROMPT_NAME_PATTERN, isPromptError, type PromptVersions } from '../targets/prompt-versions';
import { type Strategy, StrategyFailure } from './strategy';

export interface PromptRollbackParams {
  prompt: string;
}

/**
 * Makes the previous version of a prompt active (one atomic write in the registry), then reads the
 * prompt back to confirm what the apps will now get.
 */
export function createPromptRollbackStrategy(deps: { prompts: Pick<PromptVersions, 'rollback' | 'get'>; clock: Clock }): Strategy {
  const { prompts, clock } = deps;
  return {
    type: 'prompt_rollback',
    requiresApprovalByDefault: APPROVAL_DEFAULTS.prompt_rollback,
    timeoutMs: 30_000,
    async execute({ params, signal }) {
      const name = (params as Partial<PromptRollbackParams>).prompt;
      if (typeof name !== 'string' || !PROMPT_NAME_PATTERN.test(name)) {
        throw new StrategyFailure('params.prompt must name a prompt (letters, digits, ".", "_", "-")', {
          reason: 'invalid_params',
          prompt: name ?? null,
        });
      }
      const checks: StrategyCheck[] = [];

      let started = clock.now().getTime();
      let rollback;
      try {
        rollback = await prompts.rollback(name, signal);
      } catch (err) {
        if (!isPromptError(err)) throw err;
        checks.push({ name: 'rollback', ok: false, detail: err.message, durationMs: clock.now().getTime() - started });
        throw new StrategyFailure(err.message, { prompt: name, reason: err.reason }, checks);
      }
      checks.push({
        name: 'rollback',
        ok: true,
        detail: `version ${rollback.from} deactivated, version ${rollback.to} activated`,
        durationMs: clock.now().getTime() - started,
      });

      // A concurrent rollback may already have moved on; what matters is that ours was applied.
      started = clock.now().getTime();
      const prompt = await prompts.get(name);
      const active = prompt.versions.filter((v) => v.active);
      checks.push({
        name: 'verify_active_version',
        ok: active.length === 1 && prompt.activeVersion !== rollback.from,
        detail: `active version is now ${prompt.activeVersion ?? 'none'} (${active.length} marked active)`,
        durationMs: clock.now().getTime() - started,
      });

      return {
        summary: `prompt "${name}" rolled back from version ${rollback.from} to version ${rollback.to}`,
        changed: true,
        details: { prompt: name, from: rollback.from, to: rollback.to },
        checks,
      };
    },
  };
}
