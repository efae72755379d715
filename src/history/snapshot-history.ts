import type { Clock } from '../clock';
import type { Page } from '../domain/action';
import type { SnapshotQuery, SnapshotSourceSummary, StoredSnapshot } from '../domain/snapshot';
import { NotFoundError, ValidationError } from '../errors';
import type { Store } from '../store/store';

/** A series never carries more points than this: two per bucket (its minimum and maximum), and the newest. */
export const MAX_SERIES_POINTS = 1000;
const MAX_BUCKETS = (MAX_SERIES_POINTS - 2) / 2;
/** The span a series covers when `from` is not given. */
export const DEFAULT_SERIES_SPAN_MS = 24 * 3_600_000;
const MAX_SOURCES = 500;

export interface SeriesRequest {
  source: string;
  /** Dotted path into the snapshot's metrics: `errorRate`, `ollama.avgResponseTimeMs`. */
  fact: string;
  from?: Date;
  to?: Date;
  /** Bucket width asked for; widened when the span would give more than MAX_SERIES_POINTS. */
  stepMs?: number;
}

export interface SeriesReply {
  source: string;
  fact: string;
  from: string;
  to: string;
  /** The bucket width used. */
  stepMs: number;
  /** Snapshots in the span that carried the fact as a number. */
  samples: number;
  /** [received-at ms, value], oldest first: each bucket's minimum and maximum. */
  points: Array<[number, number]>;
}

/** The stored snapshots as the API and the console read them: pages, sources, one fact's series. */
export class SnapshotHistory {
  constructor(
    private readonly store: Pick<Store, 'listSnapshots' | 'getSnapshot' | 'listSnapshotSources' | 'snapshotSeries'>,
    private readonly clock: Clock,
  ) {}

  list(query: SnapshotQuery): Promise<Page<StoredSnapshot>> {
    return this.store.listSnapshots(query);
  }

  async get(id: string): Promise<StoredSnapshot> {
    const snapshot = await this.store.getSnapshot(id);
    if (!snapshot) throw new NotFoundError(`no snapshot with id "${id}" (never stored, or removed by retention)`);
    return snapshot;
  }

  sources(): Promise<SnapshotSourceSummary[]> {
    return this.store.listSnapshotSources(MAX_SOURCES);
  }

  async series(request: SeriesRequest): Promise<SeriesReply> {
    const to = request.to ?? this.clock.now();
    const from = request.from ?? new Date(to.getTime() - DEFAULT_SERIES_SPAN_MS);
    if (from.getTime() >= to.getTime()) {
      throw new ValidationError('query parameters are invalid', [{ pointer: '/query/from', message: 'must be before to' }]);
    }
    const span = to.getTime() - from.getTime();
    const stepMs = Math.max(request.stepMs ?? 0, Math.ceil(span / MAX_BUCKETS), 1);
    const { points, samples } = await this.store.snapshotSeries({
      source: request.source,
      path: request.fact.split('.'),
      from,
      to,
      stepMs,
    });
    return { source: request.source, fact: request.fact, from: from.toISOString(), to: to.toISOString(), stepMs, samples, points };
  }
}
