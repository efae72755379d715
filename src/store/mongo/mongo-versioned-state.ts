import type { NotificationEvent } from '../../domain/events';
import type { FailbackProbes, Prompt, Versioned } from '../../domain/state';
import {
  checkEventsAllowed,
  FAILBACK_PROBES,
  type StateKey,
  type StateSpace,
  VersionedStateShorthands,
} from '../versioned-state-store';
import { type Doc, valueFromDoc, valueToDoc } from './codec';
import type { MongoCommittedEvents } from './mongo-committed-events';
import { eventFields } from './mongo-committed-events';
import type { MongoContext } from './mongo-context';

/** Revisions that keep their full value; older ones keep only the number. */
const KEEP_REVISIONS = 20;

/** Each space is a collection of `<key>#<revision>` documents; the prompts' key field is `name`. */
const COLLECTIONS: Record<StateSpace, { model: 'state' | 'prompts'; field: 'key' | 'name' }> = {
  state: { model: 'state', field: 'key' },
  prompts: { model: 'prompts', field: 'name' },
};

/**
 * Versioned documents on MongoDB: one document per revision, `_id` `<key>#<revision>`, so the
 * compare-and-set is an insert that only one writer of a revision can make. Revisions are never
 * deleted (older ones only lose their value), so a stale writer always hits an existing `_id`.
 */
export class MongoVersionedState extends VersionedStateShorthands {
  constructor(
    private readonly ctx: MongoContext,
    private readonly committedEvents: MongoCommittedEvents,
  ) {
    super();
  }

  /** The newest revision of `key`. */
  private async latest(key: StateKey<unknown>): Promise<Doc | null> {
    const { model, field } = COLLECTIONS[key.space];
    const [doc] = await this.ctx.m[model].find({ [field]: key.key }).sort({ revision: -1 }).limit(1).lean<Doc[]>();
    return doc ?? null;
  }

  async getVersioned<T>(key: StateKey<T>): Promise<Versioned<T> | null> {
    const doc = await this.latest(key);
    return doc ? { value: valueFromDoc<T>(doc.value), revision: doc.revision as number } : null;
  }

  async setIfRevision<T>(key: StateKey<T>, value: T, expectedRevision: number, events: NotificationEvent[] = []): Promise<boolean> {
    checkEventsAllowed(key, events);
    const { model, field } = COLLECTIONS[key.space];
    const latest = await this.latest(key);
    if (((latest?.revision as number | undefined) ?? 0) !== expectedRevision) return false;
    const revision = expectedRevision + 1;
    const won = await this.ctx.claim(model, {
      _id: `${key.key}#${revision}`,
      [field]: key.key,
      revision,
      value: valueToDoc(value),
      savedAt: this.ctx.clock.now(),
      // The revision's insert carries its events: the state and its announcement are one write.
      ...(events.length > 0 ? eventFields([], events) : {}),
    });
    if (won) this.committedEvents.committed(events);
    if (won && revision > KEEP_REVISIONS) {
      await this.ctx.m[model].updateMany({ [field]: key.key, revision: { $lte: revision - KEEP_REVISIONS } }, { $unset: { value: 1 } });
    }
    return won;
  }

  /** One document replaced in place (`_id` without `#<revision>`, revision 0): written every few seconds, no history. */
  async saveFailbackProbes(value: FailbackProbes): Promise<void> {
    await this.ctx.m.state.updateOne(
      { _id: FAILBACK_PROBES.key },
      { $set: { key: FAILBACK_PROBES.key, revision: 0, value: valueToDoc(value), savedAt: this.ctx.clock.now() } },
      { upsert: true },
    );
  }

  async listPrompts(): Promise<Prompt[]> {
    const docs = await this.ctx.m.prompts.find({}, { name: 1, revision: 1 }).sort({ name: 1, revision: -1 }).lean<Doc[]>();
    const newest = new Map<string, Doc>();
    for (const doc of docs) if (!newest.has(doc.name as string)) newest.set(doc.name as string, doc);
    if (newest.size === 0) return [];
    const full = await this.ctx.m.prompts.find({ _id: { $in: [...newest.values()].map((d) => d._id) } }).lean<Doc[]>();
    return full.map((doc) => valueFromDoc<Prompt>(doc.value)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
