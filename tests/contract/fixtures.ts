import crypto from 'node:crypto';
import type { ActionRecord } from '../../src/domain/action';
import type { StoredSnapshot } from '../../src/domain/snapshot';
import type { Alert, FailoverState, Prompt, ThrottleState } from '../../src/domain/state';

export const T0 = new Date('2026-03-01T10:00:00.000Z');
export const at = (ms: number): Date => new Date(T0.getTime() + ms);
export const minutes = (n: number): number => n * 60_000;

export function newId(prefix = 'id'): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

export function makeAction(overrides: Partial<ActionRecord> = {}): ActionRecord {
  const createdAt = overrides.createdAt ?? T0;
  return {
    id: newId('act'),
    rule: 'high-latency',
    type: 'alert_only',
    params: {},
    severity: 'warning',
    status: 'running',
    requestedBy: 'ingest:test',
    snapshotId: null,
    snapshot: null,
    matchedFacts: {},
    createdAt,
    updatedAt: createdAt,
    expiresAt: null,
    decidedBy: null,
    decidedAt: null,
    decisionComment: null,
    startedAt: null,
    finishedAt: null,
    result: null,
    error: null,
    ...overrides,
  };
}

export function makePending(overrides: Partial<ActionRecord> = {}): ActionRecord {
  return makeAction({ status: 'pending_approval', expiresAt: at(minutes(30)), ...overrides });
}

export function makeSnapshot(overrides: Partial<StoredSnapshot> = {}): StoredSnapshot {
  return {
    id: newId('snap'),
    source: 'prometheus',
    timestamp: T0.toISOString(),
    receivedAt: T0,
    metrics: { latency_ms: 900 },
    ...overrides,
  };
}

export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: newId('alert'),
    rule: 'high-latency',
    severity: 'warning',
    message: 'latency is high',
    metrics: { latency_ms: 900 },
    actionId: null,
    createdAt: T0,
    acknowledgedAt: null,
    acknowledgedBy: null,
    ...overrides,
  };
}

export function makeFailover(overrides: Partial<FailoverState> = {}): FailoverState {
  return {
    current: 'primary',
    primary: 'http://127.0.0.1:9001',
    secondary: 'http://127.0.0.1:9002',
    failedOver: false,
    failoverTimestamp: null,
    reason: null,
    failoverCount: 0,
    ...overrides,
  };
}

export function makeThrottle(overrides: Partial<ThrottleState> = {}): ThrottleState {
  return {
    active: false,
    factor: 1,
    limit: 100,
    baseLimit: 100,
    until: null,
    previous: null,
    reason: null,
    ...overrides,
  };
}

export function makePrompt(name: string, versions: number): Prompt {
  return {
    name,
    versions: Array.from({ length: versions }, (_, i) => ({
      version: i + 1,
      content: `prompt ${name} v${i + 1}`,
      createdAt: at(i).toISOString(),
      active: i === versions - 1,
    })),
    activeVersion: versions > 0 ? versions : null,
  };
}

/** Metric keys that are awkward for document stores: dots, a leading "$", "%", an empty key. */
export const AWKWARD_METRICS = {
  'gpu.util': 0.97,
  $cost: 3,
  'already%2Eescaped': 'x',
  '': 'empty key',
  nested: { 'a.b': { $c: [1, { 'd.e': null }] }, list: [1.5, 'two', true] },
};
