import type { Rule, Ruleset } from '../domain/rule';
import { Evaluator } from '../engine/evaluate';
import type { ApprovalPolicy } from '../closed-loop/memory-port';
import { VirtualPipeline } from '../replay/virtual-pipeline';
import type { Expectation, OutcomeExpectation } from '../schemas/rules-cases-schemas';
import type { ClosedLoopFacts } from '../closed-loop/settings';
import { parseDuration } from './durations';

export interface CaseStep {
  after?: string;
  snapshot: { source?: string; timestamp?: string; metrics: Record<string, unknown> };
  expect: Record<string, Expectation>;
  /** Per rule, the outcome of a verification window that ended since the previous step (`none`: no window ended). */
  expectOutcome?: Record<string, OutcomeExpectation>;
}

export interface RulesCase {
  name: string;
  start?: string;
  approvals?: ApprovalPolicy;
  steps: CaseStep[];
}

export interface StepFailure {
  rule: string;
  expected: string;
  actual: string;
  reason?: string;
}

export interface StepReport {
  step: number;
  at: string;
  ok: boolean;
  failures: StepFailure[];
}

export interface CaseReport {
  file: string;
  name: string;
  ok: boolean;
  steps: StepReport[];
}

export const DEFAULT_START = '2026-01-01T00:00:00Z';

export interface RunCasesOptions {
  ruleset: Ruleset;
  requiresApproval: (rule: Rule) => boolean;
  approvalTimeoutMinutes: number;
  closedLoop: ClosedLoopFacts;
}

/** The source of a step's snapshot when it names none: windows watch one source, so a case has one by default. */
export const DEFAULT_SOURCE = 'cases';

/**
 * Runs cases the way ingest would have decided them: each case on its own virtual clock, from no
 * cooldowns, no open approvals, no budget used and no verification window open, never paused,
 * through the same evaluate and decide as the service (via the replay pipeline). A step passes
 * when every rule it names got the expected decision, and every outcome it names was decided.
 */
export async function runCases(file: string, cases: RulesCase[], options: RunCasesOptions): Promise<CaseReport[]> {
  const evaluator = new Evaluator();
  const reports: CaseReport[] = [];
  for (const c of cases) {
    const pipeline = new VirtualPipeline({
      ruleset: options.ruleset,
      evaluator,
      requiresApproval: options.requiresApproval,
      approvals: c.approvals ?? 'pending',
      approvalTimeoutMinutes: options.approvalTimeoutMinutes,
      closedLoop: options.closedLoop,
    });
    let now = new Date(c.start ?? DEFAULT_START).getTime();
    const steps: StepReport[] = [];
    for (const [i, step] of c.steps.entries()) {
      if (step.after) now += parseDuration(step.after) ?? 0;
      const played = await pipeline.step(step.snapshot.metrics, new Date(now), step.snapshot.source ?? DEFAULT_SOURCE);
      const decisions = new Map(played.decisions.map((d) => [d.rule, d]));
      const failures: StepFailure[] = [];
      for (const [rule, expected] of Object.entries(step.expectOutcome ?? {})) {
        const decided = played.outcomes.filter((o) => o.rule === rule);
        const actual = decided.length === 0 ? 'none' : decided.map((o) => (o.followUp && o.followUp !== 'none' ? `${o.outcome}:${o.followUp}` : o.outcome)).join(', ');
        const matches = expected === 'none' ? decided.length === 0 : decided.some((o) => o.outcome === expected || `${o.outcome}:${o.followUp}` === expected);
        if (!matches) failures.push({ rule, expected: `outcome ${expected}`, actual: `outcome ${actual}` });
      }
      for (const [rule, expected] of Object.entries(step.expect)) {
        if (!options.ruleset.byName.has(rule)) {
          failures.push({ rule, expected, actual: 'no such rule in the rules file' });
          continue;
        }
        const d = decisions.get(rule);
        const actual = !d ? 'no_match' : d.decision === 'shadow' && expected.startsWith('shadow:') ? `shadow:${d.wouldDecide}` : d.decision;
        if (actual !== expected) failures.push({ rule, expected, actual, ...(d ? { reason: d.reason } : {}) });
      }
      steps.push({ step: i + 1, at: new Date(now).toISOString(), ok: failures.length === 0, failures });
    }
    reports.push({ file, name: c.name, ok: steps.every((s) => s.ok), steps });
  }
  return reports;
}
