import type { IncidentDecision } from '../domain/incident';

/** How often, at most, an instance moves an incident's `lastDecisionAt` forward while decisions repeat. */
export const NOTE_EVERY_MS = 5_000;

/** How many incidents an instance remembers; the least recently decided on is forgotten first. */
const MAX_INCIDENTS = 1_000;

/**
 * What tells a decision apart from the one recorded before it for the same rule: its kind, reason,
 * action, inhibiting action and target. The reason names what else changes what a person should
 * know — the cooldown's or budget's end, the silence (its id and end), the inhibitor's window — so
 * a new silence, a budget window moving on or a new action is recorded. `until` is left out, being
 * in the reason whenever it means something, and so is the action's status, which its action
 * record keeps.
 */
function signatureOf(d: IncidentDecision): string {
  // Joined by a character no name, id or reason holds: cheaper than JSON for every decision of a storm.
  return `${d.decision}\u0000${d.reason}\u0000${d.actionId ?? ''}\u0000${d.inhibitedBy?.rule ?? ''}\u0000${d.inhibitedBy?.actionId ?? ''}\u0000${d.target ?? ''}`;
}

interface Remembered {
  /** Per rule, the signature of the decision last recorded. */
  rules: Map<string, string>;
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

  /** The decisions not recorded yet as they are (first of their rule, or changed). */
  changed(decisions: IncidentDecision[]): IncidentDecision[] {
    return decisions.filter((d) => this.incidents.get(d.incidentId)?.rules.get(d.rule) !== signatureOf(d));
  }

  /** After they were written. */
  recorded(decisions: IncidentDecision[]): void {
    for (const d of decisions) this.touch(d.incidentId).rules.set(d.rule, signatureOf(d));
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
