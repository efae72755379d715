import type { ActionRecord } from '../domain/action';
import { type ActionStatRow, emptyCounts } from '../domain/stats';

/**
 * Folds action records into per-(rule, type) statistics rows, for a store that reads the rows of
 * the window (by its createdAt index) rather than grouping in the database — the MongoDB adapter,
 * since FerretDB 1.24 lacks the aggregation expressions a $group with conditions needs.
 */
export function foldActionStats(actions: Iterable<Pick<ActionRecord, 'rule' | 'type' | 'status' | 'outcome' | 'revertOf' | 'createdAt' | 'startedAt' | 'finishedAt' | 'decidedAt' | 'recoveredAt'>>): ActionStatRow[] {
  const rows = new Map<string, ActionStatRow>();
  for (const a of actions) {
    // What a shadow rule would have done is not something the engine did.
    if (a.status === 'shadowed') continue;
    const key = `${a.rule}\u0000${a.type}`;
    let row = rows.get(key);
    if (!row) {
      row = { rule: a.rule, type: a.type, counts: emptyCounts(), recoverySeconds: [], approvalWaitSeconds: [] };
      rows.set(key, row);
    }
    if (a.revertOf) {
      if (a.status === 'succeeded') row.counts.reverted += 1;
      continue;
    }
    row.counts.dispatched += 1;
    if (a.startedAt) row.counts.executed += 1;
    if (a.status === 'succeeded' || a.status === 'failed' || a.status === 'rejected' || a.status === 'expired') {
      row.counts[a.status] += 1;
    }
    if (a.outcome === 'effective' || a.outcome === 'ineffective' || a.outcome === 'unknown') row.counts[a.outcome] += 1;
    if (a.recoveredAt && a.finishedAt) row.recoverySeconds.push(Math.max(0, a.recoveredAt.getTime() - a.finishedAt.getTime()) / 1000);
    if (a.decidedAt && a.status !== 'expired') row.approvalWaitSeconds.push(Math.max(0, a.decidedAt.getTime() - a.createdAt.getTime()) / 1000);
  }
  return [...rows.values()];
}
