import type { Page } from '../../domain/action';
import { decodeCursor, toPageBy } from '../../domain/cursor';
import type { SeriesQuery, SeriesResult, SnapshotQuery, SnapshotSourceSummary, StoredSnapshot } from '../../domain/snapshot';
import { SeriesBuckets, jsonNumber } from '../series-buckets';
import type { SnapshotRetention, SnapshotScan, SnapshotStore } from '../snapshot-store';
import type { Row, SqliteContext } from './sqlite-context';

/** Snapshots on SQLite: one row each, the metrics as JSON text, read by the (source, received_at) index. */
export class SqliteSnapshotStore implements SnapshotStore {
  private readonly pending: {
    snapshot: StoredSnapshot;
    resolve: () => void;
    reject: (err: Error) => void;
  }[] = [];

  constructor(private readonly ctx: SqliteContext) {}

  /**
   * Group commit: snapshots arriving in the same turn of the event loop are written in one
   * transaction (a commit costs far more than a row), and every caller resolves only once its row
   * is committed — so a reply never claims a snapshot that is not stored.
   */
  insertSnapshot(s: StoredSnapshot): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ snapshot: s, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  /** Commits what is queued now (also before every read, and on close). */
  flush(): void {
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    try {
      const insert = this.ctx.stmt('INSERT INTO snapshots (id, source, ts, received_at, metrics) VALUES (?, ?, ?, ?, ?)');
      const failures = new Map<number, Error>();
      this.ctx.conn.transaction(() => {
        batch.forEach(({ snapshot: s }, i) => {
          try {
            insert.run(s.id, s.source, s.timestamp, s.receivedAt.getTime(), JSON.stringify(s.metrics));
          } catch (err) {
            // One bad row (e.g. a duplicate id) fails its own caller, not the whole batch.
            failures.set(i, err as Error);
          }
        });
      }).immediate();
      batch.forEach((entry, i) => (failures.has(i) ? entry.reject(failures.get(i)!) : entry.resolve()));
    } catch (err) {
      for (const entry of batch) entry.reject(err as Error);
    }
  }

  async insertSnapshots(snapshots: StoredSnapshot[]): Promise<void> {
    if (snapshots.length === 0) return;
    const insert = this.ctx.stmt('INSERT INTO snapshots (id, source, ts, received_at, metrics) VALUES (?, ?, ?, ?, ?)');
    this.ctx.conn
      .transaction(() => {
        for (const s of snapshots) insert.run(s.id, s.source, s.timestamp, s.receivedAt.getTime(), JSON.stringify(s.metrics));
      })
      .immediate();
  }

  async getSnapshot(id: string): Promise<StoredSnapshot | null> {
    const row = this.ctx.stmt('SELECT * FROM snapshots WHERE id = ?').get(id) as Row | undefined;
    if (!row) return null;
    return {
      id: row.id as string,
      source: row.source as string,
      timestamp: row.ts as string,
      receivedAt: new Date(row.received_at as number),
      metrics: JSON.parse(row.metrics as string),
    };
  }

  private snapshotFromRow(row: Row): StoredSnapshot {
    return {
      id: row.id as string,
      source: row.source as string,
      timestamp: row.ts as string,
      receivedAt: new Date(row.received_at as number),
      metrics: JSON.parse(row.metrics as string),
    };
  }

  async listSnapshotsFrom(source: string, from: Date, to: Date, limit: number): Promise<StoredSnapshot[]> {
    this.flush();
    const rows = this.ctx.stmt(
      'SELECT * FROM snapshots WHERE source = ? AND received_at > ? AND received_at <= ? ORDER BY received_at, id LIMIT ?',
    ).all(source, from.getTime(), to.getTime(), limit) as Row[];
    return rows.map((r) => this.snapshotFromRow(r));
  }

  async latestSnapshotFrom(source: string, after: Date): Promise<StoredSnapshot | null> {
    this.flush();
    const row = this.ctx.stmt(
      'SELECT * FROM snapshots WHERE source = ? AND received_at > ? ORDER BY received_at DESC, id DESC LIMIT 1',
    ).get(source, after.getTime()) as Row | undefined;
    return row ? this.snapshotFromRow(row) : null;
  }

  async countSnapshots(): Promise<number> {
    return (this.ctx.stmt('SELECT COUNT(*) AS n FROM snapshots').get() as { n: number }).n;
  }

  async scanSnapshots(scan: SnapshotScan): Promise<StoredSnapshot[]> {
    // Whatever is still queued for the group commit counts as stored (its callers will be told so).
    this.flush();
    const where: string[] = [];
    const args: unknown[] = [];
    if (scan.from) {
      where.push('received_at >= ?');
      args.push(scan.from.getTime());
    }
    if (scan.to) {
      where.push('received_at <= ?');
      args.push(scan.to.getTime());
    }
    if (scan.sources && scan.sources.length > 0) {
      where.push(`source IN (${scan.sources.map(() => '?').join(',')})`);
      args.push(...scan.sources);
    }
    if (scan.after) {
      where.push('(received_at > ? OR (received_at = ? AND id > ?))');
      args.push(scan.after.at, scan.after.at, scan.after.id);
    }
    const rows = this.ctx.stmt(
      `SELECT id, source, ts, received_at, metrics FROM snapshots ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY received_at, id LIMIT ?`,
    ).all(...args, scan.limit) as Row[];
    return rows.map((row) => ({
      id: row.id as string,
      source: row.source as string,
      timestamp: row.ts as string,
      receivedAt: new Date(row.received_at as number),
      metrics: JSON.parse(row.metrics as string) as Record<string, unknown>,
    }));
  }

  async listSnapshots(query: SnapshotQuery): Promise<Page<StoredSnapshot>> {
    this.flush();
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.source !== undefined) {
      where.push('source = ?');
      args.push(query.source);
    }
    if (query.from) {
      where.push('received_at >= ?');
      args.push(query.from.getTime());
    }
    if (query.to) {
      where.push('received_at <= ?');
      args.push(query.to.getTime());
    }
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    if (cursor) {
      where.push('(received_at < ? OR (received_at = ? AND id < ?))');
      args.push(cursor.at, cursor.at, cursor.id);
    }
    const rows = this.ctx.stmt(
      `SELECT * FROM snapshots ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY received_at DESC, id DESC LIMIT ?`,
    ).all(...args, query.limit + 1) as Row[];
    return toPageBy(rows.map((r) => this.snapshotFromRow(r)), query.limit, (s) => s.receivedAt);
  }

  async listSnapshotSources(limit: number): Promise<SnapshotSourceSummary[]> {
    this.flush();
    // Grouped over the (source, received_at) index alone; then one indexed lookup per source.
    const groups = this.ctx.stmt('SELECT source, COUNT(*) AS n FROM snapshots GROUP BY source ORDER BY source LIMIT ?').all(limit) as Row[];
    const latest = this.ctx.stmt('SELECT * FROM snapshots WHERE source = ? ORDER BY received_at DESC, id DESC LIMIT 1');
    return groups.map((g) => ({
      source: g.source as string,
      count: g.n as number,
      latest: this.snapshotFromRow(latest.get(g.source) as Row),
    }));
  }

  async snapshotSeries(query: SeriesQuery): Promise<SeriesResult> {
    this.flush();
    const buckets = new SeriesBuckets(query.from.getTime(), query.stepMs);
    // `->` gives the value as JSON text: a number stays a number, true stays "true" (not 1).
    const jsonPath = `$${query.path.map((k) => `."${k}"`).join('')}`;
    const rows = this.ctx.stmt(
      'SELECT received_at, metrics -> ? FROM snapshots WHERE source = ? AND received_at >= ? AND received_at <= ? ORDER BY received_at',
    )
      .raw(true)
      .iterate(jsonPath, query.source, query.from.getTime(), query.to.getTime()) as IterableIterator<[number, unknown]>;
    for (const [t, text] of rows) {
      const value = jsonNumber(text);
      if (value !== null) buckets.add(t, value);
    }
    return buckets.finish();
  }

  async pruneSnapshots(retention: SnapshotRetention): Promise<number> {
    let removed = 0;
    if (retention.olderThan) {
      removed += this.ctx.stmt('DELETE FROM snapshots WHERE received_at < ?')
        .run(retention.olderThan.getTime()).changes;
    }
    if (retention.keepNewest !== undefined) {
      removed += this.ctx.stmt(
          `DELETE FROM snapshots WHERE id IN (
             SELECT id FROM snapshots ORDER BY received_at DESC, id DESC LIMIT -1 OFFSET ?)`,
        )
        .run(retention.keepNewest).changes;
    }
    return removed;
  }
}
