/** A metric snapshot as accepted from a source; `metrics` keys become rule facts. */
export interface Snapshot {
  source: string;
  timestamp: string;
  metrics: Record<string, unknown>;
}

export interface StoredSnapshot extends Snapshot {
  id: string;
  receivedAt: Date;
}

/** GET /api/self-healing/snapshots: newest first by (receivedAt, id), like the action history. */
export interface SnapshotQuery {
  source?: string;
  /** Received at or after. */
  from?: Date;
  /** Received at or before. */
  to?: Date;
  limit: number;
  cursor?: string;
}

/** One source's newest snapshot and how many of its snapshots are stored. */
export interface SnapshotSourceSummary {
  source: string;
  count: number;
  latest: StoredSnapshot;
}

/** One numeric fact of one source over [from, to], in buckets of `stepMs` from `from`. */
export interface SeriesQuery {
  source: string;
  /** The fact's dotted path split into keys: `ollama.avgResponseTimeMs` → ['ollama', 'avgResponseTimeMs']. */
  path: string[];
  from: Date;
  to: Date;
  stepMs: number;
}

export interface SeriesResult {
  /** [received-at ms, value], oldest first. */
  points: Array<[number, number]>;
  /** Snapshots in the span that carried the fact as a number (before downsampling). */
  samples: number;
}
