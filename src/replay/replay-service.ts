import type { Clock } from '../clock';
import type { Rule, Ruleset } from '../domain/rule';
import type { Snapshot, StoredSnapshot } from '../domain/snapshot';
import type { Evaluator } from '../engine/evaluate';
import { copyDecisionDetails, type DecisionDetails } from '../domain/decision';
import type { RuleDecisionKind } from '../engine/rule-decisions';
import { TooManyRequestsError, ValidationError } from '../errors';
import { candidateRuleset } from '../rules/candidate-ruleset';
import type { SchemaRegistry } from '../schemas/registry';
import type { Store } from '../store/store';
import { decodeReplayCursor, encodeReplayCursor, requestDigest } from './replay-cursor';
import { DecisionTally, diffTallies, type DiffRow, type SummaryRow } from './replay-summary';
import { VirtualPipeline } from './virtual-pipeline';
import type { ApprovalPolicy, ReplayOutcome, VirtualOutcome } from '../closed-loop/memory-port';
import type { ClosedLoopFacts } from '../closed-loop/settings';

export const DEFAULT_TIMELINE_LIMIT = 1000;

/** Which instant a stored snapshot is played at: when it was received, or its own `timestamp`. */
export const REPLAY_CLOCKS = ['received', 'timestamp'] as const;
export type ReplayClock = (typeof REPLAY_CLOCKS)[number];
export const MAX_TIMELINE_LIMIT = 10_000;
/** Stored snapshots read per store query. */
const SCAN_PAGE = 2000;
/** Snapshots replayed between two turns of the event loop, so ingest keeps being served meanwhile. */
const YIELD_EVERY = 250;

export interface ReplayRequest {
  rules?: unknown;
  from?: string;
  to?: string;
  sources?: string[];
  snapshots?: Snapshot[];
  approvals?: ApprovalPolicy;
  /** Stored history plays on when it was received (default) or on the snapshots' own `timestamp`. */
  clock?: ReplayClock;
  compareTo?: 'current';
  limit?: number;
  cursor?: string;
}

/**
 * A decision's members as ingest says them, but no `status` (its actions are virtual: the virtual
 * pipeline drops it) and no `incidentId` (a replay groups no incidents, so no per-incident budget).
 */
export interface TimelineEntry extends Omit<DecisionDetails, 'status' | 'incidentId'> {
  at: string;
  source: string;
  rule: string;
  /** A decision on a snapshot, or `verified`: a verification window ended and its outcome was decided. */
  decision: RuleDecisionKind | 'verified';
  /** The virtual action a dispatch recorded (`replay-<n>`), or the one a `verified` entry is about. */
  actionId?: string;
  /** For `verified`. */
  outcome?: ReplayOutcome;
  recoveredAt?: string;
  /** For an `ineffective` outcome: what the service would have done (a replay does none of it). */
  followUp?: 'revert' | 'escalate' | 'none';
  /** The stored snapshot's id (replays of stored history only). */
  snapshotId?: string;
}

export interface ReplayResult {
  rulesVersion: string;
  /** The version of the rules in force it was compared with (with `compareTo`). */
  currentVersion?: string;
  approvals: ApprovalPolicy;
  /** The clock it played on: `timestamp` for given snapshots. */
  clock: ReplayClock;
  from: string | null;
  /** Null for given snapshots without `to`. */
  to: string | null;
  snapshots: number;
  timeline: TimelineEntry[];
  /** Entries of the timeline past this page: send it back as `cursor` with the same request. */
  nextCursor: string | null;
  summary: SummaryRow[];
  diff?: DiffRow[];
}

export interface ReplayDeps {
  store: Pick<Store, 'scanSnapshots' | 'silences'>;
  /** The rules in force. */
  currentRules: () => Ruleset;
  evaluator: Evaluator;
  schemas: SchemaRegistry;
  clock: Clock;
  requiresApproval: (rule: Rule) => boolean;
  approvalTimeoutMinutes: number;
  /** The service's budgets, verification defaults and strategies' targets and inverses. */
  closedLoop: ClosedLoopFacts;
}

interface ReplayItem {
  at: Date;
  source: string;
  metrics: Record<string, unknown>;
  snapshotId?: string;
}

/**
 * Replays snapshots (stored ones, or those given) in time order through the same evaluate and
 * decide as ingest, on a virtual clock that starts with no cooldowns, no open approvals, no budget
 * used, no verification window open and automation not paused. It reads the store and nothing
 * else: no action, cooldown, budget, state, file or notification changes.
 */
export class ReplayService {
  private running = false;

  constructor(private readonly deps: ReplayDeps) {}

  async replay(request: ReplayRequest): Promise<ReplayResult> {
    // One at a time per instance: a replay is CPU work that shares the process with ingest.
    if (this.running) throw new TooManyRequestsError('a replay is already running on this instance; retry when it is done', 5);
    this.running = true;
    try {
      return await this.run(request);
    } finally {
      this.running = false;
    }
  }

  private async run(request: ReplayRequest): Promise<ReplayResult> {
    const { cursor: cursorText, ...query } = request;
    const digest = requestDigest(query);
    const cursor = cursorText === undefined ? null : decodeReplayCursor(cursorText);
    if (cursorText !== undefined && (!cursor || cursor.request !== digest)) {
      throw new ValidationError('the cursor is not one this replay request returned', [{ pointer: '/cursor', message: 'unknown or from another request' }]);
    }
    if (request.snapshots && request.clock === 'received') {
      throw new ValidationError('given snapshots play on their `timestamp`: they have no received time', [
        { pointer: '/clock', message: 'must be "timestamp" (or absent) with `snapshots`' },
      ]);
    }
    const clock: ReplayClock = request.snapshots ? 'timestamp' : (request.clock ?? 'received');
    const from = request.from ? new Date(request.from) : null;
    // Stored history ends now unless told otherwise (and the cursor keeps that end for later pages).
    const toText = cursor?.to ?? request.to ?? (request.snapshots ? null : this.deps.clock.now().toISOString());
    const to = toText === null ? null : new Date(toText);
    if (from && to && from.getTime() > to.getTime()) {
      throw new ValidationError('`from` is after `to`', [{ pointer: '/from', message: 'must not be after `to`' }]);
    }
    const current = this.deps.currentRules();
    const candidate = request.rules === undefined ? current : this.candidate(request.rules);
    const approvals = request.approvals ?? 'pending';
    // The stored silences, expired ones too: each holds at the instants it was in force then.
    const silences = await this.deps.store.silences.silencesOverlapping(from ?? new Date(-8.64e15), to ?? new Date(8.64e15));
    const pipeline = (ruleset: Ruleset) =>
      new VirtualPipeline({
        ruleset,
        evaluator: this.deps.evaluator,
        requiresApproval: this.deps.requiresApproval,
        approvals,
        approvalTimeoutMinutes: this.deps.approvalTimeoutMinutes,
        closedLoop: this.deps.closedLoop,
        silences,
      });
    const runs = [{ ruleset: candidate, pipeline: pipeline(candidate), tally: new DecisionTally() }];
    if (request.compareTo === 'current') runs.push({ ruleset: current, pipeline: pipeline(current), tally: new DecisionTally() });

    const offset = cursor?.offset ?? 0;
    const limit = request.limit ?? DEFAULT_TIMELINE_LIMIT;
    const timeline: TimelineEntry[] = [];
    let entries = 0;
    let count = 0;
    const emit = (entry: TimelineEntry) => {
      if (entries >= offset && entries < offset + limit) timeline.push(entry);
      entries += 1;
    };
    const tallyOutcomes = (tally: DecisionTally, outcomes: VirtualOutcome[], main: boolean) => {
      for (const o of outcomes) {
        tally.add(o.rule, o.outcome);
        if (o.followUp === 'revert') tally.add(o.rule, 'reverted');
        if (o.followUp === 'escalate') tally.add(o.rule, 'escalated');
        if (main) emit(outcomeEntry(o));
      }
    };
    for await (const item of this.items(request, clock, from, to)) {
      count += 1;
      if (count % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      for (const [i, run] of runs.entries()) {
        const step = await run.pipeline.step(item.metrics, item.at, item.source);
        tallyOutcomes(run.tally, step.outcomes, i === 0);
        for (const d of step.decisions) {
          run.tally.add(d.rule, d.decision);
          if (i !== 0) continue;
          // The same members in the same order as an ingest reply's entry; a virtual decision never
          // carries `status` or `incidentId` (see TimelineEntry), so the timeline has no place for them.
          const entry = copyDecisionDetails<TimelineEntry>({ at: item.at.toISOString(), source: item.source, rule: d.rule, decision: d.decision }, d);
          if (item.snapshotId) entry.snapshotId = item.snapshotId;
          emit(entry);
        }
      }
    }
    // Windows that ended by the replay's end are decided; those still open are counted as `verifying`.
    for (const [i, run] of runs.entries()) {
      const end = to?.getTime() ?? run.pipeline.reached;
      if (end === null) continue;
      const { outcomes, stillOpen } = run.pipeline.finish(end);
      tallyOutcomes(run.tally, outcomes, i === 0);
      for (const rule of stillOpen) run.tally.add(rule, 'verifying');
    }
    const [main, compared] = runs;
    const result: ReplayResult = {
      rulesVersion: candidate.version,
      approvals,
      clock,
      from: from?.toISOString() ?? null,
      to: to?.toISOString() ?? null,
      snapshots: count,
      timeline,
      nextCursor: entries > offset + limit ? encodeReplayCursor({ offset: offset + limit, to: to?.toISOString() ?? null, request: digest }) : null,
      summary: main!.tally.summary(candidate),
    };
    if (compared) {
      result.currentVersion = current.version;
      result.diff = diffTallies(compared.tally, current, main!.tally, candidate);
    }
    return result;
  }

  private candidate(doc: unknown): Ruleset {
    const outcome = candidateRuleset(this.deps.schemas, doc, this.deps.clock.now());
    if (!outcome.ok) {
      throw new ValidationError(
        'the candidate rules are invalid',
        outcome.problems.map((p) => ({ ...p, pointer: `/rules${p.pointer}` })),
      );
    }
    return outcome.ruleset;
  }

  /**
   * The snapshots to replay, oldest first on the replay's clock: given ones by their timestamp;
   * stored ones by when they were received, or by their own timestamp (backfilled history keeps its
   * spacing instead of being squeezed into the moment it was loaded).
   */
  private async *items(request: ReplayRequest, clock: ReplayClock, from: Date | null, to: Date | null): AsyncGenerator<ReplayItem> {
    const sources = request.sources && request.sources.length > 0 ? new Set(request.sources) : null;
    const inRange = (s: { at: Date; source: string }) => (!from || s.at >= from) && (!to || s.at <= to) && (!sources || sources.has(s.source));
    if (request.snapshots) {
      const given = request.snapshots
        .map((s) => ({ at: new Date(s.timestamp), source: s.source, metrics: s.metrics }))
        .filter(inRange)
        .sort((a, b) => a.at.getTime() - b.at.getTime());
      yield* given;
      return;
    }
    if (clock === 'timestamp') {
      // Received times say nothing of where a snapshot's timestamp falls: every stored one is read
      // (the retention bounds how many), then sorted; ties keep the order they were received in.
      const all: ReplayItem[] = [];
      for await (const s of this.scan(null, null, sources)) {
        const item = { at: new Date(s.timestamp), source: s.source, metrics: s.metrics, snapshotId: s.id };
        if (inRange(item)) all.push(item);
      }
      yield* all.sort((a, b) => a.at.getTime() - b.at.getTime());
      return;
    }
    for await (const s of this.scan(from, to, sources)) yield { at: s.receivedAt, source: s.source, metrics: s.metrics, snapshotId: s.id };
  }

  /** Stored snapshots received in [from, to], oldest first by (receivedAt, id), a page at a time. */
  private async *scan(from: Date | null, to: Date | null, sources: Set<string> | null): AsyncGenerator<StoredSnapshot> {
    let after: { at: number; id: string } | undefined;
    for (;;) {
      const page: StoredSnapshot[] = await this.deps.store.scanSnapshots({
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        ...(sources ? { sources: [...sources] } : {}),
        ...(after ? { after } : {}),
        limit: SCAN_PAGE,
      });
      yield* page;
      if (page.length < SCAN_PAGE) return;
      const last = page[page.length - 1]!;
      after = { at: last.receivedAt.getTime(), id: last.id };
    }
  }
}

function outcomeEntry(o: VirtualOutcome): TimelineEntry {
  const entry: TimelineEntry = { at: o.at.toISOString(), source: o.source, rule: o.rule, decision: 'verified', actionId: o.actionId, outcome: o.outcome };
  if (o.recoveredAt) entry.recoveredAt = o.recoveredAt.toISOString();
  if (o.followUp) entry.followUp = o.followUp;
  return entry;
}
