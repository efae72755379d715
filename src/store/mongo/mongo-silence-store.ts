import type { Connection, mongo } from 'mongoose';
import type { Page } from '../../domain/action';
import { decodeCursor, toPage } from '../../domain/cursor';
import type { NotificationEvent } from '../../domain/events';
import type { Silence } from '../../silences/silence';
import type { SilenceExpiry, SilenceQuery, SilenceStore } from '../silence-store';
import { isDuplicateKeyError } from './connection';
import { ensureCollections, openDb } from './mongo-collections';
import { eventFields, HAS_EVENTS, PENDING_EVENTS, type MongoCommittedEvents } from './mongo-committed-events';

type Doc = { _id: string; [field: string]: any };

export const SILENCES = 'silences';
/** One document per expired silence, `_id` the silence's: the insert only one expirer can win. */
export const SILENCE_EXPIRIES = 'silence_expiries';

function fromDoc(d: Doc): Silence {
  return {
    id: d._id,
    matchers: d.matchers,
    startsAt: d.startsAt,
    endsAt: d.endsAt,
    comment: d.comment,
    schedule: d.schedule ?? null,
    createdAt: d.createdAt,
    createdBy: d.createdBy,
    expiredAt: d.expiredAt ?? null,
    expiredBy: d.expiredBy ?? null,
  };
}

/** Ended or expired at `now`, as a filter. */
function expiredFilter(now: Date) {
  return { $or: [{ endsAt: { $lte: now } }, { expiredAt: { $ne: null, $lte: now } }] };
}

/**
 * The MongoDB side of silences; shares the main store's connection. There are no transactions on
 * FerretDB, and two updates of one document may lose one of them there, so expiring is decided by
 * inserting the silence's expiry document (unique `_id`), which also carries the event; the
 * silence's own `expiredAt` is then written, and reads take the expiry document's word over a
 * silence document that does not show it yet.
 */
export class MongoSilenceStore implements SilenceStore {
  constructor(
    private readonly conn: () => Connection,
    private readonly events: MongoCommittedEvents,
  ) {}

  private col(name: string): mongo.Collection<Doc> {
    return openDb(this.conn).collection<Doc>(name);
  }

  async init(): Promise<void> {
    await ensureCollections(openDb(this.conn), [SILENCES, SILENCE_EXPIRIES]);
    for (const name of [SILENCES, SILENCE_EXPIRIES]) await this.col(name).createIndex({ [HAS_EVENTS]: 1 });
    await this.col(SILENCES).createIndex({ endsAt: 1 });
    await this.col(SILENCES).createIndex({ createdAt: -1, _id: -1 });
  }

  async insertSilence(silence: Silence, events: NotificationEvent[] = []): Promise<void> {
    const { id, ...rest } = silence;
    await this.col(SILENCES).insertOne({ _id: id, ...rest, ...(events.length > 0 ? eventFields([], events) : {}) });
    this.events.committed(events);
  }

  async getSilence(id: string): Promise<Silence | null> {
    const doc = await this.col(SILENCES).findOne({ _id: id }, { projection: { [PENDING_EVENTS]: 0 } });
    return doc ? (await this.withExpiries([fromDoc(doc)]))[0]! : null;
  }

  async listSilences(query: SilenceQuery): Promise<Page<Silence>> {
    const and: Record<string, unknown>[] = [];
    if (query.state === 'expired') and.push(expiredFilter(query.now));
    else if (query.state) {
      and.push({ $nor: [expiredFilter(query.now)] });
      and.push({ startsAt: query.state === 'active' ? { $lte: query.now } : { $gt: query.now } });
    }
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    if (after) {
      const at = new Date(after.at);
      and.push({ $or: [{ createdAt: { $lt: at } }, { createdAt: at, _id: { $lt: after.id } }] });
    }
    const docs = await this.col(SILENCES)
      .find(and.length ? { $and: and } : {}, { projection: { [PENDING_EVENTS]: 0 } })
      .sort({ createdAt: -1, _id: -1 })
      .limit(query.limit + 1)
      .toArray();
    const page = toPage(await this.withExpiries(docs.map(fromDoc)), query.limit);
    // An expiry not yet shown on its silence document moves it out of the active and pending lists.
    if (query.state && query.state !== 'expired') page.items = page.items.filter((s) => s.expiredAt === null || s.expiredAt.getTime() > query.now.getTime());
    return page;
  }

  async expireSilence(id: string, by: string, at: Date, eventsFor?: (expired: Silence) => NotificationEvent[]): Promise<SilenceExpiry> {
    const silence = await this.getSilence(id);
    if (!silence) return { ok: false, reason: 'not_found' };
    if (silence.expiredAt !== null || silence.endsAt.getTime() <= at.getTime()) return { ok: false, reason: 'expired', silence };
    const expired: Silence = { ...silence, expiredAt: at, expiredBy: by };
    const events = eventsFor?.(expired) ?? [];
    try {
      await this.col(SILENCE_EXPIRIES).insertOne({ _id: id, at, by, ...(events.length > 0 ? eventFields([], events) : {}) });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      return { ok: false, reason: 'expired', silence: (await this.getSilence(id))! };
    }
    this.events.committed(events);
    await this.showExpiry(id, at, by);
    return { ok: true, silence: expired };
  }

  async silencesOverlapping(from: Date, to: Date): Promise<Silence[]> {
    const docs = await this.col(SILENCES)
      .find(
        { endsAt: { $gt: from }, startsAt: { $lte: to }, createdAt: { $lte: to }, $or: [{ expiredAt: null }, { expiredAt: { $gt: from } }] },
        { projection: { [PENDING_EVENTS]: 0 } },
      )
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
    return (await this.withExpiries(docs.map(fromDoc))).filter((s) => s.expiredAt === null || s.expiredAt.getTime() > from.getTime());
  }

  /** Writes the expiry onto the silence document, again if another write of the document lost it. */
  private async showExpiry(id: string, at: Date, by: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await this.col(SILENCES).updateOne({ _id: id }, { $set: { expiredAt: at, expiredBy: by } });
      const doc = await this.col(SILENCES).findOne({ _id: id }, { projection: { expiredAt: 1 } });
      if (doc?.expiredAt) return;
    }
  }

  /** The expiry documents' word for silences whose own document does not show an expiry (yet). */
  private async withExpiries(silences: Silence[]): Promise<Silence[]> {
    const open = silences.filter((s) => s.expiredAt === null).map((s) => s.id);
    if (open.length === 0) return silences;
    const expiries = new Map((await this.col(SILENCE_EXPIRIES).find({ _id: { $in: open } }, { projection: { at: 1, by: 1 } }).toArray()).map((d) => [d._id, d]));
    if (expiries.size === 0) return silences;
    return silences.map((s) => {
      const e = expiries.get(s.id);
      return e ? { ...s, expiredAt: e.at as Date, expiredBy: e.by as string } : s;
    });
  }
}
