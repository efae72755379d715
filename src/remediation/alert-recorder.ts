import type { Severity } from '../domain/rule';

/**
 * What the closed loop needs of the alert service (targets/) to tell a person: record one alert.
 * Declared here so remediation depends on the shape, not on the target layer.
 */
export interface AlertRecorder {
  create(input: {
    rule: string;
    severity: Severity;
    message: string;
    metrics: Record<string, unknown>;
    actionId: string | null;
    channels?: string[];
  }): Promise<{ id: string }>;
}
