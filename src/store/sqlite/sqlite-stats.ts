import type Database from 'better-sqlite3';
import type { ActionType } from '../../domain/rule';
import { type ActionStatRow, emptyCounts } from '../../domain/stats';

type Row = Record<string, number | string | null>;

/**
 * Statistics over the `actions` columns: one GROUP BY for the counts (a range scan of the
 * created_at index) and one pass over the rows that carry a duration, for the medians.
 */
export function sqliteActionStats(db: Database.Database, from: Date, to: Date): ActionStatRow[] {
  const range = [from.getTime(), to.getTime()];
  const counts = db
    .prepare(
      `SELECT rule, type,
         SUM(revert_of IS NULL) AS dispatched,
         SUM(revert_of IS NULL AND started_at IS NOT NULL) AS executed,
         SUM(revert_of IS NULL AND status = 'succeeded') AS succeeded,
         SUM(revert_of IS NULL AND status = 'failed') AS failed,
         SUM(revert_of IS NULL AND status = 'rejected') AS rejected,
         SUM(revert_of IS NULL AND status = 'expired') AS expired,
         SUM(revert_of IS NULL AND outcome = 'effective') AS effective,
         SUM(revert_of IS NULL AND outcome = 'ineffective') AS ineffective,
         SUM(revert_of IS NULL AND outcome = 'unknown') AS unknown,
         SUM(revert_of IS NOT NULL AND status = 'succeeded') AS reverted
       FROM actions WHERE created_at >= ? AND created_at <= ? AND status != 'shadowed' GROUP BY rule, type`,
    )
    .all(...range) as Row[];
  const rows = new Map<string, ActionStatRow>();
  for (const r of counts) {
    const row: ActionStatRow = {
      rule: r.rule as string,
      type: r.type as ActionType,
      counts: emptyCounts(),
      recoverySeconds: [],
      approvalWaitSeconds: [],
    };
    for (const key of Object.keys(row.counts) as Array<keyof ActionStatRow['counts']>) row.counts[key] = Number(r[key] ?? 0);
    rows.set(`${row.rule}\u0000${row.type}`, row);
  }
  const durations = db
    .prepare(
      `SELECT rule, type, recovered_at - finished_at AS recovery,
         CASE WHEN decided_at IS NOT NULL AND status != 'expired' THEN decided_at - created_at END AS wait
       FROM actions
       WHERE created_at >= ? AND created_at <= ? AND revert_of IS NULL AND status != 'shadowed'
         AND (recovered_at IS NOT NULL OR decided_at IS NOT NULL)`,
    )
    .all(...range) as Row[];
  for (const d of durations) {
    const row = rows.get(`${d.rule}\u0000${d.type}`);
    if (!row) continue;
    if (typeof d.recovery === 'number') row.recoverySeconds.push(Math.max(0, d.recovery) / 1000);
    if (typeof d.wait === 'number') row.approvalWaitSeconds.push(Math.max(0, d.wait) / 1000);
  }
  return [...rows.values()];
}
