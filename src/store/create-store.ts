import type { AppConfig } from '../config/schema';
import { ConfigError } from '../errors';
import { MongoStore } from './mongo/mongo-store';
import { SqliteStore } from './sqlite/sqlite-store';
import type { Store } from './store';

/** Picks the adapter the configuration names; callers see only the Store interface. */
export function createStore(config: AppConfig): Store {
  switch (config.store.type) {
    case 'sqlite':
      return new SqliteStore({ path: config.store.sqlite.path, busyTimeoutMs: config.store.sqlite.busyTimeoutMs });
    case 'mongo':
      if (config.store.mongo.uri.trim() === '') {
        throw new ConfigError('store.mongo.uri', 'is required when store.type is "mongo" (set MONGODB_URI)');
      }
      return new MongoStore({ uri: config.store.mongo.uri });
  }
}
