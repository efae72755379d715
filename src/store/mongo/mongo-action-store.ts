import type { ActionOutcome, ActionPatch, ActionQuery, ActionRecord, ActionStatus, Page } from '../../domain/action';
import type { NotificationEvent } from '../../domain/events';
import type { ActionStatRow } from '../../domain/stats';
import type { ActionStore } from '../action-store';
import { foldActionStats } from '../action-stats-reducer';
import { parseEvent } from '../committed-events';
import { actionFromDoc, type Doc, valueToDoc } from './codec';
import { eventFields, type MongoCommittedEvents, PENDING_EVENTS } from './mongo-committed-events';
import { CLAIM_WAIT_ATTEMPTS, type MongoContext, sleep } from './mongo-context';
import { pageNewestFirst } from './mongo-paging';
import { moveRuleStatesVersion } from './mongo-rule-states-version';

/**
 * Actions on MongoDB: `_id` is the action id, the rest the ActionRecord plus `_rev`. Every change is
 * won by inserting the claim of its revision (`action:<id>#<rev>`); only its owner writes the action.
 */
export class MongoActionStore implements ActionStore {
  constructor(
    private readonly ctx: MongoContext,
    private readonly committedEvents: MongoCommittedEvents,
  ) {}

  async getAction(id: string): Promise<ActionRecord | null> {
    const doc = await this.ctx.m.actions.findById(id).lean<Doc>();
    return doc ? actionFromDoc(doc) : null;
  }

  async listActions(query: ActionQuery): Promise<Page<ActionRecord>> {
    const filter: Doc = {};
    if (query.status && query.status.length > 0) filter.status = { $in: query.status };
    if (query.rule !== undefined) filter.rule = query.rule;
    if (query.type !== undefined) filter.type = query.type;
    if (query.outcome !== undefined) filter.outcome = query.outcome;
    if (query.failbackOf !== undefined) filter.failbackOf = query.failbackOf;
    if (query.incidentId !== undefined) filter.incidentId = query.incidentId;
    return pageNewestFirst(this.ctx.m.actions, filter, query, actionFromDoc);
  }

  /**
   * Each change of an action is revision `_rev + 1`, owned by whoever inserts the claim
   * `action:<id>#<rev+1>`; only the owner then writes the action, so no write can be lost. A claim
   * whose owner died before writing is completed by the next writer once it is old enough.
   */
  async transitionAction(
    id: string,
    from: ActionStatus[],
    patch: ActionPatch,
    guard?: { outcome: ActionOutcome },
    eventsFor?: (next: ActionRecord) => NotificationEvent[],
  ): Promise<ActionRecord | null> {
    for (let attempt = 0; attempt < CLAIM_WAIT_ATTEMPTS; attempt += 1) {
      const doc = await this.ctx.m.actions.findById(id).lean<Doc>();
      if (!doc) return null;
      const current = actionFromDoc(doc);
      if (!from.includes(current.status)) return null;
      if (guard && current.outcome !== guard.outcome) return null;
      const rev = (typeof doc._rev === 'number' ? doc._rev : 0) + 1;
      const claimId = `action:${id}#${rev}`;
      const events = eventsFor ? eventsFor({ ...current, ...patch }) : [];
      // The events ride in the revision itself (and in its claim, so a writer completing an
      // abandoned claim writes them too): the change and its events are one document write.
      const set = {
        ...(valueToDoc(patch) as Doc),
        ...(events.length > 0 ? eventFields(doc[PENDING_EVENTS], events) : {}),
        _rev: rev,
      };
      if (await this.ctx.claim('claims', { _id: claimId, at: this.ctx.clock.now(), set })) {
        this.ctx.faults.reach('store.transition.after-claim');
        // By `_id` alone: the claim already makes this the only writer, and FerretDB answers only
        // `_id`-only filters from its index (any other filter scans the collection).
        await this.ctx.m.actions.updateOne({ _id: id }, { $set: set });
        const next: ActionRecord = { ...current, ...patch };
        this.committedEvents.committed(events);
        if (current.status === 'pending_approval' && next.status !== 'pending_approval') {
          await this.ctx.m.approvalClaims.deleteOne({ _id: current.rule, actionId: id });
          await moveRuleStatesVersion(this.ctx);
        }
        return next;
      }
      const claim = await this.ctx.m.claims.findById(claimId).lean<Doc>();
      if (claim && this.ctx.isAbandoned(claim.at)) {
        const still = await this.ctx.m.actions.findById(id, { _rev: 1 }).lean<Doc>();
        if ((still?._rev ?? 0) === rev - 1) {
          await this.ctx.m.actions.updateOne({ _id: id }, { $set: claim.set as Doc });
          await moveRuleStatesVersion(this.ctx);
        }
        continue;
      }
      await sleep(Math.min(5 + attempt * 5, 100));
    }
    throw new Error(`action ${id} is being changed by another writer; try again`);
  }

  async listDueVerifications(now: Date, limit: number): Promise<ActionRecord[]> {
    const docs = await this.ctx.m.actions
      .find({ outcome: 'pending', verifyUntil: { $lte: now } })
      .sort({ verifyUntil: 1 })
      .limit(limit)
      .lean<Doc[]>();
    return docs.map(actionFromDoc);
  }

  async listOverdueApprovals(now: Date): Promise<ActionRecord[]> {
    const docs = await this.ctx.m.actions.find({ status: 'pending_approval', expiresAt: { $lte: now } }).lean<Doc[]>();
    return docs.map(actionFromDoc);
  }

  async listActionsByStatus(statuses: ActionStatus[]): Promise<ActionRecord[]> {
    if (statuses.length === 0) return [];
    const docs = await this.ctx.m.actions.find({ status: { $in: statuses } }).lean<Doc[]>();
    return docs.map(actionFromDoc);
  }

  async actionStats(from: Date, to: Date): Promise<ActionStatRow[]> {
    const docs = await this.ctx.m.actions
      .find(
        { createdAt: { $gte: from, $lte: to } },
        { rule: 1, type: 1, status: 1, outcome: 1, revertOf: 1, createdAt: 1, startedAt: 1, finishedAt: 1, decidedAt: 1, recoveredAt: 1 },
      )
      .lean<Doc[]>();
    return foldActionStats(docs.map(actionFromDoc));
  }
}

/** One revision that drops relayed events from an action; false when another writer got there first. */
export async function clearActionEvents(ctx: MongoContext, id: string, relayed: Set<string>): Promise<boolean> {
  const doc = await ctx.m.actions.findById(id).lean<Doc>();
  if (!doc) return true;
  const kept = ((doc[PENDING_EVENTS] as string[] | undefined) ?? []).filter((t) => !relayed.has(parseEvent(t).id));
  const rev = (typeof doc._rev === 'number' ? doc._rev : 0) + 1;
  const set = { ...eventFields(kept, []), _rev: rev };
  if (!(await ctx.claim('claims', { _id: `action:${id}#${rev}`, at: ctx.clock.now(), set }))) return false;
  await ctx.m.actions.updateOne({ _id: id }, { $set: set });
  return true;
}
