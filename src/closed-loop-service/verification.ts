import type { ActionOutcome, ActionRecord, PrometheusCheck, VerifySpec } from '../domain/action';
import type { ActionType, Rule } from '../domain/rule';
import { checkOutcome, countsInWindow, followUpFor, newWatch, verdictOf, watchSnapshot, windowDue } from '../closed-loop/verification-rules';
import { verifySpecOf } from '../domain/verify-spec';
import type { StoredSnapshot } from '../domain/snapshot';
import type { Evaluator } from '../engine/evaluate';
import { buildEvent, type NotificationEvent } from '../domain/events';
import type { RulesService } from '../rules/rules-service';
import type { ActionStore } from '../store/action-store';
import type { SnapshotStore } from '../store/snapshot-store';
import type { PipelineDeps, PipelineDepsOn } from '../execution/pipeline-deps';
import type { RevertService } from './reverts';

/** Snapshots read per window: enough for one a second over a long window, bounded all the same. */
const MAX_SNAPSHOTS_PER_WINDOW = 20_000;
/** Windows decided per sweep tick; the next tick takes the rest. */
const BATCH = 200;

/** The verification in force for a rule: its own `verify`, else the action type's default; null: none. */
export function verifySpecFor(rule: Rule, defaults: PipelineDeps['config']['verify']['defaults']): VerifySpec | null {
  return verifySpecOf(rule, defaults);
}

export interface VerificationDeps extends PipelineDepsOn<ActionStore & SnapshotStore> {
  rules: Pick<RulesService, 'isLoaded' | 'current'>;
  evaluator: Pick<Evaluator, 'evaluateRules'>;
  reverts: Pick<RevertService, 'revert' | 'escalate' | 'refusal'>;
  /** Whether an action type has an inverse (its strategy declares `revert`). */
  revertible: (type: ActionType) => boolean;
  /** Asks Prometheus a rule's `verify.prometheus` check (the pull sources' client); absent: snapshots only. */
  askPrometheus?: (check: PrometheusCheck) => Promise<{ value: number } | { error: string }>;
}

export interface Verdict {
  outcome: Exclude<ActionOutcome, 'pending'>;
  recoveredAt: Date | null;
  latest: StoredSnapshot | null;
  /** Why, in words (kept in the log and the events). */
  note: string;
}

/**
 * Closes the loop on succeeded actions. The executor opens a window (`outcome: pending`,
 * `verifyUntil`) when an action succeeds; once it has ended, the holder of the periodic-work lease
 * evaluates the rule on the snapshots the same source sent during the window: the latest decides
 * (`effective` when the rule no longer matches, `ineffective` when it still does, `unknown` when
 * none came), and the first that no longer matched is `recoveredAt`. Deciding is one conditional
 * write from `pending`, so an outcome is decided once however many instances try.
 */
export class VerificationService {
  constructor(private readonly deps: VerificationDeps) {}

  /** Decides every window that has ended; returns how many this call decided. */
  async decideDue(): Promise<number> {
    if (!this.deps.rules.isLoaded()) return 0;
    let decided = 0;
    const now = this.deps.clock.now();
    // The store lists windows ended at or before now; one ending at this very instant may still get
    // a snapshot stamped with it, so it is decided once its end is past (as in a replay).
    const due = (await this.deps.store.listDueVerifications(now, BATCH)).filter((a) => a.verifyUntil && windowDue(a.verifyUntil, now));
    for (const action of due) {
      try {
        if (await this.decide(action)) decided += 1;
      } catch (err) {
        this.deps.logger.error('could not decide the outcome of an action', { actionId: action.id, error: (err as Error).message });
      }
    }
    return decided;
  }

  async verdict(action: ActionRecord): Promise<Verdict> {
    const rule = this.deps.rules.current().byName.get(action.rule);
    if (!rule) return { outcome: 'unknown', recoveredAt: null, latest: null, note: `rule ${action.rule} no longer exists` };
    const fromSnapshots = await this.snapshotVerdict(action, rule);
    const check = action.verify?.prometheus;
    if (!check || !this.deps.askPrometheus) return fromSnapshots;
    // A verdict input of its own: the number that matters, asked at the window's end, even when no snapshot came.
    const answer = await this.deps.askPrometheus(check);
    if ('error' in answer) return { ...fromSnapshots, note: `the Prometheus check gave no number (${answer.error}); ${fromSnapshots.note}` };
    const outcome = checkOutcome(answer.value, check);
    const note = `Prometheus: ${check.query} = ${answer.value}, ${outcome === 'effective' ? '' : 'not '}${check.operator} ${check.value}`;
    return { outcome, recoveredAt: fromSnapshots.recoveredAt, latest: fromSnapshots.latest, note };
  }

  /** The verdict of the snapshots the action's source sent during the window. */
  private async snapshotVerdict(action: ActionRecord, rule: Rule): Promise<Verdict> {
    const ruleset = this.deps.rules.current();
    const source = action.snapshot?.source;
    if (!source || !action.finishedAt || !action.verifyUntil) {
      return { outcome: 'unknown', recoveredAt: null, latest: null, note: 'the action has no source to watch' };
    }
    const snapshots = await this.deps.store.listSnapshotsFrom(source, action.finishedAt, action.verifyUntil, MAX_SNAPSHOTS_PER_WINDOW);
    if (snapshots.length === 0) {
      return { outcome: 'unknown', recoveredAt: null, latest: null, note: `no snapshot from ${source} arrived during the window` };
    }
    const watch = newWatch();
    for (const snapshot of snapshots) {
      if (!countsInWindow(snapshot.receivedAt, action.finishedAt, action.verifyUntil)) continue;
      const [evaluation] = await this.deps.evaluator.evaluateRules([rule], ruleset, snapshot.metrics);
      watchSnapshot(watch, snapshot.receivedAt, evaluation?.matched ?? false);
    }
    const outcome = verdictOf(watch);
    const latest = snapshots[snapshots.length - 1]!;
    const recoveredAt = watch.recoveredAt;
    if (outcome === 'unknown') return { outcome, recoveredAt, latest: null, note: `no snapshot from ${source} arrived during the window` };
    return outcome === 'ineffective'
      ? { outcome, recoveredAt, latest, note: `rule ${rule.name} still matched snapshot ${latest.id} from ${source}` }
      : { outcome, recoveredAt, latest, note: `rule ${rule.name} no longer matched snapshot ${latest.id} from ${source}` };
  }

  /** Decides one window; false when another caller decided it first. */
  async decide(action: ActionRecord): Promise<boolean> {
    const verdict = await this.verdict(action);
    const now = this.deps.clock.now();
    let event: NotificationEvent | null = null;
    // The verdict's event is committed with the verdict (docs/reliability.md).
    const decided = await this.deps.store.transitionAction(
      action.id,
      ['succeeded'],
      { outcome: verdict.outcome, outcomeAt: now, recoveredAt: verdict.recoveredAt, updatedAt: now },
      { outcome: 'pending' },
      (next) => [
        (event = buildEvent('action.verified', now, {
          action: next,
          data: {
            outcome: verdict.outcome,
            recoveredAt: verdict.recoveredAt?.toISOString() ?? null,
            note: verdict.note,
            snapshotId: verdict.latest?.id ?? null,
          },
        })),
      ],
    );
    if (!decided) return false;
    this.deps.logger.info(`action ${verdict.outcome}`, { actionId: action.id, rule: action.rule, note: verdict.note });
    if (event) this.deps.notifier.notify(event);
    if (verdict.outcome === 'ineffective') await this.onIneffective(decided, verdict);
    return true;
  }

  private async onIneffective(action: ActionRecord, verdict: Verdict): Promise<void> {
    const policy = action.verify?.onIneffective ?? 'none';
    const metrics = verdict.latest?.metrics ?? null;
    const followUp = followUpFor(policy, this.deps.revertible(action.type));
    if (followUp === 'none') return;
    if (followUp === 'escalate') {
      // Asked to revert what has no inverse: the escalation says so.
      const refusal = policy === 'revert' ? this.deps.reverts.refusal(action) : null;
      await this.deps.reverts.escalate(action, refusal ? `${verdict.note}; ${refusal.message}` : verdict.note, metrics);
      return;
    }
    const reverted = await this.deps.reverts.revert(action, `verify:${action.id}`);
    if (!reverted.ok) {
      if (reverted.code === 'already_reverted') return;
      await this.deps.reverts.escalate(action, `${verdict.note}; ${reverted.message}`, metrics);
    } else if (reverted.revert.status !== 'succeeded') {
      await this.deps.reverts.escalate(action, `${verdict.note}; the revert ${reverted.revert.id} failed: ${reverted.revert.error ?? 'unknown error'}`, metrics);
    }
  }
}
