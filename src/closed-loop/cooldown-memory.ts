import type { Rule } from '../domain/rule';
import type { RuleState } from '../domain/rule-state';
import { cooldownDecision } from '../engine/decide';
import type { RuleDecision } from '../engine/rule-decisions';

/**
 * A rule's cooldown end known without a read, with everything a match in it comes to, made once
 * per end: during a storm every matching snapshot decides hundreds of rules `cooldown` until the
 * same instants, and each of those matches then costs one lookup.
 */
export interface KnownCooldown {
  /** The end, in ms. */
  readonly end: number;
  /** decide's view of the rule meanwhile: in cooldown until the end (an open approval changes nothing then). */
  readonly state: RuleState & { cooldownUntil: Date };
  /** The decision: `cooldown` until the end (engine/decide's shared one). */
  readonly decision: RuleDecision;
  /** That decision as applied: nothing written, nothing run. */
  readonly applied: { readonly decision: RuleDecision };
}

/** One rule's place in the memory: its known cooldown, if any. */
export interface CooldownCell {
  readonly known: KnownCooldown | undefined;
}

interface Cell {
  known: KnownCooldown | undefined;
}

/** A shadow rule's cell in a decision order: never filled. */
const NEVER: CooldownCell = Object.freeze({ known: undefined });

/** The cell's known cooldown when its end is ahead of `now` (ms). */
export function knownIn(cell: CooldownCell, now: number): KnownCooldown | undefined {
  const known = cell.known;
  return known !== undefined && known.end > now ? known : undefined;
}

/**
 * Cooldown ends a closed-loop port knows exactly. Exact because a cooldown only ever moves through
 * a dispatch, and a dispatch is refused until the current cooldown has run out: while `now` is
 * before a known end, every instance's store holds that very end (and a replay's memory does).
 * Only settled ends are remembered: not one a dispatch under way may still give back (a MongoDB
 * window the store reports tentative, see RuleStateReader).
 */
export class CooldownMemory {
  private readonly cells = new Map<string, Cell>();
  /** Per decision order (Evaluator.decisionOrder), its rules' cells in that order. */
  private readonly orders = new WeakMap<readonly Rule[], readonly CooldownCell[]>();

  /** The rule's known cooldown when its end is ahead of `now` (ms). */
  at(rule: string, now: number): KnownCooldown | undefined {
    const cell = this.cells.get(rule);
    return cell === undefined ? undefined : knownIn(cell, now);
  }

  /**
   * The rules of a decision order (Evaluator.decisionOrder) as cells in that order, made once per
   * order: a storm looks up hundreds of matches a snapshot, by position (knownIn) rather than by
   * name. A shadow rule's cell is never filled (its match is decided anew, see ClosedLoop).
   */
  cellsOf(order: readonly Rule[]): readonly CooldownCell[] {
    let cells = this.orders.get(order);
    if (cells === undefined) {
      cells = order.map((rule) => (rule.mode === 'shadow' ? NEVER : this.cellOf(rule.name)));
      this.orders.set(order, cells);
    }
    return cells;
  }

  /** A cooldown end seen in the store (read, dispatched, or a race lost); one already past `now` is not kept. */
  remember(rule: string, until: Date, now: number): void {
    const end = until.getTime();
    const cell = this.cellOf(rule);
    if (end <= now || cell.known?.end === end) return;
    const decision = cooldownDecision(rule, until);
    cell.known = Object.freeze({ end, state: Object.freeze({ cooldownUntil: until, openApprovalId: null }), decision, applied: Object.freeze({ decision }) });
  }

  private cellOf(rule: string): Cell {
    let cell = this.cells.get(rule);
    if (cell === undefined) {
      cell = { known: undefined };
      this.cells.set(rule, cell);
    }
    return cell;
  }
}
