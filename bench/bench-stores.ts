import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { MongoStore } from '../src/store/mongo/mongo-store';
import { SqliteStore } from '../src/store/sqlite/sqlite-store';
import type { Store } from '../src/store/store';

export interface BenchStoreTarget {
  name: 'sqlite' | 'mongo';
  open(): Promise<{ store: Store; cleanup: () => Promise<void> }>;
}

/**
 * The stores a read bench measures: a fresh SQLite file always, and a fresh MongoDB database when a
 * URI is given. Each open() is an empty store; its cleanup removes the file or drops the database.
 */
export function benchStoreTargets(label: string, mongoUri?: string): BenchStoreTarget[] {
  const targets: BenchStoreTarget[] = [
    {
      name: 'sqlite',
      open: async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `shre-${label}-bench-`));
        const store = new SqliteStore({ path: path.join(dir, 'bench.db') });
        await store.init();
        return { store, cleanup: async () => { await store.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
      },
    },
  ];
  if (mongoUri) {
    targets.push({
      name: 'mongo',
      open: async () => {
        const store = new MongoStore({ uri: mongoUri, dbName: `shre_${label}_bench_${randomUUID().slice(0, 8)}` });
        await store.init();
        return {
          store,
          cleanup: async () => {
            await (store as unknown as { conn: { dropDatabase(): Promise<unknown> } }).conn.dropDatabase().catch(() => undefined);
            await store.close();
          },
        };
      },
    });
  }
  return targets;
}
