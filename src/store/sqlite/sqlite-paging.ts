import type { Page } from '../../domain/action';
import { decodeCursor, toPage } from '../../domain/cursor';
import type { Row, SqliteContext } from './sqlite-context';

/** The conditions of a query, each with its arguments, in order. */
export class SqlConditions {
  readonly where: string[] = [];
  readonly args: unknown[] = [];

  add(condition: string, ...args: unknown[]): this {
    this.where.push(condition);
    this.args.push(...args);
    return this;
  }
}

/**
 * One page of a table newest first by (created_at, id), within `since`/`until` and strictly after
 * the cursor's position, decoded from its `doc` column: the history of actions and of alerts.
 */
export function pageNewestFirst<T extends { id: string; createdAt: Date }>(
  ctx: SqliteContext,
  table: 'actions' | 'alerts',
  conditions: SqlConditions,
  query: { since?: Date; until?: Date; limit: number; cursor?: string },
  decode: (doc: string) => T,
): Page<T> {
  if (query.since) conditions.add('created_at >= ?', query.since.getTime());
  if (query.until) conditions.add('created_at <= ?', query.until.getTime());
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  if (cursor) conditions.add('(created_at < ? OR (created_at = ? AND id < ?))', cursor.at, cursor.at, cursor.id);
  const { where, args } = conditions;
  const sql = `SELECT doc FROM ${table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
               ORDER BY created_at DESC, id DESC LIMIT ?`;
  const rows = ctx.stmt(sql).all(...args, query.limit + 1) as Row[];
  return toPage(rows.map((r) => decode(r.doc as string)), query.limit);
}
