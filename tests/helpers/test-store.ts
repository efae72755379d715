import path from 'node:path';

/**
 * Which store buildTestApp uses: SQLite in the test's temp dir by default; with TEST_STORE=mongo,
 * a MongoDB database named for the temp dir on MONGODB_URI's server (so a restart test that reuses
 * the dir reopens the same database). Run e.g.
 *   TEST_STORE=mongo MONGODB_URI=mongodb://127.0.0.1:27017 npx jest tests/integration/ingest.test.ts
 */
export function testStoreConfig(dir: string): Record<string, unknown> {
  if (process.env.TEST_STORE !== 'mongo') {
    return { type: 'sqlite', sqlite: { path: path.join(dir, 'store.db') } };
  }
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('TEST_STORE=mongo needs MONGODB_URI');
  const db = `shre_test_${path.basename(dir).replace(/[^A-Za-z0-9_]/g, '_')}`;
  return { type: 'mongo', mongo: { uri: mongoUriWithDatabase(uri, db) } };
}

/** The same server URI naming another database (credentials and options kept). */
export function mongoUriWithDatabase(uri: string, db: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!match) throw new Error('MONGODB_URI is not a mongodb:// URI');
  return `${match[1]}/${db}${match[3] ?? ''}`;
}
