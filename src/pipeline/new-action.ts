import { randomUUID } from 'node:crypto';
import type { ActionRecord, ActionStatus, VerifySpec } from '../domain/action';
import type { Rule } from '../domain/rule';
import type { StoredSnapshot } from '../domain/snapshot';

export interface NewActionInput {
  rule: Rule;
  status: Extract<ActionStatus, 'running' | 'pending_approval' | 'shadowed'>;
  now: Date;
  requestedBy: string;
  snapshot: StoredSnapshot | null;
  matchedFacts: Record<string, unknown>;
  expiresAt: Date | null;
  /** The instance that runs it; only for an action dispatched as `running`. */
  runner?: string | null;
  target?: string | null;
  /** The verification in force for the rule; null: not verified. */
  verify?: VerifySpec | null;
  /** The incident it joins (docs/incidents.md). */
  incidentId?: string | null;
}

/** A fresh action record for a rule that is being dispatched. */
export function newAction(input: NewActionInput): ActionRecord {
  const { rule, now } = input;
  return {
    id: randomUUID(),
    rule: rule.name,
    type: rule.action.type,
    params: rule.action.params,
    severity: rule.severity,
    status: input.status,
    requestedBy: input.requestedBy,
    snapshotId: input.snapshot?.id ?? null,
    snapshot: input.snapshot
      ? { source: input.snapshot.source, timestamp: input.snapshot.timestamp, metrics: input.snapshot.metrics }
      : null,
    matchedFacts: input.matchedFacts,
    createdAt: now,
    updatedAt: now,
    expiresAt: input.expiresAt,
    decidedBy: null,
    decidedAt: null,
    decisionComment: null,
    startedAt: input.status === 'running' ? now : null,
    finishedAt: null,
    result: null,
    error: null,
    runner: input.status === 'running' ? (input.runner ?? null) : null,
    target: input.target ?? null,
    ...(input.verify ? { verify: input.verify } : {}),
    ...(input.incidentId ? { incidentId: input.incidentId } : {}),
  };
}
