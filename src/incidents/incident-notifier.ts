import type { NotificationEvent, Notifier } from '../domain/events';
import type { IncidentService } from './incident-service';

/**
 * The incidents' ear on the event fan-out: an event about an incident's action (finished, refused,
 * verified) may be a change to tell or the verdict that resolves it. Never blocks or throws into
 * whoever raised the event.
 */
export class IncidentNotifier implements Notifier {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly incidents: Pick<IncidentService, 'onEvent' | 'failed'>) {}

  notify(event: NotificationEvent): void {
    if (event.incidentId === undefined || event.type.startsWith('incident.')) return;
    const work: Promise<void> = this.incidents
      .onEvent(event)
      .catch((err: unknown) => this.incidents.failed(`could not follow ${event.type} of incident ${event.incidentId}`, err))
      .finally(() => this.pending.delete(work));
    this.pending.add(work);
  }

  /** Resolves once the work of the events seen so far is done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
