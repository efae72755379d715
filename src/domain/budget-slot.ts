/** The per-target budget a dispatch must fit in: at most `maxActions` claims on `target` per window. */
export interface BudgetClaim {
  target: string;
  windowMs: number;
  maxActions: number;
}

/**
 * The budget-slot rule, the one copy that decide, both stores and replay read: a claim counts while
 * it is younger than the window (made after `now - windowMs`); with `maxActions` of them counted the
 * target is spent until the `maxActions`-th newest leaves the window. Returns that instant (ms), or
 * null when a slot is free at `now`. `claims` are instants in ms, newest first.
 */
export function budgetSpentUntil(claims: readonly number[], now: number, windowMs: number, maxActions: number): number | null {
  const since = now - windowMs;
  let counted = 0;
  for (const at of claims) {
    if (at <= since) continue;
    counted += 1;
    if (counted === maxActions) return at + windowMs;
  }
  return null;
}

/** Whether a claim made at `at` still counts at `now`. */
export function claimCounts(at: number, now: number, windowMs: number): boolean {
  return at > now - windowMs;
}
