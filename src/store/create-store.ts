import type { AppConfig } from '../config/schema';
import { ConfigError } from '../errors';
import { SqliteStore } from './sqlite/sqlite-store';
import type { Store } from './store';

/** Picks the adapter the configuration names; callers see only the Store interface. */
export function createStore(config: AppConfig): Store {
  switch (config.store.type) {
    case 'sqlite':
      return new SqliteStore({ path: config.store.sqlite.path, busyTimeoutMs: config.store.sqlite.busyTimeoutMs });
    case 'mongo':
      throw new ConfigError('store.type', 'the MongoDB store is not available in this build yet; use "sqlite"');
  }
}
