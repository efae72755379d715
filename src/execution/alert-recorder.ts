import type { NewAlert } from '../domain/state';

/**
 * What the closed loop needs of the alert service (targets/) to tell a person: record one alert.
 * Declared here so remediation depends on the shape, not on the target layer.
 */
export interface AlertRecorder {
  create(input: NewAlert): Promise<{ id: string }>;
}
