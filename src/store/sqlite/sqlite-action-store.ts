import type { ActionOutcome, ActionPatch, ActionQuery, ActionRecord, ActionStatus, Page } from '../../domain/action';
import type { NotificationEvent } from '../../domain/events';
import type { ActionStatRow } from '../../domain/stats';
import type { ActionStore } from '../action-store';
import { actionFromDoc, actionToDoc } from './codec';
import { actionExtraColumns, moveRuleStatesVersion } from './sqlite-action-rows';
import type { Row, SqliteContext } from './sqlite-context';
import { pageNewestFirst, SqlConditions } from './sqlite-paging';
import { sqliteActionStats } from './sqlite-stats';

/** Actions on SQLite: the JSON document beside the columns queries filter on; each change one transaction. */
export class SqliteActionStore implements ActionStore {
  constructor(private readonly ctx: SqliteContext) {}

  async listDueVerifications(now: Date, limit: number): Promise<ActionRecord[]> {
    const rows = this.ctx.stmt(
      `SELECT doc FROM actions WHERE outcome = 'pending' AND verify_until <= ? ORDER BY verify_until LIMIT ?`,
    ).all(now.getTime(), limit) as Row[];
    return rows.map((r) => actionFromDoc(r.doc as string));
  }

  async actionStats(from: Date, to: Date): Promise<ActionStatRow[]> {
    return sqliteActionStats(this.ctx.conn, from, to);
  }

  async getAction(id: string): Promise<ActionRecord | null> {
    const row = this.ctx.stmt('SELECT doc FROM actions WHERE id = ?').get(id) as Row | undefined;
    return row ? actionFromDoc(row.doc as string) : null;
  }

  async listActions(query: ActionQuery): Promise<Page<ActionRecord>> {
    const conditions = new SqlConditions();
    if (query.status && query.status.length > 0) conditions.add(`status IN (${query.status.map(() => '?').join(',')})`, ...query.status);
    if (query.rule !== undefined) conditions.add('rule = ?', query.rule);
    if (query.type !== undefined) conditions.add('type = ?', query.type);
    if (query.outcome !== undefined) conditions.add('outcome = ?', query.outcome);
    if (query.failbackOf !== undefined) conditions.add("json_extract(doc, '$.failbackOf') = ?", query.failbackOf);
    if (query.incidentId !== undefined) conditions.add("json_extract(doc, '$.incidentId') = ?", query.incidentId);
    return pageNewestFirst(this.ctx, 'actions', conditions, query, actionFromDoc);
  }

  async transitionAction(
    id: string,
    from: ActionStatus[],
    patch: ActionPatch,
    guard?: { outcome: ActionOutcome },
    eventsFor?: (next: ActionRecord) => NotificationEvent[],
  ): Promise<ActionRecord | null> {
    const db = this.ctx.conn;
    let events: NotificationEvent[] = [];
    const run = db.transaction((): ActionRecord | null => {
      const row = this.ctx.stmt('SELECT doc FROM actions WHERE id = ?').get(id) as Row | undefined;
      if (!row) return null;
      const current = actionFromDoc(row.doc as string);
      if (!from.includes(current.status)) return null;
      if (guard && current.outcome !== guard.outcome) return null;
      const next: ActionRecord = { ...current, ...patch };
      this.ctx.stmt(
        `UPDATE actions SET status = ?, outcome = ?, verify_until = ?, revert_of = ?, started_at = ?, finished_at = ?,
           decided_at = ?, recovered_at = ?, doc = ? WHERE id = ?`,
      ).run(next.status, ...actionExtraColumns(next), actionToDoc(next), id);
      if (current.status === 'pending_approval' && next.status !== 'pending_approval') moveRuleStatesVersion(this.ctx);
      events = eventsFor ? eventsFor(next) : [];
      this.ctx.committedEvents.insertWithin(events);
      // A kill here rolls the whole transaction back: neither the change nor its events happened.
      this.ctx.faults.reach('store.transition.in-transaction');
      return next;
    });
    const next = run.immediate();
    if (next) this.ctx.committedEvents.committed(events);
    return next;
  }

  async listOverdueApprovals(now: Date): Promise<ActionRecord[]> {
    const rows = this.ctx.stmt(`SELECT doc FROM actions WHERE status = 'pending_approval' AND expires_at <= ?`)
      .all(now.getTime()) as Row[];
    return rows.map((r) => actionFromDoc(r.doc as string));
  }

  async listActionsByStatus(statuses: ActionStatus[]): Promise<ActionRecord[]> {
    if (statuses.length === 0) return [];
    const rows = this.ctx.stmt(`SELECT doc FROM actions WHERE status IN (${statuses.map(() => '?').join(',')})`)
      .all(...statuses) as Row[];
    return rows.map((r) => actionFromDoc(r.doc as string));
  }
}
