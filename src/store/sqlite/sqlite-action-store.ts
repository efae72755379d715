import type { ActionOutcome, ActionPatch, ActionQuery, ActionRecord, ActionStatus, Page } from '../../domain/action';
import { decodeCursor, toPage } from '../../domain/cursor';
import type { NotificationEvent } from '../../domain/events';
import type { ActionStatRow } from '../../domain/stats';
import type { ActionStore } from '../action-store';
import { actionFromDoc, actionToDoc } from './codec';
import { actionExtraColumns, moveRuleStatesVersion } from './sqlite-action-rows';
import type { Row, SqliteContext } from './sqlite-context';
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
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.status && query.status.length > 0) {
      where.push(`status IN (${query.status.map(() => '?').join(',')})`);
      args.push(...query.status);
    }
    if (query.rule !== undefined) {
      where.push('rule = ?');
      args.push(query.rule);
    }
    if (query.type !== undefined) {
      where.push('type = ?');
      args.push(query.type);
    }
    if (query.outcome !== undefined) {
      where.push('outcome = ?');
      args.push(query.outcome);
    }
    if (query.failbackOf !== undefined) {
      where.push("json_extract(doc, '$.failbackOf') = ?");
      args.push(query.failbackOf);
    }
    if (query.incidentId !== undefined) {
      where.push("json_extract(doc, '$.incidentId') = ?");
      args.push(query.incidentId);
    }
    if (query.since) {
      where.push('created_at >= ?');
      args.push(query.since.getTime());
    }
    if (query.until) {
      where.push('created_at <= ?');
      args.push(query.until.getTime());
    }
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    if (cursor) {
      where.push('(created_at < ? OR (created_at = ? AND id < ?))');
      args.push(cursor.at, cursor.at, cursor.id);
    }
    const sql = `SELECT doc FROM actions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at DESC, id DESC LIMIT ?`;
    const rows = this.ctx.stmt(sql).all(...args, query.limit + 1) as Row[];
    return toPage(rows.map((r) => actionFromDoc(r.doc as string)), query.limit);
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
