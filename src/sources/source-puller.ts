import type { Clock } from '../clock';
import type { PrometheusSourceConfig, SourcesConfig } from '../config/sections/sources';
import { NO_SOURCE_OBSERVER, type SourceObserver } from '../domain/observers';
import type { Snapshot } from '../domain/snapshot';
import type { NewAlert } from '../domain/state';
import { AppError } from '../errors';
import type { Logger } from '../logging/logger';
import type { SchemaRegistry } from '../schemas/registry';
import { parseSnapshot } from '../schemas/snapshot-input';
import { type QueryOutcome, runSource, type SourceRun } from './source-run';

/** Where pulled snapshots go: the ingest pipeline, exactly as a pushed snapshot. */
export interface SnapshotSink {
  ingest(snapshot: Snapshot, options: { requestedBy: string }): Promise<{ snapshotId: string }>;
}

/** How a person hears of a source gone stale: one alert, through the alert service. */
export interface SourceAlerts {
  create(input: NewAlert): Promise<{ id: string }>;
}

export interface SourcePullerDeps {
  config: { sources: SourcesConfig };
  clock: Clock;
  logger: Logger;
  schemas: SchemaRegistry;
  sink: SnapshotSink;
  alerts: SourceAlerts;
  /** True while this instance holds the periodic-work lease: only then does it pull. */
  isPuller: () => boolean;
  observer?: SourceObserver;
}

/** A pulled snapshot as it went to ingest, or why it did not. */
export interface PulledSnapshot {
  source: string;
  timestamp: string;
  metrics: Record<string, unknown>;
  snapshotId: string | null;
  error: string | null;
}

export type SourceState = 'not_run' | 'ok' | 'partial' | 'failing' | 'standby';

export interface SourceStatus {
  name: string;
  url: string;
  intervalSeconds: number;
  /** ok: every query answered; partial: some failed; failing: none answered; standby: another instance pulls. */
  state: SourceState;
  /** No fully successful run for `sources.staleAfterSeconds` (its alert has been raised). */
  stale: boolean;
  lastRun: { at: string; durationMs: number } | null;
  lastSuccessAt: string | null;
  nextRunAt: string | null;
  consecutiveFailures: number;
  queries: Array<QueryOutcome & { by: string | null; splitBy: string | null }>;
  lastSnapshots: PulledSnapshot[];
}

interface Entry {
  source: PrometheusSourceConfig;
  lastRun: SourceRun | null;
  lastSnapshots: PulledSnapshot[];
  lastSuccessAt: Date | null;
  /** When this instance began pulling the source: staleness counts from here until a success. */
  pullingSince: Date | null;
  nextRunAt: Date | null;
  consecutiveFailures: number;
  staleAlerted: boolean;
  standby: boolean;
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
}

/** Reasons that say Prometheus itself did not answer (as opposed to a query it refused). */
const DOWN = new Set(['timeout', 'unreachable', 'http_status']);

/**
 * Pulls each configured Prometheus source every `intervalSeconds` and ingests what it gives, on the
 * instance that holds the periodic-work lease only, so N instances do not multiply the queries or
 * the snapshots. It runs beside ingest on its own timers: a Prometheus that is slow or down costs
 * its queries their timeout and nothing else. While every query fails for want of an answer, the
 * wait before the next attempt doubles from the interval up to `sources.maxBackoffSeconds`.
 * Its status is kept in this process (GET /api/self-healing/sources on the lease holder shows the runs).
 */
export class SourcePuller {
  private readonly entries: Entry[];
  private readonly observer: SourceObserver;
  private stopped = true;

  constructor(private readonly deps: SourcePullerDeps) {
    this.observer = deps.observer ?? NO_SOURCE_OBSERVER;
    this.entries = deps.config.sources.prometheus.map((source) => ({
      source,
      lastRun: null,
      lastSnapshots: [],
      lastSuccessAt: null,
      pullingSince: null,
      nextRunAt: null,
      consecutiveFailures: 0,
      staleAlerted: false,
      standby: false,
      timer: null,
      running: null,
    }));
  }

  /** Starts every source's timer; the first run comes at once. */
  start(): void {
    this.stopped = false;
    for (const entry of this.entries) this.schedule(entry, 0);
  }

  /** Stops the timers and waits for runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const entry of this.entries) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
      entry.nextRunAt = null;
    }
    await Promise.allSettled(this.entries.map((e) => e.running).filter((r) => r !== null));
  }

  /**
   * One tick of every source now, as its timer would (nothing when another instance holds the lease),
   * and each next run scheduled from here. Tests use it in place of waiting for the timers.
   */
  async pullAll(): Promise<void> {
    await Promise.all(
      this.entries.map(async (entry) => {
        await this.tick(entry);
        this.schedule(entry, this.delayAfter(entry));
      }),
    );
  }

  /** What GET /api/self-healing/sources shows: whether this instance pulls, and each source's status. */
  overview(): { pulling: boolean; staleAfterSeconds: number; sources: SourceStatus[] } {
    return { pulling: this.deps.isPuller(), staleAfterSeconds: this.deps.config.sources.staleAfterSeconds, sources: this.status() };
  }

  status(): SourceStatus[] {
    const now = this.deps.clock.now();
    return this.entries.map((e) => {
      const run = e.lastRun;
      let state: SourceState = 'not_run';
      if (e.standby) state = 'standby';
      else if (run) {
        const failed = run.queries.filter((q) => q.error !== null).length;
        state = failed === 0 ? 'ok' : failed === run.queries.length ? 'failing' : 'partial';
      }
      const outcomes = run?.queries ?? [];
      return {
        name: e.source.name,
        url: e.source.url,
        intervalSeconds: e.source.intervalSeconds,
        state,
        stale: !e.standby && this.isStale(e, now),
        lastRun: run ? { at: run.at.toISOString(), durationMs: run.durationMs } : null,
        lastSuccessAt: e.lastSuccessAt?.toISOString() ?? null,
        nextRunAt: e.nextRunAt?.toISOString() ?? null,
        consecutiveFailures: e.consecutiveFailures,
        queries: e.source.queries.map((q, i) => ({
          ...(outcomes[i] ?? { fact: q.fact, query: q.query, durationMs: 0, values: 0, leftOut: 0, error: null }),
          by: q.by ?? null,
          splitBy: q.splitBy ?? null,
        })),
        lastSnapshots: e.lastSnapshots,
      };
    });
  }

  private schedule(entry: Entry, delayMs: number): void {
    if (this.stopped) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.nextRunAt = new Date(this.deps.clock.now().getTime() + delayMs);
    entry.timer = setTimeout(() => {
      entry.timer = null;
      void this.tick(entry).finally(() => this.schedule(entry, this.delayAfter(entry)));
    }, delayMs);
    entry.timer.unref();
  }

  /** The interval; after runs where Prometheus gave no answer at all, doubling up to maxBackoffSeconds. */
  private delayAfter(entry: Entry): number {
    const interval = entry.source.intervalSeconds * 1000;
    const run = entry.lastRun;
    const down = !entry.standby && run !== null && run.queries.every((q) => q.error !== null && DOWN.has(q.error.reason));
    if (!down || entry.consecutiveFailures === 0) return interval;
    const max = Math.max(interval, this.deps.config.sources.maxBackoffSeconds * 1000);
    return Math.min(max, interval * 2 ** Math.min(entry.consecutiveFailures, 30));
  }

  private tick(entry: Entry): Promise<void> {
    entry.running ??= this.runEntry(entry)
      .catch((err: unknown) => {
        this.deps.logger.error('pull source run failed', { source: entry.source.name, error: (err as Error).message });
      })
      .finally(() => {
        entry.running = null;
      });
    return entry.running;
  }

  private async runEntry(entry: Entry): Promise<void> {
    if (!this.deps.isPuller()) {
      // Another instance pulls; if this one pulled before, its staleness clock starts again when it takes over.
      entry.standby = true;
      entry.pullingSince = null;
      return;
    }
    entry.standby = false;
    const { source } = entry;
    const at = this.deps.clock.now();
    entry.pullingSince ??= at;
    const run = await runSource(source, at);
    for (const q of run.queries) this.observer.queried(source.name, q.fact, q.durationMs / 1000, q.error?.reason ?? null);
    entry.lastRun = run;
    entry.lastSnapshots = await this.ingestAll(source, run.snapshots);
    const failed = run.queries.filter((q) => q.error !== null);
    if (failed.length === 0) {
      if (entry.staleAlerted) this.deps.logger.info('pull source answers again', { source: source.name });
      entry.consecutiveFailures = 0;
      entry.lastSuccessAt = at;
      entry.staleAlerted = false;
    } else {
      entry.consecutiveFailures++;
      if (entry.consecutiveFailures === 1) {
        this.deps.logger.warn('pull source query failed; the other queries go on', {
          source: source.name,
          errors: failed.map((q) => `${q.fact}: ${q.error!.message}`),
        });
      }
    }
    await this.alertIfStale(entry);
  }

  /** Each snapshot checked as POST /api/metrics checks one, then ingested; one refused does not stop the rest. */
  private async ingestAll(source: PrometheusSourceConfig, snapshots: Snapshot[]): Promise<PulledSnapshot[]> {
    const out: PulledSnapshot[] = [];
    for (const snapshot of snapshots) {
      const pulled: PulledSnapshot = { ...snapshot, snapshotId: null, error: null };
      try {
        parseSnapshot(this.deps.schemas, snapshot);
        pulled.snapshotId = (await this.deps.sink.ingest(snapshot, { requestedBy: `prometheus:${source.name}` })).snapshotId;
      } catch (err) {
        const problems = err instanceof AppError ? err.errors.map((p) => `${p.pointer} ${p.message}`) : [];
        pulled.error = [(err as Error).message, ...problems].join('; ');
        this.deps.logger.error('pulled snapshot not ingested', { source: source.name, snapshotSource: snapshot.source, error: pulled.error });
      }
      out.push(pulled);
    }
    return out;
  }

  private isStale(entry: Entry, now: Date): boolean {
    const since = entry.lastSuccessAt ?? entry.pullingSince;
    return since !== null && now.getTime() - since.getTime() >= this.deps.config.sources.staleAfterSeconds * 1000;
  }

  /** One alert per stretch without a successful run; a success ends the stretch. */
  private async alertIfStale(entry: Entry): Promise<void> {
    const now = this.deps.clock.now();
    if (entry.staleAlerted || !this.isStale(entry, now)) return;
    entry.staleAlerted = true;
    const { source } = entry;
    const errors = (entry.lastRun?.queries ?? []).filter((q) => q.error !== null).map((q) => ({ fact: q.fact, ...q.error! }));
    const since = entry.lastSuccessAt ? `since ${entry.lastSuccessAt.toISOString()}` : 'since this instance began pulling it';
    try {
      await this.deps.alerts.create({
        rule: `source:${source.name}`,
        severity: 'critical',
        message: `pull source "${source.name}" (${source.url}) has had no successful run ${since}: ${errors.map((e) => `${e.fact}: ${e.message}`).join('; ') || 'no answer'}`,
        metrics: { source: source.name, url: source.url, lastSuccessAt: entry.lastSuccessAt?.toISOString() ?? null, errors },
        actionId: null,
      });
    } catch (err) {
      entry.staleAlerted = false;
      this.deps.logger.error('could not record the stale-source alert', { source: source.name, error: (err as Error).message });
    }
  }
}
