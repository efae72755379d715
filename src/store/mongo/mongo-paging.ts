import type { Page } from '../../domain/action';
import { decodeCursor, toPage } from '../../domain/cursor';
import type { Doc } from './codec';
import type { MongoModels } from './models';

/**
 * One page of a collection newest first by (createdAt, id), continuing strictly after the cursor's
 * position: the history of actions and of alerts.
 */
export async function pageNewestFirst<T extends { id: string; createdAt: Date }>(
  model: MongoModels['actions'],
  filter: Doc,
  query: { since?: Date; until?: Date; limit: number; cursor?: string },
  decode: (doc: Doc) => T,
): Promise<Page<T>> {
  const and: Doc[] = [filter];
  if (query.since || query.until) {
    and.push({
      createdAt: { ...(query.since ? { $gte: query.since } : {}), ...(query.until ? { $lte: query.until } : {}) },
    });
  }
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  if (cursor) {
    const at = new Date(cursor.at);
    and.push({ $or: [{ createdAt: { $lt: at } }, { createdAt: at, _id: { $lt: cursor.id } }] });
  }
  const docs = await model
    .find(and.length === 1 ? filter : { $and: and })
    .sort({ createdAt: -1, _id: -1 })
    .limit(query.limit + 1)
    .lean<Doc[]>();
  return toPage(docs.map(decode), query.limit);
}
