import type { NotificationEvent, Notifier } from '../domain/events';

/** Hands every event to each channel in turn; one channel that throws does not stop the others. */
export class FanoutNotifier implements Notifier {
  constructor(private readonly notifiers: Notifier[]) {}

  notify(event: NotificationEvent): void {
    for (const n of this.notifiers) {
      try {
        n.notify(event);
      } catch {
        // Notifying must never fail the remediation that caused it.
      }
    }
  }
}
