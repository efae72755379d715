import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openConnection } from '../../src/store/mongo/connection';
import { MongoStore } from '../../src/store/mongo/mongo-store';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { Store } from '../../src/store/store';

/** One empty store location (a SQLite file, a MongoDB database) that any number of stores can open. */
export interface StoreLocation {
  /** A new, initialized store on this location: each call is a separate connection. */
  open(): Promise<Store>;
  /** Closes what open() returned and removes the location. */
  destroy(): Promise<void>;
}

export interface StoreTarget {
  name: 'sqlite' | 'mongo';
  newLocation(): Promise<StoreLocation>;
}

function tracked(openOne: () => Promise<Store>, remove: () => Promise<void>): StoreLocation {
  const opened: Store[] = [];
  return {
    async open() {
      const store = await openOne();
      opened.push(store);
      return store;
    },
    async destroy() {
      for (const store of opened) await store.close();
      await remove();
    },
  };
}

export const sqliteTarget: StoreTarget = {
  name: 'sqlite',
  async newLocation() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shre-contract-'));
    const file = path.join(dir, 'store.db');
    return tracked(
      async () => {
        const store = new SqliteStore({ path: file, busyTimeoutMs: 10_000 });
        await store.init();
        return store;
      },
      async () => fs.rmSync(dir, { recursive: true, force: true }),
    );
  },
};

/** One database per location, named for this test-file run, dropped afterwards. */
export function mongoTarget(uri: string): StoreTarget {
  const run = `shre_contract_${crypto.randomBytes(4).toString('hex')}`;
  let n = 0;
  return {
    name: 'mongo',
    async newLocation() {
      n += 1;
      const dbName = `${run}_${n}`;
      return tracked(
        async () => {
          const store = new MongoStore({ uri, dbName });
          await store.init();
          return store;
        },
        async () => {
          const conn = await openConnection({ uri, dbName });
          await conn.dropDatabase();
          await conn.close();
        },
      );
    },
  };
}

/** SQLite always; MongoDB when MONGODB_URI names a server. */
export function storeTargets(): StoreTarget[] {
  const uri = process.env.MONGODB_URI;
  return uri ? [sqliteTarget, mongoTarget(uri)] : [sqliteTarget];
}

/**
 * Gives each test of the enclosing describe an empty location on `target` and a first store opened
 * on it (handed to `opened`), and destroys the location after the test.
 */
export function openStorePerTest(target: StoreTarget, opened: (location: StoreLocation, store: Store) => void): void {
  let location: StoreLocation | undefined;
  beforeEach(async () => {
    location = await target.newLocation();
    opened(location, await location.open());
  });
  afterEach(async () => {
    await location?.destroy();
    location = undefined;
  });
}
