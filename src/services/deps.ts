import type { Clock } from '../clock';
import type { AppConfig } from '../config/schema';
import type { Notifier } from '../integrations/notifier';
import type { Logger } from '../logging/logger';
import type { Store } from '../store/store';

/** What every service gets through its constructor; wired once in createServices. */
export interface ServiceDeps {
  store: Store;
  config: AppConfig;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
}
