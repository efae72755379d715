import type { EventType, NotificationEvent, Notifier } from '../../src/domain/events';

/** Keeps every event so tests can assert what people would have been told. */
export class RecordingNotifier implements Notifier {
  readonly events: NotificationEvent[] = [];

  notify(event: NotificationEvent): void {
    this.events.push(event);
  }

  ofType(type: EventType): NotificationEvent[] {
    return this.events.filter((e) => e.type === type);
  }
}
