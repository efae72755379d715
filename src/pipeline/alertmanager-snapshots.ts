import type { Snapshot } from '../domain/snapshot';

/** The parts of an Alertmanager v4 webhook payload this service reads (schema: alertmanager-webhook.json). */
export interface AlertmanagerPayload {
  version: '4';
  status: 'firing' | 'resolved';
  alerts: AlertmanagerAlert[];
}

export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string> & { alertname: string };
  annotations?: Record<string, string>;
  startsAt: string;
  endsAt?: string;
}

/** One entry of the `alerts` fact: what a rule reads with a path such as `$.HighErrorRate.firing`. */
export interface AlertFact {
  firing: boolean;
  severity: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string | null;
  /** Alerts of this name from this source in the payload (one per instance, say); firing if any is. */
  count: number;
}

export interface AlertmanagerSourceOptions {
  /** The label whose value names the source (prometheus.alertmanager.sourceLabel). */
  sourceLabel: string;
  /** The source of alerts without that label (prometheus.alertmanager.defaultSource). */
  defaultSource: string;
}

const MAX_SOURCE = 128;

/** A label value made fit for a snapshot source (printable ASCII, no spaces, at most 128 characters). */
function toSource(value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  const cleaned = value.replace(/[^\x21-\x7E]/g, '_').slice(0, MAX_SOURCE);
  return cleaned === '' ? fallback : cleaned;
}

function toFact(alert: AlertmanagerAlert): AlertFact {
  return {
    firing: alert.status === 'firing',
    severity: alert.labels.severity ?? null,
    labels: alert.labels,
    annotations: alert.annotations ?? {},
    startsAt: alert.startsAt,
    // Alertmanager sends the zero time for "not ended"; say so plainly.
    endsAt: alert.endsAt === undefined || alert.endsAt.startsWith('0001-01-01') ? null : alert.endsAt,
    count: 1,
  };
}

/**
 * Groups a webhook payload's alerts into one snapshot per source, with the fact `alerts` mapping
 * each alert name to its state. Several alerts of one name and source merge into one entry: firing
 * if any of them fires (a resolved instance must not hide one still firing), described by a firing one.
 */
export function alertmanagerSnapshots(payload: AlertmanagerPayload, options: AlertmanagerSourceOptions, receivedAt: Date): Snapshot[] {
  const bySource = new Map<string, Map<string, AlertFact>>();
  for (const alert of payload.alerts) {
    const source = toSource(alert.labels[options.sourceLabel], options.defaultSource);
    let alerts = bySource.get(source);
    if (!alerts) bySource.set(source, (alerts = new Map()));
    const name = alert.labels.alertname;
    const fact = toFact(alert);
    const seen = alerts.get(name);
    if (!seen) {
      alerts.set(name, fact);
      continue;
    }
    const keep = !seen.firing && fact.firing ? fact : seen;
    alerts.set(name, { ...keep, count: seen.count + 1 });
  }
  const timestamp = receivedAt.toISOString();
  return [...bySource].map(([source, alerts]) => ({
    source,
    timestamp,
    metrics: { alerts: Object.fromEntries(alerts) },
  }));
}
