import { ACTION_SPECS } from './action-specs';
import type { ActionRecord } from '../domain/action';
import type { Rule } from '../domain/rule';
import type { AlertService } from '../targets/alert-service';
import type { Clock } from '../clock';
import { type Strategy, StrategyFailure } from './strategy';

export interface AlertOnlyParams {
  message?: string;
}

const MAX_FACTS_IN_MESSAGE = 10;
const MAX_VALUE_LENGTH = 80;

function formatValue(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

/** "rule-name: description (matched errorRate=0.07, ollama.avgResponseTimeMs=6200)". */
export function defaultAlertMessage(action: ActionRecord, rule: Rule | null): string {
  const head = rule?.description ? `${action.rule}: ${rule.description}` : `rule ${action.rule} matched`;
  const entries = Object.entries(action.matchedFacts ?? {});
  if (entries.length === 0) return head;
  const shown = entries.slice(0, MAX_FACTS_IN_MESSAGE).map(([k, v]) => `${k}=${formatValue(v)}`);
  const more = entries.length > MAX_FACTS_IN_MESSAGE ? `, and ${entries.length - MAX_FACTS_IN_MESSAGE} more` : '';
  return `${head} (matched ${shown.join(', ')}${more})`;
}

/** Records an alert with the facts that matched and notifies the rule's channels; changes nothing else. */
export function createAlertOnlyStrategy(deps: { alerts: Pick<AlertService, 'create'>; clock: Clock }): Strategy {
  const { alerts, clock } = deps;
  return {
    type: 'alert_only',
    requiresApprovalByDefault: ACTION_SPECS.alert_only.approvalByDefault,
    timeoutMs: 30_000,
    // An alert changes nothing that could be protected or undone: no target, no inverse.
    targetOf: (params) => ACTION_SPECS.alert_only.targetOf(params as Record<string, unknown>),
    async execute({ action, params, rule, signal }) {
      const custom = (params as AlertOnlyParams).message;
      if (custom !== undefined && (typeof custom !== 'string' || custom.trim().length === 0)) {
        throw new StrategyFailure('params.message must be a non-empty string', { reason: 'invalid_params' });
      }
      signal.throwIfAborted();
      const channels = rule?.notifications.channels ?? ['log'];
      const started = clock.now().getTime();
      const alert = await alerts.create({
        rule: action.rule,
        severity: action.severity,
        message: custom ?? defaultAlertMessage(action, rule),
        metrics: action.matchedFacts ?? {},
        actionId: action.id,
        ...(action.incidentId ? { incidentId: action.incidentId } : {}),
        channels,
      });
      return {
        summary: `${action.severity} alert recorded for rule ${action.rule} and sent to ${channels.join(', ') || 'log'}`,
        changed: true,
        details: { alertId: alert.id, channels, message: alert.message },
        checks: [
          { name: 'alert_stored', ok: true, detail: `alert ${alert.id}`, durationMs: clock.now().getTime() - started },
        ],
      };
    },
  };
}
