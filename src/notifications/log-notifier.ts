import type { NotificationEvent, Notifier } from '../domain/events';
import type { Logger } from '../logging/logger';

/**
 * The log channel: every event becomes one structured log line. Notifying never throws, so a
 * broken channel cannot break a remediation.
 */
export class LogNotifier implements Notifier {
  constructor(private readonly logger: Logger) {}

  notify(event: NotificationEvent): void {
    if (event.type === 'action.shadowed' && !event.channels.includes('log')) return;
    try {
      const level = event.type === 'action.failed' || event.severity === 'critical' ? 'warn' : 'info';
      this.logger.log(level, `event ${event.type}`, { event });
    } catch {
      // A notification that cannot be logged must not fail the caller.
    }
  }
}
