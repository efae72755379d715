import type { Severity } from './rule';
import type { NotificationEvent } from './events';

/** A value persisted with a revision so that every change is a compare-and-set. */
export interface Versioned<T> {
  value: T;
  revision: number;
}

export const HOST_ROLES = ['primary', 'secondary'] as const;
export type HostRole = (typeof HOST_ROLES)[number];

export interface FailoverState {
  current: HostRole;
  primary: string;
  secondary: string;
  failedOver: boolean;
  failoverTimestamp: string | null;
  reason: string | null;
  failoverCount: number;
  /**
   * The failback's hold, kept with the state it governs so every instance and every restart sees
   * the same; absent in a state written before failback existed (then the configured defaults hold).
   */
  failback?: FailbackHold;
}

/**
 * What automatic failback remembers between probes: how long to stay on the secondary before the
 * next try, and the tries of the last hour (flap protection, docs/strategies/model-failover.md).
 */
export interface FailbackHold {
  /** The failover action the probing serves (`failback:<id>`); null when no action made the switch. */
  failoverActionId: string | null;
  /** Seconds on the secondary before a failback: minHoldSeconds, doubled after each failback that did not hold. */
  holdSeconds: number;
  /** ISO times of the automatic failbacks dispatched in the last hour. */
  recent: string[];
  /** The last automatic failback, until its end (failed, reverted, verified) has been taken into account. */
  pending: { actionId: string; at: string } | null;
  /** When automatic failback stopped for exceeding maxFailbacksPerHour (an operator decides); null otherwise. */
  suspendedAt: string | null;
}

/** One health probe of a model host made while failed over. */
export interface HostProbe {
  /** ISO time the probe started. */
  at: string;
  ok: boolean;
  /** How long the answer took (or until the timeout), on the monotonic clock. */
  latencyMs: number;
  /** "HTTP 200", "timed out after 3000 ms", "connection refused", ... */
  reason: string;
}

/** The probes of the current failover, written by the periodic-work lease holder and read by every instance. */
export interface FailbackProbes {
  /** The failover (its failoverTimestamp) these probes belong to; probes of an earlier one are dropped. */
  since: string | null;
  /** Probes of the primary, oldest first, at most FAILBACK_PROBES_KEPT. */
  primary: HostProbe[];
  /** The last probe of the secondary (made while the primary is unhealthy); null when none was needed. */
  secondary: HostProbe | null;
  /** Consecutive healthy probes of the primary, up to the newest. */
  healthyStreak: number;
  /** Since when both hosts fail their probes (nowhere left to go); null while either answers. */
  nowhereToGoSince: string | null;
}

/** How many probes of the primary are kept and shown. */
export const FAILBACK_PROBES_KEPT = 30;

export interface ThrottleState {
  active: boolean;
  factor: number;
  limit: number;
  baseLimit: number;
  until: string | null;
  /** The state before this throttle took effect, restored at expiry. */
  previous: { factor: number; limit: number } | null;
  reason: string | null;
  /**
   * A restore in steps (the rule's `restore`): at the deadline the rate goes up one step at a time,
   * each only while the rule that throttled no longer matches. Kept once restored, so the steps taken
   * stay visible until the next throttle. Absent: the rate comes back whole at the deadline.
   */
  restore?: ThrottleRestorePlan;
}

export interface ThrottleRestorePlan {
  /** Factors to go through, ascending; the last is 1. */
  steps: number[];
  stepMinutes: number;
  /** Index in `steps` of the next step up; `steps.length` once restored. */
  next: number;
  /** The factor the throttle held before its first step (where a step back from the first step lands). */
  throttledFactor: number;
  /** The rule whose matching holds the steps back, and the source whose snapshots it is judged on. */
  rule: string;
  source: string | null;
  actionId: string | null;
  /** Every step taken, up or back, oldest first (at most THROTTLE_STEPS_KEPT). */
  history: ThrottleRestoreStep[];
}

export interface ThrottleRestoreStep {
  /** ISO time. */
  at: string;
  change: 'stepped' | 'stepped_back' | 'restored';
  from: number;
  to: number;
  reason: string;
}

export const THROTTLE_STEPS_KEPT = 50;

export interface PromptVersion {
  version: number;
  content: string;
  description?: string;
  createdAt: string;
  active: boolean;
}

export interface Prompt {
  name: string;
  versions: PromptVersion[];
  activeVersion: number | null;
}

export interface Alert {
  id: string;
  rule: string;
  severity: Severity;
  message: string;
  metrics: Record<string, unknown>;
  actionId: string | null;
  /** The incident of the action (or escalation) it reports; absent when none. */
  incidentId?: string;
  createdAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
}

/** What a caller gives to record an alert; the alert service adds id and times. */
export interface NewAlert {
  rule: string;
  severity: Severity;
  message: string;
  metrics: Record<string, unknown>;
  actionId: string | null;
  incidentId?: string;
  /** The rule's notification channels; the log channel gets every event anyway. */
  channels?: string[];
  /** Further events the alert stands for (an escalation's `action.ineffective`), committed with it. */
  events?: NotificationEvent[];
}

export interface AlertQuery {
  rule?: string;
  severity?: Severity;
  acknowledged?: boolean;
  incidentId?: string;
  since?: Date;
  until?: Date;
  limit: number;
  cursor?: string;
}
