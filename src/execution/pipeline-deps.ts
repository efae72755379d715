import type { Clock } from '../clock';
import type { AppConfig } from '../config/schema';
import type { Notifier } from '../domain/events';
import type { Logger } from '../logging/logger';
import type { Store } from '../store/store';

/** What every part of the remediation pipeline reads: the store it records in, time, settings, and who to tell. */
export interface PipelineDeps {
  store: Store;
  config: AppConfig;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
}

/** The pipeline's dependencies with, of the store, only the aggregates `S` a part uses. */
export type PipelineDepsOn<S> = Omit<PipelineDeps, 'store'> & { store: S };
