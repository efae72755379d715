import type { NotificationsConfig } from '../config/sections/notifications';
import type { IncidentNotifyMode } from '../config/sections/incidents';
import type { NotificationEvent } from '../domain/events';
import { TOLD_BY_INCIDENT } from '../domain/incident';

export interface Destination {
  name: string;
  url: string;
}

/** The names a rule may use that are not webhook channels of notifications.channels. */
const BUILT_IN = new Set(['log', 'n8n']);

/**
 * Where one event goes besides the log: the n8n webhook receives every event whenever
 * notifications.n8n.url is set (its workflows route by `type`), and each further webhook channel
 * receives the events whose channels name it.
 */
export function destinationsFor(event: NotificationEvent, config: NotificationsConfig, notify: IncidentNotifyMode = 'both'): Destination[] {
  const out: Destination[] = [];
  // One notification per incident and change (incidents.notify): the incident's notices or the rules' own events.
  if (notify === 'rule' && event.type.startsWith('incident.')) return out;
  if (notify === 'incident' && event.incidentId !== undefined && TOLD_BY_INCIDENT.has(event.type)) return out;
  // A shadow event goes only where it was asked for (notifications.shadowChannels).
  const n8nWanted = event.type !== 'action.shadowed' || event.channels.includes('n8n');
  if (config.n8n.url && n8nWanted) out.push({ name: 'n8n', url: config.n8n.url });
  for (const name of new Set(event.channels)) {
    if (BUILT_IN.has(name)) continue;
    const url = config.channels[name];
    if (url) out.push({ name, url });
  }
  return out;
}

/** Channel names an event asks for that are neither built in nor configured. */
export function unknownChannels(event: NotificationEvent, config: NotificationsConfig): string[] {
  return event.channels.filter((name) => !BUILT_IN.has(name) && !config.channels[name]);
}

/** The documented wire envelope: the event without its internal routing list. */
export function envelopeOf(event: NotificationEvent): Omit<NotificationEvent, 'channels'> {
  return {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    rule: event.rule,
    severity: event.severity,
    action: event.action,
    data: event.data,
    ...(event.incidentId ? { incidentId: event.incidentId } : {}),
  };
}
