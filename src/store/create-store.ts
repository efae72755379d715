import type { AppConfig } from '../config/schema';
import { MongoStore } from './mongo/mongo-store';
import { SqliteStore } from './sqlite/sqlite-store';
import type { Store } from './store';
import { type FaultPoints, noFaults } from '../domain/fault-points';

/** Picks the adapter the configuration (as loadConfig checked it) names; callers see only the Store interface. */
export function createStore(config: AppConfig, faults: FaultPoints = noFaults): Store {
  switch (config.store.type) {
    case 'sqlite':
      return new SqliteStore({ path: config.store.sqlite.path, busyTimeoutMs: config.store.sqlite.busyTimeoutMs, faults });
    case 'mongo':
      return new MongoStore({ uri: config.store.mongo.uri, faults });
  }
}
