import mongoose, { type Connection } from 'mongoose';

export interface MongoConnectOptions {
  uri: string;
  /** Overrides the database named in the URI (tests use one database per run). */
  dbName?: string;
  serverSelectionTimeoutMs?: number;
}

/** The URI without user name and password, for messages and logs. */
export function redactUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)[^@/]*@/i, '$1');
}

/**
 * A dedicated connection (never mongoose's global default, so several stores can live in one
 * process). Failing to reach the server at start is one line naming the URI; after that the driver
 * keeps retrying lost connections by itself.
 */
export async function openConnection(options: MongoConnectOptions): Promise<Connection> {
  const conn = mongoose.createConnection(options.uri, {
    dbName: options.dbName,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 5000,
    // Indexes and collections are created explicitly in MongoStore.init, where a failure is reported.
    autoIndex: false,
    autoCreate: false,
  });
  try {
    await conn.asPromise();
    return conn;
  } catch (err) {
    await conn.close(true).catch(() => undefined);
    const reason = (err as Error).message.split('\n')[0];
    throw new Error(`cannot connect to MongoDB at ${redactUri(options.uri)}: ${reason}`);
  }
}

/** E11000: an insert (or upsert) hit a unique key, i.e. somebody else's claim won. */
export function isDuplicateKeyError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; writeErrors?: Array<{ code?: unknown; err?: { code?: unknown } }> };
  if (e.code === 11000 || e.code === 11001) return true;
  return Array.isArray(e.writeErrors) && e.writeErrors.some((w) => w.code === 11000 || w.err?.code === 11000);
}
