import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock';
import type { ActionOutcome, ActionPatch, ActionQuery, ActionRecord, ActionStatus, Page } from '../../domain/action';
import type { ActionStatRow } from '../../domain/stats';
import { foldActionStats } from '../action-stats-reducer';
import type { SeriesQuery, SeriesResult, SnapshotQuery, SnapshotSourceSummary, StoredSnapshot } from '../../domain/snapshot';
import { SeriesBuckets } from '../series-buckets';
import { escapeFieldName } from './field-names';
import { decodeCursor, toPageBy } from '../../domain/cursor';
import type { DispatchOutcome, RuleState } from '../../domain/rule-state';
import { budgetSpentUntil } from '../../domain/budget-slot';
import type { BudgetClaim, BudgetUsage, RevertInsertOutcome, SnapshotRetention, SnapshotScan, Store } from '../store';
import {
  actionFromDoc,
  actionToDoc,
  type Doc,
  snapshotFromDoc,
  snapshotToDoc,
  valueToDoc,
} from './codec';
import { isDuplicateKeyError, openConnection } from './connection';
import { CLAIM_WAIT_ATTEMPTS, MongoContext, sleep } from './mongo-context';
import { MongoVersionedState } from './mongo-versioned-state';
import { MongoLeaseStore } from './mongo-lease-store';
import { MongoAlertStore } from './mongo-alert-store';
import { pageNewestFirst } from './mongo-paging';
import { LEASE_STORE_METHODS, type LeaseStore } from '../lease-store';
import { ALERT_STORE_METHODS, type AlertStore } from '../alert-store';
import { expose } from '../compose';
import { TARGET_STATE_METHODS, type PromptStore, type TargetStateStore } from '../versioned-state-store';
import { createModels, type MongoModels } from './models';
import { MongoRulesHistoryStore } from './mongo-rules-history-store';
import { MongoConsoleStore } from './mongo-console-store';
import { MongoIdempotencyStore } from './mongo-idempotency-store';
import { MongoSilenceStore } from './mongo-silence-store';
import { MongoIncidentStore } from './mongo-incident-store';
import { MongoNotificationStore } from './mongo-notification-store';
import { eventFields, MongoCommittedEvents, PENDING_EVENTS } from './mongo-committed-events';
import { parseEvent } from '../committed-events';
import type { NotificationEvent } from '../../domain/events';
import type { FaultPoints } from '../../domain/fault-points';

export interface MongoStoreOptions {
  uri: string;
  /** Overrides the database named in the URI. */
  dbName?: string;
  serverSelectionTimeoutMs?: number;
  /** How long `ping` waits before calling the store unreachable. */
  pingTimeoutMs?: number;
  /**
   * Wall time for the adapter's own crash recovery (how old a half-finished claim must be before
   * another writer completes or clears it); domain time still comes in as method arguments.
   */
  clock?: Clock;
  /** Kill points for the fault-injection suite; none by default. */
  faults?: FaultPoints;
}

/** The version of the rules' states (Store.ruleStatesVersion), one document in the `state` collection. */
const RULE_STATES_VERSION_ID = 'rule-states-version';

/** The aggregates' methods, put on each instance by `expose` in the constructor. */
export interface MongoStore extends TargetStateStore, PromptStore, LeaseStore, AlertStore {}

/**
 * The MongoDB store, through mongoose, on a connection of its own.
 *
 * No transactions, and no conditional update is trusted to be exclusive: on FerretDB 1.24 a
 * conditional update or findOneAndUpdate reads, then writes by `_id`, so twenty concurrent ones on
 * one document can all "win" (measured; docs/mongodb.md). What is exclusive on FerretDB and MongoDB
 * alike is inserting a document whose `_id` exists (duplicate key) and deleting one. So every atomic
 * change here is won by inserting a claim document with a deterministic `_id`:
 *  - cooldowns: one document per dispatch, `<rule>#<seq>`; dispatching inserts seq+1;
 *  - the open approval of a rule: `approval_claims` document `_id: <rule>`;
 *  - state, prompts, leases: one document per revision/term, `<key>#<revision>`;
 *  - action transitions and alert acknowledgements: a `claims` document naming the change, and only
 *    its owner then writes the target document (nobody else writes it meanwhile).
 */
export class MongoStore implements Store {
  readonly kind = 'mongo' as const;
  readonly notifications: MongoNotificationStore;
  readonly committedEvents: MongoCommittedEvents;
  readonly rulesHistory: MongoRulesHistoryStore;
  readonly console: MongoConsoleStore;
  readonly idempotency: MongoIdempotencyStore;
  readonly silences: MongoSilenceStore;
  readonly incidents: MongoIncidentStore;
  private readonly ctx: MongoContext;

  constructor(private readonly options: MongoStoreOptions) {
    this.ctx = new MongoContext(options.clock, options.faults);
    this.notifications = new MongoNotificationStore(() => this.conn);
    this.committedEvents = new MongoCommittedEvents(() => this.conn, (id, relayed) => this.clearActionEvents(id, relayed));
    expose(this, new MongoVersionedState(this.ctx, this.committedEvents), TARGET_STATE_METHODS);
    expose(this, new MongoLeaseStore(this.ctx), LEASE_STORE_METHODS);
    expose(this, new MongoAlertStore(this.ctx, this.committedEvents), ALERT_STORE_METHODS);
    this.rulesHistory = new MongoRulesHistoryStore(() => this.conn);
    this.console = new MongoConsoleStore(() => this.conn);
    this.idempotency = new MongoIdempotencyStore(() => this.conn);
    this.silences = new MongoSilenceStore(() => this.conn, this.committedEvents);
    this.incidents = new MongoIncidentStore(() => this.conn, this.committedEvents);
  }

  async init(): Promise<void> {
    const conn = await openConnection(this.options);
    try {
      const models = createModels(conn);
      for (const model of Object.values(models)) {
        await model.createCollection().catch((err: { code?: number }) => {
          if (err.code !== 48) throw err; // 48: the collection exists already
        });
        await model.createIndexes();
      }
      this.ctx.open(conn, models);
      await this.notifications.init();
      await this.rulesHistory.init();
      await this.console.init();
      await this.idempotency.init();
      await this.silences.init();
      await this.incidents.init();
    } catch (err) {
      this.ctx.detach();
      await conn.close(true).catch(() => undefined);
      throw new Error(`MongoDB store setup failed: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  async close(): Promise<void> {
    await this.ctx.detach()?.close();
  }

  private get conn() {
    return this.ctx.conn;
  }

  private get m(): MongoModels {
    return this.ctx.m;
  }

  private get clock(): Clock {
    return this.ctx.clock;
  }

  async ping(): Promise<boolean> {
    const conn = this.ctx.openConnection;
    if (!conn || conn.readyState !== 1 || !conn.db) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.options.pingTimeoutMs ?? 2000);
    });
    try {
      return await Promise.race([conn.db.command({ ping: 1 }).then(() => true), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private claim(model: keyof MongoModels, doc: Doc): Promise<boolean> {
    return this.ctx.claim(model, doc);
  }

  private isAbandoned(claimedAt: unknown): boolean {
    return this.ctx.isAbandoned(claimedAt);
  }

  // --- snapshots -------------------------------------------------------------------------------

  /**
   * Group commit, as on SQLite: while one insert of snapshots is on its way, the snapshots that
   * arrive meanwhile wait and then go together in the next one. Each caller is answered once its
   * own document is written (or refused); under concurrent ingest a round trip carries many.
   */
  insertSnapshot(snapshot: StoredSnapshot): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pendingSnapshots.push({ doc: snapshotToDoc(snapshot), resolve, reject });
      if (this.insertingSnapshots) return;
      this.insertingSnapshots = true;
      setImmediate(() => void this.insertPendingSnapshots());
    });
  }

  private pendingSnapshots: { doc: Doc; resolve: () => void; reject: (err: Error) => void }[] = [];
  private insertingSnapshots = false;

  private async insertPendingSnapshots(): Promise<void> {
    for (let batch = this.pendingSnapshots.splice(0); batch.length > 0; batch = this.pendingSnapshots.splice(0)) {
      try {
        // Unordered: a document refused (a duplicate id) fails its own caller; the others are written.
        await this.m.snapshots.collection.insertMany(batch.map((b) => b.doc) as { _id: never }[], { ordered: false });
        for (const b of batch) b.resolve();
      } catch (err) {
        const refused = refusedDocuments(err);
        batch.forEach((b, i) => (refused === null ? b.reject(err as Error) : refused.has(i) ? b.reject(refused.get(i)!) : b.resolve()));
      }
    }
    this.insertingSnapshots = false;
  }

  async insertSnapshots(snapshots: StoredSnapshot[]): Promise<void> {
    if (snapshots.length > 0) await this.m.snapshots.insertMany(snapshots.map(snapshotToDoc), { lean: true });
  }

  async getSnapshot(id: string): Promise<StoredSnapshot | null> {
    const doc = await this.m.snapshots.findById(id).lean<Doc>();
    return doc ? snapshotFromDoc(doc) : null;
  }

  async listSnapshotsFrom(source: string, from: Date, to: Date, limit: number): Promise<StoredSnapshot[]> {
    const docs = await this.m.snapshots
      .find({ source, receivedAt: { $gt: from, $lte: to } })
      .sort({ receivedAt: 1, _id: 1 })
      .limit(limit)
      .lean<Doc[]>();
    // Oldest first, checked here too: verification reads "the latest" off the end.
    return docs.map(snapshotFromDoc).sort((x, y) => x.receivedAt.getTime() - y.receivedAt.getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  }

  async latestSnapshotFrom(source: string, after: Date): Promise<StoredSnapshot | null> {
    const [doc] = await this.m.snapshots
      .find({ source, receivedAt: { $gt: after } })
      .sort({ receivedAt: -1, _id: -1 })
      .limit(1)
      .lean<Doc[]>();
    return doc ? snapshotFromDoc(doc) : null;
  }

  async countSnapshots(): Promise<number> {
    return this.m.snapshots.countDocuments({});
  }

  async scanSnapshots(scan: SnapshotScan): Promise<StoredSnapshot[]> {
    const received: Record<string, Date> = {};
    if (scan.from) received.$gte = scan.from;
    if (scan.to) received.$lte = scan.to;
    const and: Record<string, unknown>[] = [];
    if (scan.from || scan.to) and.push({ receivedAt: received });
    if (scan.sources && scan.sources.length > 0) and.push({ source: { $in: scan.sources } });
    if (scan.after) {
      const at = new Date(scan.after.at);
      and.push({ $or: [{ receivedAt: { $gt: at } }, { receivedAt: at, _id: { $gt: scan.after.id } }] });
    }
    const docs = await this.m.snapshots
      .find(and.length > 0 ? { $and: and } : {})
      .sort({ receivedAt: 1, _id: 1 })
      .limit(scan.limit)
      .lean<Doc[]>();
    return docs.map(snapshotFromDoc);
  }

  async listSnapshots(query: SnapshotQuery): Promise<Page<StoredSnapshot>> {
    const and: Doc[] = [];
    if (query.source !== undefined) and.push({ source: query.source });
    if (query.from || query.to) {
      and.push({ receivedAt: { ...(query.from ? { $gte: query.from } : {}), ...(query.to ? { $lte: query.to } : {}) } });
    }
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    if (cursor) {
      const at = new Date(cursor.at);
      and.push({ $or: [{ receivedAt: { $lt: at } }, { receivedAt: at, _id: { $lt: cursor.id } }] });
    }
    const docs = await this.m.snapshots
      .find(and.length > 0 ? { $and: and } : {})
      .sort({ receivedAt: -1, _id: -1 })
      .limit(query.limit + 1)
      .lean<Doc[]>();
    return toPageBy(docs.map(snapshotFromDoc), query.limit, (s) => s.receivedAt);
  }

  async listSnapshotSources(limit: number): Promise<SnapshotSourceSummary[]> {
    // distinct and countDocuments read the (source, receivedAt) index; FerretDB has both.
    const sources = ((await this.m.snapshots.distinct('source')) as string[]).sort().slice(0, limit);
    const rows = await Promise.all(
      sources.map(async (source) => {
        const [latest, count] = await Promise.all([
          this.m.snapshots.find({ source }).sort({ receivedAt: -1, _id: -1 }).limit(1).lean<Doc[]>(),
          this.m.snapshots.countDocuments({ source }),
        ]);
        // Pruned between the two reads: the source has nothing left to show.
        return latest[0] ? { source, count, latest: snapshotFromDoc(latest[0]) } : null;
      }),
    );
    return rows.filter((r): r is SnapshotSourceSummary => r !== null);
  }

  async snapshotSeries(query: SeriesQuery): Promise<SeriesResult> {
    const buckets = new SeriesBuckets(query.from.getTime(), query.stepMs);
    const field = ['metrics', ...query.path.map(escapeFieldName)].join('.');
    const cursor = this.m.snapshots
      .find({ source: query.source, receivedAt: { $gte: query.from, $lte: query.to } }, { _id: 0, receivedAt: 1, [field]: 1 })
      .sort({ receivedAt: 1 })
      .lean<Doc>()
      .cursor({ batchSize: 2000 });
    for await (const doc of cursor) {
      let value: unknown = doc.metrics;
      for (const key of query.path) {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          value = undefined;
          break;
        }
        value = (value as Doc)[escapeFieldName(key)];
      }
      if (typeof value === 'number') buckets.add((doc.receivedAt as Date).getTime(), value);
    }
    return buckets.finish();
  }

  async pruneSnapshots(retention: SnapshotRetention): Promise<number> {
    let removed = 0;
    if (retention.olderThan) {
      removed += (await this.m.snapshots.deleteMany({ receivedAt: { $lt: retention.olderThan } })).deletedCount;
    }
    if (retention.keepNewest !== undefined) {
      // The oldest snapshot still kept bounds what goes; ties on receivedAt are broken by id, as in SQLite.
      const edge = await this.m.snapshots
        .find({}, { _id: 1, receivedAt: 1 })
        .sort({ receivedAt: -1, _id: -1 })
        .skip(Math.max(retention.keepNewest - 1, 0))
        .limit(1)
        .lean<Doc[]>();
      const last = edge[0];
      if (retention.keepNewest === 0) {
        removed += (await this.m.snapshots.deleteMany({})).deletedCount;
      } else if (last) {
        removed += (
          await this.m.snapshots.deleteMany({
            $or: [
              { receivedAt: { $lt: last.receivedAt } },
              { receivedAt: last.receivedAt, _id: { $lt: last._id as string } },
            ],
          })
        ).deletedCount;
      }
    }
    return removed;
  }

  // --- cooldowns, approvals, actions ----------------------------------------------------------

  private async latestCooldown(rule: string): Promise<{ seq: number; until: Date } | null> {
    const [doc] = await this.m.cooldowns.find({ rule }).sort({ seq: -1 }).limit(1).lean<Doc[]>();
    return doc ? { seq: doc.seq as number, until: doc.until as Date } : null;
  }

  async ruleStatesVersion(): Promise<string> {
    const doc = await this.m.state.findById(RULE_STATES_VERSION_ID, { version: 1 }).lean<Doc>();
    return (doc?.version as string | undefined) ?? '';
  }

  /**
   * After a write that may have changed a rule's state. A value never written before rather than a
   * counter: FerretDB's updates read and write back, so two racing increments could put back a
   * value a reader already holds; a fresh value differs from every one read before it, whoever wins.
   */
  private async moveRuleStatesVersion(): Promise<void> {
    const move = () =>
      this.m.state.updateOne(
        { _id: RULE_STATES_VERSION_ID },
        { $set: { key: RULE_STATES_VERSION_ID, revision: 0, version: randomUUID() } },
        { upsert: true },
      );
    // Two first moves racing to create the document: the loser's value must still land after its change.
    await move().catch((err: unknown) => {
      if (!isDuplicateKeyError(err)) throw err;
      return move();
    });
  }

  async getRuleStates(rules: string[]): Promise<Map<string, RuleState>> {
    const states = new Map<string, RuleState>();
    if (rules.length === 0) return states;
    const unique = [...new Set(rules)];
    // Open approvals through their claims (a small collection) and then by id, rather than a query
    // over all actions: FerretDB answers most filters by scanning the collection.
    const [cooldowns, claims] = await Promise.all([
      Promise.all(unique.map((rule) => this.latestCooldown(rule))),
      this.m.approvalClaims.find({ _id: { $in: unique } }).lean<Doc[]>(),
    ]);
    unique.forEach((rule, i) => states.set(rule, { cooldownUntil: cooldowns[i]?.until ?? null, openApprovalId: null }));
    await Promise.all(
      claims.map(async (claim) => {
        const action = await this.m.actions.findById(claim.actionId, { status: 1 }).lean<Doc>();
        if (action?.status === 'pending_approval') states.get(claim._id as string)!.openApprovalId = claim.actionId as string;
      }),
    );
    return states;
  }

  async dispatchAction(
    action: ActionRecord,
    cooldownUntil: Date | null,
    now: Date,
    budget?: BudgetClaim,
    events: NotificationEvent[] = [],
  ): Promise<DispatchOutcome> {
    // 1. The cooldown: whoever inserts the next window document wins it (none for the service's own actions).
    let seq = 0;
    for (let attempt = 0; cooldownUntil !== null; attempt += 1) {
      if (attempt === CLAIM_WAIT_ATTEMPTS) throw new Error(`could not claim the cooldown of rule "${action.rule}"`);
      const latest = await this.latestCooldown(action.rule);
      if (latest && latest.until.getTime() > now.getTime()) {
        return { ok: false, reason: 'cooldown', until: latest.until };
      }
      // A window that is already over refuses nobody, so there is nothing to win: skipping the claim
      // keeps rules without a cooldown from queueing behind each other under load.
      if (cooldownUntil.getTime() <= now.getTime()) break;
      seq = (latest?.seq ?? 0) + 1;
      const won = await this.claim('cooldowns', {
        _id: `${action.rule}#${seq}`,
        rule: action.rule,
        seq,
        until: cooldownUntil,
        actionId: action.id,
        claimedAt: now,
      });
      if (won) {
        this.ctx.faults.reach('store.dispatch.after-cooldown-claim');
        // Older windows are deleted to keep the collection small, so a caller that read a long-gone
        // window could insert into the gap; a newer window existing means this one does not count.
        const newer = await this.m.cooldowns.findOne({ rule: action.rule, seq: { $gt: seq } }, { _id: 1 }).lean<Doc>();
        if (!newer) {
          await this.m.cooldowns.deleteMany({ rule: action.rule, seq: { $lt: seq - 1 } });
          break;
        }
        await this.m.cooldowns.deleteOne({ _id: `${action.rule}#${seq}`, actionId: action.id });
      }
      // Somebody else took this window (or took it and gave it back): look again.
    }
    // A window given back was visible meanwhile: readers that cached states see the version move.
    const releaseCooldown = async () => {
      if (seq > 0) {
        await this.m.cooldowns.deleteOne({ _id: `${action.rule}#${seq}`, actionId: action.id });
        await this.moveRuleStatesVersion();
      }
    };

    // 2. For a pending action, the rule's one open approval.
    if (action.status === 'pending_approval') {
      const open = await this.claimOpenApproval(action);
      if (open !== null) {
        await releaseCooldown();
        return { ok: false, reason: 'duplicate_pending', actionId: open };
      }
    }

    const releaseApproval = async () => {
      if (action.status === 'pending_approval') await this.m.approvalClaims.deleteOne({ _id: action.rule, actionId: action.id });
    };

    // 3. A slot of the target's budget.
    let budgetSeq = 0;
    if (budget) {
      const slot = await this.claimBudget(action, budget, now).catch(async (err: unknown) => {
        await releaseApproval().catch(() => undefined);
        await releaseCooldown().catch(() => undefined);
        throw err;
      });
      if (!slot.ok) {
        await releaseApproval();
        await releaseCooldown();
        return { ok: false, reason: 'budget_exhausted', target: budget.target, until: slot.until };
      }
      budgetSeq = slot.seq;
    }

    // 4. The action itself; if even that fails, give every claim back so nothing is half written.
    try {
      // The events travel in the action's own insert: both are written, or neither.
      await this.m.actions.insertMany([{ ...actionToDoc(action, 0), ...eventFields([], events) }], { lean: true });
    } catch (err) {
      await releaseApproval().catch(() => undefined);
      await releaseCooldown().catch(() => undefined);
      if (budget && budgetSeq > 0) {
        await this.m.budgetClaims.deleteOne({ _id: `${budget.target}#${budgetSeq}`, actionId: action.id }).catch(() => undefined);
      }
      throw err;
    }
    await this.moveRuleStatesVersion();
    this.committedEvents.committed(events);
    return { ok: true, action };
  }

  /**
   * The budget as a sequence of claims per target: whoever inserts `<target>#<seq+1>` after counting
   * the claims in the window got the slot; a loser counts again. A won claim is never given back
   * for a newer one (two claimants racing on one count both hold real slots, in sequence order), and
   * claims are pruned only two windows after they leave it, so a claimant can only fill a pruned
   * gap if it stalled for a whole window between its read and its insert — which it checks.
   */
  private async claimBudget(
    action: ActionRecord,
    budget: BudgetClaim,
    now: Date,
  ): Promise<{ ok: true; seq: number } | { ok: false; until: Date }> {
    for (let attempt = 0; attempt < CLAIM_WAIT_ATTEMPTS; attempt += 1) {
      const readAt = this.clock.now().getTime();
      // Read whole and ordered here: pruning keeps it small, FerretDB's server-side sort is not to
      // be relied on, and the refusal names the moment a slot frees by claim time (as SQLite and
      // decide do), whatever order racing instances took their sequence numbers in.
      const claims = await this.m.budgetClaims.find({ target: budget.target }, { seq: 1, at: 1 }).lean<Doc[]>();
      const newestFirst = claims.map((d) => (d.at as Date).getTime()).sort((x, y) => y - x);
      const spentUntil = budgetSpentUntil(newestFirst, now.getTime(), budget.windowMs, budget.maxActions);
      if (spentUntil !== null) return { ok: false, until: new Date(spentUntil) };
      const seq = claims.reduce((max, d) => Math.max(max, d.seq as number), 0) + 1;
      const id = `${budget.target}#${seq}`;
      if (!(await this.claim('budgetClaims', { _id: id, target: budget.target, seq, at: now, actionId: action.id }))) continue;
      if (this.clock.now().getTime() - readAt >= budget.windowMs) {
        await this.m.budgetClaims.deleteOne({ _id: id, actionId: action.id });
        continue;
      }
      await this.m.budgetClaims.deleteMany({
        target: budget.target,
        seq: { $lt: seq - budget.maxActions },
        at: { $lte: new Date(now.getTime() - 2 * budget.windowMs) },
      });
      return { ok: true, seq };
    }
    throw new Error(`could not claim the budget of target "${budget.target}"`);
  }

  async getBudgetUsage(targets: string[], since: Date): Promise<BudgetUsage> {
    const unique = [...new Set(targets)];
    const usage: BudgetUsage = new Map(unique.map((t) => [t, []]));
    if (unique.length === 0) return usage;
    const docs = await this.m.budgetClaims
      .find({ target: { $in: unique }, at: { $gte: since } }, { target: 1, at: 1 })
      .sort({ at: -1 })
      .lean<Doc[]>();
    for (const doc of docs) usage.get(doc.target as string)?.push(doc.at as Date);
    // Newest first whatever order the server answered in (FerretDB's sort is not to be relied on here).
    for (const dates of usage.values()) dates.sort((x, y) => y.getTime() - x.getTime());
    return usage;
  }

  /** One revert per action: the claim `revert:<id>` names it, then the revert is inserted. */
  async insertRevert(action: ActionRecord): Promise<RevertInsertOutcome> {
    const claimId = `revert:${action.revertOf}`;
    if (!(await this.claim('claims', { _id: claimId, at: this.clock.now(), actionId: action.id }))) {
      const claim = await this.m.claims.findById(claimId).lean<Doc>();
      return { ok: false, existingId: (claim?.actionId as string | undefined) ?? '' };
    }
    try {
      await this.m.actions.insertMany([actionToDoc(action, 0)], { lean: true });
    } catch (err) {
      await this.m.claims.deleteOne({ _id: claimId, actionId: action.id }).catch(() => undefined);
      throw err;
    }
    return { ok: true };
  }

  async listDueVerifications(now: Date, limit: number): Promise<ActionRecord[]> {
    const docs = await this.m.actions
      .find({ outcome: 'pending', verifyUntil: { $lte: now } })
      .sort({ verifyUntil: 1 })
      .limit(limit)
      .lean<Doc[]>();
    return docs.map(actionFromDoc);
  }

  async actionStats(from: Date, to: Date): Promise<ActionStatRow[]> {
    const docs = await this.m.actions
      .find(
        { createdAt: { $gte: from, $lte: to } },
        { rule: 1, type: 1, status: 1, outcome: 1, revertOf: 1, createdAt: 1, startedAt: 1, finishedAt: 1, decidedAt: 1, recoveredAt: 1 },
      )
      .lean<Doc[]>();
    return foldActionStats(docs.map(actionFromDoc));
  }

  /** Null when `action` now holds its rule's open approval; otherwise the id of the one that does. */
  private async claimOpenApproval(action: ActionRecord): Promise<string | null> {
    for (let attempt = 0; attempt < CLAIM_WAIT_ATTEMPTS; attempt += 1) {
      if (await this.claim('approvalClaims', { _id: action.rule, actionId: action.id, claimedAt: this.clock.now() })) {
        return null;
      }
      const holder = await this.m.approvalClaims.findById(action.rule).lean<Doc>();
      if (!holder) continue; // released meanwhile: try again
      const holderId = holder.actionId as string;
      const held = await this.m.actions.findById(holderId, { status: 1 }).lean<Doc>();
      // A claim whose action is no longer pending was left by a crash between the transition and
      // the claim's release; one without an action, by a crash during a dispatch (or it is
      // mid-dispatch right now, hence the age check).
      const stale = held ? held.status !== 'pending_approval' : this.isAbandoned(holder.claimedAt);
      if (!stale) return holderId;
      await this.m.approvalClaims.deleteOne({ _id: action.rule, actionId: holderId });
    }
    throw new Error(`could not settle the open approval of rule "${action.rule}"`);
  }

  async getAction(id: string): Promise<ActionRecord | null> {
    const doc = await this.m.actions.findById(id).lean<Doc>();
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
    return pageNewestFirst(this.m.actions, filter, query, actionFromDoc);
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
      const doc = await this.m.actions.findById(id).lean<Doc>();
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
      if (await this.claim('claims', { _id: claimId, at: this.clock.now(), set })) {
        this.ctx.faults.reach('store.transition.after-claim');
        // By `_id` alone: the claim already makes this the only writer, and FerretDB answers only
        // `_id`-only filters from its index (any other filter scans the collection).
        await this.m.actions.updateOne({ _id: id }, { $set: set });
        const next: ActionRecord = { ...current, ...patch };
        this.committedEvents.committed(events);
        if (current.status === 'pending_approval' && next.status !== 'pending_approval') {
          await this.m.approvalClaims.deleteOne({ _id: current.rule, actionId: id });
          await this.moveRuleStatesVersion();
        }
        return next;
      }
      const claim = await this.m.claims.findById(claimId).lean<Doc>();
      if (claim && this.isAbandoned(claim.at)) {
        const still = await this.m.actions.findById(id, { _rev: 1 }).lean<Doc>();
        if ((still?._rev ?? 0) === rev - 1) {
          await this.m.actions.updateOne({ _id: id }, { $set: claim.set as Doc });
          await this.moveRuleStatesVersion();
        }
        continue;
      }
      await sleep(Math.min(5 + attempt * 5, 100));
    }
    throw new Error(`action ${id} is being changed by another writer; try again`);
  }

  /** One revision that drops relayed events from an action; false when another writer got there first. */
  private async clearActionEvents(id: string, relayed: Set<string>): Promise<boolean> {
    const doc = await this.m.actions.findById(id).lean<Doc>();
    if (!doc) return true;
    const kept = ((doc[PENDING_EVENTS] as string[] | undefined) ?? []).filter((t) => !relayed.has(parseEvent(t).id));
    const rev = (typeof doc._rev === 'number' ? doc._rev : 0) + 1;
    const set = { ...eventFields(kept, []), _rev: rev };
    if (!(await this.claim('claims', { _id: `action:${id}#${rev}`, at: this.clock.now(), set }))) return false;
    await this.m.actions.updateOne({ _id: id }, { $set: set });
    return true;
  }

  async listOverdueApprovals(now: Date): Promise<ActionRecord[]> {
    const docs = await this.m.actions.find({ status: 'pending_approval', expiresAt: { $lte: now } }).lean<Doc[]>();
    return docs.map(actionFromDoc);
  }

  async listActionsByStatus(statuses: ActionStatus[]): Promise<ActionRecord[]> {
    if (statuses.length === 0) return [];
    const docs = await this.m.actions.find({ status: { $in: statuses } }).lean<Doc[]>();
    return docs.map(actionFromDoc);
  }
}

/**
 * The documents an unordered insertMany refused, by index, from its bulk write error; null when
 * the error is not one (the command itself failed: nothing is known to be written).
 */
function refusedDocuments(err: unknown): Map<number, Error> | null {
  const e = err as { writeErrors?: unknown; result?: unknown } | null;
  if (e === null || typeof e !== 'object' || e.writeErrors === undefined) return null;
  const list = (Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors]) as { index: number; errmsg?: string; code?: number }[];
  return new Map(list.map((w) => [w.index, Object.assign(new Error(w.errmsg ?? 'document refused'), { code: w.code })]));
}
