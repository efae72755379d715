import type { IncidentDecision } from '../domain/incident';

/** How often, at most, an instance moves an incident's `lastDecisionAt` forward while decisions repeat. */
export const NOTE_EVERY_MS = 5_000;

/** How many incidents an instance remembers; the least recently decided on is forgotten first. */
const MAX_INCIDENTS = 1_000;

/** What the decision said, as compared with the next one about its rule. */
type Said = Pick<IncidentDecision, 'decision' | 'reason' | 'actionId' | 'inhibitedBy' | 'target'>;

/**
 * Whether a decision says what the one recorded before it for the same rule said: its kind, reason,
 * action, inhibiting action and target. The reason names what else changes what a person should
 * know — the cooldown's or budget's end, the silence (its id and end), the inhibitor's window — so
 * a new silence, a budget window moving on or a new action is recorded. `until` is left out, being
 * in the reason whenever it means something, and so is the action's status, which its action
 * record keeps. Compared field by field: a storm asks this of every decision on every snapshot.
 */
function same(a: Said, b: Said): boolean {
  return (
    a.decision === b.decision &&
    a.reason === b.reason &&
    // An entry leaves out an empty action id or target that the pipeline's decision may carry.
    (a.actionId || undefined) === (b.actionId || undefined) &&
    (a.target || undefined) === (b.target || undefined) &&
    a.inhibitedBy?.rule === b.inhibitedBy?.rule &&
    a.inhibitedBy?.actionId === b.inhibitedBy?.actionId
  );
}

interface Remembered {
  /** Per rule, the decision last recorded. */
  rules: Map<string, Said>;
  /** When this instance last moved the incident's `lastDecisionAt` (ms), or -Infinity. */
  notedAt: number;
}

/**
 * This instance's memory of what it recorded per open incident, so that a decision repeated
 * unchanged — a storm's held-back and cooldown decisions on every snapshot — costs no write, and
 * the incident's activity is noted at most every NOTE_EVERY_MS. Bounded, and forgotten when the
 * incident is resolved. Another instance does not share it: it records a repeat once, the first
 * time it sees it, which only adds one row saying the same.
 */
export class RecordedDecisions {
  private readonly incidents = new Map<string, Remembered>();
  /** Per group key, the open incident this instance last found (or opened) for it. */
  private readonly byGroup = new Map<string, string>();

  /** The group's incident was found open (or opened) by a read of the store. */
  found(groupKey: string, incidentId: string): void {
    if (!this.byGroup.has(groupKey) && this.byGroup.size >= MAX_INCIDENTS) this.byGroup.delete(this.byGroup.keys().next().value!);
    this.byGroup.set(groupKey, incidentId);
  }

  /**
   * The incident last found open for the group, while this instance noted its activity less than
   * NOTE_EVERY_MS before `at` (the note follows a read that found it open): a storm's repeated
   * decisions need not look it up again. Another instance may have resolved it since; the next note,
   * at most NOTE_EVERY_MS later, reads the store again and finds the group's new incident.
   */
  recentIncidentOf(groupKey: string, at: number): string | undefined {
    const id = this.byGroup.get(groupKey);
    const notedAt = id === undefined ? undefined : this.incidents.get(id)?.notedAt;
    return notedAt !== undefined && at >= notedAt && at - notedAt < NOTE_EVERY_MS ? id : undefined;
  }

  /** Whether this decision about `rule` says what the last one recorded in the incident said. */
  repeats(incidentId: string, rule: string, decision: Said): boolean {
    const last = this.incidents.get(incidentId)?.rules.get(rule);
    return last !== undefined && same(last, decision);
  }

  /** After they were written. */
  recorded(decisions: IncidentDecision[]): void {
    for (const d of decisions) this.touch(d.incidentId).rules.set(d.rule, d);
  }

  /** Whether the incident's `lastDecisionAt` is due to move to `at` (it lags at most NOTE_EVERY_MS). */
  dueToNote(incidentId: string, at: number): boolean {
    return at - this.touch(incidentId).notedAt >= NOTE_EVERY_MS;
  }

  noted(incidentId: string, at: number): void {
    const remembered = this.touch(incidentId);
    remembered.notedAt = Math.max(remembered.notedAt, at);
  }

  forget(incidentId: string): void {
    this.incidents.delete(incidentId);
    for (const [group, id] of this.byGroup) if (id === incidentId) this.byGroup.delete(group);
  }

  private touch(incidentId: string): Remembered {
    let remembered = this.incidents.get(incidentId);
    if (remembered) {
      this.incidents.delete(incidentId); // re-inserted last: the map's order is least recently used first
    } else {
      remembered = { rules: new Map(), notedAt: -Infinity };
      if (this.incidents.size >= MAX_INCIDENTS) this.incidents.delete(this.incidents.keys().next().value!);
    }
    this.incidents.set(incidentId, remembered);
    return remembered;
  }
}
