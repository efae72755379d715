import { randomUUID } from 'node:crypto';
import type { Page } from '../domain/action';
import type { Severity } from '../domain/rule';
import type { Alert, AlertQuery, NewAlert } from '../domain/state';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { buildEvent } from '../domain/events';
import type { Clock } from '../clock';
import type { Notifier } from '../domain/events';
import type { AlertStore } from '../store/alert-store';

export interface AlertServiceDeps {
  store: AlertStore;
  clock: Clock;
  notifier: Notifier;
}

export const ALERT_LIMITS = {
  messageMaxLength: 4000,
  /** Serialized size of the matched metrics kept with an alert; larger ones keep only their keys. */
  metricsMaxJsonLength: 64 * 1024,
  byMaxLength: 200,
} as const;

function boundedMetrics(metrics: Record<string, unknown>): Record<string, unknown> {
  let json: string | undefined;
  try {
    json = JSON.stringify(metrics);
  } catch {
    json = undefined;
  }
  if (json !== undefined && json.length <= ALERT_LIMITS.metricsMaxJsonLength) return metrics;
  // Too big (or not serializable) to keep whole; the keys still say what matched.
  return { truncated: true, keys: Object.keys(metrics).slice(0, 200) };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Alerts recorded by alert_only (and anything else that must tell a person), and their acknowledgement. */
export class AlertService {
  constructor(private readonly deps: AlertServiceDeps) {}

  async create(input: NewAlert): Promise<Alert> {
    const alert: Alert = {
      id: randomUUID(),
      rule: input.rule,
      severity: input.severity,
      message: truncate(input.message, ALERT_LIMITS.messageMaxLength),
      metrics: boundedMetrics(input.metrics),
      actionId: input.actionId,
      ...(input.incidentId ? { incidentId: input.incidentId } : {}),
      createdAt: this.deps.clock.now(),
      acknowledgedAt: null,
      acknowledgedBy: null,
    };
    const event = buildEvent('alert.created', alert.createdAt, {
      incidentId: alert.incidentId,
      rule: alert.rule,
      severity: alert.severity,
      channels: input.channels,
      data: {
        alertId: alert.id,
        actionId: alert.actionId,
        message: alert.message,
        metrics: alert.metrics,
      },
    });
    // Committed with the alert: an alert on record always reaches its channels.
    const events = [event, ...(input.events ?? [])];
    await this.deps.store.insertAlert(alert, events);
    for (const e of events) this.deps.notifier.notify(e);
    return alert;
  }

  async get(id: string): Promise<Alert> {
    const alert = await this.deps.store.getAlert(id);
    if (!alert) throw new NotFoundError(`no alert with id ${id}`);
    return alert;
  }

  list(query: AlertQuery): Promise<Page<Alert>> {
    return this.deps.store.listAlerts(query);
  }

  /** Acknowledges once: the first acknowledgement wins, later ones get a 409 naming it. */
  async acknowledge(id: string, by: string): Promise<Alert> {
    if (typeof by !== 'string' || by.length === 0 || by.length > ALERT_LIMITS.byMaxLength) {
      throw new ValidationError('acknowledgement is invalid', [
        { pointer: '/by', message: `must be 1 to ${ALERT_LIMITS.byMaxLength} characters` },
      ]);
    }
    const acknowledged = await this.deps.store.acknowledgeAlert(id, by, this.deps.clock.now());
    if (acknowledged) return acknowledged;
    const existing = await this.deps.store.getAlert(id);
    if (!existing) throw new NotFoundError(`no alert with id ${id}`);
    throw new ConflictError(
      `alert ${id} was already acknowledged by ${existing.acknowledgedBy ?? '?'}`,
      {
        acknowledgedBy: existing.acknowledgedBy,
        acknowledgedAt: existing.acknowledgedAt ? existing.acknowledgedAt.toISOString() : null,
      },
      'already_acknowledged',
    );
  }
}
