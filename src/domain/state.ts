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
}

export interface ThrottleState {
  active: boolean;
  factor: number;
  limit: number;
  baseLimit: number;
  until: string | null;
  /** The state before this throttle took effect, restored at expiry. */
  previous: { factor: number; limit: number } | null;
  reason: string | null;
}

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
  /** The rule's notification channels; the log channel gets every event anyway. */
  channels?: string[];
  /** Further events the alert stands for (an escalation's `action.ineffective`), committed with it. */
  events?: NotificationEvent[];
}

export interface AlertQuery {
  rule?: string;
  severity?: Severity;
  acknowledged?: boolean;
  since?: Date;
  until?: Date;
  limit: number;
  cursor?: string;
}
