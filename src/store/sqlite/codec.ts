import type { ActionRecord } from '../../domain/action';
import type { Alert } from '../../domain/state';

/** Row <-> domain conversion at the edge: dates travel as ISO strings inside JSON documents. */
const ACTION_DATES = ['createdAt', 'updatedAt', 'expiresAt', 'decidedAt', 'startedAt', 'finishedAt'] as const;

const OPTIONAL_ACTION_DATES = ['verifyUntil', 'outcomeAt', 'recoveredAt'] as const;

export function actionToDoc(action: ActionRecord): string {
  return JSON.stringify(action);
}

export function actionFromDoc(doc: string): ActionRecord {
  const raw = JSON.parse(doc) as Record<string, unknown>;
  for (const key of ACTION_DATES) {
    const value = raw[key];
    raw[key] = typeof value === 'string' ? new Date(value) : null;
  }
  // Verification dates exist only on verified actions: absent stays absent.
  for (const key of OPTIONAL_ACTION_DATES) {
    const value = raw[key];
    if (typeof value === 'string') raw[key] = new Date(value);
  }
  return raw as unknown as ActionRecord;
}

export function alertToDoc(alert: Alert): string {
  return JSON.stringify(alert);
}

export function alertFromDoc(doc: string): Alert {
  const raw = JSON.parse(doc) as Record<string, unknown>;
  raw.createdAt = new Date(raw.createdAt as string);
  raw.acknowledgedAt = typeof raw.acknowledgedAt === 'string' ? new Date(raw.acknowledgedAt) : null;
  return raw as unknown as Alert;
}
