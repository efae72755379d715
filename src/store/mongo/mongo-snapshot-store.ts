import type { Page } from '../../domain/action';
import { decodeCursor, toPageBy } from '../../domain/cursor';
import type { SeriesQuery, SeriesResult, SnapshotQuery, SnapshotSourceSummary, StoredSnapshot } from '../../domain/snapshot';
import { SeriesBuckets } from '../series-buckets';
import type { SnapshotRetention, SnapshotScan, SnapshotStore } from '../snapshot-store';
import { type Doc, snapshotFromDoc, snapshotToDoc } from './codec';
import { escapeFieldName } from './field-names';
import type { MongoContext } from './mongo-context';

/** Snapshots on MongoDB: one document each (`_id` the snapshot id), read by the (source, receivedAt) index. */
export class MongoSnapshotStore implements SnapshotStore {
  constructor(private readonly ctx: MongoContext) {}

  private pendingSnapshots: { doc: Doc; resolve: () => void; reject: (err: Error) => void }[] = [];
  private insertingSnapshots = false;

  /**
   * Group commit, as on SQLite: while one insert of snapshots is on its way, the snapshots that
   * arrive meanwhile wait and then go together in the next one. Each caller is answered once its
   * own document is written (or refused); under concurrent ingest a round trip carries many.
   */
  insertSnapshot(snapshot: StoredSnapshot): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pendingSnapshots.push({ doc: snapshotToDoc(snapshot), resolve, reject });
      if (this.insertingSnapshots) return;
      this.insertingSnapshots = true;
      setImmediate(() => void this.insertPendingSnapshots());
    });
  }

  private async insertPendingSnapshots(): Promise<void> {
    for (let batch = this.pendingSnapshots.splice(0); batch.length > 0; batch = this.pendingSnapshots.splice(0)) {
      try {
        // Unordered: a document refused (a duplicate id) fails its own caller; the others are written.
        await this.ctx.m.snapshots.collection.insertMany(batch.map((b) => b.doc) as { _id: never }[], { ordered: false });
        for (const b of batch) b.resolve();
      } catch (err) {
        const refused = refusedDocuments(err);
        batch.forEach((b, i) => (refused === null ? b.reject(err as Error) : refused.has(i) ? b.reject(refused.get(i)!) : b.resolve()));
      }
    }
    this.insertingSnapshots = false;
  }

  async insertSnapshots(snapshots: StoredSnapshot[]): Promise<void> {
    if (snapshots.length > 0) await this.ctx.m.snapshots.insertMany(snapshots.map(snapshotToDoc), { lean: true });
  }

  async getSnapshot(id: string): Promise<StoredSnapshot | null> {
    const doc = await this.ctx.m.snapshots.findById(id).lean<Doc>();
    return doc ? snapshotFromDoc(doc) : null;
  }

  async listSnapshotsFrom(source: string, from: Date, to: Date, limit: number): Promise<StoredSnapshot[]> {
    const docs = await this.ctx.m.snapshots
      .find({ source, receivedAt: { $gt: from, $lte: to } })
      .sort({ receivedAt: 1, _id: 1 })
      .limit(limit)
      .lean<Doc[]>();
    // Oldest first, checked here too: verification reads "the latest" off the end.
    return docs.map(snapshotFromDoc).sort((x, y) => x.receivedAt.getTime() - y.receivedAt.getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  }

  async latestSnapshotFrom(source: string, after: Date): Promise<StoredSnapshot | null> {
    const [doc] = await this.ctx.m.snapshots
      .find({ source, receivedAt: { $gt: after } })
      .sort({ receivedAt: -1, _id: -1 })
      .limit(1)
      .lean<Doc[]>();
    return doc ? snapshotFromDoc(doc) : null;
  }

  async countSnapshots(): Promise<number> {
    return this.ctx.m.snapshots.countDocuments({});
  }

  async scanSnapshots(scan: SnapshotScan): Promise<StoredSnapshot[]> {
    const received: Record<string, Date> = {};
    if (scan.from) received.$gte = scan.from;
    if (scan.to) received.$lte = scan.to;
    const and: Record<string, unknown>[] = [];
    if (scan.from || scan.to) and.push({ receivedAt: received });
    if (scan.sources && scan.sources.length > 0) and.push({ source: { $in: scan.sources } });
    if (scan.after) {
      const at = new Date(scan.after.at);
      and.push({ $or: [{ receivedAt: { $gt: at } }, { receivedAt: at, _id: { $gt: scan.after.id } }] });
    }
    const docs = await this.ctx.m.snapshots
      .find(and.length > 0 ? { $and: and } : {})
      .sort({ receivedAt: 1, _id: 1 })
      .limit(scan.limit)
      .lean<Doc[]>();
    return docs.map(snapshotFromDoc);
  }

  async listSnapshots(query: SnapshotQuery): Promise<Page<StoredSnapshot>> {
    const and: Doc[] = [];
    if (query.source !== undefined) and.push({ source: query.source });
    if (query.from || query.to) {
      and.push({ receivedAt: { ...(query.from ? { $gte: query.from } : {}), ...(query.to ? { $lte: query.to } : {}) } });
    }
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    if (cursor) {
      const at = new Date(cursor.at);
      and.push({ $or: [{ receivedAt: { $lt: at } }, { receivedAt: at, _id: { $lt: cursor.id } }] });
    }
    const docs = await this.ctx.m.snapshots
      .find(and.length > 0 ? { $and: and } : {})
      .sort({ receivedAt: -1, _id: -1 })
      .limit(query.limit + 1)
      .lean<Doc[]>();
    return toPageBy(docs.map(snapshotFromDoc), query.limit, (s) => s.receivedAt);
  }

  async listSnapshotSources(limit: number): Promise<SnapshotSourceSummary[]> {
    // distinct and countDocuments read the (source, receivedAt) index; FerretDB has both.
    const sources = ((await this.ctx.m.snapshots.distinct('source')) as string[]).sort().slice(0, limit);
    const rows = await Promise.all(
      sources.map(async (source) => {
        const [latest, count] = await Promise.all([
          this.ctx.m.snapshots.find({ source }).sort({ receivedAt: -1, _id: -1 }).limit(1).lean<Doc[]>(),
          this.ctx.m.snapshots.countDocuments({ source }),
        ]);
        // Pruned between the two reads: the source has nothing left to show.
        return latest[0] ? { source, count, latest: snapshotFromDoc(latest[0]) } : null;
      }),
    );
    return rows.filter((r): r is SnapshotSourceSummary => r !== null);
  }

  async snapshotSeries(query: SeriesQuery): Promise<SeriesResult> {
    const buckets = new SeriesBuckets(query.from.getTime(), query.stepMs);
    const field = ['metrics', ...query.path.map(escapeFieldName)].join('.');
    const cursor = this.ctx.m.snapshots
      .find({ source: query.source, receivedAt: { $gte: query.from, $lte: query.to } }, { _id: 0, receivedAt: 1, [field]: 1 })
      .sort({ receivedAt: 1 })
      .lean<Doc>()
      .cursor({ batchSize: 2000 });
    for await (const doc of cursor) {
      let value: unknown = doc.metrics;
      for (const key of query.path) {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          value = undefined;
          break;
        }
        value = (value as Doc)[escapeFieldName(key)];
      }
      if (typeof value === 'number') buckets.add((doc.receivedAt as Date).getTime(), value);
    }
    return buckets.finish();
  }

  async pruneSnapshots(retention: SnapshotRetention): Promise<number> {
    let removed = 0;
    if (retention.olderThan) {
      removed += (await this.ctx.m.snapshots.deleteMany({ receivedAt: { $lt: retention.olderThan } })).deletedCount;
    }
    if (retention.keepNewest !== undefined) {
      // The oldest snapshot still kept bounds what goes; ties on receivedAt are broken by id, as in SQLite.
      const edge = await this.ctx.m.snapshots
        .find({}, { _id: 1, receivedAt: 1 })
        .sort({ receivedAt: -1, _id: -1 })
        .skip(Math.max(retention.keepNewest - 1, 0))
        .limit(1)
        .lean<Doc[]>();
      const last = edge[0];
      if (retention.keepNewest === 0) {
        removed += (await this.ctx.m.snapshots.deleteMany({})).deletedCount;
      } else if (last) {
        removed += (
          await this.ctx.m.snapshots.deleteMany({
            $or: [
              { receivedAt: { $lt: last.receivedAt } },
              { receivedAt: last.receivedAt, _id: { $lt: last._id as string } },
            ],
          })
        ).deletedCount;
      }
    }
    return removed;
  }
}

/**
 * The documents an unordered insertMany refused, by index, from its bulk write error; null when
 * the error is not one (the command itself failed: nothing is known to be written).
 */
function refusedDocuments(err: unknown): Map<number, Error> | null {
  const e = err as { writeErrors?: unknown; result?: unknown } | null;
  if (e === null || typeof e !== 'object' || e.writeErrors === undefined) return null;
  const list = (Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors]) as { index: number; errmsg?: string; code?: number }[];
  return new Map(list.map((w) => [w.index, Object.assign(new Error(w.errmsg ?? 'document refused'), { code: w.code })]));
}
