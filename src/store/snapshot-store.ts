import type { Page } from '../domain/action';
import type { SeriesQuery, SeriesResult, SnapshotQuery, SnapshotSourceSummary, StoredSnapshot } from '../domain/snapshot';

export interface SnapshotRetention {
  /** Delete snapshots received before this instant. */
  olderThan?: Date;
  /** Keep at most this many of the newest snapshots. */
  keepNewest?: number;
}

/** A slice of the stored snapshots in the order they were received, for replay. */
export interface SnapshotScan {
  /** Received at or after. */
  from?: Date;
  /** Received at or before. */
  to?: Date;
  sources?: string[];
  /** Strictly after this position (received-at ms, id) in (receivedAt, id) order. */
  after?: { at: number; id: string };
  limit: number;
}

/** The metric snapshots: stored once evaluated, read back by verification, replay, the console and retention. */
export interface SnapshotStore {
  insertSnapshot(snapshot: StoredSnapshot): Promise<void>;
  /**
   * Stores several snapshots at once: one transaction on SQLite (all or none); one insertMany on
   * MongoDB, which has no transactions here (a failure part-way keeps the ones before it).
   */
  insertSnapshots(snapshots: StoredSnapshot[]): Promise<void>;
  getSnapshot(id: string): Promise<StoredSnapshot | null>;
  countSnapshots(): Promise<number>;
  /** Snapshots from `source` received after `from` and at or before `to`, oldest first, at most `limit`. */
  listSnapshotsFrom(source: string, from: Date, to: Date, limit: number): Promise<StoredSnapshot[]>;
  /** The newest snapshot from `source` received after `after`, or null. */
  latestSnapshotFrom(source: string, after: Date): Promise<StoredSnapshot | null>;
  pruneSnapshots(retention: SnapshotRetention): Promise<number>;
  /** Oldest first by (receivedAt, id): page through with `after` set to the last one returned. */
  scanSnapshots(scan: SnapshotScan): Promise<StoredSnapshot[]>;
  /** Newest first by (receivedAt, id), from the (source, receivedAt) or receivedAt index. */
  listSnapshots(query: SnapshotQuery): Promise<Page<StoredSnapshot>>;
  /** Every source with its newest snapshot and its count, by source name (at most `limit`). */
  listSnapshotSources(limit: number): Promise<SnapshotSourceSummary[]>;
  /**
   * One fact's numeric values from `source` received in [from, to], read by the (source,
   * receivedAt) index and downsampled per `stepMs` bucket to its minimum and maximum (SeriesBuckets).
   * Snapshots where the path is missing or not a number are skipped.
   */
  snapshotSeries(query: SeriesQuery): Promise<SeriesResult>;
}

export const SNAPSHOT_STORE_METHODS: Record<keyof SnapshotStore, true> = {
  insertSnapshot: true,
  insertSnapshots: true,
  getSnapshot: true,
  countSnapshots: true,
  listSnapshotsFrom: true,
  latestSnapshotFrom: true,
  pruneSnapshots: true,
  scanSnapshots: true,
  listSnapshots: true,
  listSnapshotSources: true,
  snapshotSeries: true,
};
