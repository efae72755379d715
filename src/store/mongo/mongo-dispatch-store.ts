import type { ActionRecord } from '../../domain/action';
import { budgetSpentUntil } from '../../domain/budget-slot';
import type { NotificationEvent } from '../../domain/events';
import type { DispatchOutcome, RuleState } from '../../domain/rule-state';
import type { BudgetClaim, BudgetUsage, DispatchStore, RevertInsertOutcome } from '../dispatch-store';
import { actionToDoc, type Doc } from './codec';
import { eventFields, type MongoCommittedEvents } from './mongo-committed-events';
import { CLAIM_WAIT_ATTEMPTS, type MongoContext } from './mongo-context';
import { moveRuleStatesVersion, readRuleStatesVersion } from './mongo-rule-states-version';

const TENTATIVE_STATE = { cooldownTentative: true } as const;
const TENTATIVE_REFUSAL = { tentative: true } as const;

/**
 * The dispatch step on MongoDB, without transactions: the cooldown window, the rule's open approval
 * and the budget slot are each won by inserting a claim document with a deterministic `_id`, then
 * the action is inserted with its events; a refusal or a failure gives back every claim taken.
 *
 * A cooldown window is written `tentative` and settled once the action is in: until then its
 * dispatch may still give it back (open approval, budget, a failed insert), so whoever reads it
 * meanwhile is told (RuleState.cooldownTentative, the refusal's `tentative`) and does not remember
 * it as a known end. Marking the window, rather than making every remembered end subject to the
 * rule-states version, keeps a known cooldown a lookup with no store call at all (a storm's fast
 * path) on every instance, at the cost of one update per dispatch.
 */
export class MongoDispatchStore implements DispatchStore {
  constructor(
    private readonly ctx: MongoContext,
    private readonly committedEvents: MongoCommittedEvents,
  ) {}

  private async latestCooldown(rule: string): Promise<{ seq: number; until: Date; tentative: boolean } | null> {
    const [doc] = await this.ctx.m.cooldowns.find({ rule }).sort({ seq: -1 }).limit(1).lean<Doc[]>();
    return doc ? { seq: doc.seq as number, until: doc.until as Date, tentative: doc.tentative === true } : null;
  }

  ruleStatesVersion(): Promise<string> {
    return readRuleStatesVersion(this.ctx);
  }

  async getRuleStates(rules: string[]): Promise<Map<string, RuleState>> {
    const states = new Map<string, RuleState>();
    if (rules.length === 0) return states;
    const unique = [...new Set(rules)];
    // Open approvals through their claims (a small collection) and then by id, rather than a query
    // over all actions: FerretDB answers most filters by scanning the collection.
    const [cooldowns, claims] = await Promise.all([
      Promise.all(unique.map((rule) => this.latestCooldown(rule))),
      this.ctx.m.approvalClaims.find({ _id: { $in: unique } }).lean<Doc[]>(),
    ]);
    unique.forEach((rule, i) => {
      const window = cooldowns[i];
      states.set(rule, { cooldownUntil: window?.until ?? null, openApprovalId: null, ...(window?.tentative ? TENTATIVE_STATE : {}) });
    });
    await Promise.all(
      claims.map(async (claim) => {
        const action = await this.ctx.m.actions.findById(claim.actionId, { status: 1 }).lean<Doc>();
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
        return { ok: false, reason: 'cooldown', until: latest.until, ...(latest.tentative ? TENTATIVE_REFUSAL : {}) };
      }
      // A window that is already over refuses nobody, so there is nothing to win: skipping the claim
      // keeps rules without a cooldown from queueing behind each other under load.
      if (cooldownUntil.getTime() <= now.getTime()) break;
      seq = (latest?.seq ?? 0) + 1;
      const won = await this.ctx.claim('cooldowns', {
        _id: `${action.rule}#${seq}`,
        rule: action.rule,
        seq,
        until: cooldownUntil,
        actionId: action.id,
        claimedAt: now,
        tentative: true,
      });
      if (won) {
        this.ctx.faults.reach('store.dispatch.after-cooldown-claim');
        // Older windows are deleted to keep the collection small, so a caller that read a long-gone
        // window could insert into the gap; a newer window existing means this one does not count.
        const newer = await this.ctx.m.cooldowns.findOne({ rule: action.rule, seq: { $gt: seq } }, { _id: 1 }).lean<Doc>();
        if (!newer) {
          await this.ctx.m.cooldowns.deleteMany({ rule: action.rule, seq: { $lt: seq - 1 } });
          break;
        }
        await this.ctx.m.cooldowns.deleteOne({ _id: `${action.rule}#${seq}`, actionId: action.id });
        await moveRuleStatesVersion(this.ctx);
      }
      // Somebody else took this window (or took it and gave it back): look again.
    }
    // A window given back was visible meanwhile: readers that cached states see the version move.
    const releaseCooldown = async () => {
      if (seq > 0) {
        await this.ctx.m.cooldowns.deleteOne({ _id: `${action.rule}#${seq}`, actionId: action.id });
        await moveRuleStatesVersion(this.ctx);
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
      if (action.status === 'pending_approval') await this.ctx.m.approvalClaims.deleteOne({ _id: action.rule, actionId: action.id });
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
      await this.ctx.m.actions.insertMany([{ ...actionToDoc(action, 0), ...eventFields([], events) }], { lean: true });
    } catch (err) {
      await releaseApproval().catch(() => undefined);
      await releaseCooldown().catch(() => undefined);
      if (budget && budgetSeq > 0) {
        await this.ctx.m.budgetClaims.deleteOne({ _id: `${budget.target}#${budgetSeq}`, actionId: action.id }).catch(() => undefined);
        // The slot was visible meanwhile: readers that kept the claims see the version move.
        await moveRuleStatesVersion(this.ctx).catch(() => undefined);
      }
      throw err;
    }
    // The dispatch has gone ahead: its window stands, for readers to remember (before the version
    // moves, so that one who kept the tentative window under the old version reads it settled).
    if (seq > 0) await this.ctx.m.cooldowns.updateOne({ _id: `${action.rule}#${seq}`, actionId: action.id }, { $unset: { tentative: 1 } });
    await moveRuleStatesVersion(this.ctx);
    this.committedEvents.committed(events);
    return { ok: true, action };
  }

  /** Null when `action` now holds its rule's open approval; otherwise the id of the one that does. */
  private async claimOpenApproval(action: ActionRecord): Promise<string | null> {
    for (let attempt = 0; attempt < CLAIM_WAIT_ATTEMPTS; attempt += 1) {
      if (await this.ctx.claim('approvalClaims', { _id: action.rule, actionId: action.id, claimedAt: this.ctx.clock.now() })) {
        return null;
      }
      const holder = await this.ctx.m.approvalClaims.findById(action.rule).lean<Doc>();
      if (!holder) continue; // released meanwhile: try again
      const holderId = holder.actionId as string;
      const held = await this.ctx.m.actions.findById(holderId, { status: 1 }).lean<Doc>();
      // A claim whose action is no longer pending was left by a crash between the transition and
      // the claim's release; one without an action, by a crash during a dispatch (or it is
      // mid-dispatch right now, hence the age check).
      const stale = held ? held.status !== 'pending_approval' : this.ctx.isAbandoned(holder.claimedAt);
      if (!stale) return holderId;
      await this.ctx.m.approvalClaims.deleteOne({ _id: action.rule, actionId: holderId });
    }
    throw new Error(`could not settle the open approval of rule "${action.rule}"`);
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
      const readAt = this.ctx.clock.now().getTime();
      // Read whole and ordered here: pruning keeps it small, FerretDB's server-side sort is not to
      // be relied on, and the refusal names the moment a slot frees by claim time (as SQLite and
      // decide do), whatever order racing instances took their sequence numbers in.
      const claims = await this.ctx.m.budgetClaims.find({ target: budget.target }, { seq: 1, at: 1 }).lean<Doc[]>();
      const newestFirst = claims.map((d) => (d.at as Date).getTime()).sort((x, y) => y - x);
      const spentUntil = budgetSpentUntil(newestFirst, now.getTime(), budget.windowMs, budget.maxActions);
      if (spentUntil !== null) return { ok: false, until: new Date(spentUntil) };
      const seq = claims.reduce((max, d) => Math.max(max, d.seq as number), 0) + 1;
      const id = `${budget.target}#${seq}`;
      if (!(await this.ctx.claim('budgetClaims', { _id: id, target: budget.target, seq, at: now, actionId: action.id }))) continue;
      if (this.ctx.clock.now().getTime() - readAt >= budget.windowMs) {
        await this.ctx.m.budgetClaims.deleteOne({ _id: id, actionId: action.id });
        await moveRuleStatesVersion(this.ctx);
        continue;
      }
      await this.ctx.m.budgetClaims.deleteMany({
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
    const docs = await this.ctx.m.budgetClaims
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
    if (!(await this.ctx.claim('claims', { _id: claimId, at: this.ctx.clock.now(), actionId: action.id }))) {
      const claim = await this.ctx.m.claims.findById(claimId).lean<Doc>();
      return { ok: false, existingId: (claim?.actionId as string | undefined) ?? '' };
    }
    try {
      await this.ctx.m.actions.insertMany([actionToDoc(action, 0)], { lean: true });
    } catch (err) {
      await this.ctx.m.claims.deleteOne({ _id: claimId, actionId: action.id }).catch(() => undefined);
      throw err;
    }
    return { ok: true };
  }
}
