import type { Page } from '../../domain/action';
import type { NotificationEvent } from '../../domain/events';
import type { Alert, AlertQuery } from '../../domain/state';
import type { AlertStore } from '../alert-store';
import { alertFromDoc, alertToDoc } from './codec';
import type { Row, SqliteContext } from './sqlite-context';
import { pageNewestFirst, SqlConditions } from './sqlite-paging';

/** Alerts on SQLite: a row with the columns queries filter on beside the JSON document. */
export class SqliteAlertStore implements AlertStore {
  constructor(private readonly ctx: SqliteContext) {}

  async insertAlert(alert: Alert, events: NotificationEvent[] = []): Promise<void> {
    this.ctx.conn
      .transaction(() => {
        this.ctx
          .stmt(`INSERT INTO alerts (id, rule, severity, created_at, acknowledged_at, doc) VALUES (?, ?, ?, ?, ?, ?)`)
          .run(
            alert.id,
            alert.rule,
            alert.severity,
            alert.createdAt.getTime(),
            alert.acknowledgedAt ? alert.acknowledgedAt.getTime() : null,
            alertToDoc(alert),
          );
        this.ctx.committedEvents.insertWithin(events);
      })
      .immediate();
    this.ctx.committedEvents.committed(events);
  }

  async getAlert(id: string): Promise<Alert | null> {
    const row = this.ctx.stmt('SELECT doc FROM alerts WHERE id = ?').get(id) as Row | undefined;
    return row ? alertFromDoc(row.doc as string) : null;
  }

  async listAlerts(query: AlertQuery): Promise<Page<Alert>> {
    const conditions = new SqlConditions();
    if (query.rule !== undefined) conditions.add('rule = ?', query.rule);
    if (query.severity !== undefined) conditions.add('severity = ?', query.severity);
    if (query.acknowledged !== undefined) conditions.add(query.acknowledged ? 'acknowledged_at IS NOT NULL' : 'acknowledged_at IS NULL');
    if (query.incidentId !== undefined) conditions.add("json_extract(doc, '$.incidentId') = ?", query.incidentId);
    return pageNewestFirst(this.ctx, 'alerts', conditions, query, alertFromDoc);
  }

  async acknowledgeAlert(id: string, by: string, at: Date): Promise<Alert | null> {
    const run = this.ctx.conn.transaction((): Alert | null => {
      const row = this.ctx.stmt('SELECT doc FROM alerts WHERE id = ? AND acknowledged_at IS NULL').get(id) as Row | undefined;
      if (!row) return null;
      const next: Alert = { ...alertFromDoc(row.doc as string), acknowledgedAt: at, acknowledgedBy: by };
      this.ctx.stmt('UPDATE alerts SET acknowledged_at = ?, doc = ? WHERE id = ?').run(at.getTime(), alertToDoc(next), id);
      return next;
    });
    return run.immediate();
  }
}
