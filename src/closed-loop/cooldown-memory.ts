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
interface Cell {
  known: KnownCooldown | undefined;
}

/** A shadow rule's cell in a decision order: never filled. */
const NEVER: Readonly<Cell> = Object.freeze({ known: undefined });

/**
 * The known cooldowns of a decision order's rules, by position: a match in one is in it when its
 * end is ahead of now (`ends[position] > now`), and is then applied as `applied[position]`.
 */
export interface OrderCooldowns {
  /** Per position, the known end in ms (-Infinity when none is known). */
  readonly ends: Float64Array;
  /** Per position, the known cooldown's applied decision. */
  readonly applied: readonly (KnownCooldown['applied'] | undefined)[];
}

interface Order extends OrderCooldowns {
  readonly cells: readonly Readonly<Cell>[];
  /** The memory's `changes` these ends were copied at. */
  copiedAt: number;
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
  /** Per decision order (an EnabledEvaluation's `order`), its rules' cells and their ends in that order. */
  private readonly orders = new WeakMap<readonly Rule[], Order>();
  /** Moved by every change of a known end: an order's copy of the ends is fresh while it holds the same. */
  private changes = 0;

  /** The rule's known cooldown when its end is ahead of `now` (ms). */
  at(rule: string, now: number): KnownCooldown | undefined {
    const known = this.cells.get(rule)?.known;
    return known !== undefined && known.end > now ? known : undefined;
  }

  /**
   * The known cooldowns of a decision order's rules (EnabledEvaluation.order) by position: a storm
   * looks up hundreds of matches a snapshot, as one pass over an array of ends rather than by name
   * or through an object each. The cells are made once per order; the ends are copied from them
   * again only after a known end changed. A shadow rule's end is never known (its match is decided
   * anew, see ClosedLoop).
   */
  ofOrder(order: readonly Rule[]): OrderCooldowns {
    let o = this.orders.get(order);
    if (o === undefined) {
      const cells = order.map((rule) => (rule.mode === 'shadow' ? NEVER : this.cellOf(rule.name)));
      o = { cells, ends: new Float64Array(order.length), applied: new Array<KnownCooldown['applied'] | undefined>(order.length), copiedAt: -1 };
      this.orders.set(order, o);
    }
    if (o.copiedAt !== this.changes) {
      const { cells, ends } = o;
      const applied = o.applied as (KnownCooldown['applied'] | undefined)[];
      for (let i = 0; i < cells.length; i++) {
        const known = cells[i]!.known;
        ends[i] = known === undefined ? Number.NEGATIVE_INFINITY : known.end;
        applied[i] = known?.applied;
      }
      o.copiedAt = this.changes;
    }
    return o;
  }

  /** A cooldown end seen in the store (read, dispatched, or a race lost); one already past `now` is not kept. */
  remember(rule: string, until: Date, now: number): void {
    const end = until.getTime();
    const cell = this.cellOf(rule);
    if (end <= now || cell.known?.end === end) return;
    const decision = cooldownDecision(rule, until);
    this.changes++;
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
