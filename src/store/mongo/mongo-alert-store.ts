import type { Page } from '../../domain/action';
import type { NotificationEvent } from '../../domain/events';
import type { Alert, AlertQuery } from '../../domain/state';
import type { AlertStore } from '../alert-store';
import { alertFromDoc, alertToDoc, type Doc } from './codec';
import { eventFields, type MongoCommittedEvents } from './mongo-committed-events';
import type { MongoContext } from './mongo-context';
import { pageNewestFirst } from './mongo-paging';

/** Alerts on MongoDB: inserted with their events in the same document, acknowledged through a claim. */
export class MongoAlertStore implements AlertStore {
  constructor(
    private readonly ctx: MongoContext,
    private readonly committedEvents: MongoCommittedEvents,
  ) {}

  async insertAlert(alert: Alert, events: NotificationEvent[] = []): Promise<void> {
    await this.ctx.m.alerts.insertMany([{ ...alertToDoc(alert), ...eventFields([], events) }], { lean: true });
    this.committedEvents.committed(events);
  }

  async getAlert(id: string): Promise<Alert | null> {
    const doc = await this.ctx.m.alerts.findById(id).lean<Doc>();
    return doc ? alertFromDoc(doc) : null;
  }

  async listAlerts(query: AlertQuery): Promise<Page<Alert>> {
    const filter: Doc = {};
    if (query.rule !== undefined) filter.rule = query.rule;
    if (query.severity !== undefined) filter.severity = query.severity;
    if (query.acknowledged !== undefined) {
      filter.acknowledgedAt = query.acknowledged ? { $ne: null } : null;
    }
    if (query.incidentId !== undefined) filter.incidentId = query.incidentId;
    return pageNewestFirst(this.ctx.m.alerts, filter, query, alertFromDoc);
  }

  /** Acknowledged once: the claim `ack:<id>` decides who; only its owner writes the alert. */
  async acknowledgeAlert(id: string, by: string, at: Date): Promise<Alert | null> {
    const doc = await this.ctx.m.alerts.findById(id).lean<Doc>();
    if (!doc || doc.acknowledgedAt instanceof Date) return null;
    const set = { acknowledgedAt: at, acknowledgedBy: by };
    if (!(await this.ctx.claim('claims', { _id: `ack:${id}`, at: this.ctx.clock.now(), set }))) {
      const claim = await this.ctx.m.claims.findById(`ack:${id}`).lean<Doc>();
      // The winner died before writing: finish its acknowledgement rather than leave it half done.
      if (claim && this.ctx.isAbandoned(claim.at)) await this.ctx.m.alerts.updateOne({ _id: id }, { $set: claim.set as Doc });
      return null;
    }
    // The relay may clear the alert's events at the same moment; on FerretDB two updates of one
    // document can lose one of them, so the acknowledgement is checked and written again if lost.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await this.ctx.m.alerts.updateOne({ _id: id }, { $set: set });
      const written = await this.ctx.m.alerts.findById(id, { acknowledgedAt: 1 }).lean<Doc>();
      if (written?.acknowledgedAt instanceof Date) break;
    }
    return { ...alertFromDoc(doc), ...set };
  }
}
