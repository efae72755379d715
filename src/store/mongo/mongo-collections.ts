import type { Connection, mongo } from 'mongoose';

/** The database of an open connection (the stores that use the driver's collections directly). */
export function openDb(conn: () => Connection): mongo.Db {
  const db = conn().db;
  if (!db) throw new Error('MongoDB store is not open');
  return db;
}

/** Creates the collections that are missing; another instance creating one meanwhile is fine. */
export async function ensureCollections(db: mongo.Db, names: string[]): Promise<void> {
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const name of names) {
    if (!existing.has(name)) {
      await db.createCollection(name).catch((err: { code?: number }) => {
        if (err.code !== 48) throw err; // created meanwhile by another instance
      });
    }
  }
}
