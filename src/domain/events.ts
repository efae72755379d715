import { randomUUID } from 'node:crypto';
import type { ActionRecord } from './action';
import type { Severity } from './rule';

export const EVENT_TYPES = [
  'action.pending_approval',
  'action.succeeded',
  'action.failed',
  'action.rejected',
  'action.expired',
  /** Only to the channels of notifications.shadowChannels: a shadow rule would have acted. */
  'action.shadowed',
  'alert.created',
  'failover.changed',
  'throttle.changed',
  'action.verified',
  'action.ineffective',
  'automation.paused',
  'automation.resumed',
  /** A silence was created, or expired by hand (data: the silence). */
  'silence.created',
  'silence.expired',
  /** One notice per incident and change, instead of one per rule (docs/incidents.md, "Notifications"). */
  'incident.opened',
  'incident.updated',
  'incident.resolved',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The one envelope every outbound event uses; `id` is stable so receivers can drop duplicates. */
export interface NotificationEvent {
  id: string;
  type: EventType;
  occurredAt: string;
  rule: string | null;
  severity: Severity | null;
  action: { id: string; type: string; status: string; params: Record<string, unknown> } | null;
  data: Record<string, unknown>;
  /** Channels named by the rule (e.g. "log", "n8n"); the log channel always gets every event. */
  channels: string[];
  /** The incident the event's action or alert belongs to, if any (docs/incidents.md). */
  incidentId?: string;
}

export interface Notifier {
  notify(event: NotificationEvent): void;
}

export function buildEvent(
  type: EventType,
  at: Date,
  fields: {
    rule?: string | null;
    severity?: Severity | null;
    action?: ActionRecord | null;
    data?: Record<string, unknown>;
    channels?: string[];
    incidentId?: string;
  },
): NotificationEvent {
  const action = fields.action ?? null;
  const incidentId = fields.incidentId ?? action?.incidentId;
  const event: NotificationEvent = {
    id: randomUUID(),
    type,
    occurredAt: at.toISOString(),
    rule: fields.rule ?? action?.rule ?? null,
    severity: fields.severity ?? action?.severity ?? null,
    action: action
      ? { id: action.id, type: action.type, status: action.status, params: action.params }
      : null,
    data: fields.data ?? {},
    channels: fields.channels ?? ['log'],
  };
  if (incidentId) event.incidentId = incidentId;
  return event;
}
