import type { Page } from '../domain/action';
import type { NotificationEvent } from '../domain/events';
import type { Alert, AlertQuery } from '../domain/state';

/** Alerts: recorded with their events, listed newest first, acknowledged once. */
export interface AlertStore {
  /** Inserts the alert and commits `events` with it. */
  insertAlert(alert: Alert, events?: NotificationEvent[]): Promise<void>;
  getAlert(id: string): Promise<Alert | null>;
  listAlerts(query: AlertQuery): Promise<Page<Alert>>;
  /** Acknowledge once: null when the alert is missing or already acknowledged. */
  acknowledgeAlert(id: string, by: string, at: Date): Promise<Alert | null>;
}

export const ALERT_STORE_METHODS: Record<keyof AlertStore, true> = {
  insertAlert: true,
  getAlert: true,
  listAlerts: true,
  acknowledgeAlert: true,
};
