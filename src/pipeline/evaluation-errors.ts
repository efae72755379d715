import type { Clock } from '../clock';
import type { Rule } from '../domain/rule';
import type { Logger } from '../logging/logger';

export const EVALUATION_ERROR_ALERT_INTERVAL_MS = 60 * 60_000;

export interface EvaluationErrorSummary {
  count: number;
  last: { message: string; at: string } | null;
}

interface Entry {
  count: number;
  message: string;
  at: Date;
  alertedAt: Date | null;
}

/** The alert raised for a rule that cannot be evaluated (the alert service's input). */
export interface EvaluationErrorAlert {
  rule: string;
  severity: Rule['severity'];
  message: string;
  metrics: Record<string, unknown>;
  actionId: null;
  channels: string[];
}

export interface EvaluationErrorsDeps {
  clock: Clock;
  logger: Logger;
  createAlert: (alert: EvaluationErrorAlert) => Promise<unknown>;
}

/**
 * Rules that threw while being evaluated, per rule: how often and the last message, for the rules
 * API. A person hears about it through one alert per rule per hour, not one per snapshot. Kept in
 * this process's memory: counts start again at a restart and each instance keeps its own.
 */
export class EvaluationErrors {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly deps: EvaluationErrorsDeps) {}

  /** Records one failure; raises the rule's alert when the last one is an hour old or more. */
  async record(rule: Rule, message: string): Promise<void> {
    const now = this.deps.clock.now();
    const entry = this.entries.get(rule.name) ?? { count: 0, message, at: now, alertedAt: null };
    entry.count += 1;
    entry.message = message;
    entry.at = now;
    this.entries.set(rule.name, entry);
    if (entry.alertedAt && now.getTime() - entry.alertedAt.getTime() < EVALUATION_ERROR_ALERT_INTERVAL_MS) return;
    entry.alertedAt = now;
    this.deps.logger.error('a rule could not be evaluated; the other rules were decided as usual', { rule: rule.name, error: message });
    try {
      await this.deps.createAlert({
        rule: rule.name,
        severity: rule.severity,
        message: `rule "${rule.name}" could not be evaluated: ${message}`,
        metrics: {},
        actionId: null,
        channels: rule.notifications.channels,
      });
    } catch (err) {
      this.deps.logger.error('could not record the evaluation-error alert', { rule: rule.name, error: (err as Error).message });
    }
  }

  summary(ruleName: string): EvaluationErrorSummary {
    const entry = this.entries.get(ruleName);
    return entry ? { count: entry.count, last: { message: entry.message, at: entry.at.toISOString() } } : { count: 0, last: null };
  }
}
